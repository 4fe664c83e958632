"""``cstool create``: the new ticket file, its defaults, routing and the git commit."""

from __future__ import annotations

import re

import pytest

from cstool.domain import ids
from cstool.domain.model import CUSTOMER_ORDER, FIELD_ORDER, SLA_ORDER
from tests.support.desk import NOW, cstool_process, load_yaml
from tests.support.roster import AGENTS, LEAD, LEAD2, MANAGER, NAMES

STAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")


def in_order(keys, order):
    """The keys appear in the documented order (unknown ones may only follow)."""
    known = [k for k in keys if k in order]
    return known == sorted(known, key=order.index) and keys[: len(known)] == known


# --------------------------------------------------------------------------- output


def test_create_prints_the_new_id_and_where_it_went(desk):
    res = desk.ok("create", "--type", "inquiry", "--title", "发票怎么开")
    first = res.stdout.split()[0]
    assert ids.TICKET_ID_RE.match(first), res.stdout
    assert desk.path(first).is_file()
    assert "Inquiry intake" in res.stdout  # the group it was routed to
    assert res.stderr == ""


def test_create_quiet_prints_only_the_id(desk):
    res = desk.ok("create", "--quiet", "--type", "inquiry", "--title", "发票")
    assert re.fullmatch(r"CS-2026-[0-9A-HJKMNP-TV-Z]{7}\n", res.stdout), res.stdout
    assert res.stderr == ""
    assert [p.stem for p in desk.ticket_files()] == [res.stdout.strip()]


# --------------------------------------------------------------------------- the file


def test_file_lands_under_the_creation_month(desk):
    tid = desk.create("--type", "inquiry", "--title", "当月")
    assert desk.path(tid).relative_to(desk.root).as_posix() == f"tickets/2026/11/{tid}.yaml"
    old = desk.create("--type", "inquiry", "--title", "旧工单", now="2025-03-04T09:00:00+08:00")
    assert old.startswith("CS-2025-")
    assert desk.path(old).relative_to(desk.root).as_posix() == f"tickets/2025/03/{old}.yaml"


def test_creation_month_and_offset_are_the_desks_time_zone(desk):
    # 20:00 in Los Angeles on 30 November is 12:00 on 1 December in Shanghai
    tid = desk.create("--type", "inquiry", "--title", "时区", now="2026-11-30T20:00:00-08:00")
    assert desk.path(tid).relative_to(desk.root).as_posix() == f"tickets/2026/12/{tid}.yaml"
    assert desk.ticket(tid)["created"] == "2026-12-01T12:00:00+08:00"
    # New Year's Eve in UTC is already the new year on the desk
    tid = desk.create("--type", "inquiry", "--title", "跨年", now="2026-12-31T20:00:00Z")
    assert tid.startswith("CS-2027-")
    assert desk.path(tid).relative_to(desk.root).as_posix() == f"tickets/2027/01/{tid}.yaml"
    # a time without an offset is the desk's local time
    tid = desk.create("--type", "inquiry", "--title", "本地时间", now="2026-11-20T09:15")
    assert desk.ticket(tid)["created"] == "2026-11-20T09:15:00+08:00"


def test_key_order_follows_field_order(desk):
    tid = desk.create("--type", "complaint", "--title", "字段顺序", "--customer", "张先生", "--phone", "13812345678",
                      "--email", "zhang@example.com", "--tier", "A", "--category", "服务态度",
                      "--field", "order_no=SO-1")
    text = desk.path(tid).read_text(encoding="utf-8")
    top = [m.group(1) for m in re.finditer(r"^([a-z_]+):", text, re.M)]
    assert set(top) <= set(FIELD_ORDER), set(top) - set(FIELD_ORDER)
    assert top == [k for k in FIELD_ORDER if k in top]
    assert top[:4] == ["id", "type", "title", "description"] and top[-1] == "history"
    data = desk.ticket(tid)
    assert list(data) == top
    assert in_order(list(data["customer"]), CUSTOMER_ORDER)
    assert in_order(list(data["sla"]), SLA_ORDER)
    assert list(data["history"][0])[:3] == ["at", "by", "action"]


def test_chinese_is_written_as_chinese(desk):
    tid = desk.create("--type", "complaint", "--title", "空调维修后仍然漏水", "--customer", "李秀英",
                      "--description", "客户说:师傅上门三次,问题仍未解决。")
    raw = desk.path(tid).read_bytes()
    text = raw.decode("utf-8")
    for word in ("空调维修后仍然漏水", "李秀英", "客户说:师傅上门三次,问题仍未解决。"):
        assert word in text
    assert "\\u" not in text and "\\x" not in text and "\\U" not in text
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM


def test_timestamps_are_iso_8601_with_the_offset(desk):
    tid = desk.create("--type", "complaint", "--title", "时间戳")
    data = desk.ticket(tid)
    assert data["created"] == NOW and data["updated"] == NOW
    assert data["history"][0]["at"] == NOW
    stamps = [data["created"], data["updated"], data["history"][0]["at"],
              *(v for k, v in data["sla"].items() if k.endswith("_due"))]
    assert len(stamps) >= 5
    for s in stamps:
        assert isinstance(s, str) and STAMP_RE.match(s), s


def test_history_has_one_create_event_by_the_actor(desk):
    tid = desk.create("--type", "complaint", "--title", "历史", as_=LEAD2)
    data = desk.ticket(tid)
    assert len(data["history"]) == 1
    ev = data["history"][0]
    assert ev["action"] == "create" and ev["by"] == LEAD2 and ev["at"] == NOW
    assert ev["group"] == data["group"] == "complaint"
    assert data["status"] == "open" and ev.get("status", "open") == "open"


def test_the_actor_can_be_named_by_name_or_email_in_any_case(desk):
    tid = desk.create("--type", "inquiry", "--title", "按姓名", as_=NAMES[LEAD])
    assert desk.ticket(tid)["history"][0]["by"] == LEAD
    tid = desk.create("--type", "inquiry", "--title", "大写邮箱", as_=LEAD.upper())
    assert desk.ticket(tid)["history"][0]["by"] == LEAD


# --------------------------------------------------------------------------- defaults and fields


def test_template_defaults_fill_priority_channel_and_description(desk):
    template = load_yaml(desk.root / "templates" / "complaint.yaml")
    tid = desk.create("--type", "complaint", "--title", "默认值")
    data = desk.ticket(tid)
    assert data["priority"] == template["defaults"]["priority"]
    assert data["channel"] == template["defaults"]["channel"]
    assert data["severity"] == template["defaults"]["severity"]
    assert data["description"] == template["description"]
    # the defaults come from the desk's template file, not from code
    path = desk.root / "templates" / "complaint.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("priority: B", "priority: A").replace("channel: phone", "channel: letter")
                    .replace("【投诉内容】", "【来信内容】"), encoding="utf-8")
    data = desk.ticket(desk.create("--type", "complaint", "--title", "改过的模板"))
    assert (data["priority"], data["channel"]) == ("A", "letter")
    assert data["description"].startswith("【来信内容】")
    # given values beat the template
    data = desk.ticket(desk.create("--type", "complaint", "--title", "显式", "--priority", "C", "--channel", "visit",
                                   "--description", "当面投诉"))
    assert (data["priority"], data["channel"], data["description"]) == ("C", "visit", "当面投诉")


def test_template_fields_are_set_with_field(desk):
    tid = desk.create("--type", "after_sales", "--title", "申请换货", "--field", "order_no=SO-20261120-01",
                      "--field", "request=换货", "--field", "amount=399")
    assert desk.ticket(tid)["fields"] == {"order_no": "SO-20261120-01", "request": "换货", "amount": "399"}
    # a field with a default gets it when not given
    tid = desk.create("--type", "after_sales", "--title", "申请退货", "--field", "order_no=SO-2")
    assert desk.ticket(tid)["fields"] == {"order_no": "SO-2", "request": "退货"}
    tid = desk.create("--type", "complaint", "--title", "赔偿")
    assert desk.ticket(tid)["fields"]["compensation"] == "否"


@pytest.mark.parametrize("fields, needle", [
    ((), "order_no"),  # required by the after-sales template
    (("order_no=1", "request=偷窃"), "request"),  # not one of its choices
    (("order_no=1", "colour=red"), "colour"),  # no such field
    (("order_no",), "--field"),  # not KEY=VALUE
])
def test_bad_template_fields_are_refused(desk, fields, needle):
    before = desk.snapshot()
    args = [x for f in fields for x in ("--field", f)]
    res = desk.run("create", "--type", "after_sales", "--title", "售后", *args)
    assert res.exit_code == 2 and needle in res.stderr and res.stderr.startswith("cstool: ")
    assert desk.snapshot() == before


# --------------------------------------------------------------------------- routing


def test_routing_rules_choose_the_group(desk):
    complaint = desk.ticket(desk.create("--type", "complaint", "--title", "服务态度差"))
    refund = desk.ticket(desk.create("--type", "inquiry", "--title", "我要退款", "--channel", "online"))
    in_text = desk.ticket(desk.create("--type", "inquiry", "--title", "订单问题", "--description", "想换货,尺码不对"))
    fault = desk.ticket(desk.create("--type", "inquiry", "--title", "电视无法开机"))
    plain = desk.ticket(desk.create("--type", "inquiry", "--title", "营业时间"))
    repair = desk.ticket(desk.create("--type", "repair", "--title", "上门维修预约"))
    assert complaint["group"] == "complaint"
    assert refund["group"] == "after_sales" and in_text["group"] == "after_sales"
    assert fault["group"] == "tech"
    assert plain["group"] == "inquiry"  # the type's default group
    assert repair["group"] == "tech"
    # the rule that decided is on record in the creation event
    assert complaint["history"][0]["rule"] == "type=complaint"
    assert "退款" in refund["history"][0]["rule"]
    assert "rule" not in plain["history"][0]


def test_the_first_matching_rule_wins_and_group_overrides(desk):
    # a complaint mentioning a refund: the complaint rule comes first
    data = desk.ticket(desk.create("--type", "complaint", "--title", "退款迟迟不到账"))
    assert data["group"] == "complaint"
    data = desk.ticket(desk.create("--type", "inquiry", "--title", "我要退款", "--group", "inquiry"))
    assert data["group"] == "inquiry" and "rule" not in data["history"][0]


def test_an_agent_of_the_group_is_assigned(desk):
    first = desk.ticket(desk.create("--type", "inquiry", "--title", "一"))
    second = desk.ticket(desk.create("--type", "inquiry", "--title", "二"))
    assert {first["assignee"], second["assignee"]} == set(AGENTS["inquiry"])  # round robin
    named = desk.ticket(desk.create("--type", "inquiry", "--title", "指定", "--assignee", "周敏"))
    assert named["assignee"] == "zhou.min@example.com"


# --------------------------------------------------------------------------- long text


def test_a_100kb_description_is_stored_intact(desk):
    line = "客户反映:设备在使用 3 个月后出现异常噪音, order #A-17: 'quoted' \"double\" {braces} [x] & * ! %"
    text = "\n".join(f"{i:05d} {line}" for i in range(1200))
    text = text[:100_000]
    assert len(text.encode("utf-8")) >= 100_000
    tid = desk.create("--type", "inquiry", "--title", "长描述", "--description", text)
    assert desk.ticket(tid)["description"] == text
    assert desk.ok("show", tid, "--json").json["description"] == text
    # the whole text is searchable, its end included
    last_words = text.splitlines()[-1].split()[0]
    assert [r["id"] for r in desk.ok("list", "--text", last_words, "--json").json] == [tid]


@pytest.mark.parametrize("text", [
    "两行\n\n\n末尾空行\n\n",
    "  leading spaces\nand trailing spaces   \n\ttab",
    "---\n...\n- item\n? key\n: value\n# not a comment\n%YAML\n",
    "x" * 5000 + " " + "y" * 5000,
    " ".join(["词"] * 30000),
])
def test_awkward_descriptions_round_trip_exactly(desk, text):
    tid = desk.create("--type", "inquiry", "--title", "怪描述", "--description", text)
    assert desk.ticket(tid)["description"] == text


def test_description_from_standard_input(desk):
    body = "第一行\n第二行:\"引号\"\n"
    tid = desk.create("--type", "inquiry", "--title", "标准输入", "--description", "-", input=body)
    assert desk.ticket(tid)["description"] == body


# --------------------------------------------------------------------------- options and environment


def test_global_options_are_accepted_after_the_subcommand(desk):
    tid = desk.run("create", "-q", "--type", "inquiry", "--title", "后置选项", "--store", str(desk.root),
                   "--as", LEAD2, "--now", "2025-06-02T11:00:00+08:00", store=False, as_=None, now=None).stdout.strip()
    assert tid.startswith("CS-2025-")
    data = desk.ticket(tid)
    assert data["history"][0]["by"] == LEAD2 and data["created"] == "2025-06-02T11:00:00+08:00"


def test_environment_variables_stand_in_for_global_options(desk):
    env = {"CSTOOL_STORE": str(desk.root), "CSTOOL_USER": LEAD2, "CSTOOL_NOW": "2025-06-02T11:00:00+08:00"}
    res = desk.run("create", "-q", "--type", "inquiry", "--title", "环境变量", store=False, as_=None, now=None, env=env)
    assert res.exit_code == 0, res.stderr
    data = desk.ticket(res.stdout.strip())
    assert data["history"][0]["by"] == LEAD2 and data["created"] == "2025-06-02T11:00:00+08:00"


def test_options_beat_environment_variables(desk, tmp_path):
    env = {"CSTOOL_STORE": str(tmp_path / "elsewhere"), "CSTOOL_USER": LEAD2, "CSTOOL_NOW": "2025-01-01T09:00:00+08:00"}
    res = desk.run("create", "-q", "--type", "inquiry", "--title", "优先级", env=env)  # --store/--as/--now given
    assert res.exit_code == 0, res.stderr
    data = desk.ticket(res.stdout.strip())
    assert data["history"][0]["by"] == LEAD and data["created"] == NOW


def test_create_as_a_real_process(desk):
    proc = cstool_process("--store", str(desk.root), "--as", LEAD, "--now", NOW, "create", "-q",
                          "--type", "complaint", "--title", "进程")
    assert proc.returncode == 0, proc.stderr
    assert desk.ticket(proc.stdout.strip())["title"] == "进程"


# --------------------------------------------------------------------------- git


def test_create_in_git_commits_exactly_the_new_file(git_desk):
    before = git_desk.git("rev-parse", "HEAD").strip()
    tid = git_desk.create("--type", "complaint", "--title", "空调漏水", as_=LEAD)
    rel = git_desk.path(tid).relative_to(git_desk.root).as_posix()
    assert git_desk.git("rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git_desk.git("rev-parse", "HEAD~1").strip() == before
    log = git_desk.git("log", "-1", "--format=%an|%ae|%s").strip()
    assert log == f"{NAMES[LEAD]}|{LEAD}|{tid} create complaint: 空调漏水 (by {LEAD})"
    changed = git_desk.git("show", "--name-status", "--format=", "HEAD").split("\n")
    assert [c for c in changed if c] == [f"A\t{rel}"]
    assert git_desk.git("log", "-1", "--format=%aI").strip() == NOW  # author date is --now
    assert git_desk.git("status", "--porcelain") == ""


def test_create_leaves_what_the_user_staged_alone(git_desk):
    (git_desk.root / "notes.txt").write_text("draft\n", encoding="utf-8")
    git_desk.git("add", "notes.txt")
    tid = git_desk.create("--type", "inquiry", "--title", "暂存")
    files = git_desk.git("show", "--name-only", "--format=", "HEAD").split()
    assert files == [git_desk.path(tid).relative_to(git_desk.root).as_posix()]
    assert git_desk.git("status", "--porcelain").splitlines() == ["A  notes.txt"]


def test_no_commit_writes_the_file_without_committing(git_desk):
    head = git_desk.git("rev-parse", "HEAD")
    tid = git_desk.create("--type", "inquiry", "--title", "不提交", "--no-commit")
    assert git_desk.git("rev-parse", "HEAD") == head
    rel = git_desk.path(tid).relative_to(git_desk.root).as_posix()
    assert git_desk.git("status", "--porcelain", "--untracked-files=all").splitlines() == [f"?? {rel}"]


def test_a_long_title_is_shortened_in_the_commit_message_only(git_desk):
    title = "客户来电反映" + "很长的标题" * 20
    tid = git_desk.create("--type", "inquiry", "--title", title, as_=MANAGER)
    subject = git_desk.git("log", "-1", "--format=%s").strip()
    assert subject.startswith(f"{tid} create inquiry: 客户来电反映") and subject.endswith(f"(by {MANAGER})")
    assert git_desk.ticket(tid)["title"] == title
