"""``cstool report``: one HTML page whose every figure is the audit's for the same period,
that loads nothing and escapes what tickets hold."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

import pytest

from cstool.reports import audit, charts
from tests.support.report_page import AFTER, HOSTILE, ParsedPage, fill_month, number
from tests.support.roster import NAMES

TZ = ZoneInfo("Asia/Shanghai")
HEADLINE = {
    "created": ("totals", "created"), "resolved": ("totals", "resolved"),
    "fr_sla": ("sla", "first_response", "compliance"), "res_sla": ("sla", "resolution", "compliance"),
    "satisfaction": ("followups", "satisfaction_rate"), "followup": ("followups", "completion_rate"),
    "reopen": ("totals", "reopen_rate"), "backlog": ("totals", "open"),
}


@pytest.fixture
def month(desk):
    fill_month(desk)
    return desk


def at(report, path):
    for key in path:
        report = report[key]
    return report


def hours(minutes):
    return None if minutes is None else round(minutes / 60, 1)


def test_every_figure_on_the_page_is_the_audit_figure(month):
    page = ParsedPage(month.ok("report", "--period", "2026-11", now=AFTER, lang="zh").stdout)
    r = month.ok("audit", "--period", "2026-11", "--by", "group", "--json", now=AFTER).json
    before = month.ok("audit", "--period", "2026-10", "--json", now=AFTER).json
    assert r["totals"]["created"] == 5 and before["totals"]["created"] == 1  # the desk is what the test thinks
    for key, path in HEADLINE.items():
        name, value, *change = page.cards[key]
        assert number(value) == at(r, path), key
        shown = re.search(r"(?:^|· )上期 (\S+)", change[0])
        assert shown and number(shown.group(1)) == at(before, path), key
    t = page.tables
    assert {row[0]: int(row[1]) for row in t["backlog"]["rows"]} == r["backlog_by_age"]
    assert [[c[0], int(c[1]), number(c[2])] for c in t["causes"]["rows"]] == \
        [[c["category"], c["count"], c["share"]] for c in r["complaint_causes"]]
    assert [number(row[1]) for row in t["sat_group"]["rows"]] == [g["satisfaction_rate"] for g in r["by_group"]]
    assert [row[0] for row in t["sat_agent"]["rows"]] == [NAMES[a["agent"]] for a in r["agents"]]
    assert [number(row[1]) for row in t["sat_agent"]["rows"]] == [a["satisfaction_rate"] for a in r["agents"]]
    assert [int(row[1]) for row in t["late"]["rows"]] == list(r["work_orders"]["late_days_by_department"].values())
    assert t["late"]["rows"][0][0] == "工程部"
    for row, a in zip(t["agents"]["rows"], r["agents"], strict=True):
        assert row[0] == NAMES[a["agent"]]
        assert [number(c) for c in row[1:]] == [
            a["handled"], a["resolved"], audit.rate(a["resolved"], a["handled"]), hours(a["first_response_median_minutes"]),
            hours(a["resolution_median_minutes"]), a["sla_compliance"], a["followups_done"], a["satisfaction_rate"]]
    foot = t["agents"]["foot"]
    assert [number(c) for c in foot[2:]] == [
        r["totals"]["resolved"], None, hours(r["times"]["first_response"]["median_minutes"]),
        hours(r["times"]["resolution"]["median_minutes"]), r["sla"]["overall"]["compliance"], r["followups"]["done"],
        r["followups"]["satisfaction_rate"]]


def test_each_day_of_the_charts_is_the_audit_of_that_day(month):
    page = ParsedPage(month.ok("report", "--period", "2026-11", now=AFTER).stdout)
    volume, trend = page.tables["volume"]["rows"], page.tables["sla_trend"]["rows"]
    assert [row[0] for row in volume] == [f"2026-11-{d:02d}" for d in range(1, 31)]
    for vrow, srow in zip(volume, trend, strict=True):
        day = month.ok("audit", "--period", vrow[0], "--json", now=AFTER).json
        assert [int(vrow[1]), int(vrow[2])] == [day["totals"]["created"], day["totals"]["resolved"]], vrow[0]
        assert [number(c) for c in srow[1:]] == [day["sla"][k]["compliance"] for k in ("first_response", "resolution", "overall")]
    assert sum(int(row[1]) for row in volume) == 5  # the month's created, day by day


def test_a_long_period_is_charted_by_week_and_days_to_come_are_left_out(month):
    page = ParsedPage(month.ok("report", "--from", "2026-10-01", "--to", "2026-12-31", now=AFTER).stdout)
    assert "volume" not in page.tables
    weeks = [row[0] for row in page.tables["volume_week"]["rows"]]
    assert weeks[0] == "2026-10-01..2026-10-04" and weeks[1] == "2026-W41" and weeks[-1] == "2026-W49"
    for text in weeks[1:]:
        week = month.ok("audit", "--period", text, "--json", now=AFTER).json
        row = next(r for r in page.tables["volume_week"]["rows"] if r[0] == text)
        assert int(row[1]) == week["totals"]["created"]


def test_the_page_loads_nothing_and_escapes_what_tickets_hold(month):
    text = month.ok("report", "--period", "2026-11", now=AFTER).stdout
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=//evil.example/x.png&gt;" in text
    assert escape(HOSTILE) in text
    assert text.count("evil.example") == 2  # the bar's tooltip and the table cell (the label is cut short), as text
    outside_text = re.sub(r">[^<]*<", "><", text)  # only the markup: tags and attributes
    assert not re.search(r"""(src|href)\s*=|url\(|@import|@font-face|https?:|//""", outside_text.replace("//evil", ""))
    page = ParsedPage(text)
    assert page.cards["created"][1] == "5" and len(page.svgs) == 7
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)


def test_english_page_and_no_comparison(month):
    text = month.ok("report", "--period", "2026-11", "--compare", "none", now=AFTER, lang="en").stdout
    assert '<html lang="en">' in text and "Tickets created and resolved per day" in text
    assert "Complaint intake" in text and "previous" not in text and "办" not in text
    page = ParsedPage(text)
    assert page.cards["created"][1:] == ["5"]


def test_output_file_and_bad_input(month, tmp_path):
    out = tmp_path / "r.html"
    res = month.ok("report", "--period", "2026-11", "-o", str(out), now=AFTER)
    assert res.stdout == "" and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    for args, needle in ((("--period", "2026-13"), "no month"), (("--compare", "last"), "--compare"),
                         (("--period", "2026-11", "--from", "2026-11-01"), "either")):
        bad = tmp_path / "bad.html"
        res = month.run("report", *args, "-o", str(bad), now=AFTER)
        assert res.exit_code == 2 and needle in res.stderr and not bad.exists()


def test_an_empty_month_draws_its_charts_as_no_data(desk):
    page = ParsedPage(desk.ok("report", "--period", "2025-01", now=AFTER).stdout)
    assert len(page.svgs) == 7 and page.cards["created"][1] == "0"
    assert all(svg == {"text": 1} for svg in page.svgs[2:])  # backlog onwards: "no data"


def period(text):
    return audit.parse_period(text, None, None, TZ, datetime(2027, 1, 1, tzinfo=TZ))


@pytest.mark.parametrize("text, before", [
    ("2026-11", "2026-10"), ("2026-01", "2025-12"), ("2026-W47", "2026-W46"), ("2026-W01", "2025-W52"),
    ("2026-03-01", "2026-02-28"),
])
def test_previous_period(text, before):
    prev = audit.previous_period(period(text))
    assert prev.label == before and prev == period(before)


def test_previous_of_a_span_is_as_many_days_before():
    span = audit.parse_period(None, "2026-11-10", "2026-11-16", TZ, datetime(2027, 1, 1, tzinfo=TZ))
    prev = audit.previous_period(span)
    assert prev.label == "2026-11-03..2026-11-09" and prev.end == span.start


def test_sub_periods_are_days_up_to_now_and_weeks_past_31_days():
    days = audit.sub_periods(period("2026-11"), datetime(2026, 11, 3, 0, 0, tzinfo=TZ))
    assert [d.label for d in days] == ["2026-11-01", "2026-11-02"]  # the 3rd starts at now: nothing yet
    long = audit.parse_period(None, "2026-11-01", "2027-01-01", TZ, datetime(2027, 2, 1, tzinfo=TZ))
    weeks = audit.sub_periods(long, datetime(2027, 2, 1, tzinfo=TZ))
    assert [w.label for w in (weeks[0], weeks[1], weeks[-1])] == ["2026-11-01..2026-11-01", "2026-W45", "2026-12-28..2027-01-01"]
    assert weeks[0].start == long.start and weeks[-1].end == long.end
    assert all(a.end == b.start for a, b in zip(weeks, weeks[1:]))


def test_chart_text_is_escaped_and_axes_are_round():
    svg = charts.hbars(["<b>&"], [3], "t<", "none")
    assert "&lt;b&gt;&amp;" in svg and "<b>" not in svg and "t&lt;" in svg
    assert charts.ticks(5) == (5, 1) and charts.ticks(22) == (25, 5) and charts.ticks(1) == (1, 1)
    assert charts.ticks(101) == (150, 50) and charts.ticks(100) == (100, 20)
    assert "none" in charts.bars(["a"], [("s", [0])], "t", "none")


def test_changing_commands_still_report_after_the_page_was_made_in_the_same_process(desk):
    # the command's module must not shadow the ``report`` helper the changing commands print with
    desk.ok("report", "--period", "2026-11")
    tid = desk.create("--type", "inquiry", "--title", "问询")
    assert tid in desk.ok("reply", tid, "-m", "已答复").stdout
