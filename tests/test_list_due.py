"""``list --sort due``: tickets by their due time (办结时限), soonest first, with a due column."""

from __future__ import annotations

from tests.support.roster import MANAGER

NOW = "2026-11-20T10:00:00+08:00"


def test_list_sorts_by_due_and_shows_the_due_time(desk):
    slow = desk.create("--type", "suggestion", "--title", "建议", now="2026-11-16T09:00:00+08:00")
    fast = desk.create("--type", "complaint", "--title", "投诉", "--priority", "A", now="2026-11-18T09:00:00+08:00")
    mid = desk.create("--type", "inquiry", "--title", "咨询", now="2026-11-17T09:00:00+08:00")
    paused = desk.create("--type", "inquiry", "--title", "挂起", now="2026-11-19T09:00:00+08:00")
    desk.ok("pending", paused, "-m", "等客户", as_=MANAGER, now="2026-11-19T10:00:00+08:00")
    rows = desk.ok("list", "--sort", "due", "--json", now=NOW).json
    dues = {r["id"]: r["due"] for r in rows}
    for tid in (slow, fast, mid):
        assert dues[tid] == desk.ok("show", tid, "--json", now=NOW).json["sla"]["resolution_due"]
    assert dues[paused] == ""  # its resolution clock is paused: no due time
    ordered = [r["id"] for r in rows]
    assert ordered[-1] == paused
    assert [t for t in ordered if t != paused] == sorted((slow, fast, mid), key=lambda t: dues[t])
    backwards = [r["id"] for r in desk.ok("list", "--sort", "-due", "--json", now=NOW).json]
    assert backwards[:-1] == ordered[:-1][::-1] and backwards[-1] == paused
    table = desk.ok("list", "--sort", "due", now=NOW, lang="zh").stdout
    assert table.splitlines()[0].split()[-1] == "办结时限"
    assert dues[fast][:16].replace("T", " ") in table


def test_a_work_orders_due_time_is_its_own(desk):
    wo = desk.create("--type", "work_order", "--title", "联系单", "--field", "from_department=客服中心",
                     "--group", "engineering", "--due", "2026-11-25T17:00:00+08:00", now=NOW)
    row = next(r for r in desk.ok("list", "--json", now=NOW).json if r["id"] == wo)
    assert row["due"] == "2026-11-25T17:00:00+08:00"
