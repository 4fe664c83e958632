"""The desk: init, create, list, show, the store, and bad input (nothing written)."""

from __future__ import annotations

import os
import stat

import pytest
from wcwidth import wcswidth

from cstool.desk import yamlio
from cstool.desk.store import Desk as StoreDesk
from cstool.domain import ids
from cstool.domain.model import FIELD_ORDER
from tests.support.desk import DESK_NAME, cstool_process
from tests.support.roster import LEAD, MANAGER

# --------------------------------------------------------------------------- init


def test_init_creates_a_desk_with_git_and_a_first_commit(git_desk):
    root = git_desk.root
    assert (root / "cstool.yaml").is_file()
    assert {p.name for p in (root / "templates").glob("*.yaml")} >= {
        "inquiry.yaml", "complaint.yaml", "suggestion.yaml", "repair.yaml", "after_sales.yaml",
        "special_service.yaml", "work_order.yaml"}
    assert ".cstool" in (root / ".gitignore").read_text().split()
    assert "merge=cstool" in (root / ".gitattributes").read_text()
    log = git_desk.git("log", "--format=%an|%ae|%s")
    assert f"Create desk {DESK_NAME} (by {MANAGER})" in log
    assert git_desk.git("status", "--porcelain") == ""


def test_init_refuses_an_existing_desk(desk):
    before = desk.snapshot()
    res = desk.run("init", str(desk.root))
    assert res.exit_code == 2
    assert "already a desk" in res.stderr
    assert desk.snapshot() == before


# --------------------------------------------------------------------------- create


def test_create_writes_one_file_in_order_with_chinese_and_offsets(desk):
    res = desk.ok("create", "--type", "complaint", "--title", "空调维修后仍然漏水", "--customer", "张先生",
                  "--phone", "13812345678", "--channel", "phone")
    ticket_id = res.stdout.split()[0]
    assert ids.TICKET_ID_RE.match(ticket_id)
    path = desk.path(ticket_id)
    assert path.relative_to(desk.root).as_posix() == f"tickets/2026/11/{ticket_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "空调维修后仍然漏水" in text and "\\u" not in text
    assert "'2026-11-20T10:00:00+08:00'" in text
    data = yamlio.load(path)
    keys = list(data)
    assert keys == [k for k in FIELD_ORDER if k in keys]
    assert data["status"] == "open" and data["group"] == "complaint"
    assert data["priority"] == "B" and data["severity"] == "general"  # from the complaint template
    assert data["description"].startswith("【投诉内容】")
    assert [ev["action"] for ev in data["history"]] == ["create"]
    assert data["history"][0]["by"] == LEAD
    assert data["sla"]["policy"] == "complaint"


def test_create_quiet_prints_only_the_id(desk):
    out = desk.ok("create", "-q", "--type", "inquiry", "--title", "发票").stdout
    assert ids.TICKET_ID_RE.match(out.strip()) and out.count("\n") == 1


def test_create_files_by_creation_month(desk):
    tid = desk.create("--type", "inquiry", "--title", "旧工单", now="2025-03-04T09:00+08:00")
    assert desk.path(tid).relative_to(desk.root).as_posix() == f"tickets/2025/03/{tid}.yaml"
    assert tid.startswith("CS-2025-")


def test_template_fields_and_defaults(desk):
    tid = desk.create("--type", "after_sales", "--title", "申请退货", "--field", "order_no=SO-1", "--field", "request=换货")
    data = desk.ticket(tid)
    assert data["fields"] == {"order_no": "SO-1", "request": "换货"}
    res = desk.run("create", "--type", "after_sales", "--title", "缺订单号")
    assert res.exit_code == 2 and "order_no" in res.stderr
    res = desk.run("create", "--type", "after_sales", "--title", "x", "--field", "order_no=1", "--field", "request=偷窃")
    assert res.exit_code == 2 and "request" in res.stderr
    res = desk.run("create", "--type", "inquiry", "--title", "x", "--field", "nope=1")
    assert res.exit_code == 2 and "unknown field 'nope'" in res.stderr


def test_routing_rules_choose_the_group(desk):
    complaint = desk.create("--type", "complaint", "--title", "态度差")
    refund = desk.create("--type", "inquiry", "--title", "我要退款", "--channel", "online")
    plain = desk.create("--type", "inquiry", "--title", "营业时间")
    assert desk.ticket(complaint)["group"] == "complaint"
    assert desk.ticket(refund)["group"] == "after_sales"
    assert desk.ticket(plain)["group"] == "inquiry"
    assert desk.ticket(refund)["history"][0]["rule"] == "keyword=退货|换货|退款"


def test_a_100kb_description_is_stored_intact(desk):
    text = ("客户反映:设备异常。\n" * 9000)[:100_000] + "end"
    tid = desk.create("--type", "inquiry", "--title", "长描述", "--description", text)
    assert desk.ticket(tid)["description"] == text


def test_description_from_stdin(desk):
    tid = desk.create("--type", "inquiry", "--title", "标准输入", "--description", "-", input="第一行\n第二行\n")
    assert desk.ticket(tid)["description"] == "第一行\n第二行\n"


def test_create_in_git_commits_exactly_the_new_file(git_desk):
    tid = git_desk.create("--type", "complaint", "--title", "漏水")
    log = git_desk.git("log", "-1", "--format=%an|%ae|%s")
    assert log.strip() == f"赵磊|{LEAD}|{tid} create complaint: 漏水 (by {LEAD})"
    files = git_desk.git("show", "--name-only", "--format=", "HEAD").split()
    assert files == [git_desk.path(tid).relative_to(git_desk.root).as_posix()]
    assert git_desk.git("status", "--porcelain") == ""


def test_no_commit_writes_without_committing(git_desk):
    head = git_desk.git("rev-parse", "HEAD")
    tid = git_desk.create("--type", "inquiry", "--title", "不提交", "--no-commit")
    assert git_desk.git("rev-parse", "HEAD") == head
    assert git_desk.path(tid).exists()


# --------------------------------------------------------------------------- list and show


@pytest.fixture
def filled(desk):
    desk.create("--type", "complaint", "--title", "热线无人接听", "--customer", "李秀英", "--phone", "13900001111",
                "--priority", "A", "--tier", "A", now="2026-11-18T09:00+08:00")
    desk.create("--type", "inquiry", "--title", "积分什么时候到期", "--channel", "online", "--email", "chen@example.com",
                "--priority", "C", now="2026-11-19T09:00+08:00")
    done = desk.create("--type", "inquiry", "--title", "已答复的咨询", now="2026-11-19T10:00+08:00")
    desk.ok("close", done, "--resolution", "已答复", as_=MANAGER)
    desk.create("--type", "repair", "--title", "冰箱不制冷", "--channel", "phone", "--tier", "B", now="2026-11-19T11:00+08:00")
    return desk


def test_list_shows_open_tickets_newest_first(filled):
    rows = filled.ok("list", "--json").json
    assert [r["title"] for r in rows] == ["冰箱不制冷", "积分什么时候到期", "热线无人接听"]
    assert set(rows[0]) >= {"id", "type", "title", "status", "priority", "channel", "group", "assignee", "created",
                            "customer", "tier", "phone", "email"}
    everything = filled.ok("list", "--status", "all", "--json").json
    assert len(everything) == 4


@pytest.mark.parametrize("args, titles", [
    (("--type", "complaint"), ["热线无人接听"]),
    (("--channel", "online"), ["积分什么时候到期"]),
    (("--priority", "A,C"), ["积分什么时候到期", "热线无人接听"]),
    (("--tier", "B"), ["冰箱不制冷"]),
    (("--group", "tech"), ["冰箱不制冷"]),
    (("--text", "积分"), ["积分什么时候到期"]),
    (("--status", "closed"), ["已答复的咨询"]),
    (("--sort", "created"), ["热线无人接听", "积分什么时候到期", "冰箱不制冷"]),
    (("--sort", "priority"), ["热线无人接听", "冰箱不制冷", "积分什么时候到期"]),
])
def test_list_filters_and_sorts(filled, args, titles):
    rows = filled.ok("list", *args, "--json").json
    assert [r["title"] for r in rows] == titles


def test_list_limit_says_what_was_left_out(filled):
    res = filled.ok("list", "--limit", "1")
    assert "2 more not shown" in res.stdout
    assert len([ln for ln in res.stdout.splitlines() if ln.startswith("CS-")]) == 1


def test_list_masks_contacts_unless_revealed(filled):
    for fmt in ("table", "json", "csv"):
        out = filled.ok("list", "--format", fmt).stdout
        assert "13900001111" not in out and "chen@example.com" not in out
    rows = filled.ok("list", "--json").json
    assert {r["phone"] for r in rows} >= {"139****1111"}
    assert "c***@example.com" in {r["email"] for r in rows}
    revealed = filled.ok("list", "--json", "--reveal").stdout
    assert "13900001111" in revealed and "chen@example.com" in revealed


def test_list_labels_follow_the_language_and_columns_align(filled):
    import re

    zh = filled.ok("list", lang="zh").stdout
    en = filled.ok("list", lang="en").stdout
    assert "标题" in zh and "待处理" in zh
    assert "Title" in en and "open" in en
    lines = zh.splitlines()
    starts = [m.start() for m in re.finditer(r"-+", lines[1])]
    for line in [lines[0], *lines[2:]]:
        # every cell of every row starts at its column's display position (wide chars count 2)
        cells = [m.start(1) for m in re.finditer(r"(?:^|\s{2,})(\S)", line)]
        positions = [wcswidth(line[:i]) for i in cells]
        assert set(positions) <= set(starts) and positions[0] == 0, line


def test_list_markdown_and_csv(filled):
    md = filled.ok("list", "--format", "markdown").stdout
    assert md.splitlines()[1].startswith("|")
    csv_text = filled.ok("list", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("id,type,title")


def test_show_by_id_and_by_suffix(filled):
    tid = filled.ok("list", "--json").json[0]["id"]
    full = filled.ok("show", tid).stdout
    assert tid in full and "冰箱不制冷" in full and "History" in full
    assert filled.ok("show", tid[-4:].lower()).stdout == full
    data = filled.ok("show", tid, "--json").json
    assert data["id"] == tid and list(data)[0] == "id"


def test_show_masks_unless_revealed(filled):
    tid = [r for r in filled.ok("list", "--json").json if r["title"] == "热线无人接听"][0]["id"]
    assert "13900001111" not in filled.ok("show", tid).stdout
    assert "13900001111" not in filled.ok("show", tid, "--json").stdout
    assert "13900001111" in filled.ok("show", tid, "--json", "--reveal").stdout


def test_ambiguous_suffix_lists_the_matches(desk):
    a, b = "CS-2026-AAAAAA1", "CS-2026-BBBBBB1"
    tid = desk.create("--type", "inquiry", "--title", "模板")
    data = desk.ticket(tid)
    for new in (a, b):
        data["id"] = new
        yamlio.atomic_write(desk.root / "tickets/2026/11" / f"{new}.yaml", yamlio.dumps(data))
    res = desk.run("show", "1")
    assert res.exit_code == 2
    assert a in res.stderr and b in res.stderr and "ambiguous" in res.stderr


# --------------------------------------------------------------------------- the store


def test_round_trip_keeps_a_human_comment_and_key_order(desk):
    tid = desk.create("--type", "complaint", "--title", "评论保留")
    path = desk.path(tid)
    text = path.read_text(encoding="utf-8").replace("priority: B", "priority: B  # 客户是老用户,优先处理")
    path.write_text("# reviewed by 赵磊\n" + text, encoding="utf-8")
    desk.ok("note", tid, "-m", "内部备注")
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# reviewed by 赵磊\n")
    assert "priority: B  # 客户是老用户,优先处理" in after
    data = yamlio.load(path)
    assert list(data) == [k for k in FIELD_ORDER if k in data]


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "a" / "b.yaml"
    for i in range(20):
        yamlio.atomic_write(target, f"n: {i}\n")
    assert [p.name for p in target.parent.iterdir()] == ["b.yaml"]
    assert target.read_text() == "n: 19\n"


@pytest.mark.parametrize("query, expected", [
    ("CS-2026-7KQ3MX9", "CS-2026-7KQ3MX9"), ("mx9", "MX9"), ("3mxo", "3MX0"), ("2026-7KQ3MX9", "2026-7KQ3MX9"),
    ("../../etc/passwd", None), ("CS-", None), ("", None), ("-", None), ("a/b", None), ("ＡＢＣ", None),
    ("CS-2026-7KQ3MX9X", None),
])
def test_normalize_query(query, expected):
    assert ids.normalize_query(query) == expected


def test_minted_ids_are_well_formed_and_distinct():
    minted = {ids.mint_ticket_id("CS", 2026) for _ in range(2000)}
    assert len(minted) == 2000
    assert all(ids.TICKET_ID_RE.match(m) for m in minted)


# --------------------------------------------------------------------------- bad input: nothing written


@pytest.mark.parametrize("args, needle", [
    (("--type", "nope", "--title", "x"), "--type"),
    (("--type", "inquiry", "--title", "x", "--channel", "fax"), "--channel"),
    (("--type", "inquiry", "--title", "x", "--group", "nope"), "--group"),
    (("--type", "inquiry", "--title", "x", "--assignee", "ghost@example.com"), "--assignee"),
    (("--type", "inquiry", "--title", "x", "--assignee", "wang.fang@example.com"), "not a member"),
    (("--type", "inquiry", "--title", "x", "--tier", "D"), "--tier"),
    (("--type", "inquiry", "--title", "x", "--priority", "Z"), "--priority"),
    (("--type", "inquiry", "--title", "   "), "--title"),
    (("--type", "inquiry", "--title", "a\nb"), "single line"),
    (("--type", "inquiry", "--title", "x\x00y"), "control character"),
    (("--type", "inquiry", "--title", "x", "--phone", "call me"), "--phone"),
    (("--type", "inquiry", "--title", "x", "--email", "nobody"), "--email"),
    (("--type", "complaint", "--title", "x", "--category", "外星人"), "--category"),
])
def test_create_refuses_bad_input_and_writes_nothing(desk, args, needle):
    before = desk.snapshot()
    res = desk.run("create", *args)
    assert res.exit_code == 2, res.stdout
    assert needle in res.stderr
    assert res.stderr.startswith("cstool: ") and res.stderr.count("\n") == 1
    assert "Traceback" not in res.stderr
    assert desk.snapshot() == before


def test_now_that_is_not_a_time(desk):
    before = desk.snapshot()
    res = desk.run("create", "--type", "inquiry", "--title", "x", now="yesterday")
    assert res.exit_code == 2 and "--now" in res.stderr
    assert desk.snapshot() == before


@pytest.mark.parametrize("bad", ["../../etc/passwd", "CS-", "", "x/y", "CS-2026-7KQ3MX9X"])
def test_ids_that_are_not_ids_are_refused(desk, bad):
    res = desk.run("show", bad)
    assert res.exit_code == 2 and "is not a ticket ID" in res.stderr


def test_unknown_id(desk):
    res = desk.run("show", "ZZZZZZZ")
    assert res.exit_code == 2 and "no ticket matches" in res.stderr


def test_no_desk_found(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    proc = cstool_process("list", cwd=empty)
    assert proc.returncode == 3
    assert "no desk found" in proc.stderr and "Traceback" not in proc.stderr


def test_actor_not_in_roster(desk):
    before = desk.snapshot()
    res = desk.run("create", "--type", "inquiry", "--title", "x", as_="stranger@example.com")
    assert res.exit_code == 2 and "roster" in res.stderr
    assert desk.snapshot() == before


def test_malformed_ticket_file_names_file_and_line(desk):
    desk.create("--type", "inquiry", "--title", "好的")
    bad = desk.root / "tickets/2026/11/CS-2026-BADBAD1.yaml"
    bad.write_text("id: CS-2026-BADBAD1\ntitle: [unclosed\nstatus: open\n", encoding="utf-8")
    res = desk.run("list")  # skipped and named; the good ticket is listed
    assert res.exit_code == 0 and "好的" in res.stdout
    assert "tickets/2026/11/CS-2026-BADBAD1.yaml:" in res.stderr and "malformed YAML" in res.stderr
    assert "Traceback" not in res.stderr
    assert desk.run("--strict", "list").exit_code == 3


def test_python_tags_are_never_executed(desk, tmp_path):
    marker = tmp_path / "PWNED"
    bad = desk.root / "tickets/2026/11/CS-2026-EVIL001.yaml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(f'id: CS-2026-EVIL001\nx: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    res = desk.run("list")
    assert res.exit_code == 0 and "not allowed" in res.stderr and "CS-2026-EVIL001.yaml:2" in res.stderr
    assert desk.run("--strict", "list").exit_code == 3
    assert not marker.exists()


def test_malformed_config_names_key_and_line(desk):
    config = desk.root / "cstool.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace("desk:\n", "desk:\n  colour: red\n", 1), encoding="utf-8")
    res = desk.run("list")
    assert res.exit_code == 3 and "cstool.yaml:" in res.stderr and "unknown key 'desk.colour'" in res.stderr
    config.write_text(original.replace("role: lead", "role: boss", 1), encoding="utf-8")
    res = desk.run("list")
    assert res.exit_code == 3 and "unknown role 'boss'" in res.stderr
    config.write_text(original.replace("groups: [complaint, followup]", "groups: [nowhere]", 1), encoding="utf-8")
    res = desk.run("list")
    assert res.exit_code == 3 and "unknown group 'nowhere'" in res.stderr
    config.write_text(original.replace("  prefix: CS", "  prefix: [CS]", 1), encoding="utf-8")
    res = desk.run("list")
    assert res.exit_code == 3 and "desk.prefix" in res.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_desk(desk):
    desk.create("--type", "inquiry", "--title", "只读")
    before = desk.snapshot()
    for dirpath, _dirnames, _filenames in os.walk(desk.root):
        os.chmod(dirpath, stat.S_IRUSR | stat.S_IXUSR)
    try:
        res = desk.run("create", "--type", "inquiry", "--title", "x")
        assert res.exit_code == 3 and "read-only" in res.stderr
        assert desk.run("list").exit_code == 0
    finally:
        for dirpath, _dirnames, _filenames in os.walk(desk.root):
            os.chmod(dirpath, stat.S_IRWXU)
    assert desk.snapshot() == before


def test_read_only_desk_as_root_is_refused_by_the_lock(desk, monkeypatch):
    """Root bypasses permissions; the desk's write check still refuses cleanly."""
    before = desk.snapshot()
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK and True)
    res = desk.run("create", "--type", "inquiry", "--title", "x")
    assert res.exit_code == 3 and "read-only" in res.stderr
    assert desk.snapshot() == before


def test_store_lookup_does_not_parse_files(desk):
    tid = desk.create("--type", "inquiry", "--title", "查找")
    opened = StoreDesk.open(desk.root)
    found, path = opened.resolve(tid[-5:])
    assert found == tid and path == desk.path(tid)
