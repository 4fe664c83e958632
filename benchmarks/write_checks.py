"""What the checks before a write cost: ``create`` and ``note`` with a git commit on a copy
of the sample desk, as whole processes, median of --repeat runs.

    python benchmarks/write_checks.py [--repeat 10] [--baseline SRC]

With --baseline, the same commands also run with the cstool package found in SRC (a
folder holding a ``cstool/`` package, e.g. an older version exported with
``git archive OLD cstool | tar -x -C SRC``), so the table shows before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
USER = "zhao.lei@example.com"


def _desk(where: Path) -> Path:
    """A git repository holding a copy of the sample desk (records/), committed."""
    root = where / "desk"
    shutil.copytree(REPO / "records", root, ignore=shutil.ignore_patterns(".cstool"))
    ident = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], [*ident, "commit", "-q", "-m", "sample desk"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", USER], cwd=root, check=True)
    return root


def _median(argv: list[str], root: Path, env: dict[str, str], repeat: int) -> float:
    """Median seconds of argv (its last word numbered per run, so each run changes something)."""
    times = []
    for i in range(repeat):
        full = [sys.executable, "-m", "cstool", "--store", str(root), *argv[:-1], f"{argv[-1]} {i}"]
        start = time.perf_counter()
        proc = subprocess.run(full, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{argv[0]} failed: {proc.stderr.strip()}")
    return statistics.median(times)


def run(src: Path | None, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = _desk(Path(tmp))
        env = {**os.environ, "CSTOOL_USER": USER, "CSTOOL_NOW": "2026-12-01T10:00:00+08:00"}
        env.pop("CSTOOL_STORE", None)
        if src is not None:
            env["PYTHONPATH"] = str(src)
        ticket = sorted(root.glob("tickets/*/*/*.yaml"))[-1].stem
        subprocess.run([sys.executable, "-m", "cstool", "--store", str(root), "list"], env=env, capture_output=True)
        return {
            "create + commit": _median(["create", "-q", "--type", "inquiry", "--title", "bench"], root, env, repeat),
            "note + commit": _median(["note", ticket, "-m", "bench"], root, env, repeat),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    after = run(None, args.repeat)
    before = run(args.baseline, args.repeat) if args.baseline else None
    print(f"{'command':<18}{'before (s)':>12}{'after (s)':>12}")
    for name, value in after.items():
        old = f"{before[name]:.3f}" if before else "-"
        print(f"{name:<18}{old:>12}{value:>12.3f}")


if __name__ == "__main__":
    main()
