"""Rules found in review: file size cap, assignment within the group, ladder order,
follow-up switch, and the create/customer permissions."""

from __future__ import annotations

from tests.support.roster import LEAD, LEAD2, MANAGER


def edit_config(desk, old: str, new: str) -> None:
    config = desk.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_ticket_may_not_grow_past_what_cstool_reads_back(desk):
    tid = desk.create("--type", "inquiry", "--title", "很长")
    big = "长" * 190_000  # ~570 KB of UTF-8 each time
    for _ in range(10):
        res = desk.run("note", tid, "-m", big)
        if res.exit_code:
            break
    assert res.exit_code == 2 and "past the 4 MiB" in res.stderr
    assert desk.run("show", tid).exit_code == 0  # still readable


def test_first_level_assignment_stays_in_the_group(desk):
    # engineering has one agent; finance has none (its one agent taken off the roster):
    # a finance work order stays unassigned
    edit_config(desk, "  - {id: gao.yan@example.com, name: 高燕, role: agent, groups: [finance]}\n", "")
    wo = desk.create("--type", "work_order", "--title", "财务", "--group", "finance", "--field", "from_department=客服")
    assert "assignee" not in desk.ticket(wo)
    # a work order escalates within its receiving department: with nobody there in the
    # lead role it rises a level but is not handed to the customer-service leads
    desk.ok("escalate", wo, "--reason", "无人处理")
    t = desk.ticket(wo)
    assert t["level"] == 2 and t.get("assignee") not in (LEAD, LEAD2)


def test_escalating_an_ordinary_ticket_above_its_group_reaches_the_role_holder(desk):
    tid = desk.create("--type", "inquiry", "--title", "升级")
    desk.ok("escalate", tid, "--reason", "需班组长")
    desk.ok("escalate", tid, "--reason", "需主管", as_="sun.li@example.com")
    assert desk.ticket(tid)["assignee"] == "sun.li@example.com"


def test_the_ladder_must_go_up(desk):
    edit_config(desk, "ladder: [agent, lead, supervisor, manager]", "ladder: [manager, agent]")
    res = desk.run("list")
    assert res.exit_code == 3 and "'ladder' must go up" in res.stderr


def test_followup_false_schedules_no_call(desk):
    repair = "    name_en: Repair\n    group: tech\n    followup: "
    edit_config(desk, repair + "true", repair + "false")
    tid = desk.create("--type", "repair", "--title", "无需回访")
    desk.ok("close", tid, "--resolution", "修好", as_=MANAGER)
    assert "followups" not in desk.ticket(tid)


def test_a_routing_condition_on_an_unknown_category_is_refused(desk):
    edit_config(desk, "  - when: {type: complaint}", "  - when: {category: 不存在}")
    res = desk.run("list")
    assert res.exit_code == 3 and "unknown category" in res.stderr


def test_create_and_customer_permissions_are_configurable(desk):
    config = desk.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\npermissions:\n  create: [lead]\n  customer: [supervisor]\n",
                      encoding="utf-8")
    res = desk.run("create", "--type", "inquiry", "--title", "x", as_="li.na@example.com")
    assert res.exit_code == 2 and "may not create" in res.stderr
    desk.create("--type", "inquiry", "--title", "x", as_=LEAD)
    res = desk.run("customer", "add", "--name", "客户", as_=LEAD)
    assert res.exit_code == 2 and "may not change customer records" in res.stderr and "supervisor" in res.stderr
