"""One meaning of on time: elapsed ≤ target, at the exact second, in every command; and
``escalate --overdue`` stepping at exactly due + each delay."""

from __future__ import annotations

from tests.support.roster import LEAD, MANAGER

DEPT_AGENT = "ma.jun@example.com"


def _clock_line(text: str, kind: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(kind + ":"))


def test_a_reply_at_the_very_second_of_the_deadline_is_met_everywhere(desk):
    tid = desk.create("--type", "inquiry", "--title", "准点答复", now="2026-11-16T09:00:00+08:00")  # 24h calendar → 11-17 09:00
    assert desk.ticket(tid)["sla"]["first_response_due"] == "2026-11-17T09:00:00+08:00"
    desk.ok("reply", tid, "-m", "已答复", as_=MANAGER, now="2026-11-17T09:00:00+08:00")
    now = "2026-11-17T09:30:00+08:00"
    line = _clock_line(desk.ok("show", tid, now=now).stdout, "first response")
    assert ": met" in line and "missed" not in line
    sla = desk.ok("show", tid, "--json", now=now).json["sla"]
    assert sla["first_response_at"] == sla["first_response_due"] == "2026-11-17T09:00:00+08:00"
    audit = desk.ok("audit", "--period", "2026-11", "--json", now=now).json
    assert audit["sla"]["first_response"]["met"] == 1 and audit["sla"]["first_response"]["breached"] == 0
    items = desk.ok("due", "--json", now=now).json
    assert "first_response" not in [i["kind"] for i in items if i["id"] == tid]
    # one second later it would have been late
    late = desk.create("--type", "inquiry", "--title", "晚一秒", now="2026-11-16T09:00:00+08:00")
    desk.ok("reply", late, "-m", "已答复", as_=MANAGER, now="2026-11-17T09:00:01+08:00")
    assert ": missed" in _clock_line(desk.ok("show", late, now=now).stdout, "first response")


def test_due_and_show_agree_at_the_due_second(desk):
    tid = desk.create("--type", "inquiry", "--title", "到点", now="2026-11-16T09:00:00+08:00")
    at_due = desk.ok("due", "--json", now="2026-11-17T09:00:00+08:00").json
    assert [i["overdue"] for i in at_due if i["id"] == tid and i["kind"] == "first_response"] == [False]
    assert "breached" not in _clock_line(desk.ok("show", tid, now="2026-11-17T09:00:00+08:00").stdout, "first response")
    after = desk.ok("due", "--json", now="2026-11-17T09:00:01+08:00").json
    assert [i["overdue"] for i in after if i["id"] == tid and i["kind"] == "first_response"] == [True]


def _resolution_due_dec_8(desk) -> str:
    # standard policy: resolution 5d → Tue 12-08 09:00
    tid = desk.create("--type", "inquiry", "--title", "解决时限", now="2026-12-01T09:00:00+08:00")
    desk.ok("reply", tid, "-m", "收到", as_=MANAGER, now="2026-12-01T09:10:00+08:00")
    return tid


def test_escalate_overdue_steps_at_exactly_due_plus_each_delay(desk):
    tid = _resolution_due_dec_8(desk)
    steps = [("2026-12-08T08:59:59+08:00", 1), ("2026-12-08T09:00:00+08:00", 2), ("2026-12-08T12:59:00+08:00", 2),
             ("2026-12-08T12:59:59+08:00", 2), ("2026-12-08T13:00:00+08:00", 3), ("2026-12-08T17:30:00+08:00", 3),
             ("2026-12-09T08:59:00+08:00", 3), ("2026-12-09T09:00:00+08:00", 4)]
    for now, level in steps:
        desk.ok("escalate", "--overdue", now=now)
        assert desk.ticket(tid)["level"] == level, now
        again = desk.ok("escalate", "--overdue", now=now)  # idempotent at the same moment
        assert desk.ticket(tid)["level"] == level and tid not in again.stdout, now


def test_escalate_overdue_in_one_late_run_goes_straight_to_the_warranted_level(desk):
    tid = _resolution_due_dec_8(desk)
    desk.ok("escalate", "--overdue", now="2026-12-08T13:00:00+08:00")
    assert desk.ticket(tid)["level"] == 3


def test_escalate_overdue_includes_work_orders_within_their_department(desk):
    wo = desk.create("--type", "work_order", "--title", "加压泵", "--priority", "A", "--field", "from_department=客服中心",
                     "--group", "engineering", "--assignee", DEPT_AGENT, now="2026-12-01T09:00:00+08:00")
    assert desk.ticket(wo)["due"] == "2026-12-02T09:00:00+08:00"
    desk.ok("escalate", "--overdue", now="2026-12-02T09:00:00+08:00")
    t = desk.ticket(wo)
    assert t["level"] == 2
    # the department has no lead: the work order stays with its department's person,
    # never handed to the customer-service lead who issued it
    assert t["assignee"] == DEPT_AGENT and t["assignee"] != LEAD


# --------------------------------------------------------------------------- time left and late, in the target's own time


def _status_of(out: str, tid: str, kind_label: str) -> str:
    return next(line for line in out.splitlines() if tid in line and kind_label in line)


def test_due_counts_a_calendar_target_in_calendar_time_on_a_saturday(desk):
    tid = desk.create("--type", "inquiry", "--title", "周六到期", now="2026-11-20T17:00:00+08:00")  # due Sat 17:00
    sat = "2026-11-21T16:00:00+08:00"
    item = next(i for i in desk.ok("due", "--json", now=sat).json if i["id"] == tid and i["kind"] == "first_response")
    assert item["left_minutes"] == 60 and item["time"] == "calendar" and not item["overdue"]
    line = _status_of(desk.ok("due", now=sat, lang="zh").stdout, tid, "首次响应")
    assert "剩余 1小时" in line and "工作" not in line


def test_lateness_of_a_calendar_target_is_shown_in_calendar_time(desk):
    tid = desk.create("--type", "inquiry", "--title", "迟复", now="2026-11-16T09:00:00+08:00")  # due Tue 09:00
    late_now = "2026-11-20T07:00:00+08:00"  # 70 wall-clock hours after the due moment
    line = _status_of(desk.ok("due", now=late_now, lang="zh").stdout, tid, "首次响应")
    assert "超时 2天22小时" in line
    desk.ok("reply", tid, "-m", "抱歉久等", as_=MANAGER, now=late_now)
    show = desk.ok("show", tid, now=late_now, lang="zh").stdout
    assert "超时 2天22小时" in _clock_line(show, "首次响应")


def test_business_targets_are_shown_in_working_days_and_say_so(desk):
    tid = desk.create("--type", "inquiry", "--title", "工作时间", now="2026-11-16T09:00:00+08:00")  # resolution 5d → 11-23 09:00
    desk.ok("reply", tid, "-m", "收到", as_=MANAGER, now="2026-11-16T09:10:00+08:00")
    now = "2026-11-19T17:30:00+08:00"  # Fri 9 working hours + Mon 30 minutes left
    show = desk.ok("show", tid, now=now, lang="zh").stdout
    assert "剩余 1个工作日(工作时间)" in _clock_line(show, "解决")
    item = next(i for i in desk.ok("due", "--json", "--within", "2d", now=now).json if i["id"] == tid)
    assert item["left_minutes"] == 570 and item["time"] == "business"
    en = desk.ok("due", "--within", "2d", now=now).stdout
    assert "working time left" in _status_of(en, tid, "resolution")
    hand = desk.ok("handover", "--next", "2d", now=now, lang="zh").stdout
    assert "剩余 1个工作日(工作时间)" in _status_of(hand, tid, "解决")  # the kind in words, not its key


def test_show_json_of_a_pending_ticket_has_no_stale_deadline(desk):
    tid = desk.create("--type", "inquiry", "--title", "挂起", now="2026-11-16T09:00:00+08:00")  # resolution due 11-23 09:00
    desk.ok("reply", tid, "-m", "收到", as_=MANAGER, now="2026-11-16T09:10:00+08:00")
    desk.ok("pending", tid, "--reason", "等客户资料", as_=MANAGER, now="2026-11-17T09:00:00+08:00")
    data = desk.ok("show", tid, "--json", now="2026-11-25T10:00:00+08:00").json
    assert "resolution_due" not in data["sla"]
    assert data["sla"]["resolution_left_minutes"] == 4 * 540  # 1 of 5 working days used before pending
    desk.ok("resume", tid, as_=MANAGER, now="2026-11-25T10:00:00+08:00")
    data = desk.ok("show", tid, "--json", now="2026-11-25T10:00:00+08:00").json
    assert data["sla"]["resolution_due"] == "2026-12-01T10:00:00+08:00" and "resolution_left_minutes" not in data["sla"]


def test_a_visit_late_by_199_calendar_days_says_199_days(desk):
    from datetime import datetime, timedelta

    from cstool.config.load import load_config
    from cstool.domain.workflow import calendar_of
    from cstool.time import due

    config = load_config(desk.root)
    cal = calendar_of(config)
    now = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
    when = now - timedelta(days=199)
    item = due.row_item(("C-7KQ3MX", "visit", when.isoformat(), None, 0, "", "followup", "客户"), when, config, cal, now)
    assert item.overdue and item.calendar and round(item.left_minutes) == -199 * 1440
    assert due.left_text(item, cal.day_minutes, "zh") == "超时 199天"
