"""Every refusal speaks the language of the run: raised with a catalogue key (never a
finished English sentence), and put into Chinese words in a Chinese run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cstool.errors import CstoolError, InputError
from cstool.messages import LABELS, Joined, Phrase
from tests.test_help_language import english_runs

PACKAGE = Path(__file__).resolve().parents[1] / "cstool"
ERRORS = {"CstoolError", "InputError", "DeskError", "FindingsError"}


def error_messages() -> list[tuple[str, int, ast.expr]]:
    """The first argument of every construction of a cstool error, with its file and line."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS and node.args:
                found.append((path.relative_to(PACKAGE).as_posix(), node.lineno, node.args[0]))
    return found


def test_every_error_is_raised_with_a_catalogue_key():
    offenders = []
    for rel, line, arg in error_messages():
        keyed = isinstance(arg, ast.Constant) and arg.value in LABELS
        if not keyed and not (isinstance(arg, ast.IfExp) and all(
                isinstance(b, ast.Constant) and b.value in LABELS for b in (arg.body, arg.orelse))):
            offenders.append(f"cstool/{rel}:{line}")
    assert offenders == [], "errors raised with a sentence instead of a catalogue key:\n" + "\n".join(offenders)
    assert len(error_messages()) > 150  # the walk sees the package's errors


def test_an_error_wrapping_another_puts_both_into_one_language():
    inner = InputError("error.import.not_number", value="'x'")
    outer = InputError("error.import.bad_rows", n=1, rows=Joined([Phrase("error.in_row", row=3, error=inner)],
                                                                 "join.semicolon"))
    assert outer.text("zh") == "什么也没有导入: 有 1 行有误: 第 3 行: 'x' 不是数字"
    assert outer.text("en") == "nothing imported: 1 bad row(s): row 3: 'x' is not a number"
    assert outer.message == outer.text("en") and str(outer) == outer.message


def test_a_finished_sentence_stays_as_written():
    assert CstoolError("plain words").text("zh") == "plain words"


def _bad_runs(desk, tid: str) -> list[tuple[str, ...]]:
    return [
        ("show", "ZZZZZZ9"), ("create", "--title", "没有类型"), ("create", "--type", "complaint", "--title", " "),
        ("create", "--type", "nosuch", "--title", "x"), ("create", "--type", "inquiry", "--title", "x", "--phone", "abc"),
        ("create", "--type", "after_sales", "--title", "x"), ("create", "--type", "inquiry", "--title", "x", "--field", "a"),
        ("list", "--status", "nosuch"), ("list", "--sort", "nosuch"), ("due", "--kind", "nosuch"),
        ("due", "--within", "soon"), ("audit", "--period", "2026-13"), ("audit", "--by", "nosuch"),
        ("audit", "--from", "2026-11-20", "--to", "2026-11-01"), ("escalate", tid),
        ("escalate", tid, "--to", "nobody", "--reason", "r"),
        ("route", tid), ("route", tid, "--group", "complaints", "--assignee", "nobody@example.com"),
        ("reopen", tid, "--reason", "r"), ("followup", tid), ("followup", tid, "--result", "satisfied"),
        ("customer", "show", "C-NOSUCH"), ("customer", "add", "--tier", "A"), ("customer", "edit", "13800000000"),
        ("calendar", "20x"), ("handover", "--since", "2030-01-01T00:00:00+08:00"),
        ("sample", "--type", "complain"), ("verify", "--require-signed"), ("reply", tid, "-m", "a\x07b"),
        ("--as", "nobody@example.com", "note", tid, "-m", "x"), ("--now", "sometime", "list"),
        ("--store", str(desk.root / "nowhere"), "list"), ("import", str(desk.root / "cstool.yaml")),
    ]


def test_refusals_in_a_chinese_run_have_no_english_sentence(desk):
    tid = desk.create("--type", "inquiry", "--title", "问询")
    seen = []
    for args in _bad_runs(desk, tid):
        res = desk.run(*args, lang="zh")
        assert res.exit_code in (2, 3), (args, res.stdout, res.stderr)
        message = res.stderr.strip()
        assert message, args
        runs = [run for line in message.splitlines() for run in english_runs(line)]
        assert runs == [], f"{args}: {message}"
        seen.append(message)
    assert len(set(seen)) == len(seen)  # each run met a refusal of its own


def test_the_same_refusals_in_english_are_unchanged(desk):
    tid = desk.create("--type", "inquiry", "--title", "问询")
    expected = {("show", "ZZZZZZ9"): "no ticket matches 'ZZZZZZ9'",
                ("list", "--status", "nosuch"): "--status: unknown value 'nosuch' (choose from",
                ("escalate", tid): "--reason is required: say why the ticket goes up the ladder",
                ("reopen", tid, "--reason", "r"): f"{tid} is open: cannot reopen it (allowed now:",
                ("customer", "add", "--tier", "A"): "--name is required"}
    for args, needle in expected.items():
        res = desk.run(*args)
        assert needle in res.stderr, (args, res.stderr)


@pytest.mark.parametrize("key", sorted(k for k in LABELS if k.startswith(("error.", "finding.", "may.", "who."))))
def test_every_error_text_has_chinese_words(key):
    zh, en = LABELS[key]
    if zh != en:  # a text the same in both languages holds only placeholders and punctuation
        assert not english_runs(zh.replace("{", " {").replace("}", "} ")), zh


@pytest.mark.parametrize("args", (("list",), ("verify",), ("create", "--type", "inquiry", "--title", "x")))
def test_a_malformed_config_is_refused_in_chinese(desk, args):
    config = desk.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nextra_section: 1\n", encoding="utf-8")
    res = desk.run(*args, lang="zh")
    assert res.exit_code == 3, res.stderr
    message = res.stderr.strip()
    assert message.startswith("cstool: cstool.yaml:") and "未知的键 'extra_section'" in message, message
    assert english_runs(message) == [], message
    english = desk.run(*args, lang="en").stderr
    assert "cstool.yaml:" in english and "unknown key 'extra_section' (known keys:" in english, english


def _bad_template(desk) -> str:
    (desk.root / "templates").mkdir(exist_ok=True)
    (desk.root / "templates" / "inquiry.yaml").write_text("type: inquiry\nfields:\n  Bad-Key: 标签\n", encoding="utf-8")
    return "templates/inquiry.yaml:3"


def _bad_ticket(desk) -> str:
    tid = desk.create("--type", "inquiry", "--title", "问询")
    path = next(desk.root.rglob(f"{tid}.yaml"))
    text = path.read_text(encoding="utf-8")
    assert "\nlevel: 1\n" in text
    path.write_text(text.replace("\nlevel: 1\n", "\nlevel: high\n"), encoding="utf-8")
    return tid


def test_a_malformed_template_is_refused_in_chinese(desk):
    where = _bad_template(desk)
    args = ("create", "--type", "inquiry", "--title", "问询")
    zh, en = desk.run(*args, lang="zh"), desk.run(*args, lang="en")
    assert zh.exit_code == en.exit_code == 3, (zh.stderr, en.stderr)
    assert zh.stderr.startswith(f"cstool: {where}: 'fields.Bad-Key': 字段的键只能由小写字母"), zh.stderr
    assert english_runs(zh.stderr.strip()) == [], zh.stderr
    assert en.stderr == f"cstool: {where}: 'fields.Bad-Key': field keys are lower-case letters, digits and _\n"


def test_a_malformed_ticket_is_refused_in_chinese(desk):
    tid = _bad_ticket(desk)
    zh, en = desk.run("show", tid, lang="zh"), desk.run("show", tid, lang="en")
    assert zh.exit_code == en.exit_code == 3, (zh.stderr, en.stderr)
    assert "'level' 必须是整数" in zh.stderr and english_runs(zh.stderr.strip()) == [], zh.stderr
    assert "'level' must be a whole number" in en.stderr, en.stderr
    verify = desk.run("verify", lang="zh")
    assert verify.exit_code in (1, 3) and "'level' 必须是整数" in verify.stdout + verify.stderr, verify.stdout
