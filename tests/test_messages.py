"""The message catalogue (cstool/messages.py): complete in both languages, and the only
place where UI text picks between Chinese and English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from cstool.messages import LABELS, LANGS, label, local_name

PACKAGE = Path(__file__).resolve().parents[1] / "cstool"
LANGUAGE_TEST = re.compile(r"""lang\s*==\s*["'](zh|en)["']""")
# commands being restructured elsewhere; their texts move into the catalogue with that work
NOT_YET_IN_CATALOGUE: set[str] = set()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_entry_has_both_languages_with_the_same_placeholders(key):
    entry = LABELS[key]
    assert isinstance(entry, tuple) and len(entry) == len(LANGS), key
    zh, en = entry
    assert zh.strip() and en.strip(), f"{key}: empty text"
    assert placeholders(zh) == placeholders(en), f"{key}: {zh!r} and {en!r} differ in placeholders"


def test_label_picks_the_language_and_fills_placeholders():
    assert label("more_rows", "zh", n=3) == "另有 3 条未显示(用 --limit 调整)"
    assert label("more_rows", "en", n=3) == "3 more not shown (use --limit)"
    assert label("status.weird", "en") == "status.weird"  # unknown keys show themselves
    assert label("clock.weird", "zh", default="weird") == "weird"


def test_local_name_picks_the_config_name():
    class Named:
        name, name_en = "投诉受理组", "Complaint intake"

    assert local_name(Named, "zh") == "投诉受理组"
    assert local_name(Named, "en") == "Complaint intake"


def test_no_module_picks_a_language_outside_the_catalogue():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "messages.py" or rel in NOT_YET_IN_CATALOGUE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LANGUAGE_TEST.search(line):
                offenders.append(f"cstool/{rel}:{number}: {line.strip()}")
    assert offenders == []


def test_a_refusal_is_put_into_words_in_the_language_of_the_run(desk):
    zh = desk.run("show", "ZZZZZZ9", lang="zh")
    en = desk.run("show", "ZZZZZZ9", lang="en")
    assert zh.exit_code == en.exit_code == 2
    assert "没有与 'ZZZZZZ9' 相符的工单" in zh.stderr
    assert "no ticket matches 'ZZZZZZ9'" in en.stderr


CALLS_WITH_KEYS = {"label", "Phrase", "InputError", "DeskError", "CstoolError", "FindingsError", "_text", "label_of"}


def test_every_key_the_code_names_is_in_the_catalogue():
    import ast

    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if isinstance(node, ast.Call) and name in CALLS_WITH_KEYS and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.count(".") >= 1 \
                        and " " not in arg.value and arg.value not in LABELS:
                    missing.append(f"cstool/{path.relative_to(PACKAGE).as_posix()}:{node.lineno}: {arg.value}")
    assert missing == []


def test_every_command_has_its_help_in_both_languages():
    import click

    from cstool.cli import COMMANDS, cli

    ctx = click.Context(cli)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        paths = [name] + ([f"{name}.{sub}" for sub in cmd.commands] if isinstance(cmd, click.Group) else [])
        for path in paths:
            assert f"help.{path}" in LABELS and f"help.{path}.examples" in LABELS, path
        assert f"help.{name}.short" in LABELS, name
