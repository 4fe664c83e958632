"""Everyday commands against the start-up floor, on a copy of the sample desk.

    python benchmarks/startup.py [--repeat 15] [--workdir /tmp/cstool-startup]

Runs ``cstool --version`` and ``list``, ``show``, ``due``, ``reply --no-commit`` on a copy
of ``records/`` (the 45-ticket sample desk), interleaved round by round so that a busy
machine slows each alike, and prints each command's median wall time and its ratio to the
median of ``--version`` (target: at most 1.5). The index is built and each command run
once before timing; the processes may write byte-code caches (``PYTHONDONTWRITEBYTECODE``
is dropped), as an installed cstool has them: compiling every module on each run would
otherwise be most of what is measured.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 1.5
ENV = {"CSTOOL_USER": "zhao.lei@example.com", "CSTOOL_NOW": "2026-11-22T18:00:00+08:00", "CSTOOL_LANG": "zh"}


def commands(ticket: str) -> dict[str, list[str]]:
    """The commands timed (the first is the floor)."""
    return {"--version": ["--version"], "list": ["list"], "show": ["show", ticket], "due": ["due"],
            "reply --no-commit": ["--no-commit", "reply", ticket, "-m", "已回复客户"]}


def prepare(workdir: Path, name: str = "records") -> tuple[Path, str]:
    """A fresh copy of the sample desk with its index built, and one ticket's ID."""
    root = workdir / name
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(HERE.parent / "records", root, ignore=shutil.ignore_patterns(".cstool"))
    ticket = sorted(p.stem for p in (root / "tickets").rglob("*.yaml"))[0]
    run(["list"], root)
    return root, ticket


def run(args: list[str], root: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-m", "cstool", *args], cwd=root, env={**env, **ENV}, capture_output=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"cstool {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(repeat: int, workdir: Path) -> list[tuple[str, float, float, float, float]]:
    """(command, median wall seconds, its ratio to --version's, median CPU seconds, its
    ratio), rounds interleaved. CPU time suffers less from a machine shared with others."""
    root, ticket = prepare(workdir)
    # reply writes: it gets a copy of its own, so that the reading commands are timed on an
    # unchanged desk (their index refresh finds nothing to read again)
    writing_root, _ = prepare(workdir, "records-reply")
    cmds = commands(ticket)
    where = {name: writing_root if name.startswith("reply") else root for name in cmds}
    for name, args in cmds.items():  # byte-code caches written, the index up to date
        run(args, where[name])
    walls: dict[str, list[float]] = {name: [] for name in cmds}
    cpus: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, args in cmds.items():
            wall, cpu = run(args, where[name])
            walls[name].append(wall)
            cpus[name].append(cpu)
    floor, cpu_floor = statistics.median(walls["--version"]), statistics.median(cpus["--version"])
    return [(name, statistics.median(walls[name]), statistics.median(walls[name]) / floor,
             statistics.median(cpus[name]), statistics.median(cpus[name]) / cpu_floor) for name in cmds]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cstool-startup"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"median of {args.repeat} interleaved runs on the sample desk; target ≤ {TARGET_RATIO}× --version")
    print(f"{'command':<18} {'wall':>9} {'ratio':>6}  {'cpu':>9} {'ratio':>6}")
    for name, secs, ratio, cpu, cpu_ratio in measure(args.repeat, args.workdir):
        mark = "" if ratio <= TARGET_RATIO else "  !"
        print(f"{name:<18} {secs:7.3f} s {ratio:5.2f}×  {cpu:7.3f} s {cpu_ratio:5.2f}×{mark}")


if __name__ == "__main__":
    main()
