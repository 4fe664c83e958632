"""Many cstool processes at once on one desk: no update lost, no ID used twice.

- 16 concurrent workers, for 30 s, each run real ``python -m cstool`` processes back to
  back with mixed actions (note, reply, pending/resume, escalate, route, and some creates)
  on the same 20 tickets of a git desk. Every action that exited 0 must be in the files:
  the history events added across the tickets equal the successful actions exactly,
  every successful action made exactly one commit, no ID is used twice, and ``verify``
  is clean.
- 8 processes creating 50 tickets each at the same time leave 400 tickets, 400 distinct
  IDs, and no partial or temporary files.
- A lock wait gives up with exit 3 and a clear message instead of hanging.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cstool.desk import yamlio
from cstool.desk.store import Desk as StoreDesk
from cstool.domain.ids import TICKET_ID_RE
from tests.support.desk import NOW
from tests.support.roster import AGENTS, LEAD, LEAD2, MANAGER, SUPERVISOR

WORKERS = 16
TICKETS = 20
# CSTOOL_STRESS_SECONDS shortens or lengthens the run (e.g. 5 while working on the test)
SECONDS = float(os.environ.get("CSTOOL_STRESS_SECONDS", "30"))
SUMMARY: dict[str, Any] = {}


def _argv(root: Path, who: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "cstool", "--store", str(root), "--lang", "en", "--as", who, "--now", NOW, *args]


def _histories(root: Path) -> dict[str, int]:
    return {p.stem: len(yamlio.load(p)["history"]) for p in sorted((root / "tickets").glob("*/*/*.yaml"))}


@pytest.mark.stress
def test_sixteen_processes_lose_no_update(new_desk):
    d = new_desk(git=True)
    root = d.root
    ids = [d.create("--type", ("complaint", "inquiry")[i % 2], "--title", f"并发工单 {i}", as_=MANAGER)
           for i in range(TICKETS)]
    start_events = _histories(root)
    start_commits = int(d.git("rev-list", "--count", "HEAD").strip())
    assert sum(start_events.values()) == TICKETS

    lock = threading.Lock()
    per_worker: list[Counter] = [Counter() for _ in range(WORKERS)]
    created: list[str] = []
    failures: list[str] = []
    deadline = time.monotonic() + SECONDS

    def worker(n: int) -> None:
        rng = random.Random(1000 + n)
        who = (MANAGER, SUPERVISOR)[n % 2]
        while time.monotonic() < deadline:
            tid = rng.choice(ids)
            kind = rng.choice(["note", "note", "reply", "pending", "resume", "escalate", "route", "route", "create"])
            args = {
                "note": ("note", tid, "-m", f"worker {n} note"),
                "reply": ("reply", tid, "-m", f"worker {n} reply"),
                "pending": ("pending", tid, "--reason", f"worker {n} waits"),
                "resume": ("resume", tid),
                "escalate": ("escalate", tid, "--reason", f"worker {n} escalates"),
                "route": ("route", tid, "--group", rng.choice(["complaint", "inquiry", "after_sales", "tech"]),
                          "--note", f"worker {n}"),
                "create": ("create", "-q", "--type", "inquiry", "--title", f"worker {n} new"),
            }[kind]
            proc = subprocess.run(_argv(root, who, *args), capture_output=True, text=True, timeout=120)
            with lock:
                per_worker[n][(kind, proc.returncode)] += 1
                if proc.returncode == 0 and kind == "create":
                    created.append(proc.stdout.strip())
                elif proc.returncode not in (0, 2):
                    failures.append(f"{args}: {proc.returncode} {proc.stderr.strip()}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    total = sum(per_worker, Counter())
    ok_actions = sum(v for (kind, rc), v in total.items() if rc == 0 and kind != "create")
    ok_creates = sum(v for (kind, rc), v in total.items() if rc == 0 and kind == "create")
    refused = sum(v for (_, rc), v in total.items() if rc == 2)
    end_events = _histories(root)
    added = sum(end_events[t] - start_events[t] for t in ids)
    commits = int(d.git("rev-list", "--count", "HEAD").strip()) - start_commits
    SUMMARY.update(seconds=SECONDS, workers=WORKERS, processes=sum(total.values()), successful_actions=ok_actions,
                   successful_creates=ok_creates, refused=refused, other_exits=len(failures),
                   events_added=added, commits=commits, lost=ok_actions - added,
                   per_worker=[sum(v for (_, rc), v in c.items() if rc == 0) for c in per_worker])
    print(f"\n[concurrency] {SUMMARY}")
    assert failures == [], f"exits other than 0 and 2: {failures[:5]} [{SUMMARY}]"
    assert added == ok_actions, f"history events added {added} != successful actions {ok_actions} [{SUMMARY}]"
    assert commits == ok_actions + ok_creates, f"commits {commits} != successful changes [{SUMMARY}]"
    assert ok_actions > WORKERS, f"too little work got done to mean anything [{SUMMARY}]"
    # no duplicate ID, every created ticket is there with just its creation event
    assert len(created) == len(set(created)) == ok_creates
    new_files = set(end_events) - set(ids)
    assert new_files == set(created), (new_files ^ set(created))
    assert all(end_events[t] == 1 for t in created)
    stems = [p.name for p in (root / "tickets").glob("*/*/*.yaml")]
    assert len(stems) == len(set(stems)) == TICKETS + ok_creates
    assert d.git("status", "--porcelain", "--untracked-files=all", "--", "tickets") == "", "uncommitted changes"
    check = subprocess.run(_argv(root, MANAGER, "verify", "--json"), capture_output=True, text=True, timeout=60)
    report = json.loads(check.stdout)
    assert check.returncode == 0 and report["findings"] == [], report["findings"][:5]


CREATE_WORKERS = 8
PER_WORKER = 50

# Each worker is a real process that imports cstool, waits for the start signal (so all
# eight write at once), then runs `cstool create` in-process 50 times.
CREATE_WORKER = textwrap.dedent("""
    import os, sys, time
    from click.testing import CliRunner
    from cstool.cli import cli

    store, worker, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    runner = CliRunner()
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(count):
        res = runner.invoke(cli, ["--store", store, "--as", {actor!r}, "--now", {now!r}, "create", "-q",
                                  "--type", "complaint", "--title", f"并发 {{worker}}-{{i}}",
                                  "--description", f"worker {{worker}} ticket {{i}}\\n第二行"])
        if res.exit_code != 0 or res.exception and not isinstance(res.exception, SystemExit):
            print(f"worker {{worker}} ticket {{i}}: exit {{res.exit_code}}: {{res.stderr}} {{res.exception!r}}",
                  file=sys.stderr)
            sys.exit(1)
        print(res.stdout.strip(), flush=True)
""").format(actor=LEAD2, now=NOW)


@pytest.mark.stress
def test_eight_processes_creating_fifty_tickets_each(desk, tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "CSTOOL_LOCK_TIMEOUT": "120"}
    procs = [subprocess.Popen([sys.executable, "-c", CREATE_WORKER, str(desk.root), str(w), str(PER_WORKER), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for w in range(CREATE_WORKERS)]
    time.sleep(0.3)  # let them import cstool and wait at the line
    go.touch()
    printed: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        printed += out.split()

    # 400 IDs printed, all distinct and well formed
    assert len(printed) == CREATE_WORKERS * PER_WORKER
    assert len(set(printed)) == len(printed)
    assert all(TICKET_ID_RE.match(i) for i in printed)

    # exactly 400 ticket files, one per printed ID, each complete and parseable
    files = sorted((desk.root / "tickets").rglob("*.yaml"))
    assert len(files) == CREATE_WORKERS * PER_WORKER
    assert {f.stem for f in files} == set(printed)
    store = StoreDesk.open(desk.root)
    titles = set()
    for f in files:
        data = store.load_ticket(f)  # the id inside matches the file name
        assert f.relative_to(desk.root).as_posix() == f"tickets/2026/11/{data['id']}.yaml"
        assert data["history"][0]["action"] == "create" and data["history"][-1] is data["history"][0]
        assert data["description"].endswith("\n第二行")
        assert f.read_bytes().endswith(b"\n")
        titles.add(str(data["title"]))
    assert titles == {f"并发 {w}-{i}" for w in range(CREATE_WORKERS) for i in range(PER_WORKER)}

    # nothing partial or temporary anywhere in the desk
    leftovers = [os.path.join(d, n) for d, _, names in os.walk(desk.root) for n in names
                 if yamlio.TEMP_MARK in n or n.startswith(".") and n != ".gitignore"]
    assert leftovers == []

    # the desk is still whole for the reading commands; every ticket went to a complaint agent
    rows = desk.ok("list", "--status", "all", "--limit", "0", "--json").json
    assert len(rows) == CREATE_WORKERS * PER_WORKER and {r["id"] for r in rows} == set(printed)
    assert {r["assignee"] for r in rows} <= set(AGENTS["complaint"])
    # and evenly (the group assigns to whoever has the fewest open tickets): each create
    # chose its agent on what the others had written, not on what it saw before the lock
    counts = Counter(r["assignee"] for r in rows)
    assert set(counts) == set(AGENTS["complaint"]) and max(counts.values()) - min(counts.values()) <= 1, counts

def test_lock_wait_times_out_with_exit_3(new_desk):
    """The desk lock held by someone else: a changing command gives up after
    CSTOOL_LOCK_TIMEOUT seconds with exit 3 and says the desk is locked; nothing written."""
    d = new_desk(git=True)
    tid = d.create("--type", "inquiry", "--title", "锁", as_=MANAGER)
    before = d.snapshot()
    env = {**os.environ, "CSTOOL_LOCK_TIMEOUT": "1"}
    results = []

    def wait_for_the_lock(args: tuple[str, ...]) -> None:
        start = time.monotonic()
        proc = subprocess.run(_argv(d.root, LEAD if args[0] == "note" else MANAGER, *args), capture_output=True,
                              text=True, env=env, timeout=30)
        results.append((args[0], proc.returncode, round(time.monotonic() - start, 2), proc.stderr.strip()))

    with StoreDesk.open(d.root).lock():
        # the three wait at the same time, each on its own clock
        waiting = [threading.Thread(target=wait_for_the_lock, args=(args,)) for args in (
            ("note", tid, "-m", "等锁"), ("create", "-q", "--type", "inquiry", "--title", "等锁"),
            ("customer", "add", "--name", "等锁"))]
        for t in waiting:
            t.start()
        for t in waiting:
            t.join()
    assert len(results) == 3, results
    print(f"\n[concurrency] lock waits: {results}")
    for _name, code, took, err in results:
        assert code == 3, results
        assert "locked" in err and "CSTOOL_LOCK_TIMEOUT" in err, results
        assert "Traceback" not in err
        assert 1.0 <= took < 6, results
    assert d.snapshot() == before
    # released: the same command now goes through
    d.ok("note", tid, "-m", "锁已释放", as_=LEAD)
