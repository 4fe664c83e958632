"""Work-order late days (每延误一天): counted in working days (or days, by
``work_orders.late_unit``), each late day once, in the period it begins in."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstool.config.load import load_config
from cstool.reports.audit import Period, report
from cstool.time.calendar import BusinessCalendar
from cstool.time.clock import stamp
from cstool.time.sla import late_days
from tests.support.roster import LEAD


def work_order(d, due: str, now: str) -> str:
    return d.create("--type", "work_order", "--title", "联系单", "--priority", "B", "--group", "engineering",
                    "--field", "from_department=客服", "--due", due, now=now)


def department_late_days(d, *period: str, now: str) -> int:
    r = d.ok("audit", *period, "--json", now=now).json
    return r["work_orders"]["late_days_by_department"].get("engineering", 0)


def test_31_working_minutes_late_is_one_late_day(desk):
    tid = work_order(desk, "2026-11-27T17:00:00+08:00", now="2026-11-26T10:00:00+08:00")  # due Friday 17:00
    desk.ok("close", tid, "--resolution", "done", as_=LEAD, now="2026-11-30T08:31:00+08:00")  # Monday 08:31
    assert department_late_days(desk, "--period", "2026-11", now="2026-11-30T12:00:00+08:00") == 1


def test_late_days_in_calendar_days_when_the_desk_says_so(desk):
    path = desk.root / "cstool.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("late_unit: working_day", "late_unit: day"), encoding="utf-8")
    tid = work_order(desk, "2026-11-27T17:00:00+08:00", now="2026-11-26T10:00:00+08:00")
    desk.ok("close", tid, "--resolution", "done", as_=LEAD, now="2026-11-30T08:31:00+08:00")  # 63.5 hours late
    assert department_late_days(desk, "--period", "2026-11", now="2026-11-30T12:00:00+08:00") == 3


def test_an_open_work_order_counts_each_late_day_in_one_month_only(desk):
    work_order(desk, "2026-10-12T17:00:00+08:00", now="2026-10-09T10:00:00+08:00")
    now = "2026-11-29T12:00:00+08:00"
    october = department_late_days(desk, "--period", "2026-10", now=now)
    november = department_late_days(desk, "--period", "2026-11", now=now)
    both = department_late_days(desk, "--from", "2026-10-01", "--to", "2026-11-30", now=now)
    # 13 Oct - 30 Oct is 14 working days, plus the 30 minutes of Monday 12 Oct
    assert october == 15
    assert october + november == both == 15 + 20  # November: 21 working days, the first begun in October


def test_a_date_only_due_is_the_end_of_that_working_day_or_the_next(desk):
    saturday = work_order(desk, "2026-12-05", now="2026-11-30T10:00:00+08:00")
    assert desk.ticket(saturday)["due"] == "2026-12-07T17:30:00+08:00"
    tuesday = work_order(desk, "2026-12-08", now="2026-11-30T10:00:00+08:00")
    assert desk.ticket(tuesday)["due"] == "2026-12-08T17:30:00+08:00"


def test_late_days_boundaries(desk):
    cal = BusinessCalendar(load_config(desk.root).calendar, load_config(desk.root).tz)
    due = datetime.fromisoformat("2026-11-27T17:00:00+08:00")
    assert late_days(cal, due, due) == 0
    assert late_days(cal, due, due + timedelta(seconds=1)) == 1
    assert late_days(cal, due, datetime.fromisoformat("2026-11-27T17:30:00+08:00")) == 1
    assert late_days(cal, due, datetime.fromisoformat("2026-11-30T16:59:00+08:00")) == 1  # 539 working minutes
    assert late_days(cal, due, datetime.fromisoformat("2026-11-30T17:00:00+08:00")) == 1  # exactly one working day
    assert late_days(cal, due, datetime.fromisoformat("2026-11-30T17:01:00+08:00")) == 2


MOMENTS = st.integers(min_value=0, max_value=150 * 24 * 60).map(
    lambda m: datetime.fromisoformat("2026-09-01T00:00:00+08:00") + timedelta(minutes=m))


def _ticket(created: datetime, due: datetime, resolved: datetime | None) -> dict:
    history = [{"at": stamp(created), "by": LEAD, "action": "create", "status": "open", "group": "engineering"}]
    if resolved is not None:
        history.append({"at": stamp(resolved), "by": LEAD, "action": "resolve"})
    return {"id": "CS-1", "type": "work_order", "group": "engineering", "priority": "B", "created": stamp(created),
            "due": stamp(due), "status": "resolved" if resolved else "open", "history": history}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # the desk is only read
@given(created=MOMENTS, lead=st.integers(min_value=1, max_value=20 * 24 * 60),
       took=st.one_of(st.none(), st.integers(min_value=1, max_value=100 * 24 * 60)), now=MOMENTS,
       unit=st.sampled_from(["working_day", "day"]))
def test_late_days_of_consecutive_months_add_up_to_their_union(desk, created, lead, took, now, unit):
    config = load_config(desk.root)
    config.late_unit = unit
    cal = BusinessCalendar(config.calendar, config.tz)
    due = created + timedelta(minutes=lead)
    resolved = created + timedelta(minutes=took) if took is not None else None
    now = max(now, resolved or now, created)
    ticket = _ticket(created, due, resolved)
    months = [datetime.fromisoformat(f"2026-{m:02d}-01T00:00:00+08:00") for m in (9, 10, 11, 12)]
    months.append(datetime.fromisoformat("2027-01-01T00:00:00+08:00"))
    months.append(datetime.fromisoformat("2027-02-01T00:00:00+08:00"))

    def figure(start: datetime, end: datetime) -> int:
        r = report([ticket], config, cal, Period(start, end, "p"), now)
        return sum(r["work_orders"]["late_days_by_department"].values())

    parts = sum(figure(a, b) for a, b in zip(months, months[1:]))
    assert parts == figure(months[0], months[-1])
