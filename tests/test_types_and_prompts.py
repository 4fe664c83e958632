"""``cstool types`` lists each type's template fields; ``create`` names everything missing in
one error when it cannot ask, and asks for it on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import pytest

from cstool.domain.templates import packaged_templates
from tests.support.desk import assert_refusal
from tests.support.roster import LEAD

# --------------------------------------------------------------------------- types


def test_types_lists_every_type_with_its_fields_marked(desk):
    out = desk.ok("types", lang="zh").stdout
    for name in ("咨询  inquiry", "投诉  complaint", "售后  after_sales", "工作联系单  work_order"):
        assert name in out
    after_sales = out[out.index("售后  after_sales"):out.index("特约服务")]
    row = next(line for line in after_sales.splitlines() if line.startswith("order_no"))
    assert "订单号" in row and "是" in row  # required
    request = next(line for line in after_sales.splitlines() if line.startswith("request"))
    assert "退货 / 换货 / 退款 / 维修" in request and request.rstrip().endswith("退货")  # choices, default


def test_types_json_follows_the_template_files(desk):
    data = desk.ok("types", "--json").json
    assert [t["type"] for t in data] == ["inquiry", "complaint", "suggestion", "repair", "after_sales",
                                         "special_service", "work_order"]
    from ruamel.yaml import YAML

    for t in data:  # the shipped templates, as init wrote them
        raw = YAML(typ="safe").load(packaged_templates()[f"{t['type']}.yaml"])
        assert [f["key"] for f in t["fields"]] == list(raw.get("fields") or {})
        for f in t["fields"]:
            spec = raw["fields"][f["key"]]
            assert f["required"] == bool(spec.get("required", False))
            assert f["choices"] == list(spec.get("choices") or [])
            assert f["default"] == spec.get("default")
            assert f["label_en"] == spec.get("label_en")


def test_types_of_one_type_in_english(desk):
    out = desk.ok("types", "work_order").stdout
    assert "Work order  work_order" in out and "complaint" not in out
    row = next(line for line in out.splitlines() if line.startswith("from_department"))
    assert "Issuing department" in row and "yes" in row


def test_types_of_an_unknown_type_lists_the_known_ones(desk):
    assert_refusal(desk.run("types", "grievance"), 2, "grievance", "after_sales")


def test_a_desk_without_a_template_file_says_so(desk):
    (desk.root / "templates" / "suggestion.yaml").unlink()
    out = desk.ok("types", "suggestion").stdout
    assert "templates/suggestion.yaml" in out


def test_create_help_points_to_types(desk):
    assert "cstool types" in desk.ok("create", "--help").stdout


# --------------------------------------------------------------------------- missing options, at once


def test_a_missing_required_field_is_named_with_where_to_look(desk):
    before = desk.snapshot()
    assert_refusal(desk.run("create", "--type", "after_sales", "--title", "退货"), 2,
                   "--field order_no=", "Order number", "cstool types after_sales")
    assert desk.snapshot() == before
    zh = desk.run("create", "--type", "work_order", "--title", "联系单", lang="zh")
    assert_refusal(zh, 2, "from_department", "发单部门", "cstool types work_order")


def test_everything_missing_is_named_in_one_error(desk):
    before = desk.snapshot()
    assert_refusal(desk.run("create"), 2, "--type", "--title")
    assert_refusal(desk.run("create", "--type", "after_sales"), 2, "--title", "order_no", "cstool types after_sales")
    assert_refusal(desk.run("create", "--channel", "phone"), 2, "--type, --title")
    assert desk.snapshot() == before


def test_a_missing_field_with_a_default_is_not_missing(desk):
    tid = desk.create("--type", "work_order", "--title", "联系单", "--field", "from_department=客服中心",
                      "--group", "engineering")
    assert desk.ticket(tid)["fields"] == {"from_department": "客服中心", "kind": "工作指令"}


# --------------------------------------------------------------------------- asking on a terminal


@pytest.fixture
def terminal(monkeypatch):
    """create believes its standard input is a terminal (CliRunner's input answers)."""
    from cstool.commands import create

    monkeypatch.setattr(create, "_interactive", lambda: True)


def test_on_a_terminal_create_asks_for_the_type_title_and_fields(desk, terminal):
    res = desk.run("create", "-q", input="5\n申请退货\nSO-1\n", lang="zh")  # 5) 售后 after_sales
    assert res.exit_code == 0, res.stderr
    tid = res.stdout.strip()  # -q: the ID alone on stdout; the questions went to stderr
    assert tid.startswith("CS-") and "\n" not in tid
    ticket = desk.ticket(tid)
    assert (ticket["type"], ticket["title"]) == ("after_sales", "申请退货")
    assert ticket["fields"]["order_no"] == "SO-1"
    assert "售后  after_sales" in res.stderr and "工单类型" in res.stderr and "订单号" in res.stderr


def test_the_type_is_chosen_by_key_or_name_and_asked_again_when_unknown(desk, terminal):
    res = desk.run("create", "-q", "--title", "问询", input="nonsense\n投诉\n")
    assert res.exit_code == 0, res.stderr
    assert desk.ticket(res.stdout.strip())["type"] == "complaint"
    assert "no such type" in res.stderr
    res = desk.run("create", "-q", "--title", "联系单", "--group", "engineering", input="WORK_ORDER\n客服中心\n")
    assert desk.ticket(res.stdout.strip())["fields"]["from_department"] == "客服中心"


def test_a_choice_field_is_asked_with_its_choices(desk, terminal):
    path = desk.root / "templates" / "suggestion.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "department: {label: 建议涉及部门, label_en: Department concerned}",
        "department: {label: 建议涉及部门, label_en: Department concerned, required: true, choices: [财务部, 工程部]}"),
        encoding="utf-8")
    res = desk.run("create", "-q", "--type", "suggestion", "--title", "建议", input="人事部\n工程部\n")
    assert res.exit_code == 0, res.stderr
    assert desk.ticket(res.stdout.strip())["fields"]["department"] == "工程部"
    assert "财务部, 工程部" in res.stderr


def test_nothing_is_asked_when_all_is_given(desk, terminal):
    res = desk.run("create", "-q", "--type", "inquiry", "--title", "问询", input="")
    assert res.exit_code == 0 and res.stderr == ""


def test_create_asks_on_a_real_terminal(desk):
    """A real pseudo-terminal as standard input and error; the ID alone on standard output."""
    env = {**os.environ, "CSTOOL_STORE": str(desk.root), "CSTOOL_USER": LEAD, "CSTOOL_LANG": "en",
           "CSTOOL_NOW": "2026-11-20T10:00:00+08:00", "CSTOOL_NO_COMMIT": "1"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "cstool", "create", "-q"], stdin=follower, stderr=follower,
                            stdout=subprocess.PIPE, env=env, text=True)
    os.close(follower)
    seen = b""
    try:
        for wanted, answer in ((b"Ticket type", b"inquiry\n"), (b"Title", b"terminal title\n")):
            deadline = time.monotonic() + 60
            while wanted not in seen and time.monotonic() < deadline:
                if select.select([leader], [], [], 1)[0]:
                    seen += os.read(leader, 4096)
            assert wanted in seen, seen
            os.write(leader, answer)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
        os.close(leader)
    assert proc.returncode == 0, seen
    assert desk.ticket(out.strip())["title"] == "terminal title"


def test_piped_input_never_asks(desk):
    """Standard input not a terminal (a script): one refusal, whatever is on stdin."""
    res = desk.run("create", input="inquiry\n标题\n")
    assert_refusal(res, 2, "--type", "--title")


def test_types_as_csv_is_one_row_per_field(desk):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(desk.ok("types", "--format", "csv").stdout)))
    order_no = next(r for r in rows if r["type"] == "after_sales" and r["field"] == "order_no")
    assert order_no["required"] == "True" and order_no["label"] == "订单号"
    assert {r["type"] for r in rows} == {"inquiry", "complaint", "suggestion", "repair", "after_sales",
                                         "special_service", "work_order"}
