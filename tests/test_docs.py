"""The documentation keeps up with the code: the README's command table lists exactly the
commands of ``COMMANDS`` in ``cstool/cli.py``, and ``docs/config.md`` names every key that
the config parser accepts.

The accepted keys are read from ``cstool/config/parse.py`` itself, not from a list kept
here: an :mod:`ast` scan finds every call of the validator's ``mapping(node, keypath,
allowed, …)`` and reads its ``allowed`` table, whether it is written inline (a dict
literal, or a dict comprehension over a literal tuple) or named (a module-level table
such as ``TOP_KEYS``, a vocabulary such as ``WEEKDAYS`` or ``ACTIONS``, or ``{**A, **B}``
of such tables); names are looked up on the imported module, so a table may be built in
any way or imported from elsewhere. Tables built from the desk's own data (the type keys
of ``followups.policies``) are chosen by each desk and are not keys to document. As a
floor that catches a scan gone blind, every key of the default ``cstool.yaml`` (outside
the desk-chosen group, type and channel keys) must be among the keys found.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import cstool.config.parse as parse_module
from cstool.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CONFIG_DOC = ROOT / "docs" / "config.md"
PARSER = ROOT / "cstool" / "config" / "parse.py"
DEFAULT_CONFIG = ROOT / "cstool" / "config" / "default_config.yaml"

# mappings of the config whose keys each desk chooses (group, type and channel keys, …)
DESK_CHOSEN = {"groups", "types", "channels", "followups.policies"}


# --------------------------------------------------------------------------- commands


def readme_commands(text: str) -> set[str]:
    """The command names in the first column of the README's command table: the first
    word of each `code span` there (a row may name several commands)."""
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        first = re.split(r"(?<!\\)\|", line)[1]
        names |= {span.split()[0] for span in re.findall(r"`([^`]+)`", first)}
    names.discard("command")  # the header row
    return names


def test_readme_command_table_lists_exactly_the_commands():
    listed = readme_commands(README.read_text(encoding="utf-8"))
    assert sorted(set(COMMANDS) - listed) == [], "commands missing from the README's command table"
    assert sorted(listed - set(COMMANDS)) == [], "the README's command table names commands that do not exist"


def test_readme_command_rows_are_read_cell_by_cell():
    table = ("\n## Commands\n\n| command | does |\n|---|---|\n"
             "| `audit [--period 2026-11 \\| 2026-W47]` | stats |\n"
             "| `reply ID -m TEXT`, `note ID` | `--chase` is not a command |\n\n## Next\n| `x` | y |\n")
    assert readme_commands(table) == {"audit", "reply", "note"}


# --------------------------------------------------------------------------- config keys


def _value(node: ast.expr, namespace: Any) -> Any:
    """The runtime value of a name or dotted name, looked up on the parser module."""
    if isinstance(node, ast.Name):
        return getattr(namespace, node.id, None)
    if isinstance(node, ast.Attribute):
        base = _value(node.value, namespace)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def _keys_of(value: Any) -> set[str] | None:
    if isinstance(value, dict):
        return {str(k) for k in value}
    if isinstance(value, (tuple, list, set, frozenset)):
        return {str(k) for k in value}
    return None


def table_keys(node: ast.expr, namespace: Any) -> set[str] | None:
    """The keys of an ``allowed`` table as written in the source; None when the table is
    built from the desk's own data (a local variable)."""
    if isinstance(node, ast.Dict):
        out: set[str] = set()
        for key, value in zip(node.keys, node.values):
            if key is None:  # {**OTHER, ...}
                out |= table_keys(value, namespace) or set()
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                out.add(key.value)
        return out
    if isinstance(node, ast.DictComp) and len(node.generators) == 1:
        source = node.generators[0].iter
        if isinstance(source, (ast.Tuple, ast.List, ast.Set)):
            return {e.value for e in source.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        return _keys_of(_value(source, namespace))
    if isinstance(node, (ast.Name, ast.Attribute)):
        return _keys_of(_value(node, namespace))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return table_keys(ast.Dict(keys=[None] * len(node.args), values=list(node.args)), namespace)
    return None


def accepted_keys(source: str, namespace: Any) -> tuple[set[str], set[str]]:
    """(every key of every ``mapping(…)`` table, the top-level keys): the top level is
    the table checked with an empty key path."""
    keys: set[str] = set()
    top: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "mapping"):
            continue
        allowed = node.args[2] if len(node.args) > 2 else next((k.value for k in node.keywords if k.arg == "allowed"), None)
        keypath = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "keypath"), None)
        found = table_keys(allowed, namespace) if allowed is not None else None
        if found is None:
            continue
        keys |= found
        if isinstance(keypath, ast.Constant) and keypath.value == "":
            top |= found
    return keys, top


def default_config_keys(node: Any, path: str = "") -> set[str]:
    """The keys used in the default config, leaving out the desk-chosen ones."""
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            if path not in DESK_CHOSEN:
                out.add(str(key))
            out |= default_config_keys(value, child if path not in DESK_CHOSEN else f"{path}.*")
    elif isinstance(node, list):
        for item in node:
            out |= default_config_keys(item, path)
    return out


def documented_words(text: str) -> set[str]:
    """Every word written in a `code span` of the page."""
    return {w for span in re.findall(r"`([^`\n]+)`", text) for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span)}


@pytest.fixture(scope="module")
def parsed_keys() -> tuple[set[str], set[str]]:
    return accepted_keys(PARSER.read_text(encoding="utf-8"), parse_module)


def test_the_scan_finds_every_key_of_the_default_config(parsed_keys):
    keys, top = parsed_keys
    default = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    assert top >= set(default), "the scan of parse.py lost the top-level table"
    missing = sorted(default_config_keys(default) - keys)
    assert missing == [], f"keys of the default config that the scan of parse.py did not find: {missing}"


def test_every_accepted_config_key_is_in_docs_config_md(parsed_keys):
    keys, top = parsed_keys
    text = CONFIG_DOC.read_text(encoding="utf-8")
    assert sorted(keys - documented_words(text)) == [], "config keys not named in docs/config.md"
    headings = set(re.findall(r"^## `([a-z_]+)`$", text, re.M))
    assert sorted(top - headings) == [], "top-level config keys without a section in docs/config.md"


def test_the_key_scan_reads_inline_and_named_tables():
    class Names:
        DESK_KEYS = {"name": True, "prefix": False}
        WEEKDAYS = ("mon", "tue")
        ACTIONS = ("close",)
        TOP = {"desk": True, "calendar": False}

    source = (
        "def parse(v, root, types):\n"
        "    v.mapping(root, '', TOP)\n"
        "    v.mapping(root['desk'], 'desk', DESK_KEYS, root, 'desk')\n"
        "    v.mapping(x, 'sla', {'warn_at': False, **DESK_KEYS})\n"
        "    v.mapping(x, 'calendar.hours', {d: False for d in WEEKDAYS})\n"
        "    v.mapping(x, 'when', {k: False for k in ('type', 'tier')})\n"
        "    v.mapping(x, 'permissions', allowed={a: False for a in ACTIONS})\n"
        "    v.mapping(x, 'followups.policies', {t: False for t in types})\n"
    )
    keys, top = accepted_keys(source, Names)
    assert top == {"desk", "calendar"}
    assert keys == {"desk", "calendar", "name", "prefix", "warn_at", "mon", "tue", "type", "tier", "close"}
