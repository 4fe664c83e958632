"""The sample team every test desk has, read from ``team/roster.yaml``.

The same file is the roster of the sample desk (``scripts/make_sample_desk.py``) and of
the benchmark desks (``benchmarks/``), so the people, roles and groups the tests speak of
are the ones a reader meets in ``records/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROSTER_FILE = Path(__file__).resolve().parents[2] / "team" / "roster.yaml"


def roster_block() -> str:
    """The file's ``roster:`` block, as text to put into a desk's cstool.yaml."""
    text = ROSTER_FILE.read_text(encoding="utf-8")
    return text[text.index("\nroster:") + 1:].rstrip("\n")


def _people() -> list[dict[str, Any]]:
    return YAML(typ="safe", pure=True).load(ROSTER_FILE.read_text(encoding="utf-8"))["roster"]


PEOPLE: list[dict[str, Any]] = _people()
NAMES: dict[str, str] = {p["id"]: p["name"] for p in PEOPLE}


def _with_role(role: str) -> list[str]:
    return [p["id"] for p in PEOPLE if p["role"] == role]


MANAGER = "chen.jing@example.com"  # made by init, manager of every intake group
SUPERVISOR = "sun.li@example.com"
LEAD = "zhao.lei@example.com"  # lead of the complaint and follow-up groups
LEAD2 = "qian.hui@example.com"  # lead of inquiry, after-sales and tech
AGENT = "wang.fang@example.com"  # an agent of the complaint group
CALLER = "he.xue@example.com"  # the follow-up group, who makes the follow-up calls


def _agents_by_group() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for person in PEOPLE:
        if person["role"] == "agent":
            for group in person["groups"]:
                out.setdefault(group, []).append(person["id"])
    return out


AGENTS: dict[str, list[str]] = _agents_by_group()  # agents by group, in roster order

# the names above are who the roster file says they are
assert _with_role("manager") == [MANAGER] and _with_role("supervisor") == [SUPERVISOR]
assert _with_role("lead") == [LEAD, LEAD2] and AGENT in AGENTS["complaint"] and AGENTS["followup"] == [CALLER]
