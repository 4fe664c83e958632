"""The record store: round-trip saving, atomic writes, safe loading, the desk lock and IDs."""

from __future__ import annotations

import os
import re

import pytest

from cstool.desk import yamlio
from cstool.desk.store import Desk
from cstool.domain import ids
from cstool.domain.model import FIELD_ORDER
from cstool.errors import DeskError
from tests.support.desk import NOW, assert_refusal, load_yaml
from tests.support.roster import MANAGER

# --------------------------------------------------------------------------- round trip


def _annotate(path):
    """Add the kind of comments a reviewer leaves in a ticket file."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("priority: B\n", "priority: B  # 老客户,优先处理\n", 1)
    text = text.replace("history:\n", "# 以下为处理记录,请勿手工修改\nhistory:\n", 1)
    path.write_text("# 已核对 by 赵磊\n" + text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_save_after_load_keeps_human_comments_and_key_order(desk):
    tid = desk.create("--type", "complaint", "--title", "评论保留")
    path = desk.path(tid)
    annotated = _annotate(path)
    store = Desk.open(desk.root)
    data = store.load_ticket(path)
    keys_before = list(data)
    store.save(path, data)
    # an unchanged document is written back byte for byte
    assert path.read_text(encoding="utf-8") == annotated
    data = store.load_ticket(path)
    data["updated"] = "2026-11-20T11:00:00+08:00"
    data["status"] = "in_progress"
    store.save(path, data)
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# 已核对 by 赵磊\n")
    assert "priority: B  # 老客户,优先处理\n" in after
    assert "# 以下为处理记录,请勿手工修改\nhistory:\n" in after
    assert "status: in_progress\n" in after and "updated: '2026-11-20T11:00:00+08:00'" in after
    reread = load_yaml(path)
    assert list(reread) == keys_before
    assert list(reread) == [k for k in FIELD_ORDER if k in reread]
    # only the two changed lines differ
    changed = [(a, b) for a, b in zip(annotated.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 2 and len(annotated.splitlines()) == len(after.splitlines())


def test_a_command_keeps_human_comments_and_extra_keys(desk):
    tid = desk.create("--type", "complaint", "--title", "命令后保留评论")
    path = desk.path(tid)
    _annotate(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("history:\n", "x_reviewer_note: 电话录音已调取\nhistory:\n", 1), encoding="utf-8")
    desk.ok("note", tid, "-m", "已联系责任部门", now="2026-11-20T11:00:00+08:00")
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# 已核对 by 赵磊\n")
    assert "priority: B  # 老客户,优先处理\n" in after
    assert "x_reviewer_note: 电话录音已调取\n" in after
    data = load_yaml(path)
    assert [ev["action"] for ev in data["history"]] == ["create", "note"]
    known = [k for k in data if k in FIELD_ORDER]
    assert known == [k for k in FIELD_ORDER if k in data]


def test_dumps_writes_readable_utf8_and_literal_blocks():
    text = yamlio.dumps({"title": "空调漏水", "description": "第一行\n第二行\n", "created": NOW})
    assert "title: 空调漏水\n" in text
    assert "description: |\n  第一行\n  第二行\n" in text
    assert "\\u" not in text
    assert yamlio.loads(text)["created"] == NOW  # a timestamp string stays a string


# --------------------------------------------------------------------------- atomic writes


def _temp_files(root):
    return [os.path.join(d, n) for d, _, names in os.walk(root) for n in names if yamlio.TEMP_MARK in n]


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "a" / "b.yaml"
    for i in range(25):
        yamlio.atomic_write(target, f"n: {i}\n")
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.yaml"]
    assert target.read_text() == "n: 24\n"


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "t.yaml"
    yamlio.atomic_write(target, "old: 1\n")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        yamlio.atomic_write(target, "new: 2\n" * 1000)
    monkeypatch.undo()
    assert target.read_text() == "old: 1\n"
    assert _temp_files(tmp_path) == []


def test_creating_tickets_leaves_no_temp_files(desk):
    for i in range(5):
        desk.create("--type", "inquiry", "--title", f"临时文件 {i}")
    assert _temp_files(desk.root) == []
    hidden = [p for p in (desk.root / "tickets").rglob(".*")]
    assert hidden == []


# --------------------------------------------------------------------------- safe loading


def test_loading_refuses_python_tags_and_never_runs_them(tmp_path):
    marker = tmp_path / "PWNED"
    text = f'id: x\nx: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(DeskError, match=r"f\.yaml:2: .*not allowed"):
        yamlio.loads(text, "f.yaml")
    assert not marker.exists()


@pytest.mark.parametrize("text, needle", [
    ("a: &x [1, 2]\nb: *x\n", "anchors and aliases"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "nesting"),
    ("a: 1\na: 2\n", "duplicate key"),
    ("a: !custom 1\n", "not allowed"),
    ("a: [1, 2\n", "malformed YAML"),
])
def test_loading_refuses_hostile_or_broken_yaml(text, needle):
    with pytest.raises(DeskError) as info:
        yamlio.loads(text, "t.yaml")
    assert needle in info.value.message and info.value.message.startswith("t.yaml")


def test_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(9))}]" for i in range(1, 10)]
    with pytest.raises(DeskError, match="anchors and aliases"):
        yamlio.loads("\n".join(lines) + "\n", "bomb.yaml")


def test_an_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: '" + b"x" * (yamlio.MAX_FILE_BYTES + 10) + b"'\n")
    with pytest.raises(DeskError, match="larger than"):
        yamlio.load(big, "big.yaml")


def test_a_ticket_whose_id_does_not_match_its_file_is_refused(desk):
    tid = desk.create("--type", "inquiry", "--title", "错号")
    path = desk.path(tid)
    path.write_text(path.read_text(encoding="utf-8").replace(f"id: {tid}", "id: CS-2026-XXXXXXX"), encoding="utf-8")
    with pytest.raises(DeskError, match="does not match the file name"):
        Desk.open(desk.root).load_ticket(path)


# --------------------------------------------------------------------------- the desk lock


def test_a_held_lock_makes_a_writer_wait_then_give_up(desk):
    before = desk.snapshot()
    store = Desk.open(desk.root)
    with store.lock():
        res = desk.run("create", "--type", "inquiry", "--title", "等锁", env={"CSTOOL_LOCK_TIMEOUT": "0.3"})
    assert_refusal(res, 3, "locked")
    assert desk.snapshot() == before
    # once released, the same command goes through
    assert desk.create("--type", "inquiry", "--title", "等锁")


def test_readers_do_not_need_the_lock(desk):
    tid = desk.create("--type", "inquiry", "--title", "读")
    with Desk.open(desk.root).lock():
        assert desk.ok("show", tid).stdout.startswith(tid)
        assert len(desk.ok("list", "--json").json) == 1


# --------------------------------------------------------------------------- IDs


@pytest.mark.parametrize("query, expected", [
    ("CS-2026-7KQ3MX9", "CS-2026-7KQ3MX9"),
    ("cs-2026-7kq3mx9", "CS-2026-7KQ3MX9"),
    ("  CS-2026-7KQ3MX9  ", "CS-2026-7KQ3MX9"),
    ("2026-7KQ3MX9", "2026-7KQ3MX9"),
    ("7KQ3MX9", "7KQ3MX9"),
    ("mx9", "MX9"),
    ("9", "9"),
    ("3mxo", "3MX0"),  # O reads as 0
    ("il", "11"),  # I and L read as 1
    ("../../etc/passwd", None),
    ("..", None),
    ("/etc/passwd", None),
    ("a/b", None),
    ("a\\b", None),
    ("CS-", None),
    ("CS-2026-", None),
    ("-", None),
    ("", None),
    ("   ", None),
    ("CS-2026-7KQ3MX9X", None),  # eight random characters
    ("7KQ3MX9U", None),
    ("U", None),  # not in the alphabet
    ("ＡＢＣ", None),  # full-width letters
    ("CS-2026-7KQ3MX9\n", "CS-2026-7KQ3MX9"),
    ("CS 2026 7KQ3MX9", None),
    ("x" * 100, None),
])
def test_normalize_query(query, expected):
    assert ids.normalize_query(query) == expected


def test_minted_ids_are_well_formed_readable_and_distinct():
    minted = [ids.mint_ticket_id("CS", 2026) for _ in range(5000)]
    assert len(set(minted)) == len(minted)
    for m in minted:
        assert ids.TICKET_ID_RE.match(m), m
        assert ids.is_ticket_id(m)
        assert m.startswith("CS-2026-") and len(m) == len("CS-2026-") + ids.RANDOM_LEN
        assert not re.search(r"[ILOU]", m[8:]), m  # no look-alike letters
        assert ids.normalize_query(m) == m and ids.normalize_query(m.lower()) == m
    assert ids.mint_ticket_id("HD", 2031).startswith("HD-2031-")


def test_desk_mints_ids_not_already_in_use(desk, monkeypatch):
    tid = desk.create("--type", "inquiry", "--title", "已有")
    queue = [tid, tid, "CS-2026-NEWNEW1"]
    monkeypatch.setattr(ids, "mint_ticket_id", lambda prefix, year: queue.pop(0))
    store = Desk.open(desk.root)
    assert store.mint_ticket_id(2026) == "CS-2026-NEWNEW1"


def test_created_ids_match_the_id_pattern_and_file_names(desk):
    made = [desk.create("--type", "inquiry", "--title", f"编号 {i}") for i in range(10)]
    assert len(set(made)) == 10
    for tid in made:
        assert ids.TICKET_ID_RE.match(tid)
        assert desk.ticket(tid)["id"] == tid == desk.path(tid).stem


def test_suffix_lookup_finds_files_by_name(desk):
    tid = desk.create("--type", "inquiry", "--title", "按名查找", as_=MANAGER)
    store = Desk.open(desk.root)
    found, path = store.resolve(tid[-6:].lower())
    assert found == tid and path == desk.path(tid)
