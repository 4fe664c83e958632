"""Options take the words the tables show: a key, its Chinese or English name, any case;
people by email, the part before @, or name. A word naming several entries is refused
listing them; an unknown word is refused listing what is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.config.parse import parse_config
from cstool.errors import InputError
from tests.support.desk import assert_refusal, load_yaml
from tests.support.roster import AGENT, MANAGER

SAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "records" / "cstool.yaml"
SAMPLE = parse_config(load_yaml(SAMPLE_CONFIG), SAMPLE_CONFIG)  # the sample desk's config, read only


def _ids(res) -> set[str]:
    return {row["id"] for row in res.json}


@pytest.fixture
def tickets(desk):
    """A complaint for 王芳 by phone, tier A; an inquiry by email, tier C, closed."""
    complaint = desk.create("--type", "complaint", "--title", "空调漏水", "--channel", "phone", "--tier", "A",
                            "--assignee", AGENT)
    inquiry = desk.create("--type", "inquiry", "--title", "发票", "--channel", "email", "--tier", "C", as_=MANAGER)
    desk.ok("close", inquiry, "--resolution", "已开具", as_=MANAGER)
    return complaint, inquiry


@pytest.mark.parametrize("option, word, wanted", [
    ("--status", "待处理", "complaint"),
    ("--status", "OPEN", "complaint"),
    ("--status", "已关闭", "inquiry"),
    ("--status", "Closed", "inquiry"),
    ("--type", "投诉", "complaint"),
    ("--type", "Complaint", "complaint"),
    ("--type", "咨询", "inquiry"),
    ("--group", "投诉受理组", "complaint"),
    ("--group", "complaint intake", "complaint"),
    ("--channel", "电话", "complaint"),
    ("--channel", "EMAIL", "inquiry"),
    ("--tier", "a", "complaint"),
    ("--tier", "c级", "inquiry"),
    ("--assignee", "王芳", "complaint"),
    ("--assignee", "Wang.Fang", "complaint"),
    ("--assignee", "WANG.FANG@EXAMPLE.COM", "complaint"),
])
def test_list_and_export_filter_by_chinese_and_english_words(desk, tickets, option, word, wanted):
    complaint, inquiry = tickets
    expected = {"complaint": complaint, "inquiry": inquiry}[wanted]
    status = () if option == "--status" else ("--status", "all")
    assert _ids(desk.ok("list", *status, option, word, "--json")) == {expected}
    assert _ids(desk.ok("export", "--format", "json", option, word)) == {expected}


def test_status_in_progress_is_read_with_a_space_a_dash_or_in_chinese(desk, tickets):
    complaint, _ = tickets
    desk.ok("reply", complaint, "-m", "已联系", as_=AGENT)
    for word in ("in progress", "In-Progress", "in_progress", "处理中", "全部"):
        assert complaint in _ids(desk.ok("list", "--status", word, "--json"))


def test_create_takes_chinese_words_and_stores_keys(desk):
    ticket_id = desk.create("--type", "投诉", "--title", "投诉物业", "--channel", "来访", "--priority", "a",
                            "--severity", "一般", "--tier", "b", "--group", "投诉受理组", "--assignee", "王芳")
    t = desk.ticket(ticket_id)
    assert (t["type"], t["channel"], t["priority"], t["severity"], t["group"], t["assignee"]) == \
        ("complaint", "visit", "A", "general", "complaint", AGENT)
    assert t["customer"]["tier"] == "B"


def test_route_and_escalate_take_names(desk):
    ticket_id = desk.create("--type", "inquiry", "--title", "开发票", as_=MANAGER)
    desk.ok("route", ticket_id, "--group", "售后服务组", "--assignee", "吴强", as_=MANAGER)
    t = desk.ticket(ticket_id)
    assert (t["group"], t["assignee"]) == ("after_sales", "wu.qiang@example.com")
    desk.ok("escalate", ticket_id, "--to", "经理", "--reason", "客户要求", as_=MANAGER)
    assert desk.ticket(ticket_id)["level"] == 4
    other = desk.create("--type", "inquiry", "--title", "再问", as_=MANAGER)
    desk.ok("escalate", other, "--to", "Team Lead", "--reason", "需要班组长", as_=MANAGER)
    assert desk.ticket(other)["level"] == 2


def test_due_filters_by_group_and_kind_names(desk, tickets):
    complaint, _ = tickets
    res = desk.ok("due", "--within", "30d", "--group", "投诉受理组", "--kind", "首次响应", "--json")
    assert {(r["id"], r["kind"]) for r in res.json} == {(complaint, "first_response")}


def test_customer_tier_and_owner_by_words(desk):
    cid = desk.ok("customer", "add", "--name", "陈建国", "--tier", "b", "--owner", "何雪").stdout.strip()
    desk.ok("customer", "edit", cid, "--tier", "a")
    record = desk.ok("customer", "show", cid, "--json").json
    assert (record["tier"], record["owner"]) == ("A", "he.xue@example.com")
    assert [r["id"] for r in desk.ok("customer", "list", "--tier", "a", "--json").json] == [cid]


def test_an_unknown_word_lists_the_accepted_ones_in_the_run_language(desk):
    res = desk.run("list", "--type", "抱怨", lang="zh")
    assert_refusal(res, 2, "--type", "'抱怨'", "complaint (投诉)", "可用")
    res = desk.run("list", "--status", "opne")
    assert_refusal(res, 2, "--status", "did you mean open?", "pending (挂起)")


def test_a_word_naming_two_people_is_refused_listing_both(desk):
    config = desk.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    twin = "  - {id: wang.fang2@example.com, name: 王芳, role: agent, groups: [complaint]}\n"
    config.write_text(text.replace("roster:\n", "roster:\n" + twin, 1), encoding="utf-8")
    before = desk.snapshot()
    res = desk.run("create", "--type", "complaint", "--title", "x", "--assignee", "王芳")
    assert_refusal(res, 2, "--assignee", "ambiguous", AGENT, "wang.fang2@example.com")
    assert desk.snapshot() == before
    assert desk.create("--type", "complaint", "--title", "x", "--assignee", "wang.fang2")


def test_a_phone_number_typed_in_a_word_option_is_not_echoed(desk):
    res = desk.run("list", "--channel", "13812345678")
    assert_refusal(res, 2, "--channel")
    assert "13812345678" not in res.stderr


def test_words_resolve_to_one_key_whatever_the_case_or_width():
    """Property: every key and name of every kind resolves to its own entry, in any case,
    full-width, with _ - and spaces exchanged."""
    from cstool.config import words

    config = SAMPLE
    for kind in ("status", "type", "group", "channel", "priority", "tier", "severity", "role", "person"):
        for choice in words.vocabulary(config, kind):
            for w in (choice.key, *choice.words):
                variants = {w, w.upper(), w.lower(), w.replace("_", " "), w.replace(" ", "-"),
                            "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in w)}
                for v in variants:
                    assert words.word(config, kind, v, "--x") == choice.key, (kind, v)



@settings(max_examples=500)
@given(text=st.text(max_size=40), kind=st.sampled_from(["status", "type", "group", "channel", "priority", "tier",
                                                         "severity", "role", "person"]))
def test_any_text_is_a_key_or_a_refusal_never_a_traceback(text, kind):
    from cstool.config import words

    try:
        key = words.word(SAMPLE, kind, text, "--x")
    except InputError as exc:
        assert exc.key in ("error.unknown_word", "error.unknown_word_guess", "error.unknown_person",
                           "error.unknown_person_guess", "error.ambiguous_word")
        return
    assert key in {c.key for c in words.vocabulary(SAMPLE, kind)}


@pytest.mark.parametrize(("word", "result", "status"), (
    ("满意", "satisfied", "closed"), ("不满意", "unsatisfied", "open"), ("联系不上", "unreachable", "closed"),
    ("Unsatisfied", "unsatisfied", "open"),
))
def test_followup_result_is_taken_in_chinese_or_english(desk, word, result, status):
    from tests.support.roster import AGENT, CALLER

    tid = desk.create("--type", "complaint", "--title", "回访", "--assignee", AGENT, now="2026-11-02T09:00+08:00")
    desk.ok("reply", tid, "-m", "r", as_=AGENT, now="2026-11-02T09:30+08:00")
    desk.ok("close", tid, "--resolution", "ok", as_=AGENT, now="2026-11-03T09:00+08:00")
    desk.ok("followup", tid, "--result", word, as_=CALLER, now="2026-11-04T10:00+08:00")
    data = desk.ticket(tid)
    assert [ev["result"] for ev in data["history"] if ev["action"] == "followup"] == [result]
    assert data["status"] == status


def test_customer_visit_result_is_taken_in_chinese_and_a_wrong_word_refused(desk):
    cid = desk.ok("customer", "add", "--name", "陈建国", "--tier", "A").stdout.strip().split()[0]
    assert "联系不上" in desk.ok("customer", "visit", cid, "--result", "联系不上", lang="zh").stdout
    record = desk.ok("customer", "show", cid, "--json").json
    assert [v["result"] for v in record["visits"]] == ["unreachable"]
    assert_refusal(desk.run("customer", "visit", cid, "--result", "happy"), 2, "--result", "satisfied")
    assert [v["result"] for v in desk.ok("customer", "show", cid, "--json").json["visits"]] == ["unreachable"]
