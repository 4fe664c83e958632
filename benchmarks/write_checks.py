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
    where.mkdir()
    shutil.copytree(REPO / "records", root, ignore=shutil.ignore_patterns(".cstool"))
    ident = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], [*ident, "commit", "-q", "-m", "sample desk"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", USER], cwd=root, check=True)
    return root


def _once(argv: list[str], root: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cstool", "--store", str(root), *argv], env=env, capture_output=True,
                          text=True, cwd=root.parent)  # not this checkout, whose cstool/ would come first
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {proc.stderr.strip()}")
    return time.perf_counter() - start


def run(sources: dict[str, Path | None], repeat: int) -> dict[str, dict[str, float]]:
    """Median seconds per command and version; the versions take turns run by run, so
    that the load of a shared machine falls on both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        setups = {}
        for name, src in sources.items():
            root = _desk(Path(tmp) / name)
            env = {**os.environ, "CSTOOL_USER": USER, "CSTOOL_NOW": "2026-12-01T10:00:00+08:00"}
            env.pop("CSTOOL_STORE", None)
            if src is not None:
                env["PYTHONPATH"] = str(src)
            _once(["list"], root, env)  # builds the index, so that every version starts warm
            setups[name] = (root, env, sorted(root.glob("tickets/*/*/*.yaml"))[-1].stem)
        times: dict[str, dict[str, list[float]]] = {name: {"create + commit": [], "note + commit": []} for name in sources}
        for i in range(repeat):
            for name, (root, env, ticket) in setups.items():
                times[name]["create + commit"].append(
                    _once(["create", "-q", "--type", "inquiry", "--title", f"bench {i}"], root, env))
                times[name]["note + commit"].append(_once(["note", ticket, "-m", f"bench {i}"], root, env))
        return {name: {k: statistics.median(v) for k, v in per.items()} for name, per in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    sources: dict[str, Path | None] = {"after": None}
    if args.baseline:
        sources = {"before": args.baseline, "after": None}
    result = run(sources, args.repeat)
    print(f"{'command':<18}" + "".join(f"{name + ' (s)':>12}" for name in result))
    for command in result["after"]:
        print(f"{command:<18}" + "".join(f"{result[name][command]:>12.3f}" for name in result))


if __name__ == "__main__":
    main()
