"""Whole tickets moved from one desk to another (``export --format json`` then ``import``):
the JSON file is read one ticket at a time as the rows are checked, and each ticket's file
is made as its row is checked and kept out of memory until it is written, so an import's
memory does not grow with the number of tickets; a file that is not a plain list of
tickets is still refused with the message of a whole-file read."""

from __future__ import annotations

import copy
import json
import os
import re
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cstool.desk.exchange import StreamedRows, import_rows, parse_file
from cstool.errors import CstoolError
from tests.support.desk import CliDesk, assert_refusal
from tests.support.roster import AGENT, SUPERVISOR

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ticket_id(n: int) -> str:
    rand = "".join(ALPHABET[(n >> (5 * k)) & 31] for k in range(7))
    return f"CS-2026-{rand}"


def _whole_rows(desk: CliDesk, n: int) -> list[dict]:
    """n whole tickets as export writes them: one ticket with a history of its own, under n IDs."""
    tid = desk.create("--type", "complaint", "--title", "空调漏水", "--customer", "陈霞", "--phone", "13800138000")
    for visit in range(4):
        note = f"客户第{visit}次来电催办，反映空调外机漏水严重。\n已转维修组，请尽快上门。" * 3
        desk.ok("note", tid, "--message", note, as_=AGENT)
    desk.ok("reply", tid, "--message", "已安排上门。", as_=AGENT)
    whole = json.loads(desk.ok("export", "--format", "json", "--reveal").stdout)[0]
    rows = []
    for i in range(n):
        row = copy.deepcopy(whole)
        row["id"] = _ticket_id(i + 1)
        row["title"] = f"空调漏水 第{i}次"
        rows.append(row)
    return rows


def _peak_of_import(target: CliDesk, path: Path) -> int:
    """The most memory (bytes Python allocated) an import of the file took at once."""
    tracemalloc.start()
    try:
        target.ok("import", str(path), as_=SUPERVISOR)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("on_workers", [False, True])
def test_memory_of_a_whole_import_does_not_grow_with_its_tickets(desk, new_desk, tmp_path, monkeypatch, on_workers):
    """In one process, or with the whole tickets checked on worker processes after the first
    hundred rows (what a worker is sent and sends back is held a few chunks at a time)."""
    from cstool.desk import exchange

    monkeypatch.setattr(exchange, "PARALLEL_ROWS", 100 if on_workers else 10**9)
    if on_workers:
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
    rows = _whole_rows(desk, 1200)
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    small.write_text(json.dumps(rows[:300], ensure_ascii=False, indent=2), encoding="utf-8")
    large.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    _peak_of_import(new_desk("warm"), small)  # the caches a first import fills, filled
    grown = _peak_of_import(new_desk("large"), large) - _peak_of_import(new_desk("small"), small)
    per_ticket = grown / 900
    # a ticket's parsed data is some 20 KB; what is kept of each is its ID and where its file is
    assert per_ticket < 5_000, f"{per_ticket:.0f} bytes more for each ticket"
    target = new_desk("check")
    target.ok("import", str(large), as_=SUPERVISOR)
    assert len(target.ticket_files()) == 1200


def test_a_whole_import_writes_the_files_the_first_desk_has(git_desk, new_desk, tmp_path):
    rows = _whole_rows(git_desk, 3)
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    target = new_desk("target", git=True)
    target.ok("import", str(path), as_=SUPERVISOR)
    shown = json.loads(target.ok("export", "--format", "json", "--reveal").stdout)
    assert [{k: v for k, v in t.items() if k not in ("history", "updated")} for t in shown] == \
        [{k: v for k, v in t.items() if k not in ("history", "updated")} for t in rows]
    assert [t["history"][:-1] for t in shown] == [t["history"] for t in rows]
    assert {t["history"][-1]["action"] for t in shown} == {"import"}
    assert target.git("status", "--porcelain") == ""


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
values = st.recursive(st.one_of(texts, st.integers(), st.booleans(), st.none()),
                      lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
                      max_leaves=10)
objects = st.dictionaries(texts, values, max_size=4)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(rows=st.lists(objects, max_size=6), indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans(),
       bom=st.booleans(), chunk=st.integers(1, 64))
def test_a_json_list_is_read_one_object_at_a_time_as_a_whole_read_gives_it(tmp_path_factory, rows, indent, ascii_only,
                                                                            bom, chunk):
    """Whatever the layout, the characters, and where the file's chunks end (within a
    character of several bytes, too), the objects are those of reading the file whole."""
    path = tmp_path_factory.mktemp("rows") / "rows.json"
    path.write_text(("\ufeff" if bom else "") + json.dumps(rows, ensure_ascii=ascii_only, indent=indent),
                    encoding="utf-8")
    assert list(StreamedRows(path, chunk)) == parse_file(path, "json")[0] == rows


def _outcome(path: Path, read) -> tuple[str, object]:
    try:
        return "rows", read()
    except CstoolError as exc:
        return "refused", exc.text("en")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(text=st.one_of(st.sampled_from(['[{"a": 1}, {"b": 2}', '[{"a": 1},]', '[{"a": 1}] x', '[{"a": 1}, 3]',
                                       '{"a": 1}', '[]', '  [ ]  ', '[{"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]'
                                       ']]]]]]]]]]]]]]]}]', '[{"a": "\\ud800"}]', '', '[{"a": 1} {"b": 2}]',
                                       '[{"a": 1}, {"a": 1, "a": 2}]', '[{"a": NaN}]']),
                      st.text(st.sampled_from(list('[]{}",: 1a\\\n')), max_size=24)),
       chunk=st.integers(1, 16))
@example(text='[{"a": 1}, {"b": "x" ', chunk=4)
def test_a_file_that_is_not_a_plain_list_of_objects_gets_what_a_whole_read_gives(tmp_path_factory, text, chunk):
    path = tmp_path_factory.mktemp("bad") / "rows.json"
    path.write_text(text, encoding="utf-8")
    assert _outcome(path, lambda: list(StreamedRows(path, chunk))) == _outcome(path, lambda: parse_file(path, "json")[0])


def test_a_json_file_that_is_not_utf8_is_refused_as_before(desk, tmp_path):
    path = tmp_path / "rows.json"
    path.write_bytes(b'[{"type": "inquiry", "title": "\xff"}]')
    assert_refusal(desk.run("import", str(path), as_=SUPERVISOR), 2, "UTF-8")
    assert isinstance(import_rows(path, None), StreamedRows)


def _imported_on_every_core(monkeypatch, on_workers: bool) -> None:
    """Imports from here on check whole tickets on worker processes after their first three
    rows, two rows at a time (as a file of many thousands would), or all in this process."""
    import os

    from cstool.desk import exchange

    monkeypatch.setattr(exchange, "PARALLEL_ROWS", 3 if on_workers else 10**9)
    monkeypatch.setattr(exchange, "WHOLE_CHUNK", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def _mixed_rows(desk: CliDesk) -> list[dict]:
    """Whole tickets with new contacts among them; a file's kind of rows may change row by row."""
    rows: list[dict] = _whole_rows(desk, 9)
    for at in (1, 5, 6):
        rows.insert(at, {"type": "inquiry", "title": f"新来电 {at}", "channel": "phone",
                         "customer": {"name": f"客户{at}", "phone": f"1380000{at:04d}"}})
    return rows


def _each_way(monkeypatch, new_desk):
    """(on workers?, a new git desk to import into): first with whole tickets checked in this
    process, then on worker processes."""
    for on_workers in (False, True):
        _imported_on_every_core(monkeypatch, on_workers)
        yield on_workers, new_desk(f"target-{on_workers}", git=True)


def _json_file(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def test_whole_tickets_checked_on_worker_processes_make_the_same_desk(git_desk, new_desk, tmp_path, monkeypatch):
    rows = _mixed_rows(git_desk)
    path = _json_file(tmp_path, rows)
    made = {}
    for on_workers, target in _each_way(monkeypatch, new_desk):
        target.ok("import", str(path), as_=SUPERVISOR, now="2026-11-25T10:00+08:00")
        tree = target.git("ls-tree", "-r", "HEAD").splitlines()
        whole = {row["id"] for row in rows if row.get("id")}
        # a new contact gets a new random ID: the whole tickets' files are compared byte for byte
        made[on_workers] = ([line for line in tree if any(tid in line for tid in whole)],
                            sorted(r["title"] for r in target.ok("list", "--json", "-n", "100").json))
    assert made[True] == made[False]
    assert len(made[True][0]) == 9 and len(made[True][1]) == len(rows)


def test_rows_refused_on_worker_processes_are_named_in_order_as_in_one_process(git_desk, new_desk, tmp_path, monkeypatch):
    rows = _mixed_rows(git_desk)
    del rows[4]["title"]  # a whole ticket with no title
    rows[9]["id"] = rows[2]["id"]  # the same ticket twice
    rows[7]["channel"] = "pigeon"  # a new contact on a channel the desk does not have
    rows[11]["history"] = []  # a whole ticket without its history
    path = _json_file(tmp_path, rows)
    said = {}
    for on_workers, target in _each_way(monkeypatch, new_desk):
        before = target.snapshot()
        said[on_workers] = assert_refusal(target.run("import", str(path), as_=SUPERVISOR), 2)
        assert target.snapshot() == before
    assert said[True] == said[False]
    assert [int(n) for n in re.findall(r"row (\d+)", said[True])] == [5, 8, 10, 12]
