"""New files (an import writes thousands) are written by a fast emitter whose bytes are
exactly those of the round-trip writer that saves every later edit, so the first edit of
an imported ticket changes only the lines of that edit."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cstool.desk import canonical, yamlio
from tests.support.desk import CliDesk
from tests.support.roster import AGENT, SUPERVISOR

TRICKY = ["", " ", "0", "007", "13800138000", "1.5", "1e3", ".inf", "true", "False", "null", "~", "yes", "on",
          "2026-11-20", "2026-11-20T10:00:00+08:00", "10:30", "- 列表", "-", "?", ":", "a: b", "a:", "a #b", "#注释",
          "'引号'", '"双引号"', "it's", "@user", "*star", "&anchor", "!tag", "%pct", "`tick", "[x]", "{y}", ">", "|",
          "---", "...", "客户反映: 空调漏水", "尾随空格 ", " 前导空格", "多行\n文本", "多行\n\n空行\n", "a\n b\n",
          "结尾换行\n", "两个换行\n\n", "\n首行空", "制表\t符", "控制\x07符", "\ufeffBOM", "行\u2028分隔", "emoji 😀",
          "a,b", "é à", "\x85", "NaN", "0x1F", "0o17", "+1", "-1", "<<", "="]

texts = st.one_of(st.sampled_from(TRICKY),
                  st.text(alphabet=st.sampled_from(list("客户空调漏水 :#-'\"\n\tab01.,?!@&*|>[]{}%`~")), max_size=20),
                  st.text(max_size=12))
scalars = st.one_of(texts, st.integers(-10**6, 10**12), st.booleans(), st.none())
keys = st.one_of(st.sampled_from(["id", "title", "description", "note", "phone", "due", "fields"]),
                 st.text(alphabet="abcxyz_", min_size=1, max_size=6))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
tickets = st.dictionaries(keys, values, min_size=1, max_size=8)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(doc=tickets)
@example(doc={"id": "两个换行\n\n"})  # a last text ending in kept line breaks: ruamel adds "..."
@example(doc={"note": "行\u2028分隔", "h": [{"at": "x", "note": "a\n b\n"}, "z"]})
def test_the_fast_writer_gives_the_bytes_of_the_round_trip_writer(doc: dict[str, Any]) -> None:
    fast = yamlio.fast_dumps(copy.deepcopy(doc))
    reference = yamlio.dumps(copy.deepcopy(doc))
    if fast is not None:
        assert fast == reference
    assert yamlio.dumps_new(copy.deepcopy(doc)) == reference


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(title=st.text(alphabet=st.sampled_from(list("客户空调漏水维修投诉咨询 :-#0123")), min_size=1, max_size=30),
       description=st.text(alphabet=st.sampled_from(list("客户来电反映已处理\n:-")), max_size=40),
       phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_tickets_as_an_import_makes_them_take_the_fast_path(title: str, description: str, phone: str) -> None:
    """What an import writes (Chinese text, quoted numbers and times, multi-line text)
    is written by the fast emitter itself, not handed to the slow one."""
    doc = {"id": "CS-2026-7KQ3MX9", "type": "complaint", "title": title.strip() or "空", "description": description,
           "customer": {"name": "陈霞", "phone": phone}, "level": 1, "created": "2026-11-20T10:00:00+08:00",
           "history": [{"at": "2026-11-20T10:00:00+08:00", "by": SUPERVISOR, "action": "create", "level": 1}]}
    if description.strip("\n") == description and not any(line.endswith(" ") for line in description.split("\n")):
        assert yamlio.fast_dumps(copy.deepcopy(doc)) == yamlio.dumps(copy.deepcopy(doc))


def test_the_first_reply_to_an_imported_ticket_changes_only_its_own_lines(git_desk, tmp_path):
    rows = [{"type": "complaint", "title": "客户反映: 空调漏水", "description": "第一行\n第二行: '引号'\n",
             "channel": "phone", "customer": {"name": "陈霞", "phone": "13800138000"},
             "fields": {"order_no": "007", "responsible_unit": "售后: 二组"}},
            {"type": "inquiry", "title": "保修期咨询", "channel": "email", "customer": {"name": "客户2", "phone": "13900139000"}}]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    git_desk.ok("import", str(path), as_=SUPERVISOR)
    for file in git_desk.ticket_files():
        tid = file.stem
        git_desk.ok("reply", tid, "-m", "已联系客户", as_=SUPERVISOR)
        diff = subprocess.run(["git", "diff", "-U0", "HEAD~1", "HEAD", "--", str(file)], cwd=git_desk.root,
                              capture_output=True, text=True, check=True).stdout
        removed = [ln for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
        added = [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
        # a reply changes the status and the updated time, and adds its event: nothing else moves
        assert all(ln.split(":")[0].strip("- ") in ("status", "updated", "first_response_at", "assignee")
                   for ln in removed), diff
        assert any("已联系客户" in ln for ln in added), diff
        assert len(removed) <= 4, diff
    assert AGENT  # the sample team is the desk's roster


# Each step: the command and its arguments after the ticket ID (times move on by a minute a step).
STEPS = [("note", "-m"), ("reply", "-m"), ("pending", "-m"), ("resume", "--note"), ("escalate", "-m"),
         ("route", "--note"), ("resolve", "-m"), ("close", "-m")]


def _times(count: int) -> list[str]:
    return [f"2026-11-20T{10 + i // 60:02d}:{i % 60:02d}:00+08:00" for i in range(1, count + 1)]


def _apply(desk, tid: str, steps: list[tuple[str, str, str]]) -> bytes:
    for (command, flag, text), now in zip(steps, _times(len(steps)), strict=True):
        extra = ("--group", "after_sales") if command == "route" else ()
        desk.run(command, tid, *extra, flag, text, now=now)  # a step refused in this state changes nothing
    return desk.path(tid).read_bytes()


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.sampled_from(["客户反映: 空调漏水", "'引号' 开头", "2026-11-20", "尾随 #号", "普通标题"]),
       description=st.sampled_from(["", "第一行\n第二行\n", "a: b\n- c", "多行\n\n空行\n", "007"]),
       texts=st.lists(st.sampled_from(TRICKY), min_size=1, max_size=6),
       commands=st.lists(st.sampled_from(STEPS), min_size=1, max_size=6))
def test_edits_of_a_file_as_cstool_wrote_it_give_the_round_trip_bytes(new_desk, title, description, texts, commands):
    """A ticket file exactly as cstool writes it is edited as plain data and written by the
    fast emitter; the bytes equal those of the round-trip path, step after step."""
    steps = [(c, f, texts[i % len(texts)].strip() or "空") for i, (c, f) in enumerate(commands)]
    where = Path(tempfile.mkdtemp(prefix="fast-writer-"))
    try:
        fast_desk = new_desk(where / "fast")
        tid = fast_desk.create("--type", "complaint", "--title", title, "--description", description,
                               "--customer", "陈霞", "--phone", "13800138000", now="2026-11-20T10:00:00+08:00")
        shutil.copytree(fast_desk.root, where / "slow", symlinks=True)
        slow_desk = CliDesk(where / "slow")
        if "'" not in title:  # a title with a quote is double-quoted: only the round-trip writer does that
            assert yamlio.canonical_data(fast_desk.path(tid).read_text(encoding="utf-8")) is not None
        fast = _apply(fast_desk, tid, steps)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(yamlio, "canonical_data", lambda *args, **kw: None)
            slow = _apply(slow_desk, tid, steps)
        assert fast == slow
    finally:
        shutil.rmtree(where, ignore_errors=True)


def test_a_hand_styled_file_is_edited_by_the_round_trip_path_and_keeps_its_comment(desk):
    tid = desk.create("--type", "complaint", "--title", "空调漏水", "--customer", "陈霞", "--phone", "13800138000")
    path = desk.path(tid)
    path.write_text("# 班组长备注: 老客户\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert yamlio.canonical_data(path.read_text(encoding="utf-8")) is None
    desk.ok("reply", tid, "-m", "已联系客户")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 班组长备注: 老客户\n") and "已联系客户" in text


def _round_trip_types(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        return CommentedMap((k, _round_trip_types(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_round_trip_types(v) for v in value)
    return value


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(doc=tickets)
def test_a_ticket_of_plain_dicts_is_written_as_its_round_trip_form(doc: dict[str, Any]) -> None:
    """An import builds its new tickets of dicts and lists: written (fast or not), they are
    the bytes the same ticket of ruamel's types gives, which every later save writes."""
    reference = yamlio.dumps(_round_trip_types(copy.deepcopy(doc)))
    assert yamlio.dumps(copy.deepcopy(doc)) == reference
    assert yamlio.dumps_new(copy.deepcopy(doc)) == reference


# --------------------------------------------------------------------------- reading without a YAML library

def _ruamel_reads_as_text(text: str) -> bool:
    """The reference: does ruamel's round-trip resolver (YAML 1.2) read a plain scalar of text as text?"""
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import ScalarNode

    return str(YAML(typ="rt").resolver.resolve(ScalarNode, text, (True, False))) == "tag:yaml.org,2002:str"


NUMBERISH = st.text(alphabet=st.sampled_from(list("0123456789+-._:eExXoObB ~tTfFnNuUlLrRsSaAiIyYZ<=!&*\t")), max_size=12)


@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(text=st.one_of(st.sampled_from(TRICKY), NUMBERISH, st.text(max_size=8)))
@example(text="0o7")
@example(text="1_000")
@example(text=".inf")
@example(text="~")
@example(text="2026-01-01")
@example(text="yes")
@example(text="NULL")
@example(text="+.5")
@example(text="1e3")
@example(text="0b101")
@example(text="0x_1F")
@example(text="2026-1-2 3:04:05.5 +8")
@example(text="2026-11-20t10:00:00Z")
@example(text="true\n")
@example(text=".NaN")
@example(text="-.INF")
@example(text="1.")
@example(text="._1")
def test_our_rules_for_plain_text_are_ruamels(text: str) -> None:
    """The fast emitter decides plain or quoted by our copy of the YAML 1.2 rules (the edit
    of a ticket needs no ruamel.yaml): on every text they say what ruamel's resolver says."""
    assert canonical.reads_as_text(text) == _ruamel_reads_as_text(text)


def test_the_printable_check_agrees_with_yamls_printable_set_on_every_character() -> None:
    """A text with a character outside YAML's printable set is left to the round-trip
    writer; the emitter's check, a small class of what is left out, agrees on each one."""
    import re

    printable = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
    wrong = [hex(c) for c in range(0x110000) if bool(printable.fullmatch(chr(c))) == bool(yamlio._NOT_SIMPLE.search(chr(c)))]
    assert wrong == []


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(doc=tickets)
@example(doc={"note": "多行\n\n空行\n", "h": [{"at": "x", "note": "a\n b\n"}, "z"], "z": 1})
@example(doc={"a": {"b": [{"c": {"d": []}, "e": {}}, "-1", -1, True, "true"]}, "f": None})
def test_a_file_as_cstool_writes_it_is_read_back_as_yaml_reads_it(doc: dict[str, Any]) -> None:
    """What the fast emitter writes is read back by the fast path as the data itself,
    which is what the YAML reader (ruamel, round trip) reads."""
    from cstool.reports.render import plain

    text = yamlio.fast_dumps(copy.deepcopy(doc))
    if text is None:
        return
    assert yamlio.canonical_data(text) == doc
    assert plain(yamlio.loads(text)) == doc


PIECES = [" ", "  ", "\n", "\n\n", ":", ": ", "'", "-", "- ", "#", " #", "|", "|-", "|+", "0", "a", "{}", "[]", "~", "\t"]


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(doc=tickets, edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 3), st.sampled_from(PIECES)),
                                   min_size=1, max_size=3))
@example(doc={"a": "x", "b": "y"}, edits=[(7, 0, "  ")])  # an indented key: a nested map to YAML
@example(doc={"a": "x\ny\n", "b": 1}, edits=[(12, 0, "\n")])  # a blank line inside a literal block
@example(doc={"a": [{"b": 1}, "c"]}, edits=[(6, 0, " ")])
def test_a_file_changed_by_hand_is_read_as_yaml_reads_it_or_left_to_the_yaml_reader(doc, edits) -> None:
    """A file edited by hand is read by the fast path only when that gives what the YAML
    reader gives; anything else (None) goes to the YAML reader, which keeps its comments."""
    from cstool.errors import DeskError
    from cstool.reports.render import plain

    text = yamlio.fast_dumps(copy.deepcopy(doc))
    if text is None:
        return
    for position, cut, piece in edits:
        at = position % (len(text) + 1)
        text = text[:at] + piece + text[at + cut:]
    fast = yamlio.canonical_data(text)
    if fast is None:
        return
    try:
        reference = plain(yamlio.loads(text))
    except DeskError as exc:
        raise AssertionError(f"the fast path read a file the YAML reader refuses: {exc}") from None
    assert fast == reference


@pytest.mark.parametrize("depth", [30, 31, 32, 33])
def test_the_fast_path_refuses_the_nesting_the_guarded_reader_refuses(depth: int) -> None:
    from cstool.errors import DeskError

    doc: Any = "x"
    for _ in range(depth):
        doc = {"k": doc}
    text = yamlio.fast_dumps(doc)
    assert text is not None
    try:
        yamlio.loads(text)
        refused = False
    except DeskError:
        refused = True
    assert (yamlio.canonical_data(text) is None) == refused
    assert refused == (depth > 31)


digitish = st.text(alphabet=st.sampled_from(list("0123456789+-:.T")), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(texts=st.lists(digitish, min_size=1, max_size=12))
@example(texts=["2026-11-20T10:00:00+08:00", "2026-13-99T99:99:99-99:99", "13800138000", "08", "019", "0.5", "-", "---",
                "1:2", "1.", ".5", "+1", "10:30", "2026-11-20", "2026-1-2T3:04:05"])
def test_texts_of_digits_are_written_as_the_round_trip_writer_writes_each(texts: list[str]) -> None:
    """Times, phone numbers and amounts are decided by their shape (which digit stands where
    makes no difference to YAML's rules), so a text written after another of its shape is
    written as the round-trip writer writes it."""
    for text in texts:
        doc = {"at": text, "h": [{"at": text}, text]}
        assert yamlio.fast_dumps(copy.deepcopy(doc)) == yamlio.dumps(copy.deepcopy(doc))
