"""Concurrency (issue 2): 8 processes creating 50 tickets each at the same time leave 400
tickets, 400 distinct IDs, and no partial or temporary files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from cstool.domain import ids
from cstool.desk import yamlio
from cstool.desk.store import Desk
from tests.support.desk import NOW
from tests.support.roster import AGENTS, LEAD2

WORKERS = 8
PER_WORKER = 50

# Each worker is a real process that imports cstool, waits for the start signal (so all
# eight write at once), then runs `cstool create` in-process 50 times.
WORKER = textwrap.dedent("""
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


def test_eight_processes_creating_fifty_tickets_each(desk, tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "CSTOOL_LOCK_TIMEOUT": "120"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(desk.root), str(w), str(PER_WORKER), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for w in range(WORKERS)]
    time.sleep(0.3)  # let them import cstool and wait at the line
    go.touch()
    printed: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        printed += out.split()

    # 400 IDs printed, all distinct and well formed
    assert len(printed) == WORKERS * PER_WORKER
    assert len(set(printed)) == len(printed)
    assert all(ids.TICKET_ID_RE.match(i) for i in printed)

    # exactly 400 ticket files, one per printed ID, each complete and parseable
    files = sorted((desk.root / "tickets").rglob("*.yaml"))
    assert len(files) == WORKERS * PER_WORKER
    assert {f.stem for f in files} == set(printed)
    store = Desk.open(desk.root)
    titles = set()
    for f in files:
        data = store.load_ticket(f)  # the id inside matches the file name
        assert f.relative_to(desk.root).as_posix() == f"tickets/2026/11/{data['id']}.yaml"
        assert data["history"][0]["action"] == "create" and data["history"][-1] is data["history"][0]
        assert data["description"].endswith("\n第二行")
        assert f.read_bytes().endswith(b"\n")
        titles.add(str(data["title"]))
    assert titles == {f"并发 {w}-{i}" for w in range(WORKERS) for i in range(PER_WORKER)}

    # nothing partial or temporary anywhere in the desk
    leftovers = [os.path.join(d, n) for d, _, names in os.walk(desk.root) for n in names
                 if yamlio.TEMP_MARK in n or n.startswith(".") and n != ".gitignore"]
    assert leftovers == []

    # the desk is still whole for the reading commands; every ticket went to a complaint agent
    rows = desk.ok("list", "--status", "all", "--limit", "0", "--json").json
    assert len(rows) == WORKERS * PER_WORKER and {r["id"] for r in rows} == set(printed)
    assert {r["assignee"] for r in rows} <= set(AGENTS["complaint"])
    # and evenly (the group assigns to whoever has the fewest open tickets): each create
    # chose its agent on what the others had written, not on what it saw before the lock
    from collections import Counter

    counts = Counter(r["assignee"] for r in rows)
    assert set(counts) == set(AGENTS["complaint"]) and max(counts.values()) - min(counts.values()) <= 1, counts
