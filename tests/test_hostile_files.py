"""A file a reading command cannot read is reported, not contagious; stored text cannot
drive the terminal; unexpected errors and Ctrl-C exit as documented; a hand-made file
keeps its line ends and byte-order mark.

``test_hostile_file_matrix`` runs every hostile file kind of ``tests/support/hostile.py``
against every reading and writing command; run it with ``-s`` to see the matrix.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cstool.desk import yamlio
from tests.support.desk import NOW, CliDesk, cstool_process
from tests.support.hostile import HOSTILE
from tests.support.roster import LEAD, MANAGER

PHONE = "13812345678"

READING: list[tuple[str, ...]] = [
    ("list",), ("list", "--status", "all", "--json"), ("list", "--format", "csv"), ("due",), ("due", "--json"),
    ("audit", "--period", "2026-11"), ("export",), ("sample", "--seed", "1"), ("handover",), ("show", "{good}"),
    ("customer", "list"),
]
WRITING: list[tuple[str, ...]] = [
    ("create", "-q", "--type", "inquiry", "--title", "新来电"), ("note", "{good}", "-m", "已回电"),
    ("customer", "add", "--name", "新客户", "--tier", "B"),
]


# commands that read every ticket or customer through the index: they must name a file they skip
INDEX_READERS = {"list", "due", "audit", "export", "sample", "handover", "create", "verify", "--strict"}


def _good(desk: CliDesk) -> str:
    return desk.create("--type", "inquiry", "--title", "hello", "--phone", PHONE)


def _plant(desk: CliDesk, kind: str) -> tuple[str, int]:
    return HOSTILE[kind](desk.root, desk.ticket_files()[0])


def _cell(desk: CliDesk, args: tuple[str, ...], good: str, rel: str, expected: int) -> tuple[str, list[str]]:
    """Run one command; the cell's text and what went wrong (nothing when all held)."""
    before = (desk.root / rel).read_bytes()
    res = desk.run(*[a.replace("{good}", good) for a in args])
    problems = []
    if res.exit_code != expected:
        problems.append(f"exit {res.exit_code}")
    if "Traceback" in res.stderr + res.stdout:
        problems.append("traceback")
    named = res.stderr.count(rel)
    if named > 1 or (named == 0 and (args[0] in INDEX_READERS or (args[:2] == ("customer", "list") and "customers/" in rel))):
        problems.append(f"names the file {named} times")
    if (desk.root / rel).read_bytes() != before:
        problems.append("changed the bad file")
    if PHONE in res.stdout and args[0] != "export":
        problems.append("raw phone")
    if "\x1b" in res.stdout + res.stderr:
        problems.append("raw ESC")
    return (f"{res.exit_code}" + ("" if not problems else "✗")), problems


def test_hostile_file_matrix(new_desk):
    """Every hostile file × every reading and writing command: reading commands exit 0 and
    name the file once, writing commands that do not touch it work, verify reports it
    (exit 1), --strict exits 3; the bad file and the good ticket are never lost."""
    commands = READING + WRITING + [("verify",), ("--strict", "list")]
    expected = [0] * (len(READING) + len(WRITING)) + [1, 3]
    lines, failures = [], []
    for n, kind in enumerate(HOSTILE):
        d = new_desk(f"desk{n}")
        good = _good(d)
        rel, _ = _plant(d, kind)
        row = []
        for args, code in zip(commands, expected):
            text, problems = _cell(d, args, good, rel, code)
            row.append(text)
            failures += [f"{kind} × {' '.join(args)}: {p}" for p in problems]
        shown = d.ok("show", good)  # the good ticket is still there and readable
        assert "hello" in shown.stdout
        lines.append(f"{kind:22} " + " ".join(f"{c:>4}" for c in row))
    print("\nexit codes (✗: something did not hold); columns:")
    for i, args in enumerate(commands, 1):
        print(f"  c{i:<2} cstool {' '.join(args).replace('{good}', 'ID')}")
    print(f"{'hostile file kind':22} " + " ".join(f"{'c' + str(i):>4}" for i in range(1, len(commands) + 1)))
    print("\n".join(lines))
    cells = len(HOSTILE) * len(commands)
    print(f"{len(HOSTILE)} hostile file kinds × {len(commands)} commands = {cells} runs; "
          f"{cells - len(failures)} as expected, {len(failures)} not")
    assert not failures, failures


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_verify_reports_every_file_reading_commands_skip(kind, desk):
    _good(desk)
    rel, line = _plant(desk, kind)
    res = desk.run("verify", "--json")
    assert res.exit_code == 1, res.stderr
    found = [f for f in res.json["findings"] if f["file"] == rel]
    assert found, res.stdout
    if line:
        assert any(f["line"] == line for f in found), found
    listed = desk.run("list")
    assert listed.exit_code == 0 and rel in listed.stderr


def test_a_lone_surrogate_in_a_title_does_not_stop_list_due_or_create(desk):
    good = _good(desk)
    rel, line = _plant(desk, "lone surrogate")
    for args in (("list",), ("due",), ("audit", "--period", "2026-11"), ("export",)):
        res = desk.run(*args)
        assert res.exit_code == 0, (args, res.stderr)
        assert f"{rel}:{line}:" in res.stderr
    assert desk.create("--type", "inquiry", "--title", "第二张")
    assert good in desk.ok("list").stdout


@pytest.mark.parametrize("git", [False, True])
def test_the_warning_is_repeated_until_the_file_is_fixed(git, new_desk):
    desk = new_desk(git=git)
    good = desk.create("--type", "inquiry", "--title", "hello", as_=MANAGER)
    rel, _ = _plant(desk, "timestamp banana")
    if git:  # a teammate's commit, pulled: git reports the file clean from then on
        desk.git("add", rel)
        desk.git("commit", "-q", "-m", "hand edit")
    for _ in range(3):
        res = desk.ok("list")
        assert res.stderr.count(rel) == 1
        assert good in res.stdout
    path = desk.root / rel
    path.write_text(path.read_text(encoding="utf-8").replace("updated: banana", "updated: '2026-11-20T10:00:00+08:00'"),
                    encoding="utf-8")
    if git:
        desk.git("commit", "-q", "-am", "fixed")
    res = desk.ok("list")
    assert res.stderr == ""
    assert good in res.stdout and "CS-2026-ZZZZZZZ" in res.stdout


def test_strict_exits_3_when_a_file_is_skipped(desk):
    _good(desk)
    _plant(desk, "customer since banana")
    res = desk.run("--strict", "due")
    assert res.exit_code == 3
    assert "customers/C-9999.yaml" in res.stderr
    assert desk.run("due").exit_code == 0


CONTROL_TITLE = "账单\x1b]0;owned\x07\x1b[2J\u202eevil"


def test_terminal_control_characters_are_shown_escaped(desk):
    tid = _good(desk)
    path = desk.path(tid)
    path.write_text(path.read_text(encoding="utf-8").replace("title: hello", 'title: "账单\\e]0;owned\\a\\e[2J\\u202eevil"'),
                    encoding="utf-8")
    assert desk.ticket(tid)["title"] == CONTROL_TITLE
    for args in (("list",), ("show", tid), ("due", "--within", "30d"), ("handover",), ("list", "--format", "markdown")):
        out = desk.ok(*args).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, (args, out)
        if args[0] in ("show", "list"):
            assert "\\x1b]0;owned\\x07\\x1b[2J\\u202eevil" in out, (args, out)


def test_an_unexpected_error_exits_3_in_one_line(desk, monkeypatch):
    from cstool.reports import views

    _good(desk)

    def boom(*a, **k):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(views, "ticket_list", boom)
    res = desk.run("list", catch_exceptions=True)
    assert res.exit_code == 3
    assert res.stderr.startswith("cstool: unexpected error: RecursionError") and res.stderr.count("\n") == 1
    assert "report" in res.stderr and "Traceback" not in res.stderr
    monkeypatch.setenv("CSTOOL_DEBUG", "1")
    with pytest.raises(RecursionError):
        desk.run("list")


def test_due_fail_on_overdue_exits_1_only_for_overdue_items(desk, monkeypatch):
    from cstool.time import due

    _good(desk)
    assert desk.run("due", "--fail-on-overdue", now="2026-11-20T11:00:00+08:00").exit_code == 0
    assert desk.run("due", "--fail-on-overdue", now="2026-12-20T11:00:00+08:00").exit_code == 1

    def broken(*a, **k):
        raise OSError(5, "Input/output error", "tickets")

    monkeypatch.setattr(due, "row_item", broken)
    res = desk.run("due", "--fail-on-overdue", now="2026-12-20T11:00:00+08:00", catch_exceptions=True)
    assert res.exit_code == 3, res.stderr
    assert "OSError: tickets: Input/output error" in res.stderr


def test_a_full_disk_quota_exits_3_not_1(desk, tmp_path):
    """``ulimit -f``: writing past the limit fails with EFBIG (Python ignores SIGXFSZ)."""
    for i in range(20):
        desk.create("--type", "inquiry", "--title", f"工单 {i} " + "长" * 150)
    out = tmp_path / "out.csv"

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    proc = subprocess.run([sys.executable, "-m", "cstool", "--store", str(desk.root), "--lang", "en", "--as", LEAD,
                           "--now", NOW, "export", "-o", str(out)], capture_output=True, text=True, preexec_fn=limit,
                          timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_ctrl_c_between_writing_and_committing_puts_the_file_back(git_desk, monkeypatch):
    from cstool.git import repo

    tid = git_desk.create("--type", "inquiry", "--title", "hello", as_=MANAGER)
    before = git_desk.snapshot()

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(repo, "commit", interrupted)
    res = git_desk.run("note", tid, "-m", "写了一半", catch_exceptions=True)
    assert res.exit_code == 130, res.stderr
    res = git_desk.run("create", "--type", "inquiry", "--title", "新的", catch_exceptions=True)
    assert res.exit_code == 130
    assert git_desk.snapshot() == before
    assert git_desk.git("status", "--porcelain") == ""


def test_ctrl_c_exits_130_in_a_real_process(git_desk):
    """A real SIGINT while the command waits for the desk lock."""
    import fcntl
    import os
    import signal
    import time

    lock = git_desk.root / ".cstool" / "lock"
    lock.parent.mkdir(exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cstool", "--store", str(git_desk.root), "--as", LEAD, "--now", NOW,
                                 "create", "--type", "inquiry", "--title", "x"], stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        os.close(fd)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert git_desk.ticket_files() == []


def test_crlf_and_bom_of_a_hand_made_file_are_kept(desk):
    tid = _good(desk)
    path = desk.path(tid)
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    desk.ok("note", tid, "-m", "已回电")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.startswith(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n")[:200])
    assert "已回电" in desk.ok("show", tid).stdout


def test_size_is_checked_before_reading(monkeypatch, tmp_path):
    """A file that is bigger than it says (a device, a file still growing) is read only to
    one byte past the limit, then refused."""
    monkeypatch.setattr(yamlio, "MAX_FILE_BYTES", 1000)
    with pytest.raises(Exception, match="larger than"):
        yamlio.load_plain(Path("/dev/zero"), "zero.yaml")
    with pytest.raises(Exception, match="larger than"):
        yamlio.load(Path("/dev/zero"), "zero.yaml")


def test_cstool_process_help_still_works():
    assert cstool_process("--help").returncode == 0


# --------------------------------------------------------------------------- the merge driver

HOSTILE_SIDES = {
    "a list": "- just\n- a list\n",
    "a scalar": "just text\n",
    "history: 5": "id: {id}\nhistory: 5\n",
    "history of scalars": "id: {id}\nhistory: [1, 2]\n",
    "python tag": "{good}extra: !!python/object/apply:os.system ['echo pwned']\n",
    "invalid UTF-8": "{good}note: \udcff\n",
    "deep nesting": "{good}fields: " + "[" * 40 + "]" * 40 + "\n",
    "over 4 MiB": "{good}note: '" + "x" * (4 * 1024 * 1024) + "'\n",
}


def _sides(desk: CliDesk, tmp_path: Path) -> tuple[str, str, Path, Path, Path]:
    tid = desk.create("--type", "inquiry", "--title", "hello")
    good = desk.path(tid).read_text(encoding="utf-8")
    paths = [tmp_path / name for name in ("base", "ours", "theirs")]
    for p in paths:
        p.write_text(good, encoding="utf-8")
    return tid, good, *paths


@pytest.mark.parametrize("side", ["base", "ours", "theirs"])
@pytest.mark.parametrize("kind", list(HOSTILE_SIDES))
def test_the_merge_driver_refuses_a_side_it_cannot_read(kind, side, desk, tmp_path):
    from cstool.git.driver import merge_files

    tid, good, base, ours, theirs = _sides(desk, tmp_path)
    target = {"base": base, "ours": ours, "theirs": theirs}[side]
    target.write_bytes(HOSTILE_SIDES[kind].format(id=tid, good=good).encode("utf-8", "surrogateescape"))
    before = ours.read_bytes()
    code, why = merge_files(base, ours, theirs, f"tickets/2026/11/{tid}.yaml")
    assert code != 0, kind
    assert why.startswith(f"tickets/2026/11/{tid}.yaml") and "\n" not in why, why
    assert ours.read_bytes() == before  # ours untouched: no line merge of hostile content


def test_merge_file_command_exits_non_zero_without_a_traceback(desk, tmp_path):
    tid, good, base, ours, theirs = _sides(desk, tmp_path)
    theirs.write_text("- a\n- list\n", encoding="utf-8")
    res = desk.run("merge-file", str(base), str(ours), str(theirs), f"tickets/2026/11/{tid}.yaml", store=False)
    assert res.exit_code == 1
    assert "Traceback" not in res.stderr and "must be a mapping" in res.stderr
    zh = desk.run("merge-file", str(base), str(ours), str(theirs), f"tickets/2026/11/{tid}.yaml", store=False, lang="zh")
    assert zh.exit_code == 1 and "工单文件必须是字段的映射" in zh.stderr and "手工" in zh.stderr, zh.stderr
    assert "must be" not in zh.stderr


def test_two_identical_events_on_one_side_stay_two_events(desk, tmp_path):
    """Two identical notes in the same minute on one clone (as two chases would be), a reply
    on the other: all three events are kept."""
    from cstool.git.driver import merge_files

    tid = desk.create("--type", "inquiry", "--title", "催办")
    path = desk.path(tid)
    base_text = path.read_text(encoding="utf-8")
    desk.ok("note", tid, "-m", "请尽快处理", now="2026-11-20T11:00:00+08:00")
    desk.ok("note", tid, "-m", "请尽快处理", now="2026-11-20T11:00:00+08:00")
    ours_text = path.read_text(encoding="utf-8")
    path.write_text(base_text, encoding="utf-8")
    desk.ok("reply", tid, "-m", "已联系", now="2026-11-20T12:00:00+08:00")
    theirs_text = path.read_text(encoding="utf-8")
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    for p, text in ((base, base_text), (ours, ours_text), (theirs, theirs_text)):
        p.write_text(text, encoding="utf-8")
    code, why = merge_files(base, ours, theirs, f"tickets/2026/11/{tid}.yaml")
    assert code == 0, why
    merged = yamlio.load(ours)
    actions = [ev["action"] for ev in merged["history"]]
    assert actions.count("note") == 2, actions
    assert actions.count("reply") == 1
    # merging the result again with either side changes nothing (the union is stable)
    again = tmp_path / "again"
    again.write_bytes(ours.read_bytes())
    assert merge_files(base, again, theirs, f"tickets/2026/11/{tid}.yaml")[0] == 0
    assert [ev["action"] for ev in yamlio.load(again)["history"]] == actions


@pytest.mark.parametrize("kind", [k for k in HOSTILE if not k.startswith("customer")])
def test_the_bad_file_itself_is_refused_with_its_line(kind, desk):
    """show and note of the bad ticket itself refuse it (exit 3), naming the file, nothing written."""
    from tests.support.hostile import BAD_ID

    _good(desk)
    rel, _ = _plant(desk, kind)
    before = desk.snapshot()
    for args in (("show", BAD_ID), ("show", BAD_ID, "--json"), ("note", BAD_ID, "-m", "x")):
        res = desk.run(*args)
        assert res.exit_code == 3, (kind, args, res.stderr)
        assert res.stderr.startswith(f"cstool: {rel}") and res.stderr.count("\n") == 1, res.stderr
    assert desk.snapshot() == before
