"""Follow-up calls (回访) with an owner: assigned when scheduled, retried per policy, a
call-back after the last attempt, the call script, and satisfaction for the handler."""

from __future__ import annotations

from tests.support.roster import MANAGER

CALLER = "he.xue@example.com"  # the follow-up group's agent
HANDLER = "wang.fang@example.com"


def _closed_complaint(desk, closed_at="2026-11-16T10:00:00+08:00") -> str:
    tid = desk.create("--type", "complaint", "--title", "热水器漏水", "--customer", "张伟", "--phone", "13800000000",
                      "--assignee", HANDLER, now="2026-11-16T09:00:00+08:00")
    desk.ok("reply", tid, "-m", "已联系", as_=HANDLER, now="2026-11-16T09:10:00+08:00")
    desk.ok("close", tid, "--resolution", "更换密封圈", as_=HANDLER, now=closed_at)
    return tid


def test_closing_assigns_the_call_so_the_caller_sees_it_in_due(desk):
    tid = _closed_complaint(desk)
    call = desk.ticket(tid)["followups"][0]
    assert call["assignee"] == CALLER and call["due"] == "2026-11-18T10:00:00+08:00"  # complaint: after 2d
    mine = desk.ok("due", "--assignee", "me", "--within", "5d", "--json", as_=CALLER, now="2026-11-17T10:00:00+08:00")
    assert [(i["id"], i["kind"]) for i in mine.json] == [(tid, "followup")]


def test_unreachable_schedules_the_next_attempt_and_an_on_time_attempt_is_never_late(desk):
    tid = _closed_complaint(desk)
    desk.ok("followup", tid, "--result", "unreachable", as_=CALLER, now="2026-11-18T09:00:00+08:00")
    call = desk.ticket(tid)["followups"][0]
    assert call["due"] == "2026-11-19T09:00:00+08:00" and not call.get("done_at")  # retry_after 1d
    items = desk.ok("due", "--json", "--within", "5d", now="2026-11-18T12:00:00+08:00").json
    assert [i["overdue"] for i in items if i["id"] == tid and i["kind"] == "followup"] == [False]
    desk.ok("followup", tid, "--result", "unreachable", as_=CALLER, now="2026-11-19T09:00:00+08:00")
    desk.ok("followup", tid, "--result", "unreachable", as_=CALLER, now="2026-11-20T08:45:00+08:00")
    call = desk.ticket(tid)["followups"][0]
    assert call["attempts"] == 3 and call["result"] == "unreachable" and call["done_at"] == "2026-11-20T08:45:00+08:00"
    show = desk.ok("show", tid, now="2026-11-25T10:00:00+08:00").stdout
    line = next(x for x in show.splitlines() if x.strip().startswith("follow-up:"))
    assert ": met" in line


def test_a_call_back_after_the_last_attempt_can_be_recorded(desk):
    tid = _closed_complaint(desk)
    for day in ("18", "19", "20"):
        desk.ok("followup", tid, "--result", "unreachable", as_=CALLER, now=f"2026-11-{day}T09:00:00+08:00")
    desk.ok("followup", tid, "--result", "satisfied", "--note", "客户回电", as_=CALLER, now="2026-11-23T10:00:00+08:00")
    call = desk.ticket(tid)["followups"][0]
    assert call["result"] == "satisfied" and call["note"] == "客户回电" and call["attempts"] == 4
    assert desk.ok("audit", "--check", now="2026-11-23T11:00:00+08:00").exit_code == 0
    # nothing more is due: a further call is refused
    res = desk.run("followup", tid, "--result", "satisfied", as_=CALLER, now="2026-11-24T10:00:00+08:00")
    assert res.exit_code == 2 and "no follow-up call due" in res.stderr


def test_followup_script_fills_in_the_tickets_values(desk):
    tid = _closed_complaint(desk)
    out = desk.ok("followup", tid, "--script", as_=CALLER, now="2026-11-18T09:00:00+08:00").stdout
    assert "张伟" in out and "热水器漏水" in out and "更换密封圈" in out and "2026-11-16" in out and "何雪" in out
    assert "{" not in out


def test_satisfaction_counts_for_the_handler_and_the_call_for_the_caller(desk):
    tid = _closed_complaint(desk)
    desk.ok("followup", tid, "--result", "satisfied", as_=CALLER, now="2026-11-18T09:00:00+08:00")
    rows = {r["agent"]: r for r in desk.ok("audit", "--period", "2026-11", "--by", "agent", "--json",
                                           as_=MANAGER, now="2026-11-20T10:00:00+08:00").json["agents"]}
    assert rows[HANDLER]["satisfaction_rate"] == 100.0
    assert rows[CALLER]["followups_done"] == 1 and rows[CALLER]["satisfaction_rate"] is None


def test_calls_are_shared_among_the_follow_up_group_by_its_rule(desk):
    config = desk.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if CALLER in x)
    second = line.replace(CALLER, "lin.xiao@example.com").replace("何雪", "林晓")
    config.write_text(text.replace(line, line + "\n" + second), encoding="utf-8")
    first = _closed_complaint(desk)
    other = _closed_complaint(desk, closed_at="2026-11-16T11:00:00+08:00")
    assert desk.ticket(first)["followups"][0]["assignee"] == CALLER
    assert desk.ticket(other)["followups"][0]["assignee"] == "lin.xiao@example.com"  # round robin
