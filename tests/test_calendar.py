"""The calendar: China's official holidays and make-up workdays (the chinesecalendar
package) under the desk's own lists, ``cstool calendar``, and the warning when a
deadline falls in a year no source covers."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest


def set_calendar(d, text: str) -> None:
    """Replace the desk's calendar section's lists (and official source) by text."""
    path = d.root / "cstool.yaml"
    cfg = path.read_text(encoding="utf-8")
    start = cfg.index("calendar:\n")
    end = cfg.index("\n# 时限 (SLA)")
    hours = "  hours:\n" + "".join(f'    {day}: ["08:30-17:30"]\n' for day in ("mon", "tue", "wed", "thu", "fri"))
    path.write_text(cfg[:start] + "calendar:\n" + hours + text + cfg[end:], encoding="utf-8")


def test_every_day_of_2020_to_2026_matches_the_official_calendar(desk):
    for year in range(2020, 2027):
        days = desk.ok("calendar", str(year), "--json").json["days"]
        assert len(days) == (date(year + 1, 1, 1) - date(year, 1, 1)).days
        for day in days:
            d = date.fromisoformat(day["date"])
            assert day["working"] == chinese_calendar.is_workday(d), day
            assert day["covered"] is True


def test_2025_national_day_and_its_make_up_days(desk):
    days = {d["date"]: d for d in desk.ok("calendar", "2025-10", "--json").json["days"]}
    for off in ("2025-10-01", "2025-10-06", "2025-10-07", "2025-10-08"):
        assert days[off]["kind"] == "holiday" and days[off]["source"] == "official"
    assert days["2025-10-11"]["kind"] == "makeup" and days["2025-10-11"]["hours"] == "08:30-17:30"
    sept = {d["date"]: d for d in desk.ok("calendar", "2025-09", "--json").json["days"]}
    assert sept["2025-09-28"]["working"] and sept["2025-09-28"]["source"] == "official"
    assert sept["2025-09-29"]["source"] == "weekday" and sept["2025-09-27"]["kind"] == "rest"


def test_a_2025_deadline_skips_national_day(desk):
    # 5 working days (45 h) from Tue 2025-09-30 10:00: 7.5 h that day, 1-8 Oct off, then 9 h each on
    # the 9th, 10th, the make-up Saturday the 11th and Monday the 13th, and 1.5 h of the 14th
    tid = desk.create("--type", "inquiry", "--title", "国庆前咨询", now="2025-09-30T10:00:00+08:00")
    assert desk.ticket(tid)["sla"]["resolution_due"] == "2025-10-14T10:00:00+08:00"


def test_the_desk_lists_add_to_and_override_the_official_calendar(desk):
    set_calendar(desk, "  holidays:\n    - 2026-10-10\n    - 2026-11-12\n  extra_workdays:\n    - 2026-10-05\n")
    oct_days = {d["date"]: d for d in desk.ok("calendar", "2026-10", "--json").json["days"]}
    assert oct_days["2026-10-05"]["working"] and oct_days["2026-10-05"]["source"] == "desk"
    assert not oct_days["2026-10-10"]["working"] and oct_days["2026-10-10"]["source"] == "desk"
    assert not oct_days["2026-10-06"]["working"] and oct_days["2026-10-06"]["source"] == "official"
    nov = {d["date"]: d for d in desk.ok("calendar", "2026-11", "--json").json["days"]}
    assert nov["2026-11-12"]["kind"] == "holiday"


def test_a_desk_outside_china_switches_the_official_calendar_off(desk):
    set_calendar(desk, "  official: none\n")
    days = {d["date"]: d for d in desk.ok("calendar", "2026-10", "--json").json["days"]}
    assert days["2026-10-01"]["working"] and days["2026-10-01"]["source"] == "weekday"
    assert not days["2026-10-10"]["working"]
    res = desk.ok("create", "--type", "inquiry", "--title", "跨年", now="2026-12-31T17:00:00+08:00")
    assert "warning" not in res.stderr  # no list at all: the weekday rule is the desk's choice


def test_a_deadline_in_an_uncovered_year_warns_once_naming_the_year(desk, new_desk):
    res = desk.ok("create", "--channel", "online", "--type", "inquiry", "--title", "跨年咨询",
                  now="2026-12-31T17:28:00+08:00")
    assert res.exit_code == 0
    assert res.stderr.count("2027") == 1 and res.stderr.count("warning") == 1
    assert "calendar.holidays" in res.stderr and "chinesecalendar" in res.stderr
    # a command whose times all fall in covered years says nothing
    other = new_desk("other")
    assert "warning" not in other.ok("calendar", "2026").stderr
    assert "warning" not in other.ok("create", "--type", "inquiry", "--title", "年中").stderr


def test_next_years_notice_in_the_desk_lists_moves_the_deadline_and_ends_the_warning(desk):
    set_calendar(desk, "  holidays:\n    - 2027-01-01\n")
    res = desk.ok("create", "--channel", "online", "--type", "inquiry", "--title", "跨年咨询",
                  now="2026-12-31T17:28:00+08:00")
    assert "warning" not in res.stderr
    tid = res.stdout.split()[0] if res.stdout.split() else None
    tid = tid or desk.ticket_files()[0].stem
    assert desk.ticket(tid)["sla"]["first_response_due"] == "2027-01-04T08:33:00+08:00"
    std = desk.create("--type", "inquiry", "--title", "标准", now="2026-12-31T17:00:00+08:00")
    assert desk.ticket(std)["sla"]["resolution_due"] == "2027-01-08T17:00:00+08:00"


def test_verify_reports_a_running_deadline_in_an_uncovered_year(desk):
    tid = desk.create("--type", "inquiry", "--title", "标准", now="2026-12-31T17:00:00+08:00")
    res = desk.run("verify", "--json", now="2027-01-01T09:00:00+08:00")
    assert res.exit_code == 1
    found = [f for f in res.json["findings"] if f["code"] == "calendar"]
    assert found and all(f["ticket"] == tid and "2027" in f["message"] for f in found)


def test_calendar_table_and_csv(desk):
    table = desk.ok("calendar", "2026", "--lang", "zh").stdout
    assert "2026-10-01" in table and "国务院通知" in table and "2026-03-03" not in table
    assert "工作日 248 天" in table
    csv = desk.ok("calendar", "2026-02", "--format", "csv").stdout.splitlines()
    assert len(csv) == 1 + 28
    uncovered = desk.ok("calendar", "2027", "--lang", "en").stdout
    assert "2027: no official or desk holiday list covers this year" in uncovered


@pytest.mark.parametrize("span", ["2026-13", "26", "2026-1-1", "next"])
def test_calendar_refuses_a_bad_span(desk, span):
    res = desk.run("calendar", span)
    assert res.exit_code == 2 and span in res.stderr


def test_init_keeps_the_default_configs_layout(desk):
    from cstool.config.load import default_config_text

    written = (desk.root / "cstool.yaml").read_text(encoding="utf-8").splitlines()
    default = default_config_text().splitlines()
    start = default.index("calendar:")
    section = default[start - 6:default.index("sla:")]
    at = written.index(section[0])
    assert written[at:at + len(section)] == section
    assert max(len(line) for line in written) <= 130


def test_the_index_key_follows_the_official_calendars_version(desk, monkeypatch):
    from cstool.config import load
    from cstool.time import calendar

    before = load.config_key(desk.root)
    monkeypatch.setattr(calendar, "official_version", lambda: "99.0")
    assert load.config_key(desk.root) != before


def test_official_calendar_covers_the_packages_years():
    from cstool.time.calendar import official_calendar

    off = official_calendar()
    assert off.first_year <= 2020 and off.last_year >= 2026
    assert date(2026, 10, 1) in off.holidays and date(2026, 10, 10) in off.workdays
