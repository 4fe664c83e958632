"""``cstool list`` and ``cstool show``: filters, sorting, limits, formats, masking,
languages, Chinese column alignment and ID suffixes."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from wcwidth import wcswidth, wcwidth

from tests.support.desk import NOW, assert_refusal, copy_desk, load_yaml
from tests.support.env import clean_environment
from tests.support.roster import MANAGER

PHONE, PHONE_MASKED = "13900001111", "139****1111"
EMAIL, EMAIL_MASKED = "chen@example.com", "c***@example.com"
LI_NA, ZHOU_MIN = "li.na@example.com", "zhou.min@example.com"

T1, T2, T3, T4, T5 = "热线无人接听", "积分什么时候到期", "已答复的咨询", "冰箱不制冷", "Printer 打印机 jam"


@pytest.fixture(scope="module")
def _filled_once(tmp_path_factory, _pristine_desks):
    base = tmp_path_factory.mktemp("filled")
    with clean_environment(base):
        return _fill(copy_desk(_pristine_desks[False], base / "desk"))


@pytest.fixture
def filled(_filled_once, tmp_path):
    """Five tickets over three days; T3 is closed (a fresh copy for each test)."""
    desk = copy_desk(_filled_once.root, tmp_path / "desk")
    desk.ids = dict(_filled_once.ids)
    return desk


def _fill(desk):
    ids = {}
    ids[T1] = desk.create("--type", "complaint", "--title", T1, "--customer", "李秀英", "--phone", PHONE,
                          "--priority", "A", "--tier", "A", "--description", "打了三次热线都没人接",
                          now="2026-11-18T09:00:00+08:00")
    ids[T2] = desk.create("--type", "inquiry", "--title", T2, "--channel", "online", "--email", EMAIL,
                          "--priority", "C", "--assignee", LI_NA, now="2026-11-19T09:00:00+08:00")
    ids[T3] = desk.create("--type", "inquiry", "--title", T3, "--priority", "B", now="2026-11-19T10:00:00+08:00")
    desk.ok("close", ids[T3], "--resolution", "已电话答复", as_=MANAGER, now="2026-11-19T10:30:00+08:00")
    ids[T4] = desk.create("--type", "repair", "--title", T4, "--channel", "phone", "--tier", "B", "--priority", "B",
                          "--customer", "欧阳娜娜", now="2026-11-19T11:00:00+08:00")
    ids[T5] = desk.create("--type", "inquiry", "--title", T5, "--channel", "email", "--priority", "B",
                          "--assignee", "周敏", now="2026-11-20T09:00:00+08:00")
    desk.ids = ids
    return desk


def titles(desk, *args):
    return [r["title"] for r in desk.ok("list", *args, "--json").json]


# --------------------------------------------------------------------------- list: selection


def test_list_shows_tickets_that_are_not_closed_newest_first(filled):
    assert titles(filled) == [T5, T4, T2, T1]
    table = filled.ok("list").stdout
    assert filled.ids[T3] not in table
    assert all(filled.ids[t] in table for t in (T1, T2, T4, T5))


@pytest.mark.parametrize("args, expected", [
    (("--status", "all"), [T5, T4, T3, T2, T1]),
    (("--status", "closed"), [T3]),
    (("--status", "open"), [T5, T4, T2, T1]),
    (("--status", "open,closed"), [T5, T4, T3, T2, T1]),
    (("--type", "complaint"), [T1]),
    (("--type", "inquiry,repair"), [T5, T4, T2]),
    (("--type", "inquiry", "--type", "complaint"), [T5, T2, T1]),
    (("--group", "tech"), [T4]),
    (("--group", "complaint"), [T1]),
    (("--assignee", LI_NA), [T2]),
    (("--assignee", "周敏"), [T5]),  # by name
    (("--channel", "online"), [T2]),
    (("--channel", "email"), [T5]),
    (("--priority", "A"), [T1]),
    (("--priority", "A,C"), [T2, T1]),
    (("--tier", "A"), [T1]),
    (("--tier", "B"), [T4]),
    (("--text", "积分"), [T2]),
    (("--text", "printer JAM"), [T5]),  # every word, any case
    (("--text", "李秀英"), [T1]),  # the customer's name
    (("--text", "三次热线"), [T1]),  # the description
    (("--text", "积分 冰箱"), []),
    (("--type", "inquiry", "--channel", "email"), [T5]),
    (("--status", "all", "--type", "inquiry", "--priority", "B"), [T5, T3]),
])
def test_list_filters(filled, args, expected):
    assert titles(filled, *args) == expected


@pytest.mark.parametrize("sort, expected", [
    ("-created", [T5, T4, T2, T1]),
    ("created", [T1, T2, T4, T5]),
    ("priority", [T1, T4, T5, T2]),  # A, then B (oldest first), then C
    ("-priority", [T2, T5, T4, T1]),
])
def test_list_sorts(filled, sort, expected):
    assert titles(filled, "--sort", sort) == expected


def test_list_sorts_by_id(filled):
    rows = filled.ok("list", "--sort", "id", "--json").json
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def test_list_limit_says_how_many_more_there_are(filled):
    res = filled.ok("list", "--limit", "2")
    lines = res.stdout.splitlines()
    assert sum(1 for ln in lines if ln.startswith("CS-")) == 2
    assert filled.ids[T5] in res.stdout and filled.ids[T4] in res.stdout
    assert "2 more not shown" in res.stdout
    zh = filled.ok("list", "--limit", "3", lang="zh").stdout
    assert "另有 1 条未显示" in zh
    # JSON stays parseable: the notice goes to stderr
    res = filled.ok("list", "--limit", "2", "--json")
    assert [r["title"] for r in res.json] == [T5, T4]
    assert "2 more not shown" in res.stderr
    # 0 means no limit, and nothing left out means no notice
    res = filled.ok("list", "--limit", "0")
    assert "not shown" not in res.stdout + res.stderr
    assert sum(1 for ln in res.stdout.splitlines() if ln.startswith("CS-")) == 4


def test_list_with_nothing_to_show(filled):
    res = filled.ok("list", "--type", "work_order")
    assert res.stdout.strip() == "No tickets." or "no tickets" in res.stdout.lower()
    assert filled.ok("list", "--type", "work_order", "--json").json == []


# --------------------------------------------------------------------------- list: formats


def test_list_json_has_stable_keys(filled):
    first = filled.ok("list", "--status", "all", "--json")
    rows = first.json
    keys = list(rows[0])
    assert keys[:4] == ["id", "type", "title", "status"]
    assert {"id", "type", "title", "status", "priority", "channel", "group", "assignee", "created", "updated",
            "customer", "tier", "phone", "email"} <= set(keys)
    # every row has the same keys in the same order, whatever the ticket holds
    assert all(list(r) == keys for r in rows)
    assert not any(k.startswith("_") for k in keys)
    # the same desk gives the same bytes
    assert filled.ok("list", "--status", "all", "--json").stdout == first.stdout
    # values are plain: ISO timestamps with offset, no labels
    t1 = next(r for r in rows if r["title"] == T1)
    assert t1["created"] == "2026-11-18T09:00:00+08:00" and t1["status"] == "open" and t1["type"] == "complaint"
    closed = next(r for r in rows if r["title"] == T3)
    assert closed["status"] == "closed"
    # JSON ignores --lang
    assert filled.ok("list", "--status", "all", "--json", lang="zh").stdout == first.stdout


def test_list_csv(filled):
    text = filled.ok("list", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["title"] for r in rows] == [T5, T4, T2, T1]
    assert {"id", "type", "title", "status", "priority", "group", "assignee", "created"} <= set(rows[0])
    assert rows[-1]["customer"] == "李秀英"


def test_list_markdown(filled):
    lines = filled.ok("list", "--format", "markdown", lang="zh").stdout.splitlines()
    assert all(ln.startswith("|") and ln.endswith("|") for ln in lines)
    assert set(lines[1]) <= set("|:- ")
    assert "编号" in lines[0] and "标题" in lines[0]
    assert len(lines) == 2 + 4
    assert any(T1 in ln for ln in lines)


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_list_masks_phone_and_email_unless_revealed(filled, fmt):
    out = filled.ok("list", "--format", fmt).stdout
    assert PHONE not in out and EMAIL not in out
    if fmt in ("json", "csv"):
        assert PHONE_MASKED in out and EMAIL_MASKED in out
        revealed = filled.ok("list", "--format", fmt, "--reveal").stdout
        assert PHONE in revealed and EMAIL in revealed


def test_list_json_mask_values(filled):
    rows = {r["title"]: r for r in filled.ok("list", "--json").json}
    assert rows[T1]["phone"] == PHONE_MASKED and rows[T2]["email"] == EMAIL_MASKED
    rows = {r["title"]: r for r in filled.ok("list", "--json", "--reveal").json}
    assert rows[T1]["phone"] == PHONE and rows[T2]["email"] == EMAIL


def test_list_labels_follow_the_language(filled, monkeypatch):
    zh = filled.ok("list", lang="zh").stdout
    for word in ("编号", "状态", "类型", "标题", "受理组", "处理人", "待处理", "投诉", "报修", "投诉受理组", "技术支持组"):
        assert word in zh, word
    assert "Title" not in zh and "Complaint intake" not in zh
    en = filled.ok("list", lang="en").stdout
    for word in ("ID", "Status", "Type", "Title", "Group", "Assignee", "open", "Complaint", "Repair",
                 "Complaint intake", "Technical support"):
        assert word in en, word
    assert "标题" not in en and "投诉受理组" not in en
    # CSTOOL_LANG does the same as --lang; without either, the desk's language (zh) applies
    assert filled.run("list", lang=None, env={"CSTOOL_LANG": "en"}).stdout == en
    assert filled.run("list", lang=None).stdout == zh


def _cells_by_position(line, starts):
    """Cut a line at display columns; fail if a wide character straddles a boundary."""
    col, pos = 0, {}
    for i, ch in enumerate(line):
        pos[col] = i
        col += max(wcwidth(ch), 0)
    pos[col] = len(line)
    cells = []
    for a, b in zip(starts, [*starts[1:], None]):
        assert a in pos or a >= col, f"column at {a} cuts a character in {line!r}"
        i = pos.get(a, len(line))
        j = len(line) if b is None else pos.get(b)
        assert j is not None, f"column at {b} cuts a character in {line!r}"
        cells.append(line[i:j].strip())
    return cells


def test_chinese_columns_align(filled):
    # wide and mixed text in several columns, including a title long enough to be cut
    filled.create("--type", "complaint", "--title", "客户来电反映空调维修后仍然漏水,要求上门处理并赔偿损失",
                  "--customer", "诸葛亮", now="2026-11-20T09:30:00+08:00")
    filled.create("--type", "inquiry", "--title", "ＡＢＣ全角 and ascii 混排 😀", "--customer", "Li Lei",
                  now="2026-11-20T09:40:00+08:00")
    out = filled.ok("list", lang="zh").stdout
    lines = out.splitlines()
    header, sep, rows = lines[0], lines[1], lines[2:]
    assert len(rows) == 6
    starts = [0] + [i + 2 for i in range(len(sep) - 1) if sep[i:i + 3] == "  -"]
    assert len(starts) == 10, sep  # the last is the due time (办结时限)
    # every data row has the separator's display width (the last column is always filled);
    # the header only lacks the trailing spaces tabulate strips
    for row in rows:
        assert wcswidth(row) == wcswidth(sep), row
    assert wcswidth(header) <= wcswidth(sep)
    # and every cell starts at its column's display position
    data = {r["id"]: r for r in filled.ok("list", "--json").json}
    assert _cells_by_position(header, starts)[:5] == ["编号", "状态", "类型", "优先级", "标题"]
    for row in rows:
        cells = _cells_by_position(row, starts)
        tid = cells[0]
        assert tid in data, row
        assert cells[1] == "待处理"
        assert cells[3] == data[tid]["priority"]
        title = data[tid]["title"]
        assert cells[4] == title or (cells[4].endswith("…") and title.startswith(cells[4][:-1])), row
        assert cells[5] == data[tid]["customer"]
        assert cells[8] == data[tid]["created"][:16].replace("T", " ")


# --------------------------------------------------------------------------- show


def test_show_by_full_id(filled):
    tid = filled.ids[T1]
    out = filled.ok("show", tid).stdout
    assert out.splitlines()[0] == f"{tid}  {T1}"
    for word in ("Complaint", "Complaint intake", "李秀英", "History", "created", "打了三次热线都没人接"):
        assert word in out, word
    zh = filled.ok("show", tid, lang="zh").stdout
    assert "处理记录" in zh and "投诉受理组" in zh and "登记" in zh


def test_show_by_unambiguous_suffix_in_any_case(filled):
    tid = filled.ids[T4]
    full = filled.ok("show", tid).stdout
    others = [i for i in filled.ids.values() if i != tid]
    n = next(n for n in range(1, 8) if not any(o.endswith(tid[-n:]) for o in others))
    for query in (tid[-n:], tid[-n:].lower(), tid[-5:].lower(), tid[8:], tid.lower()):
        assert filled.ok("show", query).stdout == full, query


def test_show_accepts_look_alike_characters(filled):
    tid = filled.ids[T2]
    typed = tid[-7:].replace("0", "O").replace("1", "l")  # O for 0, l for 1
    assert filled.ok("show", typed).stdout == filled.ok("show", tid).stdout


def _copy_ticket(desk, source_id, new_id):
    src = desk.path(source_id)
    dst = src.with_name(f"{new_id}.yaml")
    text = src.read_text(encoding="utf-8").replace(source_id, new_id)
    dst.write_text(text, encoding="utf-8")
    return dst


def test_ambiguous_suffix_exits_2_and_lists_the_matches(filled):
    a, b = "CS-2026-AAAAAA1", "CS-2026-BBBBBB1"
    _copy_ticket(filled, filled.ids[T1], a)
    _copy_ticket(filled, filled.ids[T1], b)
    before = filled.snapshot()
    res = filled.run("show", "1")
    assert_refusal(res, 2, a, b, "ambiguous", "'1'")
    assert res.stdout == ""
    assert filled.snapshot() == before
    # more characters decide (typed in any case); the other tickets' IDs are random, so take
    # the shortest ending no other ticket shares
    others = set(filled.ids.values())
    for ident, typed in ((a, str.lower), (b, str.upper)):
        ending = next(ident[-k:] for k in range(2, 8) if not any(o.endswith(ident[-k:]) for o in others | {a, b} - {ident}))
        assert filled.ok("show", typed(ending)).stdout.startswith(f"{ident}  ")


def test_show_unknown_id(filled):
    res = filled.run("show", "ZZZZZZZ")
    assert_refusal(res, 2, "ZZZZZZZ")


def test_show_json_masks_unless_revealed(filled):
    tid = filled.ids[T1]
    masked = filled.ok("show", tid, "--json")
    assert PHONE not in masked.stdout
    data = masked.json
    assert data["customer"]["phone"] == PHONE_MASKED
    assert data["id"] == tid and data["title"] == T1
    assert [ev["action"] for ev in data["history"]] == ["create"]
    revealed = filled.ok("show", tid, "--json", "--reveal").json
    assert revealed["customer"]["phone"] == PHONE
    # apart from the masking, --json is the file's content in the file's order
    on_disk = load_yaml(filled.path(tid))
    assert list(revealed) == list(on_disk)
    assert revealed == json.loads(json.dumps(on_disk, ensure_ascii=False, default=str))
    # the table masks too
    assert PHONE not in filled.ok("show", tid).stdout
    assert PHONE in filled.ok("show", tid, "--reveal").stdout


def test_show_email_masked(filled):
    tid = filled.ids[T2]
    assert EMAIL not in filled.ok("show", tid).stdout
    assert filled.ok("show", tid, "--json").json["customer"]["email"] == EMAIL_MASKED


def test_show_reads_a_desk_copied_elsewhere(filled, tmp_path):
    # the index is a cache: a copy of the desk without .cstool gives the same answers
    copy = tmp_path / "copy"
    shutil.copytree(filled.root, copy, ignore=shutil.ignore_patterns(".cstool"))
    tid = filled.ids[T5]
    a = filled.ok("show", tid, "--json").stdout
    b = filled.run("show", tid, "--json", store=False, env={"CSTOOL_STORE": str(copy)}).stdout
    assert a == b
    assert NOW[:10] in a


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_show_in_other_formats_masks_unless_revealed(filled, fmt):
    tid = filled.ids[T1]
    out = filled.ok("show", tid, "--format", fmt).stdout
    assert tid in out and PHONE not in out
    if fmt == "csv":
        assert PHONE_MASKED in out
        assert PHONE in filled.ok("show", tid, "--format", fmt, "--reveal").stdout


def test_markdown_escapes_pipes_in_cells(desk):
    desk.create("--type", "inquiry", "--title", "型号 A|B 的区别")
    lines = desk.ok("list", "--format", "markdown").stdout.splitlines()

    def cells(line):
        return len(re.split(r"(?<!\\)\|", line))

    assert cells(lines[2]) == cells(lines[0])
