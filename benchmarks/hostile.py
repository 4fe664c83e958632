"""Time cstool on hostile input: each case builds its input, runs cstool as a whole
process and prints the wall time and peak memory (RSS).

    python benchmarks/hostile.py [--workdir /tmp/cstool-hostile] [--events 5000 20000]

Cases:
- ``verify`` of one ticket with N history events (linear in the events);
- ``show`` of a ticket of about 4 MiB (many events);
- ``list`` next to a 200 MB file symlinked into the tickets folder (its size is checked
  before anything is read: memory stays flat);
- ``list`` on a desk with a tier-A customer (since 2020, visited in 2026) whose periodic
  visit rule is ``FREQ=SECONDLY`` (refused by the config check, at once);
- ``list`` on a desk whose roster holds a 40,000-character id (refused by its length).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

NOW = "2026-11-20T10:00:00+08:00"
ACTOR = "zhao.lei@example.com"
TIMEOUT = 120.0  # a case still running then is killed and reported as such


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in KiB, exit code, first line of stderr) of one process."""
    time_bin = shutil.which("time") or "/usr/bin/time"
    cmd = [time_bin, "-f", "%M", *argv] if os.path.exists(time_bin) else argv
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, 0, -1, f"killed after {TIMEOUT:g} s"
    elapsed = time.perf_counter() - start
    rss = 0
    lines = proc.stderr.strip().splitlines()
    if cmd is not argv:
        try:
            rss = int(lines.pop())
        except (ValueError, IndexError):
            rss = 0
    return elapsed, rss, proc.returncode, (lines or [""])[0]


def cstool(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cstool", "--store", str(root), "--as", ACTOR, "--now", NOW, "--lang", "en", *args]


def fresh_desk(where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "cstool", "--as", ACTOR, "init", str(where), "--no-git", "--name", "bench",
                    "--user-name", "赵磊"], check=True, capture_output=True)
    return where


def ticket_with_events(root: Path, events: int) -> Path:
    """A ticket made by cstool, then N notes appended to its history as a teammate's file could hold."""
    tid = subprocess.run(cstool(root, "create", "-q", "--type", "inquiry", "--title", "长工单"), check=True,
                         capture_output=True, text=True).stdout.strip()
    path = next((root / "tickets").glob(f"*/*/{tid}.yaml"))
    note = f"  - at: '2026-11-20T10:00:00+08:00'\n    by: {ACTOR}\n    action: note\n    note: 已回电,客户要求再次跟进处理结果\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(note * events)
    return path


def main() -> None:
    global TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cstool-hostile"))
    parser.add_argument("--events", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="Kill a case after this many seconds.")
    args = parser.parse_args()
    TIMEOUT = args.timeout
    env = {**os.environ, "NO_COLOR": "1"}
    rows = []
    for n in args.events:
        root = fresh_desk(args.workdir / f"events{n}")
        path = ticket_with_events(root, n)
        rows.append((f"verify, 1 ticket of {n} events ({path.stat().st_size // 1024} KiB)", *timed(cstool(root, "verify"), env)))
    root = fresh_desk(args.workdir / "big")
    path = ticket_with_events(root, 30000)
    timed(cstool(root, "list"), env)  # index it once
    rows.append((f"show, 1 ticket of {path.stat().st_size / 1048576:.1f} MiB", *timed(cstool(root, "show", path.stem), env)))
    root = fresh_desk(args.workdir / "symlink")
    big = args.workdir / "big.bin"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    month = root / "tickets" / "2026" / "11"
    month.mkdir(parents=True, exist_ok=True)
    (month / "CS-2026-BIGBIG1.yaml").symlink_to(big)
    rows.append(("list, a 200 MB file symlinked in", *timed(cstool(root, "list"), env)))
    root = fresh_desk(args.workdir / "secondly")
    config = root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    cid = subprocess.run(cstool(root, "customer", "add", "--name", "甲客户", "--tier", "A", "--since", "2020-01-01"),
                         check=True, capture_output=True, text=True).stdout.strip()
    # a visit years after `since`: the next one is found by walking the rule from `since` on
    subprocess.run(cstool(root, "customer", "visit", cid, "--result", "satisfied"), check=True, capture_output=True)
    config.write_text(text.replace("    A: FREQ=MONTHLY\n", "    A: FREQ=SECONDLY\n", 1), encoding="utf-8")
    rows.append(("list, periodic rule FREQ=SECONDLY", *timed(cstool(root, "list"), env)))
    root = fresh_desk(args.workdir / "longid")
    config = root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(f"id: {ACTOR}", "id: " + "a" * 20000 + "@" + "." * 20000, 1), encoding="utf-8")
    rows.append(("list, roster id of 40,000 characters", *timed(cstool(root, "list"), env)))
    print(f"{'case':48} {'seconds':>8} {'peak MiB':>9} {'exit':>5}")
    for name, secs, rss, code, err in rows:
        print(f"{name:48} {secs:8.2f} {rss / 1024:9.0f} {code:5d}  {err[:110]}")


if __name__ == "__main__":
    main()
