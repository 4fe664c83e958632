"""The bulk paths' faster ways give what the general ones gave: JSON of many flat records
(``due --json``), and sync's merges of many files changed in both clones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cstool.reports.render import to_json, to_json_records

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
RECORDS = st.lists(st.dictionaries(st.text(max_size=6), SCALARS | st.lists(SCALARS, max_size=2), max_size=4), max_size=8)


@settings(max_examples=300, deadline=None)
@example([{"a": "x},\x00{y", "b": ":\x01{"}])
@example([{"k": {"nested": 1}}])
@example([{}])
@given(RECORDS)
def test_records_as_json_are_what_the_general_writer_makes(records):
    assert to_json_records(records) == to_json(records) == json.dumps(records, ensure_ascii=False, indent=2)


def test_a_long_list_of_records_is_whole_across_the_pieces_it_is_made_in():
    records = [{"id": f"CS-{n}", "n": n, "late": n % 2 == 0, "who": None, "title": "标题\n"} for n in range(4321)]
    assert to_json_records(records) == json.dumps(records, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- sync of many files

LATER = "2026-11-20T10:30:00+08:00"
LATEST = "2026-11-20T11:00:00+08:00"


def two_clones(tmp_path, new_desk, count: int):
    """Two clones of one remote holding ``count`` tickets, each clone synced."""
    from tests.support.desk import shared_remote

    clone = shared_remote(new_desk("first", git=True), tmp_path / "origin.git")
    a, b = clone(tmp_path / "a"), clone(tmp_path / "b")
    ids = [a.create("--type", "complaint", "--title", f"投诉 {n}", "--customer", "@张三", "--phone", "13800001111")
           for n in range(count)]
    a.ok("sync")
    b.ok("sync")
    return a, b, ids


def test_sync_unites_every_ticket_both_clones_changed_in_one_merge_commit(tmp_path, new_desk):
    a, b, ids = two_clones(tmp_path, new_desk, 3)
    for tid in ids:
        a.ok("note", tid, "-m", "甲方补充", now=LATER)
        b.ok("note", tid, "-m", "乙方补充", now=LATEST)
    a.ok("sync", now=LATEST)
    b.ok("sync", now=LATEST)
    a.ok("sync", now=LATEST)
    for tid in ids:
        assert a.path(tid).read_bytes() == b.path(tid).read_bytes()
        assert [ev.get("note") for ev in b.ticket(tid)["history"]][-2:] == ["甲方补充", "乙方补充"]
    assert b.git("log", "-1", "--format=%P").split().__len__() == 2  # a merge commit
    assert b.git("log", "-1", "--format=%B").strip().startswith("Merge branch 'main' of ")
    assert "Conflicts" not in b.git("log", "-1", "--format=%B") and b.git("status", "--porcelain") == ""
    assert b.run("audit", "--check").exit_code == 0


def test_sync_refuses_a_side_the_merge_driver_refuses_and_leaves_no_merge_behind(tmp_path, new_desk):
    a, b, ids = two_clones(tmp_path, new_desk, 2)
    a.path(ids[1]).write_text("- not a ticket\n", encoding="utf-8")
    a.git("commit", "-qam", "broken")
    a.git("push", "-q", "origin", "main")
    b.ok("note", ids[0], "-m", "乙方补充", now=LATEST)
    b.ok("note", ids[1], "-m", "乙方补充", now=LATEST)
    head = b.git("rev-parse", "HEAD")
    res = b.run("sync", now=LATEST)
    assert res.exit_code == 3 and "cstool merge-file:" in res.stderr and ids[1] in res.stderr
    assert b.git("rev-parse", "HEAD") == head and b.git("status", "--porcelain") == ""
    assert not (b.root / ".git" / "MERGE_HEAD").exists()


SAMPLE = Path(__file__).resolve().parent.parent / "records"


@pytest.mark.parametrize("path", sorted((SAMPLE / "tickets").glob("*/*/*.yaml"))[:12], ids=lambda p: p.name)
def test_the_merge_reads_the_base_as_plain_data_with_the_same_result(path, tmp_path):
    """The base is only compared, so the driver reads it with the fast parser: a merge gives
    the bytes it gave with the base read round-trip (comments and quoting of both sides kept)."""
    from cstool.desk import yamlio
    from cstool.domain.merge import merge_ticket
    from cstool.git.driver import merge_files

    text = "# kept comment\n" + path.read_text(encoding="utf-8")
    base, ours, theirs = tmp_path / "base", tmp_path / "ours", tmp_path / "theirs"
    base.write_text(text, encoding="utf-8")
    ours.write_text(text.replace("\nhistory:", '\nhistory: # ours\n', 1) + "  - at: '2026-11-30T09:00:00+08:00'\n"
                    "    by: a@example.com\n    action: note\n    note: \"甲\" # why\n", encoding="utf-8")
    theirs.write_text(text + "  - at: '2026-11-30T10:00:00+08:00'\n    by: b@example.com\n    action: note\n"
                      "    note: '乙' # theirs\n", encoding="utf-8")
    expected = yamlio.dumps(merge_ticket(yamlio.load(base), yamlio.load(ours), yamlio.load(theirs), "zh"))
    assert merge_files(base, ours, theirs, str(path.name), "zh") == (0, "")
    assert ours.read_text(encoding="utf-8") == expected and "# why" in expected and "# theirs" in expected


@settings(max_examples=200, deadline=None)
@given(RECORDS, st.integers(1, 4))
def test_a_list_written_a_chunk_at_a_time_is_the_list_written_whole(records, chunk):
    from cstool.reports.render import write_json_list

    pieces: list[str] = []
    write_json_list(iter(records), pieces.append, chunk)
    assert "".join(pieces) == to_json(records)


# --------------------------------------------------------------------------- escalate --overdue


def test_escalate_overdue_checks_every_file_before_writing_any(git_desk):
    """A breached ticket whose file has uncommitted edits stops the run before anything is
    written, naming that file (the files are checked together, before the first write)."""
    ids = [git_desk.create("--type", "complaint", "--title", f"投诉 {n}", "--customer", "@张三") for n in range(3)]
    late = "2026-12-08T13:00:00+08:00"
    edited = git_desk.path(ids[2])
    edited.write_text(edited.read_text(encoding="utf-8") + "# a note of mine\n", encoding="utf-8")
    before = {tid: git_desk.path(tid).read_bytes() for tid in ids}
    head = git_desk.git("rev-parse", "HEAD")
    res = git_desk.run("escalate", "--overdue", now=late)
    assert res.exit_code == 3 and ids[2] in res.stderr
    assert {tid: git_desk.path(tid).read_bytes() for tid in ids} == before and git_desk.git("rev-parse", "HEAD") == head
    git_desk.git("checkout", "--", str(edited))
    git_desk.ok("escalate", "--overdue", now=late)
    assert all(git_desk.ticket(tid)["level"] > 1 for tid in ids)
    assert git_desk.git("log", "-1", "--format=%s").startswith("escalate --overdue: 3 breached tickets")
