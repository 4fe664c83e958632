"""Times as people type them: 2026/12/01, 12-01 14:00, 12月1日, 今天, yesterday 17:00 …
wherever a command asks for a time, relative to the run's clock, in the desk's zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.errors import InputError
from cstool.time.typed import read_date, read_now, read_time, read_typed
from tests.support.desk import assert_refusal
from tests.support.roster import MANAGER

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)  # the desk fixture's clock, a Friday


@pytest.mark.parametrize("text, expected", [
    ("2026-12-01", datetime(2026, 12, 1, tzinfo=TZ)),
    ("2026/12/01", datetime(2026, 12, 1, tzinfo=TZ)),
    ("2026.12.1", datetime(2026, 12, 1, tzinfo=TZ)),
    ("2026-12-01 14:00", datetime(2026, 12, 1, 14, tzinfo=TZ)),
    ("2026/12/01 14:00:30", datetime(2026, 12, 1, 14, 0, 30, tzinfo=TZ)),
    ("2026年12月1日", datetime(2026, 12, 1, tzinfo=TZ)),
    ("2026年12月1日 14点30分", datetime(2026, 12, 1, 14, 30, tzinfo=TZ)),
    ("12-01 14:00", datetime(2026, 12, 1, 14, tzinfo=TZ)),
    ("12/1", datetime(2026, 12, 1, tzinfo=TZ)),
    ("12月1日", datetime(2026, 12, 1, tzinfo=TZ)),
    ("12月1号14:00", datetime(2026, 12, 1, 14, tzinfo=TZ)),
    ("今天", datetime(2026, 11, 20, tzinfo=TZ)),
    ("昨天 17:00", datetime(2026, 11, 19, 17, tzinfo=TZ)),
    ("today", datetime(2026, 11, 20, tzinfo=TZ)),
    ("Yesterday 17:00", datetime(2026, 11, 19, 17, tzinfo=TZ)),
    ("明天", datetime(2026, 11, 21, tzinfo=TZ)),
    ("tomorrow 9:30", datetime(2026, 11, 21, 9, 30, tzinfo=TZ)),
    ("前天", datetime(2026, 11, 18, tzinfo=TZ)),
    ("明天下午3点半", datetime(2026, 11, 21, 15, 30, tzinfo=TZ)),
    ("14:00", datetime(2026, 11, 20, 14, tzinfo=TZ)),
    ("１２月１日　１４：００", datetime(2026, 12, 1, 14, tzinfo=TZ)),
    ("2026-12-01T14:00+00:00", datetime(2026, 12, 1, 22, tzinfo=TZ)),
    ("2026-12-01T06:00Z", datetime(2026, 12, 1, 14, tzinfo=TZ)),
])
def test_the_forms_people_type(text, expected):
    assert read_time(text, TZ, NOW, "--due") == expected


@pytest.mark.parametrize("text", ["", "soon", "2026-13-01", "2月30日", "25:00", "12:60", "2026/12/01 24:00",
                                  "11/20/2026", "1-1-1", "1899-12-31", "3000-01-01", "明天 下周", "2026-12-01 nine"])
def test_what_is_not_a_time_is_refused_naming_the_forms(text):
    with pytest.raises(InputError) as info:
        read_time(text, TZ, NOW, "--due")
    assert info.value.key == "error.bad_time"
    assert "12月1日" in info.value.text("en") and "yesterday 17:00" in info.value.text("en")
    assert "昨天 17:00" in info.value.text("zh")


@pytest.mark.parametrize("text", ["今天", "yesterday 17:00", "12-01", "12月1日", "14:00"])
def test_now_takes_no_relative_form(text):
    with pytest.raises(InputError) as info:
        read_now(text, TZ)
    assert info.value.key == "error.relative_now" and "--now" in info.value.text("en")


def test_a_date_option_refuses_a_time_of_day():
    assert read_date("11月1日", TZ, NOW, "--from") == date(2026, 11, 1)
    with pytest.raises(InputError):
        read_date("11月1日 14:00", TZ, NOW, "--from")


# --------------------------------------------------------------------------- properties

moments = st.datetimes(min_value=datetime(1900, 1, 3), max_value=datetime(2999, 12, 29)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))
ABSOLUTE = ["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y.%m.%d %H:%M", "%Y-%m-%dT%H:%M", "%Y年%m月%d日 %H:%M",
            "%Y年%m月%d日%H点%M分", "%Y/%m/%d %H:%M:%S"]


@settings(max_examples=300)
@given(moment=moments, form=st.sampled_from(ABSOLUTE))
def test_an_absolute_form_reads_back_as_the_moment_written_even_as_the_clock(moment, form):
    text = moment.strftime(form)
    assert read_time(text, TZ, NOW, "--due") == moment
    assert read_now(text, TZ) == moment


@settings(max_examples=300)
@given(moment=moments, form=st.sampled_from(["%m-%d %H:%M", "%m/%d %H:%M", "%m月%d日 %H:%M", "%m月%d日%H点%M分"]),
       later=st.integers(0, 300))
def test_a_date_without_year_is_in_the_clock_year(moment, form, later):
    now = moment.replace(month=1, day=1) + timedelta(days=later)
    if now.year != moment.year:
        return
    assert read_time(moment.strftime(form), TZ, now, "--due") == moment


@settings(max_examples=300)
@given(moment=moments, offset=st.sampled_from(list(zip(["前天", "昨天", "今天", "明天", "后天"], range(-2, 3), strict=True))
                                              + [("yesterday", -1), ("today", 0), ("tomorrow", 1)]),
       spoken=st.booleans())
def test_a_relative_day_counts_from_the_clock(moment, offset, spoken):
    word, days = offset
    now = moment.replace(hour=12) - timedelta(days=days)
    clock = f"{moment.hour}点{moment.minute}分" if spoken else moment.strftime("%H:%M")
    assert read_time(f"{word} {clock}", TZ, now, "--due") == moment
    assert read_time(word, TZ, now, "--due") == moment.replace(hour=0, minute=0)


TYPED_CHARS = st.sampled_from(list("0123456789-/.: T+Z年月日号点时分半上下午晚今昨明天前后") + ["today", "yesterday", "tomorrow"])


@settings(max_examples=1000)
@given(text=st.one_of(st.text(max_size=30), st.lists(TYPED_CHARS, max_size=16).map("".join)),
       relative=st.booleans())
def test_any_text_is_a_time_in_range_or_a_refusal_never_a_traceback(text, relative):
    try:
        typed = read_typed(text, TZ, NOW if relative else None, "--due")
    except InputError as exc:
        assert exc.key in ("error.bad_time", "error.bad_now", "error.relative_now")
        return
    assert 1900 <= typed.at.year <= 2999 and typed.at.tzinfo is not None


# --------------------------------------------------------------------------- the commands


def test_now_with_slashes_is_a_time(desk):
    """--now 2026/12/01 used to be refused as "not a time between the years 1900 and 2999"."""
    ticket_id = desk.create("--type", "inquiry", "--title", "x", now="2026/12/01 09:30")
    assert desk.ticket(ticket_id)["created"] == "2026-12-01T09:30:00+08:00"


def test_now_that_is_relative_is_refused_in_chinese(desk):
    res = desk.run("list", now="今天", lang="zh")
    assert_refusal(res, 2, "--now", "相对时间")


def test_a_work_order_due_typed_as_people_do(desk):
    common = ("create", "-q", "--type", "work_order", "--title", "协查", "--field", "from_department=客服中心")
    day = desk.ok(*common, "--due", "11月25日", as_=MANAGER).stdout.strip()
    assert desk.ticket(day)["due"] == "2026-11-25T17:30:00+08:00"  # a date alone: the end of that working day
    moment = desk.ok(*common, "--due", "明天 14:00", as_=MANAGER).stdout.strip()
    assert desk.ticket(moment)["due"] == "2026-11-21T14:00:00+08:00"
    res = desk.run(*common, "--due", "下周", as_=MANAGER)
    assert_refusal(res, 2, "--due", "12月1日")


def test_audit_from_and_to_as_people_type_them(desk):
    desk.create("--type", "inquiry", "--title", "x", now="2026-11-19T10:00+08:00")
    typed = desk.ok("audit", "--from", "2026/11/1", "--to", "昨天", "--json").json
    iso = desk.ok("audit", "--from", "2026-11-01", "--to", "2026-11-19", "--json").json
    assert typed == iso


def test_handover_since_yesterday_evening(desk):
    desk.create("--type", "inquiry", "--title", "夜间来电", now="2026-11-19T18:00+08:00")
    data = desk.ok("handover", "--since", "yesterday 17:00", "--json").json
    assert data["since"] == "2026-11-19T17:00:00+08:00" and [r["title"] for r in data["opened"]] == ["夜间来电"]
    data = desk.ok("handover", "--since", "今天 08:00", "--json").json
    assert data["since"] == "2026-11-20T08:00:00+08:00" and data["opened"] == []


def test_customer_since_as_people_type_it(desk):
    cid = desk.ok("customer", "add", "--name", "陈建国", "--since", "2025年3月8日").stdout.strip()
    assert desk.ok("customer", "show", cid, "--json").json["since"] == "2025-03-08"
