"""Customers found by name or phone number: ``customer show 陈建国``, ``customer edit
13812345678``, and ``create --customer 陈建国`` / ``--phone`` linking to the existing record."""

from __future__ import annotations

import pytest

from tests.support.desk import assert_refusal
from tests.support.roster import MANAGER

PHONE = "13812345678"
OTHER_PHONE = "13987654321"


def _add(desk, name: str, phone: str, tier: str = "A") -> str:
    """A customer record; tier A: its monthly visits stay within the calendar years known."""
    return desk.ok("customer", "add", "--name", name, "--phone", phone, "--tier", tier, as_=MANAGER).stdout.strip()


@pytest.fixture
def chen(desk) -> str:
    return _add(desk, "陈建国", PHONE)


@pytest.fixture
def terminal(monkeypatch):
    """Standard input is a terminal: a person is there to choose."""
    monkeypatch.setattr("cstool.commands.on_terminal", lambda: True)


@pytest.mark.parametrize("query", ["陈建国", PHONE, "138 1234 5678", "+86 138-1234-5678"])
def test_customer_show_by_name_or_phone(desk, chen, query):
    """customer show 陈建国 used to be refused as "not a customer ID"."""
    assert desk.ok("customer", "show", query, "--json").json["id"] == chen


def test_customer_show_by_id_and_id_ending_still_works(desk, chen):
    assert desk.ok("customer", "show", chen.lower(), "--json").json["id"] == chen
    assert desk.ok("customer", "show", chen[-4:], "--json").json["id"] == chen


def test_customer_edit_and_visit_by_name(desk, chen):
    desk.ok("customer", "edit", "陈建国", "--tier", "B", as_=MANAGER)
    desk.ok("customer", "visit", PHONE, "--result", "satisfied", as_=MANAGER)
    record = desk.ok("customer", "show", chen, "--json").json
    assert record["tier"] == "B" and len(record["visits"]) == 1


def test_an_unknown_name_is_refused_saying_what_may_be_given(desk, chen):
    before = desk.snapshot()
    for command in (("customer", "show", "陈建华"), ("customer", "edit", "陈建华", "--tier", "A")):
        res = desk.run(*command, as_=MANAGER)
        assert_refusal(res, 2, "'陈建华'", "customer ID", "phone")
    res = desk.run("customer", "show", "陈建华", lang="zh")
    assert_refusal(res, 2, "没有与 '陈建华' 相符的客户档案")
    assert desk.snapshot() == before


def test_two_customers_of_one_name_are_listed_with_masked_phones(desk, chen):
    other = _add(desk, "陈建国", OTHER_PHONE, "A")
    before = desk.snapshot()
    res = desk.run("customer", "edit", "陈建国", "--tier", "C", as_=MANAGER)
    assert_refusal(res, 2, "2 customer records", chen, other, "138****5678", "139****4321")
    assert PHONE not in res.stderr and OTHER_PHONE not in res.stderr
    assert desk.snapshot() == before


def test_on_a_terminal_several_customers_are_offered_by_number(desk, chen, terminal):
    other = _add(desk, "陈建国", OTHER_PHONE, "A")
    first, second = sorted([chen, other])
    res = desk.ok("customer", "show", "陈建国", "--json", input="2\n")
    assert res.json["id"] == second
    assert "1) " + first in res.stderr and "2) " + second in res.stderr


def test_create_links_to_the_one_record_of_that_name(desk, chen):
    """create --customer 陈建国 used to keep only the typed name, linking to no record."""
    res = desk.ok("create", "--type", "complaint", "--title", "漏水", "--customer", "陈建国")
    ticket_id = res.stdout.split()[0]
    customer = desk.ticket(ticket_id)["customer"]
    assert customer["id"] == chen and customer["phone"] == PHONE and customer["tier"] == "A"
    assert "linked to customer record " + chen in res.stderr


def test_create_links_by_phone_alone_and_quietly(desk, chen):
    ticket_id = desk.create("--type", "complaint", "--title", "漏水", "--phone", "138-1234-5678")
    assert desk.ticket(ticket_id)["customer"]["id"] == chen


def test_create_with_a_name_and_another_phone_keeps_the_details_as_typed(desk, chen):
    res = desk.ok("create", "--type", "complaint", "--title", "漏水", "--customer", "陈建国", "--phone", OTHER_PHONE)
    customer = desk.ticket(res.stdout.split()[0])["customer"]
    assert "id" not in customer and customer["phone"] == OTHER_PHONE
    assert "no customer record matches" in res.stderr and "customer add" in res.stderr
    assert OTHER_PHONE not in res.stderr


def test_create_with_several_matching_records_refuses_off_a_terminal(desk, chen):
    _add(desk, "陈建国", OTHER_PHONE)
    before = desk.snapshot()
    res = desk.run("create", "--type", "complaint", "--title", "漏水", "--customer", "陈建国")
    assert_refusal(res, 2, "2 customer records", "138****5678", "139****4321")
    assert desk.snapshot() == before


def test_create_with_several_matching_records_asks_on_a_terminal(desk, chen, terminal):
    other = _add(desk, "陈建国", OTHER_PHONE)
    picked = sorted([chen, other]).index(other) + 1
    res = desk.ok("create", "--type", "complaint", "--title", "漏水", "--customer", "陈建国", input=f"{picked}\n")
    assert desk.ticket(res.stdout.split()[0])["customer"]["id"] == other


def test_customer_show_lists_their_tickets_oldest_first_leaving_out_void_ones(desk, chen):
    """A ticket voided as registered by mistake (作废) was still listed under its customer."""
    first = desk.create("--type", "inquiry", "--title", "第一次来电", "--customer", chen, now="2026-11-20T09:00:00+08:00")
    mistake = desk.create("--type", "inquiry", "--title", "误登记", "--customer", chen, now="2026-11-20T09:10:00+08:00")
    second = desk.create("--type", "complaint", "--title", "第二次来电", "--customer", chen, now="2026-11-20T09:20:00+08:00")
    desk.create("--type", "inquiry", "--title", "别的客户", now="2026-11-20T09:30:00+08:00")
    desk.ok("void", mistake, "-m", "重复登记", as_=MANAGER, now="2026-11-20T09:40:00+08:00")
    assert desk.ok("customer", "show", chen, "--json").json["tickets"] == [first, second]
    text = desk.ok("customer", "show", chen, lang="zh").stdout
    assert first in text and second in text and mistake not in text


def test_customer_list_takes_dash_n_and_limit(desk, chen):
    _add(desk, "李华", OTHER_PHONE, "B")
    assert len(desk.ok("customer", "list", "--json").json) == 2
    for flag in ("-n", "--limit"):
        assert len(desk.ok("customer", "list", flag, "1", "--json").json) == 1
        assert sum(" C-" in f" {line}" for line in desk.ok("customer", "list", flag, "1").stdout.splitlines()) == 1
