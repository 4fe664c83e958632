"""Ticket workflow: the state machine, routing, escalation, roles, history and git."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstool.domain import history, states
from tests.support.roster import LEAD, MANAGER, SUPERVISOR

AGENT = "wang.fang@example.com"
OTHER_AGENT = "liu.yang@example.com"


def complaint(desk, **kw) -> str:
    return desk.create("--type", "complaint", "--title", "空调漏水", "--customer", "张先生", "--phone", "13812345678", **kw)


# --------------------------------------------------------------------------- the scenario


def test_seed_complaint_flow_end_to_end(git_desk):
    """Phone complaint → auto-routed to the complaint intake group → replied → pending on
    the customer → resumed → escalated to the team lead, then the supervisor → closed."""
    d = git_desk
    tid = d.create("--type", "complaint", "--title", "维修后仍然漏水", "--channel", "phone",
                   "--customer", "张先生", "--phone", "13812345678", now="2026-11-20T09:00+08:00")
    t = d.ticket(tid)
    assert t["group"] == "complaint" and t["history"][0]["rule"] == "type=complaint"
    agent = t["assignee"]
    assert agent in (AGENT, OTHER_AGENT)
    d.ok("reply", tid, "-m", "已致歉,安排师傅明天复查", as_=agent, now="2026-11-20T09:20+08:00")
    d.ok("pending", tid, "--reason", "等待客户确认上门时间", as_=agent, now="2026-11-20T09:30+08:00")
    d.ok("resume", tid, as_=agent, now="2026-11-23T09:00+08:00")
    d.ok("escalate", tid, "--reason", "客户要求赔偿", as_=agent, now="2026-11-23T10:00+08:00")
    assert d.ticket(tid)["assignee"] == LEAD and d.ticket(tid)["level"] == 2
    d.ok("escalate", tid, "--reason", "涉及金额,需主管协调", as_=LEAD, now="2026-11-23T11:00+08:00")
    assert d.ticket(tid)["level"] == 3 and d.ticket(tid)["assignee"] == SUPERVISOR
    d.ok("close", tid, "--resolution", "更换排水管并赔偿 300 元", as_=SUPERVISOR, now="2026-11-24T15:00+08:00")
    t = d.ticket(tid)
    assert t["status"] == "closed" and t["resolution"] == "更换排水管并赔偿 300 元"
    assert [ev["action"] for ev in t["history"]] == ["create", "reply", "pending", "resume", "escalate", "escalate", "close"]
    assert history.disagreements(t) == []
    subjects = d.git("log", "--format=%an|%s", "--", d.path(tid).relative_to(d.root).as_posix()).splitlines()
    assert len(subjects) == 7
    assert subjects[0] == f"孙丽|{tid} close: 更换排水管并赔偿 300 元 (by {SUPERVISOR})"
    assert subjects[1] == f"赵磊|{tid} escalate L2→L3: 涉及金额,需主管协调 (by {LEAD})"
    assert subjects[2].endswith(f"{tid} escalate L1→L2: 客户要求赔偿 (by {agent})")
    assert subjects[4].endswith(f"{tid} pending: 等待客户确认上门时间 (by {agent})")
    assert subjects[-1] == f"赵磊|{tid} create complaint: 维修后仍然漏水 (by {LEAD})"
    log = d.ok("log", tid).stdout.splitlines()
    assert "close" in log[2] and "create" in log[-1]  # newest first, after the header
    timeline = d.ok("show", tid, lang="zh").stdout
    assert "处理记录" in timeline and "上报" in timeline and "L2 班组长 → L3 主管" in timeline


# --------------------------------------------------------------------------- state machine


def test_every_action_on_a_closed_ticket_except_reopen_is_refused(desk):
    tid = complaint(desk)
    desk.ok("close", tid, "--resolution", "已处理", as_=MANAGER)
    before = desk.snapshot()
    for args in (("reply", tid, "-m", "x"), ("note", tid, "-m", "x"), ("pending", tid, "--reason", "x"),
                 ("resume", tid), ("escalate", tid, "--reason", "x"), ("route", tid, "--group", "inquiry"),
                 ("close", tid, "--resolution", "again"), ("resolve", tid, "--resolution", "x")):
        res = desk.run(*args, as_=MANAGER)
        assert res.exit_code == 2, args
        assert f"{tid} is closed" in res.stderr and "allowed now: reopen, followup, edit, void)" in res.stderr
    assert desk.snapshot() == before
    desk.ok("reopen", tid, "--reason", "客户来电说又坏了", as_=MANAGER)
    assert desk.ticket(tid)["status"] == "open"


def test_transitions_follow_the_table():
    assert states.allowed_actions("pending") == ["route", "escalate", "reply", "note", "chase", "resume", "resolve", "close",
                                                 "ack", "edit", "void"]
    assert states.allowed_actions("closed") == ["reopen", "followup", "ack", "edit", "void"]
    assert states.allowed_actions("void") == ["ack"]
    assert states.next_status("reply", "open") == "in_progress"
    assert states.next_status("reply", "pending") == "pending"
    with pytest.raises(Exception, match="cannot resume"):
        states.check("resume", "open", "CS-2026-AAAAAAA")


def test_close_needs_a_resolution(desk):
    tid = complaint(desk)
    before = desk.snapshot()
    res = desk.run("close", tid, as_=MANAGER)
    assert res.exit_code == 2 and "--resolution is required" in res.stderr
    assert desk.snapshot() == before
    desk.ok("resolve", tid, "--resolution", "已更换配件", as_=MANAGER)
    desk.ok("close", tid, as_=MANAGER)  # resolved already: the resolution stands
    assert desk.ticket(tid)["resolution"] == "已更换配件"


def test_pending_and_resume_need_the_right_status(desk):
    tid = complaint(desk)
    assert desk.run("resume", tid).exit_code == 2
    desk.ok("pending", tid, "--reason", "等客户")
    assert desk.ticket(tid)["status"] == "pending"
    res = desk.run("pending", tid, "--reason", "再等")
    assert res.exit_code == 2 and "is pending" in res.stderr
    desk.ok("resume", tid)
    assert desk.ticket(tid)["status"] == "in_progress"


# --------------------------------------------------------------------------- escalation


def test_escalate_climbs_the_ladder_and_refuses_past_the_top(desk):
    tid = complaint(desk)
    desk.ok("escalate", tid, "--reason", "一级")
    desk.ok("escalate", tid, "--reason", "二级")
    desk.ok("escalate", tid, "--reason", "三级")
    t = desk.ticket(tid)
    assert t["level"] == 4 and t["assignee"] == MANAGER
    before = desk.snapshot()
    res = desk.run("escalate", tid, "--reason", "四级", as_=MANAGER)
    assert res.exit_code == 2 and "top of the ladder" in res.stderr
    assert desk.snapshot() == before


def test_escalate_needs_a_reason(desk):
    tid = complaint(desk)
    before = desk.snapshot()
    for reason in (None, "", "   "):
        args = ["escalate", tid] + (["--reason", reason] if reason is not None else [])
        res = desk.run(*args)
        assert res.exit_code == 2 and "--reason" in res.stderr
    assert desk.snapshot() == before


def test_skip_level_goes_straight_to_the_role_with_a_reason(desk):
    tid = complaint(desk)
    desk.ok("escalate", tid, "--to", "manager", "--reason", "重大投诉,涉及赔偿")
    ev = desk.ticket(tid)["history"][-1]
    assert (ev["from"], ev["to"], ev.get("skip")) == (1, 4, True)
    assert desk.ticket(tid)["assignee"] == MANAGER
    res = desk.run("escalate", tid, "--to", "lead", "--reason", "x", as_=MANAGER)
    assert res.exit_code == 2 and "escalation goes up" in res.stderr


def test_major_complaints_start_at_the_manager(desk):
    tid = desk.create("--type", "complaint", "--title", "重大投诉", "--severity", "major")
    t = desk.ticket(tid)
    assert t["level"] == 4 and t["assignee"] == MANAGER


def test_only_a_supervisor_or_manager_closes_a_major_complaint(desk):
    tid = desk.create("--type", "complaint", "--title", "重大投诉", "--severity", "major")
    before = desk.snapshot()
    res = desk.run("close", tid, "--resolution", "赔偿", as_=LEAD)
    assert res.exit_code == 2 and "supervisor" in res.stderr
    assert desk.snapshot() == before
    desk.ok("close", tid, "--resolution", "赔偿", as_=SUPERVISOR)


# --------------------------------------------------------------------------- routing


def test_route_to_a_group_and_member(desk):
    tid = desk.create("--type", "inquiry", "--title", "转售后")
    desk.ok("route", tid, "--group", "after_sales", "--assignee", "wu.qiang@example.com", "--note", "涉及退货")
    t = desk.ticket(tid)
    assert (t["group"], t["assignee"]) == ("after_sales", "wu.qiang@example.com")
    ev = t["history"][-1]
    assert (ev["action"], ev["from"], ev["to"], ev["note"]) == ("route", "inquiry", "after_sales", "涉及退货")


@pytest.mark.parametrize("args, needle", [
    (("--group", "nowhere"), "--group"),
    (("--group", "tech", "--assignee", AGENT), "not a member of group tech"),
    (("--group", "tech", "--assignee", "ghost@example.com"), "cstool roster add ghost@example.com"),
])
def test_route_refuses_unknown_groups_and_outsiders(desk, args, needle):
    tid = desk.create("--type", "inquiry", "--title", "x")
    before = desk.snapshot()
    res = desk.run("route", tid, *args)
    assert res.exit_code == 2 and needle in res.stderr
    assert desk.snapshot() == before


def test_round_robin_within_the_group(desk):
    # inquiry: round_robin among its agents in roster order (李娜, 周敏)
    got = [desk.ticket(desk.create("--type", "inquiry", "--title", f"咨询{i}", now=f"2026-11-20T10:0{i}+08:00"))["assignee"]
           for i in range(4)]
    assert got == ["li.na@example.com", "zhou.min@example.com", "li.na@example.com", "zhou.min@example.com"]


def test_least_open_ties_by_roster_order(desk):
    # complaint: least_open among 王芳, 刘洋
    first = desk.ticket(complaint(desk))["assignee"]
    second = desk.ticket(complaint(desk))["assignee"]
    assert (first, second) == (AGENT, OTHER_AGENT)
    tid = [t for t in desk.ok("list", "--json").json if t["assignee"] == AGENT][0]["id"]
    desk.ok("close", tid, "--resolution", "done", as_=AGENT)
    assert desk.ticket(complaint(desk))["assignee"] == AGENT  # 王芳 now has fewer open


def test_least_open_counts_each_open_ticket_once(desk):
    # 王芳 has two open complaints, 刘洋 one, given last: 刘洋 has fewer and gets the next
    for i, who in enumerate((AGENT, AGENT, OTHER_AGENT)):
        desk.create("--type", "complaint", "--title", "指定", "--assignee", who, now=f"2026-11-20T10:0{i}+08:00")
    assert desk.ticket(complaint(desk, now="2026-11-20T10:05+08:00"))["assignee"] == OTHER_AGENT


def test_a_create_raced_by_another_chooses_on_what_is_there_at_the_lock(desk, monkeypatch):
    # another team lead's create lands after this one chose 王芳 but before it takes the lock
    from cstool.domain import workflow

    real = workflow.prepare_ticket
    state: dict = {}

    def raced(d, req):
        out = real(d, req)
        if not state:
            state["other"] = None
            state["other"] = complaint(desk)
        return out

    monkeypatch.setattr(workflow, "prepare_ticket", raced)
    mine = complaint(desk)
    assert desk.ticket(state["other"])["assignee"] == AGENT
    assert desk.ticket(mine)["assignee"] == OTHER_AGENT


def test_route_auto_applies_the_rules_to_unassigned_tickets(desk):
    tid = desk.create("--type", "inquiry", "--title", "我要退款", "--group", "inquiry")
    t = desk.ticket(tid)
    # a ticket left unassigned (e.g. imported) gets routed by the rules
    desk.ok("route", tid, "--group", "followup")
    data = desk.ticket(tid)
    assert data["group"] == "followup"
    res = desk.ok("route", "--auto", tid)
    data = desk.ticket(tid)
    assert data["group"] == "after_sales" and data["assignee"] == "wu.qiang@example.com"
    assert t["group"] == "inquiry"
    assert "after_sales" in res.stdout or "售后" in res.stdout or "After-sales" in res.stdout


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("action, args, who, allowed", [
    ("reply", ("-m", "x"), OTHER_AGENT, True),          # any member of the group may reply
    ("note", ("-m", "x"), "li.na@example.com", False),  # not in the group
    ("pending", ("--reason", "x"), OTHER_AGENT, False),  # only the assignee or a lead
    ("pending", ("--reason", "x"), LEAD, True),
    ("route", ("--group", "inquiry"), AGENT, False),     # routing is for leads and above
    ("route", ("--group", "inquiry"), LEAD, True),
    ("escalate", ("--reason", "x"), OTHER_AGENT, False),
    ("escalate", ("--reason", "x"), AGENT, True),        # the assignee escalates their own
    ("close", ("--resolution", "x"), OTHER_AGENT, False),
])
def test_roles(desk, action, args, who, allowed):
    tid = desk.create("--type", "complaint", "--title", "权限", "--assignee", AGENT)
    before = desk.snapshot()
    res = desk.run(action, tid, *args, as_=who)
    if allowed:
        assert res.exit_code == 0, res.stderr
    else:
        assert res.exit_code == 2 and "may not" in res.stderr and "needs" in res.stderr
        assert desk.snapshot() == before


def test_permissions_are_configurable(desk):
    config = desk.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\npermissions:\n  reply: [supervisor]\n", encoding="utf-8")
    tid = desk.create("--type", "complaint", "--title", "配置权限", "--assignee", AGENT)
    res = desk.run("reply", tid, "-m", "x", as_=AGENT)
    assert res.exit_code == 2 and "a supervisor or above" in res.stderr
    desk.ok("reply", tid, "-m", "x", as_=SUPERVISOR)


# --------------------------------------------------------------------------- git


def test_one_commit_per_action_with_only_the_ticket_file(git_desk):
    d = git_desk
    tid = complaint(d)
    n = int(d.git("rev-list", "--count", "HEAD"))
    d.ok("note", tid, "-m", "内部备注")
    assert int(d.git("rev-list", "--count", "HEAD")) == n + 1
    assert d.git("show", "--name-only", "--format=", "HEAD").split() == [d.path(tid).relative_to(d.root).as_posix()]


def test_an_unrelated_staged_change_stays_staged_and_out_of_the_commit(git_desk):
    d = git_desk
    tid = complaint(d)
    (d.root / "notes.txt").write_text("user's own work\n", encoding="utf-8")
    d.git("add", "notes.txt")
    d.ok("reply", tid, "-m", "已答复")
    assert d.git("show", "--name-only", "--format=", "HEAD").split() == [d.path(tid).relative_to(d.root).as_posix()]
    assert d.git("diff", "--cached", "--name-only").split() == ["notes.txt"]


def test_outside_git_everything_works_without_commits(desk):
    tid = complaint(desk)
    desk.ok("reply", tid, "-m", "x")
    res = desk.run("log", tid)
    assert res.exit_code == 3 and "not a git repository" in res.stderr


# --------------------------------------------------------------------------- replay property

ACTIONS = st.lists(st.sampled_from(["reply", "note", "pending", "resume", "escalate", "resolve", "close", "reopen",
                                    "route", "followup"]), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_replaying_the_history_gives_the_current_fields(tmp_path_factory, actions, new_desk):
    d = new_desk(tmp_path_factory.mktemp("replay") / "desk")
    tid = d.create("--type", "complaint", "--title", "回放", now="2026-11-02T09:00+08:00")
    args = {"reply": ("-m", "r"), "note": ("-m", "n"), "pending": ("--reason", "p"), "resume": (),
            "escalate": ("--reason", "e"), "resolve": ("--resolution", "s"), "close": ("--resolution", "c"),
            "reopen": ("--reason", "o"), "route": ("--group", "complaint", "--assignee", OTHER_AGENT),
            "followup": ("--result", "unsatisfied")}
    for i, action in enumerate(actions):
        # allowed or refused, the file must always agree with its history
        d.run(action, tid, *args[action], as_=MANAGER, now=f"2026-11-{3 + i:02d}T10:00+08:00")
        t = d.ticket(tid)
        assert history.disagreements(t) == []
