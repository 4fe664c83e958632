"""The bulk paths at 100,000 tickets, as whole processes: listing, exporting, checking,
escalating, syncing and checking history.

    python benchmarks/bulk.py [--repeat 3] [--workdir /tmp/cstool-bench] [--only NAME ...]

(also run by ``benchmarks/run.py``). Desks are made once in the work folder and reused:
``desk-100000`` (benchmarks/make_desk.py, shared with run.py; only read here),
``open-100000`` (every ticket created in 2026-11 and still open: ``--all-open-in``), and
working copies that commands change (``escalate-100000``, the sync clones); a history
desk of 10,000 commits comes from benchmarks/history.py. The table gives the median wall
time, the largest peak memory (RSS) and the target of each row.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = 100_000
ACTOR = "zhao.lei@example.com"  # a lead: may escalate, and git's user.email in every clone
NOW = "2026-11-22T18:00:00+08:00"
CHANGED = 1000  # tickets changed on each side of a sync, and escalated in one commit

TARGETS: dict[str, float] = {
    "due --json (100k open)": 1.5, "export csv": 10.0, "export json": 10.0, "export xlsx": 10.0,
    "verify (cold)": 30.0, "verify (unchanged)": 3.0, "audit --check (unchanged)": 3.0,
    "escalate (none due)": 2.0, "escalate (1,000)": 10.0, "sync (1,000 each side)": 30.0,
    "verify --history (10k commits)": 30.0,
}

Row = tuple[str, float, int, str]


def environment(now: str = NOW) -> dict[str, str]:
    """The acting person, the clock and git's identity for every process."""
    return {**os.environ, "CSTOOL_USER": ACTOR, "CSTOOL_NOW": now, "CSTOOL_LANG": "zh",
            "GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "user.email", "GIT_CONFIG_VALUE_0": ACTOR,
            # an automatic repack runs in the foreground: never while a desk is copied or timed
            "GIT_CONFIG_KEY_1": "gc.autoDetach", "GIT_CONFIG_VALUE_1": "false",
            "GIT_AUTHOR_NAME": "bench", "GIT_COMMITTER_NAME": "bench", "GIT_AUTHOR_EMAIL": ACTOR,
            "GIT_COMMITTER_EMAIL": ACTOR}


def cstool(*args: str) -> list[str]:
    return [sys.executable, "-m", "cstool", *args]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env=environment()).stdout


def measure(name: str, argv: list[str], cwd: Path, repeat: int, before: Callable[[], None] | None = None,
            env: dict[str, str] | None = None) -> Row:
    """Median seconds and largest peak RSS of ``repeat`` runs (``before`` each, untimed);
    the median CPU time (user + system, less disturbed by a busy machine) is printed too."""
    times, cpus, peak, codes = [], [], 0, set()
    for _ in range(repeat):
        if before:
            before()
        elapsed, cpu, rss, code = timed(argv, cwd, env or environment())
        times.append(elapsed)
        cpus.append(cpu)
        peak = max(peak, rss)
        codes.add(code)
    status = "ok" if codes <= {0, 1} else f"exit {sorted(codes)}"
    row = (name, statistics.median(times), peak, status)
    print(f"  {name:<30} {row[1]:8.3f} s (cpu {statistics.median(cpus):7.3f} s) {peak / 1024:7.1f} MB  {status}  "
          f"(target {TARGETS[name]} s)", file=sys.stderr)
    return row


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of the process and its children, peak RSS in KiB, exit code)."""
    import time

    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", *argv], cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    try:
        user, system, rss = proc.stderr.strip().splitlines()[-1].split()
        return elapsed, float(user) + float(system), int(rss), proc.returncode
    except (ValueError, IndexError):
        return elapsed, 0.0, 0, proc.returncode


def base_desk(workdir: Path) -> Path:
    """The shared 100,000-ticket desk, made once."""
    from make_desk import generate

    root = workdir / f"desk-{SIZE}"
    if not (root / "cstool.yaml").exists():
        generate(root, SIZE, seed=SIZE, git=True)
    return root


def open_desk(workdir: Path) -> Path:
    """100,000 tickets created in 2026-11 and all still open, made once."""
    from make_desk import generate

    root = workdir / f"open-{SIZE}"
    if not (root / "cstool.yaml").exists():
        generate(root, SIZE, seed=7, git=True, all_open_in="2026-11")
    return root


def warm(root: Path, env: dict[str, str] | None = None) -> None:
    """Bring the desk's index up to date (untimed)."""
    subprocess.run(cstool("list", "--limit", "1"), cwd=root, env=env or environment(), capture_output=True, check=True)


def reading_rows(workdir: Path, repeat: int) -> list[Row]:
    """due --json of a backlog, the exports and the integrity check, cold and unchanged."""
    backlog, desk = open_desk(workdir), base_desk(workdir)
    warm(backlog)
    warm(desk)
    out = workdir / "bulk-export"
    rows = [measure("due --json (100k open)", cstool("due", "--json"), backlog, repeat)]
    for fmt in ("csv", "json", "xlsx"):
        rows.append(measure(f"export {fmt}", cstool("export", "--format", fmt, "-o", f"{out}.{fmt}"), desk, repeat))

    def forget_checks() -> None:
        (desk / ".cstool" / "verified.json").unlink(missing_ok=True)

    rows.append(measure("verify (cold)", cstool("verify"), desk, max(1, min(repeat, 2)), before=forget_checks))
    rows.append(measure("verify (unchanged)", cstool("verify"), desk, repeat))
    rows.append(measure("audit --check (unchanged)", cstool("audit", "--check"), desk, repeat))
    return rows


def escalation_moment(root: Path, count: int) -> str:
    """A --now at which about ``count`` of the backlog's first responses are overdue: just
    after the count-th earliest first-response deadline."""
    import sqlite3
    from datetime import datetime, timedelta, timezone

    conn = sqlite3.connect(root / ".cstool" / "index.sqlite")
    (due,) = conn.execute("SELECT due_utc FROM deadlines WHERE kind = 'first_response' ORDER BY due_utc "
                          "LIMIT 1 OFFSET ?", (count - 1,)).fetchone()
    conn.close()
    moment = datetime.fromisoformat(due) + timedelta(minutes=1)
    return moment.astimezone(timezone(timedelta(hours=8))).isoformat(timespec="seconds")


def escalate_rows(workdir: Path, repeat: int) -> list[Row]:
    """escalate --overdue on a copy of the backlog: about 1,000 breached tickets in one
    commit (the copy put back before each run), then again with nothing left to do."""
    backlog = open_desk(workdir)
    warm(backlog)
    root = workdir / f"escalate-{SIZE}"
    if not (root / ".git").exists():
        shutil.copytree(backlog, root, symlinks=True)
    start = git(backlog, "rev-parse", "HEAD").strip()  # the backlog's: an earlier run left the copy escalated
    now = escalation_moment(root, CHANGED)
    env = environment(now)

    def put_back() -> None:
        git(root, "reset", "-q", "--hard", start)
        warm(root, env)

    rows = [measure("escalate (1,000)", cstool("escalate", "--overdue"), root, repeat, before=put_back, env=env)]
    done = git(root, "log", "-1", "--format=%s").strip()
    print(f"    ({done})", file=sys.stderr)
    rows.append(measure("escalate (none due)", cstool("escalate", "--overdue"), root, repeat, env=env))
    return rows


NOTE = ("  - at: '{at}'\n    by: {by}\n    action: note\n    note: {text}\n")


def _add_notes(clone: Path, paths: list[str], at: str, text: str) -> None:
    """Append a note event to each ticket file's history (the last key of the file) and commit."""
    for rel in paths:
        path = clone / rel
        body = path.read_text(encoding="utf-8")
        match = re.search(r'^updated: .*$', body, flags=re.M)
        body = body[:match.start()] + f'updated: "{at}"' + body[match.end():] if match else body
        path.write_text(body.rstrip("\n") + "\n" + NOTE.format(at=at, by=ACTOR, text=text), encoding="utf-8")
    git(clone, "add", "-A", "tickets")
    git(clone, "commit", "-q", "-m", f"{len(paths)} notes")


def sync_row(workdir: Path) -> list[Row]:
    """Two clones of a bare origin each add a note to the same 1,000 tickets (the merge
    driver unites each file), one syncs first, the other's sync is timed (once: the set-up
    costs minutes)."""
    desk = base_desk(workdir)
    top = workdir / "sync"
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(desk), str(top / "origin.git")], check=True)
    clones = [top / "a", top / "b"]
    for clone in clones:
        subprocess.run(["git", "clone", "-q", str(top / "origin.git"), str(clone)], check=True)
        subprocess.run(cstool("setup-git"), cwd=clone, env=environment(), check=True, capture_output=True)
    tickets = sorted(git(clones[0], "ls-files", "tickets/2026/10").split())[:CHANGED]
    _add_notes(clones[0], tickets, "2026-11-22T17:00:00+08:00", "甲方补充")
    _add_notes(clones[1], tickets, "2026-11-22T17:30:00+08:00", "乙方补充")
    for clone in clones:
        warm(clone)
    subprocess.run(cstool("sync"), cwd=clones[0], env=environment(), check=True, capture_output=True)
    return [measure("sync (1,000 each side)", cstool("sync"), clones[1], 1)]


def history_row(workdir: Path) -> list[Row]:
    """verify --history over a desk of 10,000 commits (benchmarks/history.py builds it)."""
    from history import build

    root = workdir / "history-10000"
    if not (root / ".git").exists():
        build(root, 10_000, 1000)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return [measure("verify --history (10k commits)", cstool("--store", str(root), "verify", "--history"), root, 1,
                    env=env)]


SECTIONS = {"reading": reading_rows, "escalate": escalate_rows, "sync": lambda w, r: sync_row(w),
            "history": lambda w, r: history_row(w)}


def bulk_rows(workdir: Path, repeat: int, only: list[str] | None = None) -> list[Row]:
    """Every bulk row (or the sections named in ``only``)."""
    sys.path.insert(0, str(HERE))
    rows: list[Row] = []
    for name, section in SECTIONS.items():
        if not only or name in only:
            rows.extend(section(workdir, repeat))
    return rows


def print_table(rows: list[Row], repeat: int) -> None:
    print(f"\nbulk paths at {SIZE:,} tickets: median of {repeat} runs (sync and history: 1), whole processes, "
          f"{os.cpu_count()} cores")
    print(f"{'command':<30} {'target':>8} {'time':>10} {'memory':>10}")
    for name, secs, rss, status in rows:
        flag = "" if status == "ok" and secs <= TARGETS[name] else " !"
        print(f"{name:<30} {TARGETS[name]:>7}s {secs:8.3f} s {rss / 1024:7.1f} MB{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cstool-bench"))
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print_table(bulk_rows(args.workdir, args.repeat, args.only), args.repeat)


if __name__ == "__main__":
    main()
