"""Time ``cstool verify --history`` over a desk with many commits.

    python benchmarks/history.py [--commits 10000] [--tickets 1000] [--workdir /tmp/cstool-history-bench]

Builds (once per size) a git desk whose history is what a team makes: each ticket is
created by the lead of its group in one commit, then its assignee adds notes, one commit
each, committed by the person who made the event at the moment it says; every 250
commits a note is made on a side branch and merged. The commits are written with
``git fast-import``. Then runs ``cstool verify --history`` as a whole process and prints
the wall time, commits per second and the number of findings (an honest history: 0).

    python benchmarks/history.py --sample [--workdir DIR]

instead builds the sample desk (scripts/make_sample_desk.py) as a git desk, every command
committed by its acting person at its --now, and counts the findings on that history
(false positives: every finding there is one).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
TZ = timezone(timedelta(hours=8))
START = datetime(2026, 1, 5, 8, 30, tzinfo=TZ)
LEAD = "qian.hui@example.com"  # lead of the inquiry group
AGENTS = ("li.na@example.com", "zhou.min@example.com")  # the inquiry group's agents


def stamp(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


class Ticket:
    def __init__(self, number: int, created: datetime):
        self.id = f"CS-2026-B{number:06d}"
        self.path = f"tickets/{created.year:04d}/{created.month:02d}/{self.id}.yaml"
        self.assignee = AGENTS[number % len(AGENTS)]
        self.created = stamp(created)
        self.updated = self.created
        self.events = [f"  - at: '{self.created}'\n    by: {LEAD}\n    action: create\n    status: open\n"
                       f"    group: inquiry\n    assignee: {self.assignee}\n    level: 1\n"]

    def note(self, when: datetime, n: int) -> None:
        self.updated = stamp(when)
        self.events.append(f"  - at: '{self.updated}'\n    by: {self.assignee}\n    action: note\n    note: 第{n}次备注\n")

    def text(self) -> bytes:
        head = (f"id: {self.id}\ntype: inquiry\ntitle: 问询 {self.id}\nchannel: phone\npriority: C\nseverity: general\n"
                f"status: open\ngroup: inquiry\nassignee: {self.assignee}\nlevel: 1\ncreated: '{self.created}'\n"
                f"updated: '{self.updated}'\nhistory:\n")
        return (head + "".join(self.events)).encode()


def _commit(out: list[bytes], mark: int, who: str, when: datetime, message: str, parent: int | None,
            files: list[Ticket], merge: int | None = None) -> None:
    date = f"{int(when.timestamp())} +0800"
    msg = message.encode()
    out.append(f"commit refs/heads/main\nmark :{mark}\ncommitter {who.split('@')[0]} <{who}> {date}\n".encode())
    out.append(f"data {len(msg)}\n".encode() + msg + b"\n")
    if parent is not None:
        out.append(f"from :{parent}\n".encode())
    if merge is not None:
        out.append(f"merge :{merge}\n".encode())
    for t in files:
        data = t.text()
        out.append(f"M 100644 inline {t.path}\ndata {len(data)}\n".encode() + data + b"\n")


def build(root: Path, commits: int, tickets: int) -> None:
    """A git desk with about ``commits`` commits (fast-import stream built in memory)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    config = (HERE.parent / "records" / "cstool.yaml").read_bytes()
    out: list[bytes] = []
    manager = "chen.jing@example.com"
    out.append(b"commit refs/heads/main\nmark :1\n" + f"committer chen <{manager}> {int(START.timestamp())} +0800\n".encode())
    out.append(b"data 4\ninit\n" + f"M 100644 inline cstool.yaml\ndata {len(config)}\n".encode() + config + b"\n")
    all_tickets: list[Ticket] = []
    mark, when, n = 1, START, 0
    while mark < commits:
        when += timedelta(minutes=3)
        if len(all_tickets) < tickets:
            t = Ticket(len(all_tickets), when)
            all_tickets.append(t)
            _commit(out, mark + 1, LEAD, when, f"{t.id} create inquiry", mark, [t])
            mark += 1
            continue
        n += 1
        t = all_tickets[n % tickets]
        if n % 250 == 0:  # a note on a side branch, another on main, then the merge
            side = all_tickets[(n + 7) % tickets]
            side.note(when, n)
            _commit(out, mark + 1, side.assignee, when, f"{side.id} note", mark, [side])
            when += timedelta(minutes=1)
            t.note(when, n)
            _commit(out, mark + 2, t.assignee, when, f"{t.id} note", mark, [t])
            _commit(out, mark + 3, LEAD, when, "merge", mark + 2, [side], merge=mark + 1)
            mark += 3
            continue
        t.note(when, n)
        _commit(out, mark + 1, t.assignee, when, f"{t.id} note", mark, [t])
        mark += 1
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(out), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)


def sample_desk(target: Path) -> None:
    """scripts/make_sample_desk.py with git: each command commits as its actor at its --now."""
    sys.path.insert(0, str(HERE.parent))
    from click.testing import CliRunner

    from scripts import make_sample_desk as sample

    class Committing(CliRunner):
        def invoke(self, cli, args, **kw):  # type: ignore[override]
            args = [a for a in args if a not in ("--no-commit", "--no-git")]
            when = args[args.index("--now") + 1] + ":00+08:00" if "--now" in args else stamp(START)
            if (target / ".git").exists() and _dirty(target):  # the roster the script wrote after init
                env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
                for git_args in (["add", "cstool.yaml"], ["commit", "-q", "-m", "team roster"]):
                    subprocess.run(["git", "-c", "user.name=陈静", "-c", "user.email=chen.jing@example.com", *git_args],
                                   cwd=target, env=env, check=True)
            return super().invoke(cli, args, env={"GIT_COMMITTER_DATE": when}, **kw)

    sample.CliRunner = Committing  # type: ignore[misc]
    sample.main(target)


def _dirty(root: Path) -> bool:
    return bool(subprocess.run(["git", "status", "--porcelain", "cstool.yaml"], cwd=root, capture_output=True,
                               text=True).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10000)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cstool-history-bench"))
    parser.add_argument("--sample", action="store_true", help="the sample desk's history instead")
    args = parser.parse_args()
    os.environ.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)  # no identity: commits as the actor
    root = args.workdir / ("sample" if args.sample else f"desk-{args.commits}")
    if args.sample:
        sample_desk(root)
    elif not (root / ".git").exists():
        started = time.perf_counter()
        build(root, args.commits, args.tickets)
        print(f"built {root} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    count = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True,
                               check=True).stdout)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cstool", "--store", str(root), "verify", "--history", "--json"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"verify --history failed ({proc.returncode}): {proc.stderr}")
    import json

    findings = json.loads(proc.stdout)["findings"]
    print(f"verify --history: {count} commits in {elapsed:.2f}s = {count / elapsed:.0f} commits/s, "
          f"{len(findings)} findings (exit {proc.returncode}); target < 30s")
    for f in findings[:5]:
        print(f"  {f['commit'][:10]} {f['file']}: {f['message']}")


if __name__ == "__main__":
    main()
