"""The index is only a cache: results with and without it are identical, it sees every
change, and a corrupt or missing index is rebuilt silently."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from cstool import due, query, yamlio
from cstool.render import plain
from cstool.store import Desk as StoreDesk
from cstool.workflow import calendar_of
from deskkit import Desk, clean_env  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from make_desk import generate  # noqa: E402

NOW = "2026-11-22T18:00:00+08:00"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen") / "desk"
    generate(root, 400, seed=7)
    return root


def live_due(root: Path, now_text: str, within: str = "1w") -> list[dict]:
    """`due --within W` computed straight from the YAML files, without the index."""
    from cstool.clock import parse_time
    from cstool.customers import load_all
    from cstool.durations import parse_duration

    desk = StoreDesk.open(root)
    config = desk.config
    cal = calendar_of(config)
    now = parse_time(now_text, config.tz)
    tickets = [plain(t) for _, t in desk.iter_tickets()]
    items = due.collect(tickets, load_all(desk), config, cal, now)
    items = due.select(items, horizon=cal.add(now, parse_duration(within)), overdue_only=False, assignees=(), groups=(), kinds=())
    return [i.as_json() for i in items]


def compare(root: Path) -> None:
    d = Desk(root)
    for now in (NOW, "2026-11-10T09:00:00+08:00", "2027-01-04T09:00:00+08:00"):
        indexed = d.ok("due", "--json", "--within", "1w", now=now).json
        key = lambda i: (i["due"], i["id"], i["kind"])  # noqa: E731
        assert sorted(indexed, key=key) == sorted(live_due(root, now), key=key)
    listed = d.ok("list", "--status", "all", "--json", "--limit", "0", now=NOW).json
    desk = StoreDesk.open(root)
    live = [{k: v for k, v in query.summarize(plain(t)).items() if not k.startswith("_")} for _, t in desk.iter_tickets()]
    mask = lambda rows: sorted(({k: v for k, v in r.items() if k not in ("phone", "email")} for r in rows), key=lambda r: r["id"])  # noqa: E731
    assert mask(listed) == mask(live)
    audit = d.ok("audit", "--period", "2026-10", "--json", now=NOW).json
    from cstool import audit as audit_mod
    from cstool.clock import parse_time

    config = desk.config
    period = audit_mod.parse_period("2026-10", None, None, config.tz, parse_time(NOW, config.tz))
    expected = audit_mod.report([plain(t) for _, t in desk.iter_tickets()], config, calendar_of(config), period,
                                parse_time(NOW, config.tz))
    assert audit == plain(expected)


def test_results_with_and_without_the_index_are_identical(generated, tmp_path):
    root = tmp_path / "desk"
    shutil.copytree(generated, root)
    compare(root)  # cold: the index is built
    d = Desk(root)
    files = sorted((root / "tickets").glob("*/*/*.yaml"))
    # a hand edit in place (same size: only the content changes)
    text = files[0].read_text(encoding="utf-8")
    files[0].write_text(text.replace('priority: "A"', 'priority: "C"').replace('priority: "B"', 'priority: "C"'), encoding="utf-8")
    # a deletion, a new ticket, an action and a customer visit
    files[1].unlink()
    d.ok("create", "--type", "complaint", "--title", "新工单", now=NOW)
    open_one = next(r["id"] for r in d.ok("list", "--json", now=NOW).json)
    d.ok("escalate", open_one, "--reason", "测试", as_="chen.jing@example.com", now=NOW)
    cid = sorted((root / "customers").glob("*.yaml"))[0].stem
    d.ok("customer", "visit", cid, "--result", "satisfied", as_="he.xue@example.com", now=NOW)
    compare(root)  # warm: only the changed files were read again


def test_a_corrupt_or_old_index_is_rebuilt_silently(generated, tmp_path):
    root = tmp_path / "desk"
    shutil.copytree(generated, root)
    d = Desk(root)
    first = d.ok("list", "--json", now=NOW).json
    (root / ".cstool" / "index.sqlite").write_bytes(b"this is not a database")
    for suffix in ("-wal", "-shm"):
        (root / ".cstool" / f"index.sqlite{suffix}").unlink(missing_ok=True)
    assert d.ok("list", "--json", now=NOW).json == first
    import sqlite3

    conn = sqlite3.connect(root / ".cstool" / "index.sqlite")
    conn.execute("PRAGMA user_version=1")
    conn.close()
    assert d.ok("list", "--json", now=NOW).json == first
    shutil.rmtree(root / ".cstool")
    assert d.ok("list", "--json", now=NOW).json == first


def test_a_config_change_recomputes_the_deadlines(tmp_path, generated):
    root = tmp_path / "desk"
    shutil.copytree(generated, root)
    d = Desk(root)
    before = d.ok("due", "--json", "--within", "2w", now="2026-11-20T09:00:00+08:00").json
    config = root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  holidays: [", "  holidays: [2026-11-23, 2026-11-24, ", 1),
                      encoding="utf-8")
    after = d.ok("due", "--json", "--within", "2w", now="2026-11-20T09:00:00+08:00").json
    assert after != before
    key = lambda i: (i["due"], i["id"], i["kind"])  # noqa: E731
    assert sorted(after, key=key) == sorted(live_due(root, "2026-11-20T09:00:00+08:00", "2w"), key=key)
