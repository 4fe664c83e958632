"""Concurrent writers: the desk lock keeps every ticket and mints distinct IDs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from cstool import ids, yamlio
from deskkit import LEAD, clean_env, desk  # noqa: F401

WORKER = textwrap.dedent("""
    import sys
    from click.testing import CliRunner
    from cstool.cli import cli
    store, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    runner = CliRunner()
    for i in range(count):
        res = runner.invoke(cli, ["--store", store, "--as", "{lead}", "create", "-q", "--type", "inquiry",
                                  "--title", f"并发 {{worker}}-{{i}}"])
        if res.exit_code != 0:
            print(res.output, file=sys.stderr)
            sys.exit(1)
""").format(lead=LEAD)


def test_eight_processes_creating_fifty_tickets_each(desk):
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(desk.root), str(w), "50"],
                              stderr=subprocess.PIPE, text=True) for w in range(8)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    files = sorted((desk.root / "tickets").glob("*/*/*.yaml"))
    assert len(files) == 400
    seen_ids = set()
    titles = set()
    for f in files:
        data = yamlio.load(f)
        assert ids.TICKET_ID_RE.match(data["id"]) and f.name == f"{data['id']}.yaml"
        seen_ids.add(data["id"])
        titles.add(data["title"])
    assert len(seen_ids) == 400
    assert titles == {f"并发 {w}-{i}" for w in range(8) for i in range(50)}
    leftovers = [name for _, _, names in os.walk(desk.root) for name in names if ".tmp-" in name]
    assert leftovers == []
