"""The worked example of docs/metrics.md is a test: the desk is built from the doc's own
table of commands, and every figure the doc's table states is the audit's figure. The
doc and the code cannot drift apart."""

from __future__ import annotations

import shlex
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
REPORT_AT = "2026-12-01T09:00+08:00"


def _table(text: str, first_header: str) -> list[list[str]]:
    """The rows (cells, stripped) of the doc's table whose header row begins with the
    given cell, after the worked example's heading."""
    section = text.split("\n## A worked example\n", 1)[1]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def _at(report: dict, path: str):
    value = report
    for key in path.split("."):
        value = value[key]
    return value


def test_the_worked_example_gives_the_figures_the_doc_states(desk):
    text = DOC.read_text(encoding="utf-8")
    ids: dict[str, str] = {}
    commands = _table(text, "ticket")
    assert len(commands) >= 10
    for letter, when, who, command in commands:
        args = shlex.split(command.strip("`"))
        now = when.replace(" ", "T") + "+08:00"
        if args[0] == "create":
            ids[letter] = desk.create(*args[1:], as_=who, now=now)
        else:
            desk.ok(*[ids.get(a, a) for a in args], as_=who, now=now)
    report = desk.ok("audit", "--period", "2026-11", "--json", now=REPORT_AT).json
    figures = _table(text, "figure")
    assert len(figures) >= 30
    for name, path, value, _ in figures:
        expected = float(value) if "." in value else int(value)
        assert _at(report, path.strip("`")) == expected, f"{name} ({path})"
