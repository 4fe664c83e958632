"""Each audit rate has one population (docs/metrics.md): the numerator is a part of the
denominator, so no rate exceeds 100 %, and each ticket or event counts in one period."""

from __future__ import annotations

from tests.support.roster import AGENT, CALLER, MANAGER

DEC = "2026-12-01T09:00+08:00"


def _answered_and_closed(desk, day: str) -> str:
    """A complaint answered within minutes and closed the same morning: both clocks met."""
    tid = desk.create("--type", "complaint", "--title", f"按时 {day}", "--assignee", AGENT, now=f"2026-11-{day}T09:00+08:00")
    desk.ok("reply", tid, "-m", "已联系", as_=AGENT, now=f"2026-11-{day}T09:10+08:00")
    desk.ok("close", tid, "--resolution", "ok", as_=AGENT, now=f"2026-11-{day}T11:00+08:00")
    return tid


def test_open_tickets_whose_clock_breached_count_as_breached(desk):
    """4 tickets met their targets; 4 others were never answered and are still open at the
    end of November, long past their targets: compliance is 50 %, not 100 %, and each
    breached clock counts once, in the month it breached."""
    for day in ("02", "03", "04", "05"):
        _answered_and_closed(desk, day)
    for day in ("09", "10", "11", "12"):
        desk.create("--type", "complaint", "--title", f"无人处理 {day}", "--assignee", AGENT, now=f"2026-11-{day}T09:00+08:00")
    r = desk.ok("audit", "--period", "2026-11", "--json", now=DEC).json
    assert r["sla"]["resolution"] == {"met": 4, "breached": 4, "compliance": 50.0}
    assert r["sla"]["first_response"] == {"met": 4, "breached": 4, "compliance": 50.0}
    assert r["sla"]["overall"]["compliance"] == 50.0
    assert r["sla"]["open_breached"] == 4  # still open at the end: said apart as well
    december = desk.ok("audit", "--period", "2026-12", "--json", now="2026-12-20T09:00+08:00").json
    assert december["sla"]["overall"] == {"met": 0, "breached": 0, "compliance": None}


def test_a_clock_breached_in_one_month_and_met_late_in_the_next_counts_once(desk):
    tid = desk.create("--type", "complaint", "--title", "跨月", "--assignee", AGENT, now="2026-10-26T09:00+08:00")
    desk.ok("reply", tid, "-m", "已联系", as_=AGENT, now="2026-10-26T09:10+08:00")
    desk.ok("close", tid, "--resolution", "ok", as_=AGENT, now="2026-11-03T10:00+08:00")  # 3 business days passed on the 29th
    october = desk.ok("audit", "--period", "2026-10", "--json", now=DEC).json["sla"]["resolution"]
    november = desk.ok("audit", "--period", "2026-11", "--json", now=DEC).json["sla"]["resolution"]
    assert october == {"met": 0, "breached": 1, "compliance": 0.0}
    assert november == {"met": 0, "breached": 0, "compliance": None}


def test_reopen_rate_is_the_share_of_the_periods_resolutions_reopened(desk):
    """Two October resolutions are reopened in November, when one other ticket is resolved:
    October's reopen rate is 100 % (both its resolutions were reopened), November's 0 %."""
    for day in ("26", "27"):
        tid = desk.create("--type", "complaint", "--title", f"十月 {day}", "--assignee", AGENT, now=f"2026-10-{day}T09:00+08:00")
        desk.ok("reply", tid, "-m", "r", as_=AGENT, now=f"2026-10-{day}T09:10+08:00")
        desk.ok("resolve", tid, "--resolution", "ok", as_=AGENT, now=f"2026-10-{day}T10:00+08:00")
        desk.ok("reopen", tid, "--reason", "客户再次来电", as_=AGENT, now="2026-11-05T09:00+08:00")
    _answered_and_closed(desk, "06")
    october = desk.ok("audit", "--period", "2026-10", "--json", now=DEC).json["totals"]
    november = desk.ok("audit", "--period", "2026-11", "--json", now=DEC).json["totals"]
    assert (october["resolved"], october["reopened"], october["reopen_rate"]) == (2, 2, 100.0)
    assert (november["resolved"], november["reopened"], november["reopen_rate"]) == (1, 0, 0.0)


def test_followup_completion_is_the_share_of_the_calls_due_that_were_done(desk):
    """Two calls fall due in October and are made in November, late; one falls due in
    November and is not made: October 100 % (both late), November 0 %, never 200 %."""
    late = []
    for day in ("26", "27"):
        tid = desk.create("--type", "complaint", "--title", f"十月 {day}", "--assignee", AGENT, now=f"2026-10-{day}T09:00+08:00")
        desk.ok("reply", tid, "-m", "r", as_=AGENT, now=f"2026-10-{day}T09:10+08:00")
        desk.ok("close", tid, "--resolution", "ok", as_=AGENT, now=f"2026-10-{day}T10:00+08:00")  # call due 2 working days on
        late.append(tid)
    for tid in late:
        desk.ok("followup", tid, "--result", "satisfied", as_=CALLER, now="2026-11-04T10:00+08:00")
    _answered_and_closed(desk, "20")  # its call is due on the 22nd and never made
    october = desk.ok("audit", "--period", "2026-10", "--json", as_=MANAGER, now=DEC).json["followups"]
    november = desk.ok("audit", "--period", "2026-11", "--json", as_=MANAGER, now=DEC).json["followups"]
    assert (october["due_in_period"], october["done_on_time"], october["done_late"], october["completion_rate"]) == \
        (2, 0, 2, 100.0)
    assert (november["due_in_period"], november["done_on_time"], november["not_done"], november["completion_rate"]) == \
        (1, 0, 1, 0.0)
    assert november["done"] == 2 and november["satisfied"] == 2  # what was said counts when the calls were made


def test_a_call_back_after_the_last_unreachable_attempt_is_one_call(desk):
    tid = _answered_and_closed(desk, "16")
    for day in ("18", "19", "20"):
        desk.ok("followup", tid, "--result", "unreachable", as_=CALLER, now=f"2026-11-{day}T09:00:00+08:00")
    desk.ok("followup", tid, "--result", "satisfied", "--note", "客户回电", as_=CALLER, now="2026-11-23T10:00:00+08:00")
    f = desk.ok("audit", "--period", "2026-11", "--json", as_=MANAGER, now=DEC).json["followups"]
    assert (f["done"], f["satisfied"], f["unreachable"], f["satisfaction_rate"]) == (1, 1, 0, 100.0)
    assert (f["due_in_period"], f["done_on_time"], f["completion_rate"]) == (1, 1, 100.0)


def test_full_resolution_time_and_one_touch(desk):
    """A reopened ticket gives two short per-cycle times, one first resolution time and one
    full resolution time (creation to the last resolution), and is not one-touch."""
    once = _answered_and_closed(desk, "02")  # Monday; one reply, closed after 2 h: one-touch
    twice = desk.create("--type", "complaint", "--title", "两次", "--assignee", AGENT, now="2026-11-02T09:00+08:00")
    desk.ok("reply", twice, "-m", "r", as_=AGENT, now="2026-11-02T09:10+08:00")
    desk.ok("resolve", twice, "--resolution", "ok", as_=AGENT, now="2026-11-02T10:00+08:00")  # 60 min
    desk.ok("reopen", twice, "--reason", "again", as_=AGENT, now="2026-11-03T09:00+08:00")
    desk.ok("resolve", twice, "--resolution", "ok", as_=AGENT, now="2026-11-03T10:00+08:00")  # 60 min; 1 day 1 h in all
    r = desk.ok("audit", "--period", "2026-11", "--json", now=DEC).json
    assert r["times"]["resolution"]["count"] == 3 and r["times"]["resolution"]["median_minutes"] == 60
    assert r["times"]["first_resolution"] == {"count": 2, "median_minutes": 90, "p90_minutes": 120,
                                              "median_calendar_minutes": 90, "p90_calendar_minutes": 120}
    # full: 120 min for the first, for the second 09:00 Mon → 10:00 Tue = 600 business min (1500 calendar)
    assert r["times"]["full_resolution"] == {"count": 2, "median_minutes": 360, "p90_minutes": 600,
                                             "median_calendar_minutes": 810, "p90_calendar_minutes": 1500}
    assert r["one_touch"] == {"solved": 2, "one_touch": 1, "one_touch_rate": 50.0}
    assert once


def test_resolution_rate_of_a_person_never_exceeds_100(desk):
    tid = desk.create("--type", "complaint", "--title", "两次", "--assignee", AGENT, now="2026-11-02T09:00+08:00")
    desk.ok("resolve", tid, "--resolution", "ok", as_=AGENT, now="2026-11-02T10:00+08:00")
    desk.ok("reopen", tid, "--reason", "again", as_=AGENT, now="2026-11-03T09:00+08:00")
    desk.ok("resolve", tid, "--resolution", "ok", as_=AGENT, now="2026-11-03T10:00+08:00")
    from cstool.reports import audit

    row = next(a for a in desk.ok("audit", "--period", "2026-11", "--json", now=DEC).json["agents"] if a["agent"] == AGENT)
    assert (row["handled"], row["resolved"], row["resolved_tickets"]) == (1, 2, 1)
    assert audit.resolution_rate(row) == 100.0


def test_satisfaction_by_group_counts_the_tickets_group(desk):
    tid = _answered_and_closed(desk, "16")
    desk.ok("followup", tid, "--result", "unsatisfied", as_=CALLER, now="2026-11-18T10:00:00+08:00")
    r = desk.ok("audit", "--period", "2026-11", "--by", "group", "--json", as_=MANAGER, now=DEC).json
    rows = {row["group"]: row for row in r["by_group"]}
    group = desk.ticket(tid)["group"]
    assert rows[group]["satisfaction_rate"] == 0.0
    assert sum(1 for row in r["by_group"] if row["satisfaction_rate"] is not None) == 1


def test_resolved_tickets_count_each_ticket_once_per_person_who_resolved_it(desk):
    """Two tickets each resolved several times in the month, one by two people: each person's
    resolutions count every time, their resolved tickets each ticket once."""
    from tests.support.roster import LEAD

    first = desk.create("--type", "complaint", "--title", "三次", "--assignee", AGENT, now="2026-11-02T09:00+08:00")
    second = desk.create("--type", "complaint", "--title", "两次", "--assignee", AGENT, now="2026-11-02T09:05+08:00")
    steps = [(first, AGENT), (second, AGENT), (first, LEAD), (second, AGENT), (first, AGENT)]
    for day, (tid, who) in enumerate(steps, start=3):
        if desk.ticket(tid)["status"] == "resolved":
            desk.ok("reopen", tid, "--reason", "again", as_=LEAD, now=f"2026-11-{day:02d}T09:00+08:00")
        desk.ok("resolve", tid, "--resolution", "ok", as_=who, now=f"2026-11-{day:02d}T10:00+08:00")
    rows = {a["agent"]: a for a in desk.ok("audit", "--period", "2026-11", "--json", now=DEC).json["agents"]}
    assert (rows[AGENT]["resolved"], rows[AGENT]["resolved_tickets"]) == (4, 2)
    assert (rows[LEAD]["resolved"], rows[LEAD]["resolved_tickets"]) == (1, 1)
