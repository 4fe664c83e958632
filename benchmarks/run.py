"""Time cstool as whole processes on generated desks and print the medians.

    python benchmarks/run.py [--sizes 10000 100000] [--month-sizes 100000] [--repeat 5] [--workdir /tmp/cstool-bench]

For each size a desk is generated once (benchmarks/make_desk.py, a git repository) and
reused on later runs. Each command runs --repeat times with a warm page cache; the table
gives the median wall time and the largest peak memory (RSS) seen. The cold rebuild
deletes the index (.cstool/) before each run. ``audit`` is a month that has ended,
``audit (month now)`` the month still running; the quarter, the year and a month compared
with the month before have no target and are reported as figures. ``audit (month of
all)`` is an audit of a month that holds every ticket of a desk made for it (every ticket
created in October 2026, ``make_desk.py --month``), one per --month-sizes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS: dict[str, float | None] = {
    "--help": 0.12, "show": 0.3, "list": 0.5, "due": 0.4, "audit": 0.6, "audit (month now)": 0.6,
    "audit (quarter)": None, "audit (year)": None, "audit (compare)": None,  # figures noted, no target
    "create": 0.25, "create+commit": 0.6, "cold rebuild": 40.0,
    "list (sort due)": 0.5, "complete id": None, "complete id end": None}  # completion: figures noted, no target yet


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one process."""
    time_bin = shutil.which("time") or "/usr/bin/time"
    cmd = [time_bin, "-f", "%M", *argv] if os.path.exists(time_bin) else argv
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    rss = 0
    if cmd is not argv:
        try:
            rss = int(proc.stderr.strip().splitlines()[-1])
        except (ValueError, IndexError):
            rss = 0
    return elapsed, rss, proc.returncode


def bench(size: int, repeat: int, workdir: Path) -> list[tuple[str, float, int, str]]:
    from make_desk import generate

    root = workdir / f"desk-{size}"
    if not (root / "cstool.yaml").exists():
        print(f"generating {size} tickets in {root} …", file=sys.stderr)
        generate(root, size, seed=size, git=True)
    # the person acting is also git's user.email, as on an agent's own clone (acting --as
    # someone else is recording for them, which only a lead or above may do)
    actor = "zhao.lei@example.com"
    env = {**os.environ, "CSTOOL_USER": actor, "CSTOOL_NOW": "2026-11-22T18:00:00+08:00", "CSTOOL_LANG": "zh",
           "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.email", "GIT_CONFIG_VALUE_0": actor,
           "GIT_AUTHOR_NAME": "bench", "GIT_COMMITTER_NAME": "bench",
           "GIT_AUTHOR_EMAIL": actor, "GIT_COMMITTER_EMAIL": actor}
    cstool = [sys.executable, "-m", "cstool"]
    suffix = sorted(p.stem for p in (root / "tickets" / "2026" / "11").glob("*.yaml"))[0][-5:]
    rows = []

    def measure(name: str, argv: list[str], before=None, runs: int = repeat, extra_env=None) -> None:
        times, peak, codes = [], 0, set()
        for _ in range(runs):
            if before:
                before()
            elapsed, rss, code = timed(argv, root, {**env, **(extra_env or {})})
            times.append(elapsed)
            peak = max(peak, rss)
            codes.add(code)
        status = "ok" if codes <= {0, 1} else f"exit {sorted(codes)}"
        rows.append((name, statistics.median(times), peak, status))
        print(f"  {size:>7} {name:<17} {statistics.median(times):7.3f} s  {peak / 1024:6.1f} MB  {status}", file=sys.stderr)

    def drop_index() -> None:
        shutil.rmtree(root / ".cstool", ignore_errors=True)

    measure("cold rebuild", [*cstool, "list", "--limit", "1"], before=drop_index, runs=max(1, min(repeat, 3)))
    measure("--help", [*cstool, "--help"])
    measure("show", [*cstool, "show", suffix])
    measure("list", [*cstool, "list"])
    measure("list (sort due)", [*cstool, "list", "--sort", "due"])
    # shell completion of a ticket ID (click's protocol), by its start and by its ending
    for name, word in (("complete id", "CS-2026-1"), ("complete id end", suffix[-3:])):
        measure(name, [*cstool], extra_env={"_CSTOOL_COMPLETE": "bash_complete", "COMP_WORDS": f"cstool show {word}",
                                            "COMP_CWORD": "2"})
    measure("due", [*cstool, "due"])
    # an ended month, and the month still running
    measure("audit", [*cstool, "audit", "--period", "2026-10"])
    measure("audit (month now)", [*cstool, "audit", "--period", "2026-11"])
    # longer periods and a comparison: figures noted, no target set
    measure("audit (quarter)", [*cstool, "audit", "--period", "2026-Q4"])
    measure("audit (year)", [*cstool, "audit", "--period", "2026"])
    measure("audit (compare)", [*cstool, "audit", "--period", "2026-10", "--compare", "previous"])
    measure("create", [*cstool, "--no-commit", "create", "-q", "--type", "inquiry", "--title", "基准测试"])
    measure("create+commit", [*cstool, "create", "-q", "--type", "inquiry", "--title", "基准测试"])
    return rows


# --------------------------------------------------------------------------- a month that holds every ticket

MONTH_TARGETS: dict[str, float | None] = {"audit (month of all)": 1.5}


def bench_month(size: int, repeat: int, workdir: Path) -> list[tuple[str, float, int, str]]:
    """``audit`` of the month holding all ``size`` tickets of a desk generated for it
    (reused on later runs); the index is brought up to date by one untimed run first."""
    from make_desk import generate

    root = workdir / f"month-{size}"
    if not (root / "cstool.yaml").exists():
        print(f"generating {size} tickets of 2026-10 in {root} …", file=sys.stderr)
        generate(root, size, seed=size, git=True, month="2026-10")
    actor = "zhao.lei@example.com"
    env = {**os.environ, "CSTOOL_USER": actor, "CSTOOL_NOW": "2026-11-22T18:00:00+08:00", "CSTOOL_LANG": "zh"}
    argv = [sys.executable, "-m", "cstool", "audit", "--period", "2026-10"]
    timed(argv, root, env)  # builds the index the first time
    runs = [timed(argv, root, env) for _ in range(repeat)]
    status = "ok" if {code for _, _, code in runs} <= {0} else "exit !"
    secs, peak = statistics.median(t for t, _, _ in runs), max(rss for _, rss, _ in runs)
    print(f"  {size:>7} {'audit (month of all)':<17} {secs:7.3f} s  {peak / 1024:6.1f} MB  {status}", file=sys.stderr)
    return [("audit (month of all)", secs, peak, status)]


def print_month_table(results: dict[int, list[tuple[str, float, int, str]]]) -> None:
    """The month-of-all rows, one column per desk size."""
    if not results:
        return
    sizes = sorted(results)
    print(f"\n{'command':<21} {'target':>8} " + " ".join(f"{f'{s:,} tickets in one month':>30}" for s in sizes))
    for i, (name, *_) in enumerate(results[sizes[0]]):
        cells = []
        for s in sizes:
            _, secs, rss, status = results[s][i]
            cells.append(f"{secs:8.3f} s {rss / 1024:6.1f} MB{'' if status == 'ok' else ' !'}")
        target = MONTH_TARGETS[name]
        print(f"{name:<21} {'—' if target is None else f'{target}s':>8} " + " ".join(f"{c:>30}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--month-sizes", type=int, nargs="*", default=[100_000],
                        help="desk sizes for the audit of a month holding every ticket (none: skip it)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cstool-bench"))
    parser.add_argument("--no-bulk", action="store_true", help="leave out the bulk paths (benchmarks/bulk.py)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = {size: bench(size, args.repeat, args.workdir) for size in args.sizes}
    print(f"\nmedian of {args.repeat} runs, whole processes, {os.cpu_count()} cores")
    header = f"{'command':<17} {'target':>8} " + " ".join(f"{f'{s:,} tickets':>22}" for s in args.sizes)
    print(header)
    names = [r[0] for r in results[args.sizes[0]]]
    for i, name in enumerate(names):
        cells = []
        for s in args.sizes:
            _, secs, rss, status = results[s][i]
            cells.append(f"{secs:8.3f} s {rss / 1024:6.1f} MB{'' if status == 'ok' else ' !'}")
        target = TARGETS[name]
        print(f"{name:<17} {'—' if target is None else f'{target}s':>8} " + " ".join(f"{c:>22}" for c in cells))
    print_month_table({size: bench_month(size, args.repeat, args.workdir) for size in args.month_sizes})
    if not args.no_bulk:
        bulk_section(args)


# --------------------------------------------------------------------------- bulk paths

def bulk_section(args: argparse.Namespace) -> None:
    """The bulk paths at 100,000 tickets (benchmarks/bulk.py), as a table of their own."""
    from bulk import bulk_rows, print_table

    repeat = max(1, min(args.repeat, 3))
    print_table(bulk_rows(args.workdir, repeat), repeat)


if __name__ == "__main__":
    main()
