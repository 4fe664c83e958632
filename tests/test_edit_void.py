"""``cstool edit`` (corrections as ``edit`` events, old → new) and ``cstool void`` (作废).

Every refusal writes nothing; a void ticket is left out of list, due, audit, export and
sample, and shown with ``--status void`` / ``--status all``. Deadlines after a priority or
severity change are worked out by hand below (the desk's calendar: 08:30-17:30 on working
days; 2026-11-20 is a Friday).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cstool.desk import yamlio
from cstool.domain.merge import merge_ticket
from tests.support.desk import assert_refusal, load_yaml, shared_remote
from tests.support.roster import AGENT, LEAD, MANAGER, SUPERVISOR

LATER = "2026-11-20T10:30:00+08:00"
LATEST = "2026-11-20T11:00:00+08:00"


def complaint(d, *args: str) -> str:
    return d.create("--type", "complaint", "--title", "空调漏水", "--customer", "张先生", "--phone", "13812345678",
                    "--assignee", AGENT, *args)


def last(d, tid: str) -> dict:
    return d.ticket(tid)["history"][-1]


# ----------------------------------------------------------------------------- edit


def test_edit_records_each_change_old_to_new_and_sets_the_fields(git_desk):
    d = git_desk
    tid = complaint(d)
    d.ok("edit", tid, "--priority", "A", "--title", "空调漏水严重", "--phone", "13900001111",
         "--field", "order_no=HT-2026-001", "--reason", "客户来电更正", now=LATER)
    t = d.ticket(tid)
    assert (t["priority"], t["title"], t["customer"]["phone"], t["fields"]["order_no"]) == \
        ("A", "空调漏水严重", "13900001111", "HT-2026-001")
    ev = t["history"][-1]
    assert (ev["action"], ev["by"], ev["reason"]) == ("edit", LEAD, "客户来电更正")
    assert [(c["field"], c["from"], c["to"]) for c in ev["changes"]] == [
        ("title", "空调漏水", "空调漏水严重"), ("priority", "B", "A"),
        ("customer.phone", "13812345678", "13900001111"), ("fields.order_no", None, "HT-2026-001")]
    # one commit of the ticket, its message masked
    assert d.git("show", "--name-only", "--format=%s", "HEAD").split() [-1].endswith(f"{tid}.yaml")
    subject = d.git("log", "-1", "--format=%s")
    assert subject.startswith(f"{tid} edit ") and "priority B→A" in subject and "13900001111" not in subject


def test_edit_events_show_in_show_masked_unless_reveal_and_in_log(git_desk):
    d = git_desk
    tid = complaint(d)
    d.ok("edit", tid, "--priority", "A", "--phone", "13900001111", now=LATER)
    shown = d.ok("show", tid, now=LATEST).stdout
    assert "edited" in shown and "Priority: B → A" in shown
    assert "Phone: 138****5678 → 139****1111" in shown and "13900001111" not in shown
    assert "Phone: 13812345678 → 13900001111" in d.ok("show", tid, "--reveal", now=LATEST).stdout
    as_json = d.ok("show", tid, "--json", now=LATEST).json
    phone = next(c for c in as_json["history"][-1]["changes"] if c["field"] == "customer.phone")
    assert (phone["from"], phone["to"]) == ("138****5678", "139****1111")
    log = d.ok("log", tid, now=LATEST).stdout
    assert "edit priority B→A" in log and "13900001111" not in log


@pytest.mark.parametrize("args, needle", [
    (("--priority", "Z"), "--priority"),
    (("--severity", "huge"), "--severity"),
    (("--title", ""), "title"),
    (("--phone", "138****5678"), "phone"),
    (("--email", "not-an-email"), "email"),
    (("--category", "没有这个原因"), "--category"),
    (("--field", "nosuch=1"), "nosuch"),
    (("--field", "compensation=也许"), "compensation"),
    (("--field", "order_no"), "KEY=VALUE"),
    ((), "nothing to change"),
    (("--priority", "B"), "nothing was changed"),
])
def test_bad_edits_are_refused_and_write_nothing(desk, args, needle):
    tid = complaint(desk)
    before = desk.snapshot()
    assert_refusal(desk.run("edit", tid, *args, now=LATER), 2, needle)
    assert desk.snapshot() == before


def test_a_required_template_field_cannot_be_cleared(desk):
    tid = desk.create("--type", "work_order", "--title", "请工程部维修电梯", "--field", "from_department=客服中心")
    before = desk.snapshot()
    assert_refusal(desk.run("edit", tid, "--field", "from_department=", now=LATER), 2, "from_department")
    assert desk.snapshot() == before
    desk.ok("edit", tid, "--field", "kind=事件跟催", now=LATER)
    assert desk.ticket(tid)["fields"]["kind"] == "事件跟催"


def test_an_optional_field_and_contact_can_be_cleared(desk):
    tid = complaint(desk, "--email", "zhang@example.org")
    desk.ok("edit", tid, "--email", "", now=LATER)
    t = desk.ticket(tid)
    assert "email" not in t["customer"] and t["customer"]["phone"] == "13812345678"
    change = t["history"][-1]["changes"][0]
    assert (change["field"], change["from"], change["to"]) == ("customer.email", "zhang@example.org", None)


def test_a_complaint_found_major_goes_up_to_the_manager_and_needs_a_supervisor_to_close(desk):
    tid = complaint(desk)
    assert desk.ticket(tid)["level"] == 1
    out = desk.ok("edit", tid, "--severity", "major", now=LATER).stdout
    assert "edited, escalated" in out
    t = desk.ticket(tid)
    assert (t["severity"], t["level"], t["assignee"]) == ("major", 4, MANAGER)
    edit_ev, esc = t["history"][-2:]
    assert (edit_ev["action"], esc["action"], esc["from"], esc["to"], esc["by"]) == ("edit", "escalate", 1, 4, LEAD)
    # the major-complaint policy applies now: 2h first response, 2d resolution, from creation (Fri 10:00)
    assert t["sla"]["policy"] == "major-complaint"
    assert t["sla"]["first_response_due"] == "2026-11-20T12:00:00+08:00"
    assert t["sla"]["resolution_due"] == "2026-11-24T10:00:00+08:00"  # Fri 10:00 + 2 working days = Tue 10:00
    before = desk.snapshot()
    assert_refusal(desk.run("close", tid, "--resolution", "已赔偿", as_=LEAD, now=LATEST), 2, "supervisor")
    assert desk.snapshot() == before
    desk.ok("close", tid, "--resolution", "已赔偿", as_=SUPERVISOR, now=LATEST)


def test_a_complaint_already_at_the_manager_is_not_moved_again(desk):
    tid = complaint(desk)
    desk.ok("escalate", tid, "--to", "manager", "--reason", "客户要求赔偿", now=LATER)
    desk.ok("edit", tid, "--severity", "major", now=LATEST)
    assert [ev["action"] for ev in desk.ticket(tid)["history"]] == ["create", "escalate", "edit"]


def test_severity_on_a_closed_ticket_and_back_to_general_move_no_level(desk):
    tid = complaint(desk)
    desk.ok("close", tid, "--resolution", "已处理", now=LATER)
    desk.ok("edit", tid, "--severity", "major", as_=SUPERVISOR, now=LATEST)
    assert desk.ticket(tid)["level"] == 1 and last(desk, tid)["action"] == "edit"
    other = complaint(desk, "--severity", "major")
    desk.ok("edit", other, "--severity", "general", now=LATEST)
    assert desk.ticket(other)["level"] == 4  # escalation only goes up


def _urgent_policy(d) -> None:
    """A first SLA policy for priority A: 1h first response, 1 working day to resolve."""
    config = d.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  policies:\n", "  policies:\n    - name: urgent\n      when: {priority: A}\n"
                                   "      first_response: 1h\n      resolution: 1d\n", 1), encoding="utf-8")


def test_a_priority_change_recomputes_the_deadlines_from_creation(desk):
    _urgent_policy(desk)
    tid = desk.create("--type", "inquiry", "--title", "咨询电费", "--priority", "B")
    sla = desk.ticket(tid)["sla"]
    assert (sla["policy"], sla["resolution_target"]) == ("standard", "5d")
    desk.ok("edit", tid, "--priority", "A", now=LATER)
    sla = desk.ticket(tid)["sla"]
    assert (sla["policy"], sla["first_response_target"], sla["resolution_target"]) == ("urgent", "1h", "1d")
    assert sla["first_response_due"] == "2026-11-20T11:00:00+08:00"  # Fri 10:00 + 1 working hour
    assert sla["resolution_due"] == "2026-11-23T10:00:00+08:00"  # + 1 working day: Monday 10:00
    due = desk.ok("due", "--json", now=LATER).json
    items = due["items"] if isinstance(due, dict) else due
    assert any(i["id"] == tid and i["kind"] == "first_response" and i["due"].startswith("2026-11-20T11:00")
               for i in items)
    desk.ok("audit", "--check")


def test_a_work_order_urgency_change_moves_its_due_unless_set_by_hand(desk):
    tid = desk.create("--type", "work_order", "--title", "请工程部维修电梯", "--priority", "C",
                      "--field", "from_department=客服中心")
    assert desk.ticket(tid)["due"] == "2026-11-27T10:00:00+08:00"  # 5 working days
    desk.ok("edit", tid, "--priority", "A", now=LATER)
    assert desk.ticket(tid)["due"] == "2026-11-23T10:00:00+08:00"  # 1 working day after creation
    fixed = desk.create("--type", "work_order", "--title", "请财务部核对", "--priority", "C", "--due", "2026-12-04",
                        "--field", "from_department=客服中心")
    kept = desk.ticket(fixed)["due"]
    desk.ok("edit", fixed, "--priority", "A", now=LATER)
    assert desk.ticket(fixed)["due"] == kept


# ----------------------------------------------------------------------------- void


def test_void_keeps_the_ticket_in_history_and_git_but_out_of_lists_due_and_audit(git_desk):
    d = git_desk
    kept = complaint(d)
    gone = complaint(d)
    out = d.ok("void", gone, "--reason", "重复登记", now=LATER).stdout
    assert gone in out and "void" in out
    t = d.ticket(gone)
    assert t["status"] == "void" and t["history"][-1]["action"] == "void" and t["history"][-1]["reason"] == "重复登记"
    assert d.git("log", "-1", "--format=%s").startswith(f"{gone} void: 重复登记")
    listed = d.ok("list", "--json", now=LATER).json
    assert [r["id"] for r in listed] == [kept]
    assert [r["id"] for r in d.ok("list", "--status", "void", "--json", now=LATER).json] == [gone]
    assert {r["id"] for r in d.ok("list", "--status", "all", "--json", now=LATER).json} == {kept, gone}
    due = d.ok("due", "--json", now=LATER).stdout
    assert kept in due and gone not in due
    audit = d.ok("audit", "--period", "2026-11", "--json", now=LATER).json
    assert audit["totals"]["created"] == 1 and audit["totals"]["open"] == 1
    d.ok("audit", "--check", now=LATER)
    assert gone in d.ok("show", gone, now=LATER).stdout


def test_void_is_left_out_of_export_and_sample_by_default(desk, tmp_path):
    kept = complaint(desk)
    gone = complaint(desk)
    for tid in (kept, gone):
        desk.ok("close", tid, "--resolution", "已处理", now=LATER)
    desk.ok("void", gone, "--reason", "误登记", now=LATEST)
    out = tmp_path / "all.json"
    desk.ok("export", "--format", "json", "-o", str(out), now=LATEST)
    assert [t["id"] for t in json.loads(out.read_text(encoding="utf-8"))] == [kept]
    desk.ok("export", "--format", "json", "--status", "all", "-o", str(out), now=LATEST)
    assert {t["id"] for t in json.loads(out.read_text(encoding="utf-8"))} == {kept, gone}
    sample = desk.ok("sample", "-n", "5", "--json", now=LATEST).stdout
    assert kept in sample and gone not in sample


def test_a_void_ticket_accepts_nothing_more_and_bad_voids_write_nothing(desk):
    tid = complaint(desk)
    before = desk.snapshot()
    assert_refusal(desk.run("void", tid, "--reason", "  ", now=LATER), 2, "--reason")
    assert_refusal(desk.run("void", tid, "--reason", "重复", as_=AGENT, now=LATER), 2, "may not", "void")
    assert desk.snapshot() == before
    desk.ok("void", tid, "--reason", "重复登记", now=LATER)
    before = desk.snapshot()
    for args in (("void", tid, "--reason", "再次"), ("edit", tid, "--priority", "A"), ("reply", tid, "-m", "您好"),
                 ("reopen", tid, "--reason", "x")):
        assert_refusal(desk.run(*args, now=LATEST), 2, "void")
    assert desk.snapshot() == before


def test_void_and_edit_in_chinese(desk):
    tid = complaint(desk)
    desk.ok("edit", tid, "--priority", "A", now=LATER)
    desk.ok("void", tid, "--reason", "重复登记", now=LATEST)
    shown = desk.ok("show", tid, lang="zh", now=LATEST).stdout
    assert "已作废" in shown and "修改  优先级: B → A" in shown and "作废  原因: 重复登记" in shown


# ----------------------------------------------------------------------------- history and merge


def test_an_honest_edit_escalation_and_void_pass_verify_history(git_desk):
    from tests.test_history_verify import create, head, ok, verify

    d = git_desk
    base = head(d)
    tid = create(d, "2026-11-20T09:00:00+08:00", "--type", "complaint", "--title", "投诉", "--assignee", AGENT)
    ok(d, "2026-11-20T09:30:00+08:00", "edit", tid, "--severity", "major", "--priority", "A", as_=AGENT)
    other = create(d, "2026-11-20T10:00:00+08:00", "--type", "inquiry", "--title", "重复")
    ok(d, "2026-11-20T10:30:00+08:00", "void", other, "--reason", "重复登记", as_=LEAD)
    code, findings = verify(d, f"{base}..HEAD")
    assert (code, findings) == (0, [])


def test_a_hand_made_void_by_an_agent_is_a_permission_finding(git_desk):
    from tests.test_history_verify import codes_at, commit_as, create, edit_ticket, head, verify

    d = git_desk
    base = head(d)
    tid = create(d, "2026-11-20T09:00:00+08:00", "--type", "complaint", "--title", "投诉", "--assignee", AGENT)

    def void(data):
        from cstool.domain import history, model

        history.apply(data, model.event("2026-11-20T09:30:00+08:00", AGENT, "void", reason="不想处理"))

    edit_ticket(d, tid, void)
    forged = commit_as(d, AGENT, "2026-11-20T09:30:00+08:00")
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, forged) == {"permission"}


def _sides(d, tid: str, ours: tuple[str, ...], theirs: tuple[str, ...]) -> tuple:
    """The ticket as created (base), after the edit ``ours`` at 10:30 and, from the base
    again, after the edit ``theirs`` at 11:00."""
    path: Path = d.path(tid)
    base_text = path.read_text(encoding="utf-8")
    d.ok("edit", tid, *ours, now=LATER)
    ours_doc = yamlio.load(path)
    path.write_text(base_text, encoding="utf-8")
    d.ok("edit", tid, *theirs, now=LATEST)
    return yamlio.loads(base_text), ours_doc, yamlio.load(path)


def test_merge_keeps_both_clones_edits_of_different_fields(desk):
    tid = complaint(desk)
    base, ours, theirs = _sides(desk, tid, ("--phone", "13900001111"), ("--customer", "张建国"))
    merged = merge_ticket(base, ours, theirs)
    assert merged["customer"]["phone"] == "13900001111" and merged["customer"]["name"] == "张建国"
    assert [ev["action"] for ev in merged["history"]] == ["create", "edit", "edit"]


def test_merge_of_two_edits_of_one_field_keeps_the_latest_and_notes_the_other(desk):
    tid = complaint(desk)
    base, ours, theirs = _sides(desk, tid, ("--priority", "A"), ("--priority", "C"))
    for a, b in ((ours, theirs), (theirs, ours)):
        merged = merge_ticket(base, a, b, "en")
        assert merged["priority"] == "C"  # the later edit (11:00)
        note = merged["history"][-1]
        assert note["action"] == "merge-conflict" and "priority: kept \"C\", dropped \"A\"" in note["note"]
        zh = merge_ticket(base, a, b, "zh")["history"][-1]["note"]  # the desk's language decides
        assert zh == "priority: 保留 \"C\",舍弃 \"A\"", zh


def test_a_ticket_voided_after_it_was_indexed_leaves_due(desk):
    tid = complaint(desk)
    assert tid in desk.ok("due", "--json", now=LATER).stdout  # the index now holds the ticket's deadlines
    desk.ok("void", tid, "--reason", "重复登记", now=LATER)
    assert tid not in desk.ok("due", "--json", now=LATEST).stdout
    assert load_yaml(desk.path(tid))["status"] == "void"


def test_an_export_masks_the_contacts_an_edit_changed_unless_reveal(desk, tmp_path):
    tid = complaint(desk)
    desk.ok("edit", tid, "--phone", "13900001111", now=LATER)
    out = tmp_path / "x.json"
    for args, shown in (((), ("138****5678", "139****1111")), (("--reveal",), ("13812345678", "13900001111"))):
        desk.ok("export", "--format", "json", *args, "-o", str(out), now=LATEST)
        change = json.loads(out.read_text(encoding="utf-8"))[0]["history"][-1]["changes"][0]
        assert (change["from"], change["to"]) == shown
    desk.ok("export", "--format", "csv", "-o", str(out), now=LATEST)
    assert "13900001111" not in out.read_text(encoding="utf-8-sig") and "139****1111" in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("bad, needle", [
    ({"action": "edit"}, "must list its changes"),
    ({"action": "edit", "changes": [{"field": "status", "from": "open", "to": "closed"}]}, "may not change status"),
    ({"action": "edit", "changes": ["priority"]}, "must list its changes"),
    ({"action": "void"}, "must give its reason"),
])
def test_audit_check_reports_a_malformed_edit_or_void_event(desk, bad, needle):
    tid = complaint(desk)
    path = desk.path(tid)
    data = yamlio.load(path)
    data["history"].append({"at": LATER, "by": LEAD, **bad})
    if bad["action"] == "void":
        data["status"] = "void"
    path.write_text(yamlio.dumps(data), encoding="utf-8")
    res = desk.run("audit", "--check", now=LATEST)
    assert res.exit_code == 1 and "history event 2: a" in res.stdout and needle in res.stdout


def test_two_clones_correct_one_ticket_offline_and_sync(tmp_path, new_desk):
    """Real clones through a bare remote: one corrects the phone, the other the customer's
    name and then the priority; both corrections survive the merge driver, in both clones."""

    from cstool.domain import history

    clone = shared_remote(new_desk("first", git=True), tmp_path / "origin.git")
    a, b = clone(tmp_path / "a"), clone(tmp_path / "b")
    tid = complaint(a)
    a.ok("sync")
    b.ok("sync")
    a.ok("edit", tid, "--phone", "13900001111", now=LATER)
    b.ok("edit", tid, "--customer", "张建国", "--priority", "A", now=LATEST)
    for d in (a, b, a):
        d.ok("sync", now=LATEST)
    assert a.path(tid).read_bytes() == b.path(tid).read_bytes()
    t = a.ticket(tid)
    assert (t["customer"]["phone"], t["customer"]["name"], t["priority"]) == ("13900001111", "张建国", "A")
    assert history.disagreements(t) == [] and [ev["action"] for ev in t["history"]] == ["create", "edit", "edit"]
    assert a.run("audit", "--check").exit_code == 0


def test_a_void_ticket_is_not_handed_over(desk):
    kept = complaint(desk)
    gone = complaint(desk)
    desk.ok("void", gone, "--reason", "重复登记", now=LATER)
    data = desk.ok("handover", "--since", "2026-11-20T08:30", "--json", now=LATEST).json
    assert [r["id"] for r in data["opened"]] == [kept]
    assert [r["id"] for rows in data["open_by_assignee"].values() for r in rows] == [kept]


def test_void_and_edit_take_dash_m_for_their_reason(desk):
    tid = complaint(desk)
    desk.ok("edit", tid, "--priority", "A", "-m", "客户来电更正", now=LATER)
    assert last(desk, tid)["reason"] == "客户来电更正"
    desk.ok("void", tid, "-m", "重复登记", now=LATEST)
    assert last(desk, tid)["reason"] == "重复登记"
