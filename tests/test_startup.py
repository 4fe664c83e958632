"""Everyday commands import only what they use, and the table and width code that lets
them (no tabulate, no wcwidth for plain text) gives what those libraries give."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate
from wcwidth import wcswidth, wcwidth

from cstool.reports import render
from tests.support.desk import NOW
from tests.support.roster import LEAD

HEAVY = ("tabulate", "ruamel", "yaml", "wcwidth", "secrets", "importlib.metadata")
PROBE = ("import atexit, sys\n"
         "atexit.register(lambda: print('IMPORTED', *sorted(m for m in sys.modules if m in {heavy!r} "
         "or m.split('.')[0] in {heavy!r}), file=sys.stderr))\n"
         "from cstool.cli import main\n"
         "sys.argv = ['cstool', *{args!r}]\n"
         "main()\n")


def imported(desk, *args: str) -> set[str]:
    """The heavy modules a whole cstool process imported to run the command."""
    import subprocess

    code = PROBE.format(heavy=HEAVY, args=["--store", str(desk.root), "--now", NOW, "--as", LEAD, *args])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stderr.splitlines() if x.startswith("IMPORTED"))
    return set(line.split()[1:])


@pytest.mark.parametrize("command", [["list"], ["due"], ["show", "{id}"], ["list", "--json"]])
def test_reading_commands_import_no_yaml_writer_table_or_width_library(desk, command):
    ticket = desk.create("--type", "complaint", "--title", "空调不制冷,客户要求上门…")
    desk.ok("list")  # the index is built
    args = [a.replace("{id}", ticket) for a in command]
    assert imported(desk, *args) == set()


@pytest.mark.parametrize("command", [["reply", "{id}", "-m", "已回复客户"], ["note", "{id}", "-m", "客户来电催办"],
                                     ["pending", "{id}", "-m", "等待客户提供照片"],
                                     ["--no-commit", "reply", "{id}", "-m", "已回复"]])
def test_an_edit_of_a_ticket_as_cstool_wrote_it_imports_no_yaml_library(git_desk, command):
    """A ticket file as cstool writes it is read, changed and written again without PyYAML
    or ruamel.yaml (their imports cost more than the rest of such an edit)."""
    ticket = git_desk.create("--type", "complaint", "--title", "空调不制冷,客户要求上门…",
                             "--description", "客户反映:\n空调不制冷\n")
    git_desk.ok("list")
    before = git_desk.path(ticket).read_text(encoding="utf-8")
    assert imported(git_desk, *[a.replace("{id}", ticket) for a in command]) == set()
    assert git_desk.path(ticket).read_text(encoding="utf-8") != before  # the edit was made


@pytest.mark.parametrize("command", [["list"], ["due"], ["show", "{id}"]])
@pytest.mark.parametrize("fixture", ["desk", "git_desk"])
def test_reading_a_ticket_just_edited_imports_no_yaml_library(request, fixture, command):
    """The index takes in a ticket file changed since it was indexed (here by a reply)
    without a YAML library when the file is as cstool writes it."""
    desk = request.getfixturevalue(fixture)
    ticket = desk.create("--type", "complaint", "--title", "空调不制冷,客户要求上门…")
    desk.ok("list")
    desk.ok("reply", ticket, "-m", "已联系客户,约定上门时间")
    assert imported(desk, *[a.replace("{id}", ticket) for a in command]) == set()
    assert "已联系客户" in desk.ok("show", ticket).stdout


def test_plain_characters_are_as_wide_as_wcwidth_says():
    """Every character measured without wcwidth gets wcwidth's width."""
    wrong = [hex(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF
             and (w := render._char_width(chr(code))) is not None and w != wcwidth(chr(code))]
    assert wrong == []


TEXT = st.text(st.sampled_from("ab Z9-.:中文工单客户,。、…—·éñ（）ｱ\t\u3000\u00a0\u200b😀\u0301\x1b\n"), max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(st.lists(TEXT, min_size=n, max_size=n),
                                                       st.lists(st.lists(TEXT, min_size=n, max_size=n), max_size=4))))
def test_tables_are_what_tabulate_makes(case):
    headers, rows = case
    expected = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    quick = render.simple_table(rows, headers)
    assert quick is None or quick == expected
    assert render.width("".join(headers)) == (wcswidth("".join(headers)) if wcswidth("".join(headers)) >= 0
                                              else len("".join(headers)))
