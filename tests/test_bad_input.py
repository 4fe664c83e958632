"""Bad input: each case gets the right exit code, one sentence on
stderr naming the field, file (with line) or ID, no traceback, and nothing is written."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cstool.desk.store import find_desk
from tests.support.desk import NOW, assert_refusal, cstool_process, invoke
from tests.support.roster import LEAD, MANAGER

GHOST = "ghost@example.com"


# --------------------------------------------------------------------------- create: fields


@pytest.mark.parametrize("args, needles", [
    (("--type", "grievance", "--title", "x"), ("--type", "grievance")),
    (("--title", "x"), ("--type",)),  # no type at all
    (("--type", "inquiry", "--title", "x", "--channel", "fax"), ("--channel", "fax")),
    (("--type", "inquiry", "--title", "x", "--group", "nowhere"), ("--group", "nowhere")),
    (("--type", "inquiry", "--title", "x", "--assignee", GHOST), ("--assignee", GHOST)),
    (("--type", "inquiry", "--title", "x", "--assignee", "wang.fang@example.com"), ("--assignee", "not a member")),
    (("--type", "inquiry", "--title", "x", "--tier", "D"), ("--tier", "'D'")),
    (("--type", "inquiry", "--title", "x", "--priority", "Z"), ("--priority", "'Z'")),
    (("--type", "inquiry", "--title", "x", "--severity", "huge"), ("--severity",)),
    (("--type", "complaint", "--title", "x", "--category", "外星人"), ("--category", "外星人")),
    (("--type", "inquiry", "--title", ""), ("--title", "empty")),
    (("--type", "inquiry", "--title", "   "), ("--title", "empty")),
    (("--type", "inquiry"), ("--title",)),  # no title at all
    (("--type", "inquiry", "--title", "a\nb"), ("--title", "single line")),
    (("--type", "inquiry", "--title", "x\x00y"), ("--title", "U+0000")),
    (("--type", "inquiry", "--title", "长" * 201), ("--title", "201")),
    (("--type", "inquiry", "--title", "x", "--description", "bell\x07"), ("--description", "U+0007")),
    (("--type", "inquiry", "--title", "x", "--phone", "call me"), ("--phone",)),
    (("--type", "inquiry", "--title", "x", "--email", "nobody"), ("--email",)),
    (("--type", "inquiry", "--title", "x", "--customer", "C-ZZZZ99"), ("--customer", "C-ZZZZ99")),
    (("--type", "inquiry", "--title", "x", "--template", "../../etc/passwd"), ("--template",)),
    (("--type", "inquiry", "--title", "x", "--template", "nosuch"), ("--template", "nosuch")),
    (("--type", "inquiry", "--title", "x", "--due", "2026-12-01"), ("--due",)),
    (("--type", "work_order", "--title", "x", "--field", "from_department=客服中心", "--due", "2026-11-19T10:00+08:00"),
     ("--due",)),  # before the creation time
    (("--type", "work_order", "--title", "x", "--field", "from_department=客服中心", "--due", "soon"), ("--due", "soon")),
])
def test_create_refuses_bad_fields_and_writes_nothing(desk, args, needles):
    before = desk.snapshot()
    res = desk.run("create", *args)
    assert_refusal(res, 2, *needles)
    assert res.stdout == ""
    assert desk.snapshot() == before


def test_bad_input_in_a_git_desk_makes_no_commit(git_desk):
    head = git_desk.git("rev-parse", "HEAD")
    before = git_desk.snapshot()
    res = git_desk.run("create", "--type", "grievance", "--title", "x")
    assert_refusal(res, 2, "--type")
    assert git_desk.snapshot() == before
    assert git_desk.git("rev-parse", "HEAD") == head
    assert git_desk.git("status", "--porcelain") == ""


@pytest.mark.parametrize("args, needle", [
    (("--status", "done"), "--status"),
    (("--type", "grievance"), "--type"),
    (("--group", "nowhere"), "--group"),
    (("--assignee", GHOST), "--assignee"),
    (("--channel", "fax"), "--channel"),
    (("--priority", "Z"), "--priority"),
    (("--tier", "D"), "--tier"),
    (("--sort", "colour"), "--sort"),
])
def test_list_refuses_unknown_filter_values(desk, args, needle):
    desk.create("--type", "inquiry", "--title", "有一张")
    res = desk.run("list", *args)
    assert_refusal(res, 2, needle)
    assert res.stdout == ""


# --------------------------------------------------------------------------- --now


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T10:00", "2026-02-30", "2026-11-20T25:00", "1e10",
                                 "2026-11-20T10:00+08:00 extra"])
@pytest.mark.parametrize("command", [("create", "--type", "inquiry", "--title", "x"), ("list",), ("show", "1")])
def test_now_that_is_not_a_time(desk, bad, command):
    desk.create("--type", "inquiry", "--title", "先有一张")
    before = desk.snapshot()
    res = desk.run(*command, now=bad)
    assert_refusal(res, 2, "--now", repr(bad))
    assert desk.snapshot() == before


def test_cstool_now_that_is_not_a_time(desk):
    before = desk.snapshot()
    res = desk.run("create", "--type", "inquiry", "--title", "x", now=None, env={"CSTOOL_NOW": "tomorrow"})
    assert_refusal(res, 2, "--now", "'tomorrow'")
    assert desk.snapshot() == before


def test_empty_now_is_refused(desk):
    before = desk.snapshot()
    res = desk.run("--now", "", "create", "--type", "inquiry", "--title", "x", now=None)
    assert_refusal(res, 2, "--now")
    assert desk.snapshot() == before


# --------------------------------------------------------------------------- IDs


BAD_IDS = ["../../etc/passwd", "CS-", "CS-2026-", "/etc/passwd", "..", "tickets/2026/11/x", "CS-2026-7KQ3MX9X",
           "-", "ＣＳ", "x" * 200]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_show_refuses_what_is_not_an_id(desk, bad):
    desk.create("--type", "inquiry", "--title", "在")
    res = desk.run("show", bad)
    assert_refusal(res, 2, "is not a ticket ID")


@pytest.mark.parametrize("bad", ["../../etc/passwd", "CS-"])
@pytest.mark.parametrize("command", [("note", "{}", "-m", "备注"), ("close", "{}", "--resolution", "已处理"),
                                     ("reopen", "{}", "--reason", "再查")])
def test_changing_commands_refuse_what_is_not_an_id_and_write_nothing(desk, bad, command):
    desk.create("--type", "inquiry", "--title", "在")
    before = desk.snapshot()
    res = desk.run(*[bad if a == "{}" else a for a in command], as_=MANAGER)
    assert_refusal(res, 2, "is not a ticket ID")
    assert desk.snapshot() == before


def test_a_path_is_never_followed(desk, tmp_path):
    # a ticket-looking file outside the desk must stay out of reach
    outside = tmp_path / "CS-2026-OUTSIDE.yaml"
    outside.write_text("id: CS-2026-OUTSIDE\n", encoding="utf-8")
    res = desk.run("show", "../../CS-2026-OUTSIDE")
    assert_refusal(res, 2, "is not a ticket ID")


def test_unknown_id(desk):
    desk.create("--type", "inquiry", "--title", "在")
    before = desk.snapshot()
    res = desk.run("note", "CS-2026-ZZZZZZZ", "-m", "x")
    assert_refusal(res, 2, "CS-2026-ZZZZZZZ")
    assert desk.snapshot() == before


# --------------------------------------------------------------------------- no desk


def _no_desk_above(folder: Path) -> None:
    try:
        found = find_desk(None, folder)
    except Exception:
        return
    pytest.skip(f"a desk exists above the temp folder ({found}); cannot test 'no desk found' here")


def test_no_desk_found_in_process(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    _no_desk_above(empty)
    monkeypatch.chdir(empty)
    monkeypatch.delenv("CSTOOL_STORE", raising=False)
    for args in (["list"], ["show", "1"], ["--as", LEAD, "create", "--type", "inquiry", "--title", "x"]):
        res = invoke(args)
        assert_refusal(res, 3, "no desk found", "--store")
    assert list(empty.iterdir()) == []


def test_no_desk_found_as_a_process(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _no_desk_above(empty)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTOOL_")}
    proc = subprocess.run([sys.executable, "-m", "cstool", "list"], cwd=empty, env=env, capture_output=True,
                          text=True, timeout=60)
    assert_refusal(proc, 3, "no desk found")
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_store_that_is_not_a_desk(tmp_path, how):
    nowhere = tmp_path / "not-a-desk"
    nowhere.mkdir()
    args = ["--store", str(nowhere), "list"] if how == "flag" else ["list"]
    env = {"CSTOOL_STORE": str(nowhere)} if how == "env" else None
    res = invoke(args, env=env)
    assert_refusal(res, 3, str(nowhere), "not a desk")
    assert list(nowhere.iterdir()) == []


# --------------------------------------------------------------------------- malformed and hostile files


def assert_skipped(res, *needles: str) -> str:
    """A reading command skipped a file it cannot read: exit 0, and one line on stderr naming it."""
    assert res.exit_code == 0, (res.exit_code, res.stderr)
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("cstool: skipped") and res.stderr.count("\n") == 1, res.stderr
    for needle in needles:
        assert needle in res.stderr, (needle, res.stderr)
    return res.stderr


def test_a_malformed_ticket_file_is_named_with_its_line(desk):
    desk.create("--type", "inquiry", "--title", "好的")
    bad = desk.root / "tickets" / "2026" / "11" / "CS-2026-BADBAD1.yaml"
    bad.write_text("id: CS-2026-BADBAD1\ntitle: 坏文件\n  status: open\nhistory: []\n", encoding="utf-8")
    before = desk.snapshot()
    for fmt in ("table", "json"):
        res = desk.run("list", "--format", fmt)  # the other tickets are listed; the bad file is named
        assert_skipped(res, "tickets/2026/11/CS-2026-BADBAD1.yaml:3:", "malformed YAML")
        assert "好的" in res.stdout
    res = desk.run("show", "BADBAD1")
    assert_refusal(res, 3, "CS-2026-BADBAD1.yaml:3:")
    assert desk.snapshot() == before


@pytest.mark.parametrize("content, line", [
    ("id: CS-2026-BADBAD1\ntitle: [unclosed\n", None),
    ("id: CS-2026-BADBAD1\ntitle: \"unclosed\n", None),
    ("id: CS-2026-BADBAD1\nid: CS-2026-BADBAD1\n", 2),
    ("- just\n- a list\n", 1),
    ("id: CS-2026-BADBAD1\n\tstatus: open\n", 2),
])
def test_other_malformed_ticket_files(desk, content, line):
    bad = desk.root / "tickets" / "2026" / "11" / "CS-2026-BADBAD1.yaml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(content, encoding="utf-8")
    res = desk.run("list")
    err = assert_skipped(res, "tickets/2026/11/CS-2026-BADBAD1.yaml:")
    if line is not None:
        assert f"CS-2026-BADBAD1.yaml:{line}:" in err


def test_a_ticket_file_that_is_not_utf8(desk):
    bad = desk.root / "tickets" / "2026" / "11" / "CS-2026-BADBAD1.yaml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes("id: CS-2026-BADBAD1\ntitle: 乱码\n".encode("gb18030"))
    assert_skipped(desk.run("list"), "CS-2026-BADBAD1.yaml", "UTF-8")


@pytest.mark.parametrize("body", [
    "customer: [1]",
    "customer: 张三",
    "history: 3",
    "history: [1, 2]",
    "sla: 5",
    "followups: 5",
    "fields: [a]",
    "links: 5",
])
def test_show_refuses_a_ticket_with_wrongly_shaped_fields(desk, body):
    bad = desk.root / "tickets" / "2026" / "11" / "CS-2026-BADBAD1.yaml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(f"id: CS-2026-BADBAD1\ntype: inquiry\ntitle: t\nstatus: open\n{body}\n", encoding="utf-8")
    assert_refusal(desk.run("show", "BADBAD1"), 3, "CS-2026-BADBAD1.yaml")


def test_list_skips_a_ticket_with_a_non_numeric_level(desk):
    desk.create("--type", "inquiry", "--title", "好的")
    bad = desk.root / "tickets" / "2026" / "11" / "CS-2026-BADBAD1.yaml"
    bad.write_text("id: CS-2026-BADBAD1\ntype: inquiry\ntitle: t\nstatus: open\nlevel: x\n", encoding="utf-8")
    assert_skipped(desk.run("list"), "CS-2026-BADBAD1.yaml:5")
    assert desk.run("--strict", "list").exit_code == 3


def test_show_refuses_a_ticket_with_a_bad_timestamp_naming_the_file(desk):
    bad = desk.root / "tickets" / "2026" / "11" / "CS-2026-BADBAD1.yaml"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("id: CS-2026-BADBAD1\ntype: inquiry\ntitle: t\nstatus: open\ncreated: 5\n", encoding="utf-8")
    assert_refusal(desk.run("show", "BADBAD1"), 3, "CS-2026-BADBAD1.yaml")


def test_python_tags_in_a_ticket_are_never_executed(desk, tmp_path, monkeypatch):
    desk.create("--type", "inquiry", "--title", "好的")
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "PWNED2"
    evil = desk.root / "tickets" / "2026" / "11" / "CS-2026-EV1E001.yaml"
    evil.write_text('id: CS-2026-EV1E001\ntitle: !!python/object/apply:os.system ["touch PWNED"]\n'
                    f'note: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    before = desk.snapshot()
    for args in (("list",), ("list", "--json"), ("show", "EV1E001"), ("show", "EV1E001", "--json")):
        res = desk.run(*args)
        # refused (exit 3, naming file and line) or loaded as plain data; never executed
        if res.exit_code != 0:
            assert_refusal(res, 3, "CS-2026-EV1E001.yaml:2")
        assert not (tmp_path / "PWNED").exists() and not marker.exists()
        assert not (desk.root / "PWNED").exists()
    assert desk.snapshot() == before


def test_python_tags_refused_as_a_real_process(desk, tmp_path):
    evil = desk.root / "tickets" / "2026" / "11" / "CS-2026-EV1E001.yaml"
    evil.parent.mkdir(parents=True, exist_ok=True)
    evil.write_text('id: CS-2026-EV1E001\nx: !!python/object/apply:os.system ["touch PWNED"]\n'
                    'y: !!python/object/new:subprocess.Popen [["touch", "PWNED"]]\n', encoding="utf-8")
    proc = cstool_process("--store", str(desk.root), "list", cwd=tmp_path)
    assert proc.returncode in (0, 3) and "Traceback" not in proc.stderr
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("where", ["cstool.yaml", "templates/inquiry.yaml"])
def test_python_tags_in_config_or_template_are_refused(desk, tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    path = desk.root / where
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntype", "\nx: !!python/object/apply:os.system [\"touch PWNED\"]\ntype", 1)
                    if where.startswith("templates") else
                    text.replace("  prefix: CS", '  prefix: !!python/object/apply:os.system ["touch PWNED"]', 1),
                    encoding="utf-8")
    before = desk.snapshot()
    res = desk.run("create", "--type", "inquiry", "--title", "x")
    assert_refusal(res, 3, where, "not allowed")
    assert not (tmp_path / "PWNED").exists()
    assert desk.snapshot() == before


# --------------------------------------------------------------------------- who is acting


def test_an_actor_not_in_the_roster_is_refused(desk):
    before = desk.snapshot()
    res = desk.run("create", "--type", "inquiry", "--title", "x", as_="stranger@example.com")
    assert_refusal(res, 2, "stranger@example.com", "roster")
    res = desk.run("create", "--type", "inquiry", "--title", "x", as_=None, env={"CSTOOL_USER": "陌生人"})
    assert_refusal(res, 2, "陌生人", "roster")
    assert desk.snapshot() == before


def test_no_actor_at_all_is_refused(desk):
    before = desk.snapshot()
    res = desk.run("create", "--type", "inquiry", "--title", "x", as_=None)
    assert_refusal(res, 2, "--as")
    assert desk.snapshot() == before


def test_the_git_identity_must_be_in_the_roster(git_desk):
    git_desk.git("config", "user.email", "stranger@example.com")
    head = git_desk.git("rev-parse", "HEAD")
    before = git_desk.snapshot()
    res = git_desk.run("create", "--type", "inquiry", "--title", "x", as_=None)
    assert_refusal(res, 2, "git user.email", "stranger@example.com")
    assert git_desk.snapshot() == before and git_desk.git("rev-parse", "HEAD") == head
    # and a roster member's git identity is enough
    git_desk.git("config", "user.email", LEAD)
    tid = git_desk.create("--type", "inquiry", "--title", "git 身份", as_=None)
    assert git_desk.ticket(tid)["history"][0]["by"] == LEAD


# --------------------------------------------------------------------------- read-only desk


def _set_tree_mode(root: Path, writable: bool) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644 if writable else 0o444)
        os.chmod(dirpath, 0o755 if writable else 0o555)


def _unprivileged_prefix() -> list[str]:
    """How to run cstool so that file permissions apply.

    As a normal user nothing is needed. As root (permissions are not enforced), drop the
    capabilities that bypass them with setpriv; without setpriv the test is skipped."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores file permissions, and setpriv is not available to drop that")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o555)
        probe = subprocess.run([*prefix, sys.executable, "-c", "import os, sys; print(os.access(sys.argv[1], os.W_OK))",
                                folder], capture_output=True, text=True)
        os.chmod(folder, 0o755)
    if probe.returncode != 0 or probe.stdout.strip() != "False":
        pytest.skip(f"running as root and cannot drop the capabilities that ignore permissions ({probe.stderr.strip()})")
    return prefix


def _run_unprivileged(prefix, *args, cwd):
    return subprocess.run([*prefix, sys.executable, "-m", "cstool", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env={**os.environ})


@pytest.fixture
def read_only_desk(desk):
    tid = desk.create("--type", "complaint", "--title", "只读工单", "--phone", "13900001111")
    desk.ok("list")  # the cache exists, as in a desk someone has used
    prefix = _unprivileged_prefix()
    _set_tree_mode(desk.root, writable=False)
    desk.read_only_id = tid
    desk.prefix = prefix
    try:
        yield desk
    finally:
        _set_tree_mode(desk.root, writable=True)


def test_a_read_only_desk_refuses_changes_and_writes_nothing(read_only_desk):
    desk = read_only_desk
    before = desk.snapshot()
    common = ["--store", str(desk.root), "--as", LEAD, "--now", NOW, "--lang", "en"]
    proc = _run_unprivileged(desk.prefix, *common, "create", "--type", "inquiry", "--title", "写不进", cwd=desk.root.parent)
    assert_refusal(proc, 3)
    assert "read-only" in proc.stderr or "permission denied" in proc.stderr
    proc = _run_unprivileged(desk.prefix, *common, "note", desk.read_only_id, "-m", "备注", cwd=desk.root.parent)
    assert_refusal(proc, 3)
    assert desk.snapshot() == before


def test_a_read_only_desk_can_still_be_read(read_only_desk):
    desk = read_only_desk
    common = ["--store", str(desk.root), "--now", NOW, "--lang", "en"]
    proc = _run_unprivileged(desk.prefix, *common, "list", "--json", cwd=desk.root.parent)
    assert proc.returncode == 0, proc.stderr
    assert desk.read_only_id in proc.stdout and "13900001111" not in proc.stdout
    proc = _run_unprivileged(desk.prefix, *common, "show", desk.read_only_id, cwd=desk.root.parent)
    assert proc.returncode == 0, proc.stderr
    assert "只读工单" in proc.stdout


def test_a_read_only_tickets_folder_refuses_changes_and_writes_nothing(desk):
    desk.create("--type", "inquiry", "--title", "已有")
    prefix = _unprivileged_prefix()
    _set_tree_mode(desk.root / "tickets", writable=False)
    try:
        before = desk.snapshot()
        proc = _run_unprivileged(prefix, "--store", str(desk.root), "--as", LEAD, "--now", NOW, "--lang", "en",
                                 "create", "--type", "inquiry", "--title", "写不进", cwd=desk.root.parent)
        assert_refusal(proc, 3, "permission denied")
        assert desk.snapshot() == before
    finally:
        _set_tree_mode(desk.root / "tickets", writable=True)


def test_init_in_a_read_only_folder(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    prefix = _unprivileged_prefix()
    os.chmod(parent, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    try:
        proc = _run_unprivileged(prefix, "--as", MANAGER, "init", str(parent / "desk"), "--no-git", cwd=tmp_path)
        assert_refusal(proc, 3, "permission denied")
        assert list(parent.iterdir()) == []
    finally:
        os.chmod(parent, 0o755)


# --------------------------------------------------------------------------- malformed config

# the lead's line of the roster (tests/support/roster.py)
LEAD_ENTRY = "  - {id: zhao.lei@example.com, name: 赵磊, role: lead, groups: [complaint, followup]}\n"


def _edit_config(desk, old, new):
    path = desk.root / "cstool.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    # the line of the first line the edit added
    added = next(ln for ln in new.splitlines() if ln.strip() and ln not in old.splitlines())
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(added))


@pytest.mark.parametrize("old, new, needles", [
    ("  timezone: Asia/Shanghai", "  timezone: Asia/Shanghai\n  colour: red", ("unknown key 'desk.colour'",)),
    ("\nladder:", "\nescalation: []\n\nladder:", ("unknown key 'escalation'",)),
    ("  prefix: CS ", "  prefix: [CS] ", ("desk.prefix",)),
    ("\nladder: [agent, lead, supervisor, manager]", "\nladder: 3", ("'ladder' must be a list",)),
    (LEAD_ENTRY, LEAD_ENTRY.replace("role: lead", "role: boss"), ("role", "'boss'")),
    (LEAD_ENTRY, LEAD_ENTRY.replace("groups: [complaint, followup]", "groups: [nowhere]"), ("groups", "'nowhere'")),
    ("\nladder: [agent, lead, supervisor, manager]", "\nladder: [agent, boss]", ("ladder", "'boss'")),
    ("    assign: round_robin", "    assign: 5", ("groups.inquiry.assign",)),
    ("  - when: {type: complaint}", "  - when: {type: grievance}", ("routing[0].when.type", "grievance")),
    ("      first_response: 5m", "      first_response: five minutes", ("sla.policies[0].first_response",)),
    ("  timezone: Asia/Shanghai", "  timezone: Mars/Olympus", ("desk.timezone",)),
])
def test_a_malformed_config_names_the_key_and_line(desk, old, new, needles):
    line = _edit_config(desk, old, new)
    before = desk.snapshot()
    for args in (("list",), ("create", "--type", "inquiry", "--title", "x")):
        res = desk.run(*args)
        assert_refusal(res, 3, f"cstool.yaml:{line}:", *needles)
    assert desk.snapshot() == before


def test_a_config_that_is_not_yaml(desk):
    (desk.root / "cstool.yaml").write_text("desk: {name: x\n", encoding="utf-8")
    assert_refusal(desk.run("list"), 3, "cstool.yaml:", "malformed YAML")


def test_a_config_edit_is_seen_at_once(desk):
    # the config cache must never hide an edit that made the file invalid
    assert desk.run("list").exit_code == 0
    line = _edit_config(desk, LEAD_ENTRY, LEAD_ENTRY.replace("role: lead", "role: boss"))
    assert_refusal(desk.run("list"), 3, f"cstool.yaml:{line}:", "boss")
