"""The reader of block YAML whose every value fits on its line (cstool/desk/oneline.py)
reads what the YAML parser reads, and leaves every other text to it."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cstool.desk import oneline, yamlio
from cstool.errors import CstoolError


def _parsed(text: str):
    """What the index's YAML path reads (None: it refuses the text, or it is not YAML)."""
    try:
        return ("ok", yamlio._from_events(text))
    except (yamlio._Unsupported, yaml.YAMLError, ValueError, RecursionError):
        return ("refused", None)


def _emit(value, indent: int = 0) -> str:
    """A mapping written as many emitters write it: texts double-quoted as JSON writes them."""
    pad = " " * indent
    out = []
    for key, v in value.items():
        if isinstance(v, dict) and v:
            out.append(f"{pad}{key}:\n{_emit(v, indent + 2)}")
        elif isinstance(v, list) and v:
            out.append(f"{pad}{key}:\n{_emit_list(v, indent + 2)}")
        else:
            out.append(f"{pad}{key}: {_scalar(v)}\n" if _scalar(v) != "" else f"{pad}{key}:\n")
    return "".join(out)


def _emit_list(items, indent: int) -> str:
    pad = " " * indent
    out = []
    for v in items:
        if isinstance(v, dict) and v:
            inner = _emit(v, indent + 2)
            out.append(f"{pad}- {inner[indent + 2:]}")
        else:
            out.append(f"{pad}- {_scalar(v)}\n")
    return "".join(out)


def _scalar(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return json.dumps(v, ensure_ascii=False)


_KEYS = st.sampled_from(["id", "title", "status", "to", "from", "final", "true", "null", "n1", "level", "history",
                         "_x", "due"])
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_LEAF = st.none() | st.booleans() | st.integers(-10**6, 10**6) | _TEXT
_DOCS = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(doc=st.dictionaries(_KEYS, _DOCS, min_size=1, max_size=5))
@example(doc={"title": "a\nb\t\"c\" \\ d", "level": 3, "final": True, "to": None})
@example(doc={"history": [{"at": "2026-11-01T09:00:00+08:00", "by": "wang.fang@example.com"}], "followups": []})
def test_a_document_written_with_its_values_on_their_lines_reads_as_the_parser_reads_it(doc):
    text = _emit(doc)
    kind, expected = _parsed(text)
    got = oneline.parse(text, yamlio._scalar)
    if got is not None:  # what it takes it reads as the parser does; what it leaves, the parser decides
        assert kind == "ok" and got == expected and repr(got) == repr(expected)


def test_the_shape_of_a_ticket_file_is_read_without_the_parser():
    text = ('id: "CS-2026-97QSV54"\ntitle: "电视机无法开机"\ndescription: "客户来电。\\n联系时间:工作日白天。"\nlevel: 3\n'
            'customer:\n  name: "郭强"\nfollowups:\n  - kind: "callback"\n    attempts: 1\nhistory:\n'
            '  - at: "2026-03-30T15:18:00+08:00"\n    action: "create"\n  - at: "2026-03-31T00:25:00+08:00"\n'
            '    final: true\n    note:\ntags: []\nextra: {}\n')
    got = oneline.parse(text, yamlio._scalar)
    assert got == yamlio._from_events(text)
    assert got["description"] == "客户来电。\n联系时间:工作日白天。" and got["history"][1]["note"] is None


# lines that look close to the shape but are not in it, or mean something else in YAML
_NEAR_MISSES = [
    'a: "x" # note', "a: 'x", 'a: "x', "a:\n- b", "a:\n   b: 1", "a: x\n  y", "a: x \n", "a:  x", "a:x", "\ta: 1",
    'a: "\\u00e9"', 'a: "\\x41"', 'a: "\\/"', 'a: "\\ud800"', "a: !!str 1", "a: &x 1\nb: *x", "a: |\n  x", "a: >\n  x",
    "a: [1, 2]", "a: {b: 1}", "? a\n: 1", "a: 1\na: 2", "true: 1\nTrue: 2", "null: 1", "1.5: x", "---\na: 1",
    "a: 1\n...\n", "a: 1\n---\nb: 2", "a: 1\r\nb: 2", "a: \"x\u2028y\"", "a: \"x\x85y\"", "a: \"\ufeff\"",
    "a: x: y", "- a\n", "a:\n  - b\n  c: 1", "a:\n  -\n    b: 1", "a:\n  - - b", "a: ~", "a: -", "a: @x", "a: `x",
    "a: 0o17", "a: 0x1F", "a: .inf", "a: 1e3", "a: -.5", "a: +1", "a: 1_000", "a: 2026-11-22",
    "k" * 1100 + ": 1", "k" * 128 + ": 1", "".join(f"{'  ' * n}{key}:\n" for n, key in enumerate("abcdefgh")) + "  " * 8 + "i: 1",
]


@pytest.mark.parametrize("text", _NEAR_MISSES)
def test_a_text_near_the_shape_is_read_as_the_parser_reads_it_or_left_to_it(text):
    text = text if text.endswith("\n") else text + "\n"
    got = oneline.parse(text, yamlio._scalar)
    if got is not None:
        kind, expected = _parsed(text)
        assert kind == "ok" and got == expected and repr(got) == repr(expected)


_PIECES = st.sampled_from(["a", "b", "true", "null", "to", ":", ": ", " ", "  ", "- ", "-", "\n", '"', "'", "\\", "\\n",
                           "\\t", "#", "x", "1", "0x1", "{}", "[]", "{", "[", "!", "&", "*", "|", ">", "\t", "中", "@",
                           ".", ",", "?", "~", "\\u0041"])


@settings(max_examples=1500, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=30))
@example(pieces=["a", ":", "\n", "  ", "- ", "b", "\n"])
@example(pieces=["a", ":", "\n", "- ", "b", "\n"])
def test_any_text_it_reads_it_reads_as_the_parser_reads_it(pieces):
    text = "".join(pieces) + "\n"
    got = oneline.parse(text, yamlio._scalar)
    if got is not None:
        kind, expected = _parsed(text)
        assert kind == "ok" and got == expected and repr(got) == repr(expected)


def test_a_file_in_cstools_own_style_is_left_to_the_other_readers():
    text = yamlio.fast_dumps({"id": "CS-2026-7KQ3MX9", "title": "空调维修后仍然漏水", "description": "第一行\n第二行\n"})
    assert text is not None and oneline.parse(text, yamlio._scalar) is None
    assert yamlio.canonical_data(text) is not None


def test_a_value_the_plain_rule_cannot_read_leaves_the_file_to_the_parser(tmp_path):
    """An integer longer than Python reads (4,300 digits) is refused with the parser's
    message, as in a file of any other shape, not as an unexpected error."""
    from cstool.desk import yamlio

    text = "id: C-BIG\ntier: " + "1" * 5000 + "\n"
    assert oneline.parse(text, yamlio._scalar) is None
    path = tmp_path / "C-BIG.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CstoolError):
        yamlio.load_plain(path)
