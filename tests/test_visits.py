"""Periodic customer visits (定期回访): month ends clamp, visits fall on working days, the
schedule counts from the record (or its tier), and a tier change starts a new schedule."""

from __future__ import annotations


def add(d, tier: str, now: str, *extra: str) -> str:
    return d.ok("customer", "add", "--name", "某公司", "--tier", tier, *extra, now=now).stdout.split()[0]


def next_visit(d, cid: str, now: str) -> str:
    return d.ok("customer", "show", cid, "--json", now=now).json["next_visit"]


def test_a_monthly_visit_from_the_31st_clamps_to_the_months_end(desk):
    cid = add(desk, "A", "2026-08-31T10:00:00+08:00")
    # 30 September is a Wednesday: the visit is not skipped to 31 October
    assert next_visit(desk, cid, "2026-09-01T10:00:00+08:00") == "2026-09-30T09:00:00+08:00"
    desk.ok("customer", "visit", cid, "--result", "satisfied", now="2026-09-30T10:00:00+08:00")
    # 31 October is a Saturday: the next working day, Monday 2 November
    assert next_visit(desk, cid, "2026-10-01T10:00:00+08:00") == "2026-11-02T09:00:00+08:00"


def test_a_visit_on_a_holiday_moves_to_the_next_working_day(desk):
    cid = add(desk, "A", "2026-09-01T10:00:00+08:00")
    # 1 October is National Day; 1-7 October are off, Thursday 8 October is a working day
    assert next_visit(desk, cid, "2026-09-02T10:00:00+08:00") == "2026-10-08T09:00:00+08:00"


def test_the_first_visit_counts_from_when_the_record_was_added_not_from_since(desk):
    cid = add(desk, "A", "2026-11-20T10:00:00+08:00", "--since", "2020-01-15")
    assert next_visit(desk, cid, "2026-11-20T10:00:00+08:00") == "2026-12-21T09:00:00+08:00"  # 20 Dec is a Sunday
    assert desk.ok("due", "--kind", "visit", "--overdue", "--json", now="2026-11-20T11:00:00+08:00").json == []


def test_a_tier_change_starts_the_new_schedule(desk):
    cid = add(desk, "B", "2026-05-06T10:00:00+08:00")
    assert next_visit(desk, cid, "2026-05-07T10:00:00+08:00") == "2026-08-06T09:00:00+08:00"
    desk.ok("customer", "edit", cid, "--tier", "A", now="2026-11-10T10:00:00+08:00")
    record = desk.ok("customer", "show", cid, "--json", now="2026-11-10T10:00:00+08:00").json
    assert record["tier_since"].startswith("2026-11-10T10:00")
    # monthly from the upgrade, not three months overdue
    assert record["next_visit"] == "2026-12-10T09:00:00+08:00"
    assert desk.ok("due", "--kind", "visit", "--overdue", "--json", now="2026-11-10T11:00:00+08:00").json == []
