"""Tables fit the terminal: at COLUMNS=80 or 60 no line of list, due, log, show, audit,
customer list, sample or handover is wider than the terminal (wide characters count two
columns), long text is cut with …, and --wide or a pipe shows everything."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wcwidth import wcswidth

from cstool.reports import render
from tests.support.roster import MANAGER

LONG_TITLE = "客户来电反映空调维修后仍然漏水,地板被泡坏,要求上门复查并赔偿损失 and an English tail that goes on"
LONG_NAME = "上海华联商厦股份有限公司第一分公司"


@pytest.fixture
def busy(git_desk):
    """A git desk with long titles and names in several states, a closed ticket, a customer."""
    d = git_desk
    d.ok("customer", "add", "--name", LONG_NAME, "--phone", "13812345678", "--email", "someone.long@example.com",
         "--tier", "A", as_=MANAGER, now="2026-11-16T09:00:00+08:00")
    ids = [d.create("--type", kind, "--title", f"{LONG_TITLE} {n}", "--customer", LONG_NAME, "--phone", "13812345678",
                    now=f"2026-11-16T09:{10 + n}:00+08:00")
           for n, kind in enumerate(("complaint", "inquiry", "repair", "after_sales", "suggestion"))
           if kind != "after_sales"]
    d.ok("reply", ids[0], "-m", "已致歉," * 30, as_=MANAGER, now="2026-11-16T10:00:00+08:00")
    d.ok("escalate", ids[0], "--reason", "客户要求赔偿,情绪激动,涉及金额较大 " * 3, as_=MANAGER, now="2026-11-16T11:00:00+08:00")
    d.ok("close", ids[1], "--resolution", "已答复客户,客户表示理解 " * 4, as_=MANAGER, now="2026-11-17T10:00:00+08:00")
    return d, ids


NOW = "2026-11-20T10:00:00+08:00"


def _commands(ids):
    return [("list",), ("list", "--status", "all", "--sort", "due"), ("due", "--within", "30d"), ("log", ids[0]),
            ("show", ids[0]), ("audit", "--period", "2026-11"), ("audit", "--check"), ("customer", "list"),
            ("sample", "-n", "3", "--seed", "1"), ("handover", "--since", "2026-11-16T08:00")]


def _widest(text: str) -> int:
    return max((wcswidth(line) for line in text.splitlines()), default=0)


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_line_is_wider_than_the_terminal(busy, columns, lang):
    d, ids = busy
    for args in _commands(ids):
        res = d.run(*args, now=NOW, lang=lang, env={"COLUMNS": str(columns)})
        assert res.exit_code in (0, 1), (args, res.stderr)
        assert _widest(res.stdout) <= columns, (args, res.stdout)
        assert res.stdout.strip(), args


def test_list_and_due_were_wider_than_80_columns_without_fitting(busy):
    d, ids = busy
    assert _widest(d.ok("list", now=NOW, lang="zh").stdout) > 80  # a pipe: whole lines, as before
    assert _widest(d.ok("list", "--wide", now=NOW, lang="zh", env={"COLUMNS": "80"}).stdout) > 80


def test_a_cut_title_ends_with_an_ellipsis_and_wide_shows_it_whole(busy):
    d, ids = busy
    fitted = d.ok("list", now=NOW, env={"COLUMNS": "80"}).stdout
    assert "…" in fitted and LONG_TITLE not in fitted
    assert all(tid in fitted for tid in ids if tid != ids[1])  # IDs are never cut (ids[1] is closed)
    wide = d.ok("list", "--wide", now=NOW, env={"COLUMNS": "80"}).stdout
    assert LONG_TITLE in wide and LONG_NAME in wide
    show = d.ok("show", ids[0], "--wide", now=NOW, env={"COLUMNS": "60"}).stdout
    assert "已致歉," * 30 in show


def test_show_wraps_long_lines_instead_of_losing_them(busy):
    d, ids = busy
    show = d.ok("show", ids[0], now=NOW, lang="zh", env={"COLUMNS": "60"}).stdout
    joined = "".join(line.strip() for line in show.splitlines())
    assert "已致歉," * 30 in joined


def test_list_sorted_by_due_keeps_the_due_column_on_a_narrow_terminal(busy):
    d, ids = busy
    out = d.ok("list", "--sort", "due", now=NOW, lang="zh", env={"COLUMNS": "60"}).stdout
    assert out.splitlines()[0].split()[-1] == "办结时限"
    assert _widest(out) <= 60


# --------------------------------------------------------------------------- the helper itself

TEXT = st.text(alphabet=st.sampled_from("ab 中文字…ＡＢ\u0301x-1"), max_size=60)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(TEXT, min_size=4, max_size=4), min_size=1, max_size=5),
       limit=st.integers(min_value=20, max_value=120), drop=st.lists(st.integers(1, 3), max_size=3, unique=True))
def test_a_fitted_table_is_never_wider_than_its_limit(rows, limit, drop):
    text = render.table(rows, ["编号", "title", "状态", "who"], "table", limit, drop=drop)
    assert _widest(text) <= limit
    natural = render.table(rows, ["编号", "title", "状态", "who"], "table")
    if _widest(natural) <= limit:
        assert text == "\n".join(line.rstrip() for line in natural.split("\n"))  # what fits is left alone


@settings(max_examples=150, deadline=None)
@given(line=TEXT, limit=st.integers(min_value=20, max_value=80))
def test_a_wrapped_line_keeps_every_character_and_fits(line, limit):
    parts = render.wrap_line(line, limit)
    assert all(wcswidth(p) <= limit for p in parts)
    assert "".join(p.replace(" ", "") for p in parts) == line.replace(" ", "")


def test_the_width_comes_from_columns_or_the_terminal(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)

    class Pipe:
        def isatty(self):
            return False

    assert render.terminal_width(stream=Pipe()) is None  # a pipe: whole lines
    assert render.terminal_width(wide=True) == render.WIDE
    monkeypatch.setenv("COLUMNS", "72")
    assert render.terminal_width(stream=Pipe()) == 72


def test_overdue_items_are_red_on_a_terminal_not_escaped(desk, monkeypatch):
    """The colour cstool adds is a real colour (not shown as the text \\x1b[31m); text from a
    ticket is still escaped."""
    from click.testing import CliRunner

    from cstool.cli import cli

    desk.create("--type", "inquiry", "--title", "早就超时", now="2026-11-02T09:00:00+08:00")
    monkeypatch.setattr(render, "color_enabled", lambda stream=None: True)
    res = CliRunner().invoke(cli, ["--store", str(desk.root), "--lang", "en", "--now", NOW, "due"],
                             env={"COLUMNS": "80"}, color=True)  # as a terminal shows it
    late = next(line for line in res.stdout.splitlines() if "早就超时" in line)
    assert render.RED[0] in late and "\\x1b" not in late
    assert _widest(render._ANSI.sub("", res.stdout)) <= 80
