"""Every help page and usage error speaks the language of the run: no English sentence is
left in a Chinese page, no Chinese-only line in an English one."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from cstool.cli import COMMANDS, cli

# words that stay as they are in a Chinese text: names of formats, tools and standards
PROPER = {"Excel", "WPS", "CSV", "JSON", "YAML", "HTML", "git", "SLA", "ISO", "UTF-8", "BOM", "A4", "CI", "cstool",
          "pre-commit", "xlsx", "csv", "json", "markdown", "table", "zh", "en", "me", "all", "previous", "calendar"}
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")  # -q, --format, --no-commit
METAVAR = re.compile(r"\b[A-Z][A-Z0-9_|.\-…]*\b")  # TICKET, ISO-TIME, A|B|C, REVISION-RANGE
CODE = re.compile(r"`[^`]*`|'[^']*'|\[[^\]]*\]|\b[\w+-]*(?:[@/=_.]+[\w+-]+)+")  # quoted, [choices], paths, keys
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:()]+[A-Za-z][A-Za-z'’-]*){2,}")  # three or more words in a row
LIST = re.compile(r"[\w'-]*(?:\s*,\s*[\w'-]*)+")  # values to choose from: complaint, inquiry, repair
CJK = re.compile(r"[\u4e00-\u9fff]")


def command_paths() -> list[list[str]]:
    """Every command and subcommand, as the words that name it."""
    paths: list[list[str]] = [[]]
    ctx = click.Context(cli)
    for name in sorted(COMMANDS):
        cmd = cli.get_command(ctx, name)
        paths.append([name])
        if isinstance(cmd, click.Group):
            paths += [[name, sub] for sub in sorted(cmd.commands)]
    return paths


def help_page(words: list[str], lang: str) -> str:
    res = CliRunner().invoke(cli, [*words, "--help", "--lang", lang], terminal_width=400, max_content_width=400)
    assert res.exit_code == 0, res.output
    return res.output


def prose(page: str) -> list[str]:
    """The lines of a help page that are sentences, not examples."""
    lines = []
    for line in page.splitlines()[1:]:  # the first is the usage line
        if line.strip() in ("示例:", "Examples:"):
            break
        lines.append(line)
    return lines


def english_runs(line: str) -> list[str]:
    """Runs of three or more English words in line, leaving out options, metavars, code and proper names."""
    text = CODE.sub(" ", METAVAR.sub(" ", OPTION.sub(" ", line)))
    text = " ".join(w for w in text.split(" ") if w.strip(",;:().") not in PROPER)
    return [run for run in WORDS.findall(text) if not LIST.fullmatch(run)]


@pytest.mark.parametrize("words", command_paths(), ids=lambda w: " ".join(w) or "cstool")
def test_a_chinese_help_page_has_no_english_sentence(words):
    page = help_page(words, "zh")
    found = [(line, runs) for line in prose(page) if (runs := english_runs(line))]
    assert found == [], f"untranslated text in cstool {' '.join(words)} --help:\n" + "\n".join(line for line, _ in found)
    assert "用法:" in page and "选项" in page


@pytest.mark.parametrize("words", command_paths(), ids=lambda w: " ".join(w) or "cstool")
def test_an_english_help_page_has_no_chinese_only_line(words):
    page = help_page(words, "en")
    only_chinese = [line for line in prose(page) if CJK.search(line) and not re.search(r"[A-Za-z]{3,}.*[A-Za-z]{3,}",
                                                                                       CJK.sub("", line))]
    assert only_chinese == []
    assert "Usage:" in page and "Options:" in page


@pytest.mark.parametrize("words", [w for w in command_paths() if w and w != ["customer"]], ids=" ".join)
def test_every_subcommand_shows_the_global_options_and_examples(words):
    for lang, heading, examples in (("zh", "全局选项", "示例"), ("en", "Global options", "Examples")):
        page = help_page(words, lang)
        assert heading in page and examples in page
        for flag in ("--store", "--as", "--now", "--lang", "--no-commit", "--backfill", "--strict"):
            assert flag in page, f"{flag} missing from {words} --help"


def test_the_detector_finds_an_english_sentence_and_spares_code():
    assert english_runs("  --tier A|B|C  The customer's grade.")
    assert not english_runs("  --tier A|B|C  客户等级。")
    assert not english_runs("  --format [table|json|csv]  输出格式 (Excel 和 WPS)。")
    assert not english_runs("  默认 git user.email,例如 origin/main..HEAD")
    assert not english_runs("--type: 没有 'x' 这个值(可选: inquiry, complaint, repair)")
    assert english_runs("cstool: no ticket matches this")


@pytest.mark.parametrize("argv, zh, en", [
    (["create", "--bogus"], "没有 --bogus 这个选项", "no such option --bogus"),
    (["show"], "缺少参数 'TICKET'", "Missing argument 'TICKET'"),
    (["lst"], "没有 'lst' 这个命令,您是不是要输入 list?", "no such command 'lst'; did you mean list?"),
    (["list", "--format", "x"], "'--format' 的值无效", "Invalid value for '--format'"),
    (["reply", "X1", "-m"], "选项 '-m' 需要一个值", "Option '-m' requires an argument"),
])
def test_usage_errors_are_in_the_language_of_the_run(argv, zh, en):
    for lang, needle in (("zh", zh), ("en", en)):
        res = CliRunner().invoke(cli, ["--lang", lang, *argv])
        assert res.exit_code == 2
        assert needle in res.output
        if lang == "zh":
            assert not any(english_runs(line) for line in res.output.splitlines()), res.output


def test_help_follows_the_desk_language_and_the_environment(desk, tmp_path):
    config = desk.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    assert "language:" in text
    for lang, needle in (("zh", "用法:"), ("en", "Usage:")):
        config.write_text(re.sub(r"language: *\w+", f"language: {lang}", text), encoding="utf-8")
        res = CliRunner().invoke(cli, ["--store", str(desk.root), "list", "--help"], env={"CSTOOL_LANG": None})
        assert needle in res.output
        res = CliRunner().invoke(cli, ["list", "--help", "--store", str(desk.root)], env={"CSTOOL_LANG": None})
        assert needle in res.output
    res = CliRunner().invoke(cli, ["list", "--help", "--store", str(desk.root)], env={"CSTOOL_LANG": "zh"})
    assert "用法:" in res.output
