"""The shift handover (交接班): where it starts by default, from the desk's calendar, and
how its sections read (aligned columns, deadline kinds in words)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from wcwidth import wcswidth

from cstool.config.schema import Calendar
from cstool.messages import label
from cstool.time.calendar import BusinessCalendar
from cstool.time.due import KINDS
from tests.support.roster import AGENT, MANAGER

TZ = ZoneInfo("Asia/Shanghai")
HOURS = ((8 * 60 + 30, 17 * 60 + 30),)


def _calendar(holidays=frozenset(), extra_workdays=frozenset(), official="cn") -> BusinessCalendar:
    hours = {day: HOURS for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": (), "sun": ()}
    return BusinessCalendar(Calendar(hours, holidays, extra_workdays, HOURS, official), TZ)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(("now", "start"), [
    ("2026-11-23T08:35", "2026-11-20T17:30"),  # Monday morning: Friday's close, not Monday 08:30
    ("2026-11-23T17:00", "2026-11-20T17:30"),  # Monday's shift ends: still since Friday's close
    ("2026-11-23T19:00", "2026-11-20T17:30"),  # after hours: Monday's shift is the one handed over
    ("2026-11-23T08:29", "2026-11-19T17:30"),  # before Monday's shift begins: Friday's is the last one
    ("2026-11-22T11:00", "2026-11-19T17:30"),  # Sunday: Friday's shift
    ("2026-11-24T08:30", "2026-11-23T17:30"),  # Tuesday at the first minute
    ("2026-10-08T08:35", "2026-09-30T17:30"),  # after National Day (10-01 to 10-07 holidays)
    ("2026-10-12T08:35", "2026-10-10T17:30"),  # Saturday 10-10 is a make-up workday (调休)
])
def test_the_handover_starts_at_the_end_of_the_previous_working_day(now, start):
    assert _calendar().previous_shift_end(_at(now)) == _at(start)


def test_the_desks_own_holidays_and_workdays_count():
    from datetime import date

    cal = _calendar(holidays=frozenset({date(2026, 11, 20)}), extra_workdays=frozenset({date(2026, 11, 22)}),
                    official="none")
    assert cal.previous_shift_end(_at("2026-11-23T09:00")) == _at("2026-11-22T17:30")  # Sunday worked
    assert cal.previous_shift_end(_at("2026-11-22T09:00")) == _at("2026-11-19T17:30")  # Friday off


def test_handover_on_monday_morning_shows_what_came_in_after_fridays_close(desk):
    evening = desk.create("--type", "inquiry", "--title", "周五晚上来电", now="2026-11-20T19:00:00+08:00")
    weekend = desk.create("--type", "complaint", "--title", "周六投诉", now="2026-11-21T10:00:00+08:00")
    before = desk.create("--type", "inquiry", "--title", "周五上午", now="2026-11-20T10:00:00+08:00")
    monday = "2026-11-23T08:35:00+08:00"
    data = desk.ok("handover", "--json", now=monday).json
    assert data["since"] == "2026-11-20T17:30:00+08:00"
    opened = [r["id"] for r in data["opened"]]
    assert evening in opened and weekend in opened and before not in opened
    text = desk.ok("handover", now=monday).stdout
    assert text.startswith("Shift handover 2026-11-20 17:30 → 2026-11-23 08:35")


def _section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    body = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        body.append(line)
    return body


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_handover_sections_are_aligned_and_name_kinds_in_words(desk, lang):
    now = "2026-11-20T11:00:00+08:00"
    desk.create("--type", "complaint", "--title", "短", now="2026-11-20T09:00:00+08:00")
    desk.create("--type", "inquiry", "--title", "一个长得多的标题,有好几个字", now="2026-11-20T09:10:00+08:00")
    desk.create("--type", "work_order", "--title", "work order for engineering", "--field", "from_department=客服中心",
                "--group", "engineering", now="2026-11-20T09:20:00+08:00")
    tid = desk.create("--type", "complaint", "--title", "回访", now="2026-11-20T09:30:00+08:00")
    desk.ok("close", tid, "--resolution", "已答复", as_=MANAGER, now="2026-11-20T09:40:00+08:00")
    text = desk.ok("handover", "--next", "5d", now=now, lang=lang).stdout
    for kind in KINDS:  # first_response, work_order, followup … are keys, not words
        if label("kind." + kind, lang) != kind:
            assert f"  {kind}  " not in text, kind
        assert f"  {label('kind.' + kind, lang)}  " in text or kind == "visit", kind
    opened = _section(text, "Opened" if lang == "en" else "新登记")
    assert len(opened) == 4
    due = _section(text, "Due in the next shift" if lang == "en" else "下一班到期")
    assert len(due) >= 4
    for rows in (opened, due):  # the second column (an ID, then a title or kind) starts at one place
        starts = {wcswidth(row[:row.index("CS-")]) for row in rows}
        assert len(starts) == 1, rows
        after = {wcswidth(row[:row.index("  ", row.index("CS-"))]) for row in rows}
        assert len(after) == 1, rows


def test_handover_still_open_names_each_assignee_once(desk):
    for n in range(3):
        desk.create("--type", "complaint", "--title", f"投诉 {n}", "--assignee", AGENT, "--group", "complaint")
    text = desk.ok("handover").stdout
    rows = _section(text, "Still open, by assignee")
    assert sum("(3)" in row for row in rows) == 1 and len(rows) == 3
