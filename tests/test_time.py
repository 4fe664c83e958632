"""Time: business calendar, durations, SLA clocks, follow-ups, customers and `due`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.config.schema import Calendar
from cstool.errors import InputError
from cstool.time.calendar import BusinessCalendar
from cstool.time.durations import parse_duration
from tests.support.roster import LEAD, MANAGER

TZ = ZoneInfo("Asia/Shanghai")
HOURS = {d: ((510, 720), (810, 1050)) for d in ("mon", "tue", "wed", "thu", "fri")}  # 08:30-12:00, 13:30-17:30
HOURS.update(sat=(), sun=())
HOLIDAYS = frozenset({date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)})
EXTRA = frozenset({date(2026, 9, 27), date(2026, 10, 10)})
CAL = BusinessCalendar(Calendar(HOURS, HOLIDAYS, EXTRA, HOURS["mon"]), TZ)


def brute_between(a: datetime, b: datetime) -> int:
    """Working minutes from a to b, one minute at a time."""
    n = 0
    t = a
    while t < b:
        if CAL.is_working(t):
            n += 1
        t += timedelta(minutes=1)
    return n


def brute_add(a: datetime, minutes: int) -> datetime:
    t = a
    left = minutes
    while True:
        if left == 0 and CAL.is_working(t):
            return t
        if CAL.is_working(t):
            left -= 1
        t += timedelta(minutes=1)
        if left == 0 and CAL.is_working(t - timedelta(minutes=1)) and not CAL.is_working(t):
            return t


moments = st.builds(
    lambda d, m: datetime(2026, 9, 25, tzinfo=TZ) + timedelta(days=d, minutes=m),
    st.integers(0, 20), st.integers(0, 24 * 60 - 1),
)


@settings(max_examples=60, deadline=None)
@given(a=moments, span=st.integers(0, 3 * 24 * 60))
def test_between_matches_a_minute_by_minute_count(a, span):
    b = a + timedelta(minutes=span)
    assert CAL.between(a, b) == brute_between(a, b)


@settings(max_examples=60, deadline=None)
@given(a=moments, minutes=st.integers(1, 3 * 450))
def test_add_then_measure_gives_back_the_duration(a, minutes):
    due = CAL.add_minutes(a, minutes)
    assert CAL.between(a, due) == minutes
    assert due == brute_add(a, minutes)


def test_between_over_years_in_either_order():
    cal = BusinessCalendar(Calendar(HOURS, HOLIDAYS, EXTRA, HOURS["mon"]), TZ)  # a fresh table each time
    a = datetime(2024, 12, 25, 21, 21, tzinfo=TZ)
    b = datetime(2026, 11, 22, 18, 0, tzinfo=TZ)
    forward = cal.between(a, b)
    assert forward > 0 and cal.between(b, a) == -forward
    fresh = BusinessCalendar(Calendar(HOURS, HOLIDAYS, EXTRA, HOURS["mon"]), TZ)
    assert fresh.between(b, a) == -forward
    # the same span day by day (each piece within one day, so no running totals are used)
    cuts = [a] + [datetime(2024, 12, 26, tzinfo=TZ) + timedelta(days=i) for i in range((b.date() - a.date()).days)] + [b]

    def minutes_into_day(x: datetime, y: datetime) -> tuple[float, float]:
        midnight = x.replace(hour=0, minute=0)
        end = (y - midnight).total_seconds() / 60 if y.date() == x.date() else 24 * 60
        return (x - midnight).total_seconds() / 60, end

    assert forward == sum(fresh._within(x.date(), *minutes_into_day(x, y)) for x, y in zip(cuts, cuts[1:]))


def test_make_up_workday_and_holidays():
    # Wed 30 Sep 17:00 + 1 business hour: the holiday week is skipped; Sat 10 Oct is a make-up day
    start = datetime(2026, 9, 30, 17, 0, tzinfo=TZ)
    assert CAL.add(start, parse_duration("1h")) == datetime(2026, 10, 8, 9, 0, tzinfo=TZ)
    friday = datetime(2026, 10, 9, 17, 0, tzinfo=TZ)
    assert CAL.add(friday, parse_duration("1h")) == datetime(2026, 10, 10, 9, 0, tzinfo=TZ)
    assert CAL.add(friday, parse_duration("24h calendar")) == datetime(2026, 10, 10, 17, 0, tzinfo=TZ)


def test_timezone_offsets_are_respected():
    utc = datetime(2026, 11, 20, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
    assert CAL.add(utc, parse_duration("30m")) == datetime(2026, 11, 20, 9, 30, tzinfo=TZ)


@pytest.mark.parametrize("text, minutes, days, calendar", [
    ("30m", 30, 0, False), ("4h", 240, 0, False), ("2d", 0, 2, False), ("1w", 0, 5, False),
    ("24h calendar", 1440, 0, True), ("1w calendar", 0, 7, True), ("1.5h", 90, 0, False),
])
def test_durations(text, minutes, days, calendar):
    d = parse_duration(text)
    assert (d.minutes, d.days, d.calendar) == (minutes, days, calendar)


@pytest.mark.parametrize("bad", ["", "4", "4x", "-1d", "h4", "1.5d", "two days", "4h business", None, True])
def test_bad_durations(bad):
    with pytest.raises(InputError):
        parse_duration(bad)


# --------------------------------------------------------------------------- SLA on tickets


def add_holiday(desk, day: str) -> None:
    config = desk.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  holidays: [", f"  holidays: [{day}, ", 1), encoding="utf-8")


def test_complaint_on_friday_1700_before_a_holiday(desk):
    """Received Friday 20 Nov 17:00 with Monday 23 Nov a holiday: the first response is due
    24 calendar hours later; the 3 business days of resolution skip the weekend and the
    holiday: 30 min on Friday, Tue 9 h, Wed 9 h, Thu 8.5 h → Thu 26 Nov 17:00."""
    add_holiday(desk, "2026-11-23")
    tid = desk.create("--type", "complaint", "--title", "节前投诉", "--channel", "phone", now="2026-11-20T17:00+08:00")
    sla = desk.ticket(tid)["sla"]
    assert (sla["policy"], sla["first_response_target"], sla["resolution_target"]) == ("complaint", "24h calendar", "3d")
    assert sla["first_response_due"] == "2026-11-21T17:00:00+08:00"
    assert sla["resolution_due"] == "2026-11-26T17:00:00+08:00"
    items = desk.ok("due", "--json", "--within", "1w", now="2026-11-24T09:00+08:00").json
    assert [(i["kind"], i["overdue"]) for i in items if i["id"] == tid] == [("first_response", True), ("resolution", False)]


def test_national_day_and_its_make_up_saturday(desk):
    """Wed 30 Sep 17:00, then the 1-7 Oct holiday; Sat 10 Oct is a make-up workday (调休)."""
    tid = desk.create("--type", "complaint", "--title", "国庆前投诉", now="2026-09-30T17:00+08:00")
    # 30 min on 30 Sep, 8 Oct 9 h, 9 Oct 9 h, then 8.5 h on the make-up Saturday
    assert desk.ticket(tid)["sla"]["resolution_due"] == "2026-10-10T17:00:00+08:00"


def test_online_chat_must_be_answered_within_five_business_minutes(desk):
    tid = desk.create("--type", "inquiry", "--title", "在线咨询", "--channel", "online", now="2026-11-20T17:28+08:00")
    assert desk.ticket(tid)["sla"]["first_response_due"] == "2026-11-23T08:33:00+08:00"
    show = desk.ok("show", tid, now="2026-11-23T08:32+08:00").stdout
    assert "first response: warning" in show
    show = desk.ok("show", tid, now="2026-11-23T08:40+08:00").stdout
    assert "first response: breached" in show


def test_pending_time_is_not_counted(desk):
    tid = desk.create("--type", "complaint", "--title", "挂起", now="2026-11-16T09:00+08:00")  # Mon
    desk.ok("pending", tid, "--reason", "等客户", now="2026-11-16T10:00+08:00")
    desk.ok("resume", tid, now="2026-11-18T10:00+08:00")  # two business days pending
    t = desk.ticket(tid)
    # 3d = 27 h; 1 h used before pending; 26 h left from Wed 10:00: Wed 7.5 h, Thu 9 h, Fri 9 h → Mon 09:00
    assert t["sla"]["resolution_due"] == "2026-11-23T09:00:00+08:00"
    assert t["sla"]["paused_minutes"] == 18 * 60
    assert t["history"][-1]["paused_minutes"] == 18 * 60
    res = desk.ok("due", "--json", "--within", "2w", now="2026-11-20T10:00+08:00").json
    resolution = [i for i in res if i["id"] == tid and i["kind"] == "resolution"][0]
    assert resolution["due"] == "2026-11-23T09:00:00+08:00" and not resolution["overdue"]


def test_paused_clock_is_not_due(desk):
    tid = desk.create("--type", "complaint", "--title", "挂起中", now="2026-11-16T09:00+08:00")
    desk.ok("pending", tid, "--reason", "等待配件", now="2026-11-16T10:00+08:00")
    items = desk.ok("due", "--json", "--within", "4w", now="2026-12-20T10:00+08:00").json
    assert [i["kind"] for i in items if i["id"] == tid] == ["first_response"]


def test_reopen_starts_a_new_cycle(desk):
    tid = desk.create("--type", "complaint", "--title", "重开", now="2026-11-16T09:00+08:00")
    desk.ok("close", tid, "--resolution", "处理完", as_=MANAGER, now="2026-11-16T11:00+08:00")
    desk.ok("reopen", tid, "--reason", "又坏了", as_=MANAGER, now="2026-11-18T09:00+08:00")
    assert desk.ticket(tid)["sla"]["resolution_due"] == "2026-11-23T09:00:00+08:00"
    show = desk.ok("show", tid, now="2026-11-18T10:00+08:00").stdout
    assert "cycle 2" in show


# --------------------------------------------------------------------------- follow-ups


def test_closing_a_complaint_schedules_the_call_and_unsatisfied_reopens_and_escalates(desk):
    tid = desk.create("--type", "complaint", "--title", "回访不满意", now="2026-11-16T09:00+08:00")
    desk.ok("close", tid, "--resolution", "已处理", as_=MANAGER, now="2026-11-17T10:00+08:00")
    t = desk.ticket(tid)
    assert t["followups"] == [{"kind": "callback", "due": "2026-11-19T10:00:00+08:00", "assignee": "he.xue@example.com"}]
    desk.ok("followup", tid, "--result", "unsatisfied", "--note", "问题仍在", as_="he.xue@example.com",
            now="2026-11-19T09:00+08:00")
    t = desk.ticket(tid)
    assert t["status"] == "open" and t["level"] == 2 and t["assignee"] == LEAD
    assert [ev["action"] for ev in t["history"]][-3:] == ["followup", "reopen", "escalate"]
    assert t["followups"][0]["result"] == "unsatisfied" and t["followups"][0]["done_at"]


def test_unreachable_keeps_the_call_due_until_the_attempts_are_used(desk):
    tid = desk.create("--type", "complaint", "--title", "联系不上", now="2026-11-16T09:00+08:00")
    desk.ok("close", tid, "--resolution", "已处理", as_=MANAGER, now="2026-11-16T10:00+08:00")
    for attempt, due in ((1, "2026-11-19T10:00:00+08:00"), (2, "2026-11-20T10:00:00+08:00")):
        desk.ok("followup", tid, "--result", "unreachable", as_="he.xue@example.com", now=f"2026-11-1{7 + attempt}T10:00+08:00")
        f = desk.ticket(tid)["followups"][0]
        assert f["attempts"] == attempt and "done_at" not in f and f["due"] == due  # next attempt: retry_after 1d
    desk.ok("followup", tid, "--result", "unreachable", as_="he.xue@example.com", now="2026-11-20T10:00+08:00")
    f = desk.ticket(tid)["followups"][0]
    assert f["attempts"] == 3 and f["done_at"] and f["result"] == "unreachable"
    res = desk.run("followup", tid, "--result", "unreachable", as_="he.xue@example.com")
    assert res.exit_code == 2 and "no follow-up call due" in res.stderr


def test_a_follow_up_result_needs_a_follow_up_due(desk):
    tid = desk.create("--type", "inquiry", "--title", "咨询无回访")
    desk.ok("close", tid, "--resolution", "已答复", as_=MANAGER)
    before = desk.snapshot()
    res = desk.run("followup", tid, "--result", "satisfied", as_=MANAGER)
    assert res.exit_code == 2 and "no follow-up call due" in res.stderr
    assert desk.snapshot() == before


# --------------------------------------------------------------------------- due, for people and CI


def test_due_fails_ci_exactly_when_something_is_overdue(desk):
    tid = desk.create("--type", "complaint", "--title", "CI", now="2026-11-20T09:00+08:00")
    ok = desk.run("due", "--fail-on-overdue", "--json", now="2026-11-20T10:00+08:00")
    assert ok.exit_code == 0
    assert {i["kind"] for i in ok.json} <= {"first_response", "resolution"}
    late = desk.run("due", "--fail-on-overdue", "--json", now="2026-11-21T09:01+08:00")  # 24h calendar passed
    assert late.exit_code == 1
    items = late.json
    item = [i for i in items if i["kind"] == "first_response"][0]
    assert set(item) >= {"id", "kind", "due", "overdue", "assignee", "group", "title"}
    assert item["id"] == tid and item["overdue"] is True and item["due"] == "2026-11-21T09:00:00+08:00"
    desk.ok("reply", tid, "-m", "已回复", as_=MANAGER, now="2026-11-21T09:30+08:00")
    assert desk.run("due", "--fail-on-overdue", "--json", now="2026-11-21T09:31+08:00").exit_code == 0


def test_a_business_deadline_that_ends_the_working_day_is_not_overdue_that_evening(desk):
    """``due`` counts, lists (``--overdue``) and fails CI (``--fail-on-overdue``) by the rule
    its items show and the SLA applies: a business-time deadline due as the working day
    ends stays on time until working time passes after it."""
    tid = desk.create("--type", "complaint", "--severity", "major", "--title", "晚间", now="2026-11-20T15:30+08:00")
    evening = "2026-11-20T18:00+08:00"  # a Friday; major complaints are answered within 2 business hours
    item = next(i for i in desk.ok("due", "--json", now=evening).json if i["kind"] == "first_response")
    assert (item["id"], item["due"], item["overdue"]) == (tid, "2026-11-20T17:30:00+08:00", False)
    for args in (("--json",), ("--format", "csv"), ()):
        assert desk.run("due", "--fail-on-overdue", *args, now=evening).exit_code == 0
        assert tid not in desk.ok("due", "--overdue", *args, now=evening).stdout
    on_time = desk.run("due", "--fail-on-overdue", "--json", now="2026-11-23T08:30:00+08:00")  # Monday's first second
    assert on_time.exit_code == 0
    late = desk.run("due", "--fail-on-overdue", "--overdue", "--json", now="2026-11-23T08:30:01+08:00")
    assert late.exit_code == 1
    assert [(i["id"], i["kind"], i["overdue"]) for i in late.json] == [(tid, "first_response", True)]
    table = desk.run("due", "--fail-on-overdue", "--overdue", now="2026-11-23T08:30:01+08:00")
    assert table.exit_code == 1 and "晚间" in table.stdout


def test_due_filters_and_groups_by_assignee(desk):
    desk.create("--type", "complaint", "--title", "甲", now="2026-11-20T09:00+08:00")
    desk.create("--type", "inquiry", "--title", "乙", now="2026-11-20T09:00+08:00")
    only = desk.ok("due", "--json", "--group", "inquiry", "--kind", "first_response", now="2026-11-20T10:00+08:00").json
    assert [i["title"] for i in only] == ["乙"]
    table = desk.ok("due", now="2026-11-21T10:00+08:00").stdout
    assert "late" in table and "overdue" in table


@pytest.mark.parametrize("args, needle", [
    (("--within", "-1d"), "negative"), (("--within", "soon"), "not a duration"),
    (("--kind", "nope"), "--kind"), (("--group", "nope"), "--group"),
])
def test_due_bad_input(desk, args, needle):
    res = desk.run("due", *args)
    assert res.exit_code == 2 and needle in res.stderr


def test_tier_a_customer_appears_when_the_monthly_visit_falls_due(desk):
    cid = desk.ok("customer", "add", "--name", "上海华联商厦", "--tier", "A", "--phone", "02163001234",
                  "--owner", LEAD, "--since", "2026-09-15", now="2026-09-15T09:00+08:00").stdout.strip()
    desk.ok("customer", "visit", cid, "--result", "satisfied", as_=LEAD, now="2026-10-16T10:00+08:00")
    before = desk.ok("due", "--json", "--kind", "visit", "--within", "1d", now="2026-11-12T10:00+08:00").json
    assert before == []
    items = desk.ok("due", "--json", "--kind", "visit", "--within", "1d", now="2026-11-14T10:00+08:00").json
    # the 15th is a Sunday: the visit falls due on Monday
    assert [(i["id"], i["due"], i["assignee"]) for i in items] == [(cid, "2026-11-16T09:00:00+08:00", LEAD)]
    late = desk.run("due", "--fail-on-overdue", "--json", now="2026-11-16T10:00+08:00")
    assert late.exit_code == 1 and any(i["id"] == cid and i["overdue"] for i in late.json)
    desk.ok("customer", "visit", cid, "--result", "satisfied", as_=LEAD, now="2026-11-16T11:00+08:00")
    assert desk.ok("due", "--json", "--kind", "visit", now="2026-11-16T12:00+08:00").json == []


def test_customer_records(desk):
    cid = desk.ok("customer", "add", "--name", "赵丽华", "--tier", "B", "--phone", "13700002222").stdout.strip()
    tid = desk.create("--type", "complaint", "--title", "关联客户", "--customer", cid)
    t = desk.ticket(tid)
    assert t["customer"] == {"id": cid, "name": "赵丽华", "phone": "13700002222", "tier": "B"}
    shown = desk.ok("customer", "show", cid).stdout
    assert tid in shown and "137****2222" in shown and "13700002222" not in shown
    desk.ok("customer", "edit", cid, "--tier", "A")
    assert desk.ok("customer", "list", "--json").json[0]["tier"] == "A"
    res = desk.run("customer", "add", "--name", "x", "--tier", "Z")
    assert res.exit_code == 2 and "--tier" in res.stderr


# --------------------------------------------------------------------------- escalate --overdue


def test_escalate_overdue_brings_breaches_to_their_level_and_is_idempotent(desk):
    tid = desk.create("--type", "complaint", "--title", "超时上报", now="2026-11-16T09:00+08:00")
    desk.ok("reply", tid, "-m", "收到", as_=MANAGER, now="2026-11-16T09:10+08:00")
    # resolution 3d → due Thu 19 Nov 09:00; +4h → 13:30 next level; +1d → another
    res = desk.ok("escalate", "--overdue", now="2026-11-19T09:30+08:00")
    assert desk.ticket(tid)["level"] == 2 and tid in res.stdout
    again = desk.ok("escalate", "--overdue", now="2026-11-19T09:30+08:00")
    assert desk.ticket(tid)["level"] == 2 and "No breached ticket" in again.stdout
    desk.ok("escalate", "--overdue", now="2026-11-19T14:30+08:00")
    assert desk.ticket(tid)["level"] == 3
    desk.ok("escalate", "--overdue", now="2026-11-23T09:00+08:00")
    t = desk.ticket(tid)
    assert t["level"] == 4 and t["assignee"] == MANAGER
    assert t["history"][-1]["reason"] == "2026-11-19T09:00:00+08:00 已超过办结时限(SLA)"  # in the desk's language


def test_escalate_overdue_needs_a_lead(desk):
    res = desk.run("escalate", "--overdue", as_="wang.fang@example.com")
    assert res.exit_code == 2 and "lead" in res.stderr


# --------------------------------------------------------------------------- work orders


def test_work_order_due_from_urgency_or_explicit(desk):
    a = desk.create("--type", "work_order", "--title", "加压泵", "--priority", "A", "--field", "from_department=客服中心",
                    "--group", "engineering", now="2026-11-20T16:00+08:00")
    assert desk.ticket(a)["due"] == "2026-11-23T16:00:00+08:00"
    b = desk.create("--type", "work_order", "--title", "核对", "--priority", "C", "--due", "2026-12-01T12:00",
                    "--field", "from_department=客服中心", "--group", "finance")
    assert desk.ticket(b)["due"] == "2026-12-01T12:00:00+08:00"
    desk.ok("note", a, "-m", "已发跟催性联系单", "--chase", as_=LEAD, now="2026-11-20T16:30+08:00")
    assert desk.ticket(a)["history"][-1]["action"] == "chase"
    items = desk.ok("due", "--json", "--kind", "work_order", now="2026-11-24T09:00+08:00").json
    assert [(i["id"], i["overdue"]) for i in items] == [(a, True)]


# --------------------------------------------------------------------------- calendar config


@pytest.mark.parametrize("calendar, needle", [
    ("calendar:\n  hours: {mon: []}\n", "no working time"),
    ('calendar:\n  hours: {mon: ["08:30-12:00", "11:00-17:30"]}\n', "overlap"),
    ('calendar:\n  holidays: [2026-10-10]\n  extra_workdays: [2026-10-10]\n', "both a holiday and an extra workday"),
    ('calendar:\n  hours: {mon: ["17:30-08:30"]}\n', "end must be after start"),
    ('calendar:\n  holidays: [2026-13-01]\n', "not a valid date"),
    ('calendar:\n  holidays: [next monday]\n', "not a date"),
])
def test_calendar_config_is_validated(desk, calendar, needle):
    config = desk.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("calendar:")
    end = text.index("\n\n", start)
    config.write_text(text[:start] + calendar + text[end:], encoding="utf-8")
    res = desk.run("list")
    assert res.exit_code == 3 and needle in res.stderr and "cstool.yaml:" in res.stderr


@settings(max_examples=300)
@given(moment=st.datetimes(min_value=datetime(1899, 12, 30), max_value=datetime(2999, 12, 31)),
       offset=st.integers(-14 * 60, 14 * 60), tz=st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York"]))
def test_the_fast_timestamp_reader_agrees_with_the_general_one(moment, offset, tz):
    """Stamps as cstool writes them take a faster path; it must read them exactly alike."""
    from datetime import timezone

    from cstool.time.clock import parse_time, read_stamp

    text = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset))).isoformat()
    zone = ZoneInfo(tz)
    try:
        expected = parse_time(text, zone, "timestamp")
    except InputError:
        with pytest.raises(InputError):
            read_stamp(text, zone)
        return
    got = read_stamp(text, zone)
    assert got == expected and got.utcoffset() == expected.utcoffset() and str(got.tzinfo) == str(expected.tzinfo)


@settings(max_examples=300)
@given(moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30)),
       form=st.sampled_from(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S{off}", "%Y-%m-%dT%H:%MZ"]),
       offset=st.integers(-14 * 60, 14 * 60))
def test_common_now_forms_read_as_dateutil_reads_them(moment, form, offset):
    """--now in its common forms skips importing dateutil; the time must be the same."""
    from dateutil.parser import isoparse

    from cstool.time.clock import parse_time

    sign = "+" if offset >= 0 else "-"
    text = moment.strftime(form.replace("{off}", f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"))
    zone = ZoneInfo("Asia/Shanghai")
    expected = isoparse(text)
    expected = (expected if expected.tzinfo else expected.replace(tzinfo=zone)).astimezone(zone)
    assert parse_time(text, zone) == expected.replace(microsecond=0)


def test_a_deadline_counted_on_from_any_later_moment_is_the_same(desk):
    """A running clock's due time is the rest of its target counted on from now; it must
    be the same moment, to the second, whatever now is (the index works it out at one
    time and `due` reads it at another). A complaint opened on Sunday evening is due at the
    end of Wednesday; counted on from a now with seconds, float noise used to carry it
    over to Thursday morning."""
    from cstool.desk.store import Desk as StoreDesk
    from cstool.domain.workflow import calendar_of

    cal = calendar_of(StoreDesk.open(desk.root).config)
    created = datetime(2026, 11, 22, 18, 0, tzinfo=cal.tz)
    target = 3 * cal.day_minutes
    due = cal.add_minutes(created, target)
    assert due == datetime(2026, 11, 25, 17, 30, tzinfo=cal.tz)
    wrong = []
    for step in range(0, 3 * 24 * 3600, 7):
        now = created + timedelta(seconds=step)
        if now < due and cal.add_minutes(now, target - cal.between(created, now)) != due:
            wrong.append(now)
    assert wrong == []
