"""``cstool import`` is all or nothing and idempotent.

Every row is checked before any file is written; the files are staged and put in place
with their commit, so a bad row, a concurrent import, kill -9 or Ctrl-C leaves the desk as
it was. Importing the same rows again is refused, or left out with --skip-existing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.desk import NOW, CliDesk, assert_refusal
from tests.support.roster import SUPERVISOR


def _rows(n: int, start: int = 0) -> list[dict]:
    return [{"type": "inquiry", "title": f"咨询{i}", "channel": "phone",
             "customer": {"name": f"客户{i}", "phone": f"138{i:08d}"}} for i in range(start, start + n)]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def _state(desk: CliDesk) -> tuple:
    """Everything a user would see: the files, git's status and history."""
    return desk.snapshot(), desk.git("status", "--porcelain", "--untracked-files=all"), desk.git("log", "--format=%H")


def _argv(desk: CliDesk, *args: str) -> list[str]:
    return [sys.executable, "-m", "cstool", "--store", str(desk.root), "--as", SUPERVISOR, "--now", NOW, *args]


def test_a_row_over_the_size_limit_refuses_the_whole_file(git_desk, tmp_path):
    tid = git_desk.create("--type", "complaint", "--title", "大工单")
    whole = json.loads(git_desk.ok("export", "--format", "json", "--reveal").stdout)[0]
    git_desk.path(tid).unlink()
    git_desk.git("commit", "-qam", "remove it, to import it back")
    note = {"at": whole["created"], "by": SUPERVISOR, "action": "note", "note": "长" * 199_000}
    whole["history"] += [note] * 12  # each note is within the limit, the file is not
    before = _state(git_desk)
    path = _write(tmp_path / "rows.json", [*_rows(3), whole])
    res = git_desk.run("import", str(path), as_=SUPERVISOR)
    assert_refusal(res, 2, "MiB")
    assert _state(git_desk) == before
    # the good rows alone import; nothing was left behind to make them "already in this desk"
    git_desk.ok("import", str(_write(tmp_path / "good.json", _rows(3))), as_=SUPERVISOR)
    assert len(git_desk.ticket_files()) == 3
    assert git_desk.git("status", "--porcelain") == ""


def test_importing_the_same_rows_again_is_refused_or_skipped(git_desk, tmp_path):
    path = _write(tmp_path / "rows.json", _rows(4))
    git_desk.ok("import", str(path), as_=SUPERVISOR)
    before = _state(git_desk)
    res = git_desk.run("import", str(path), as_=SUPERVISOR)
    assert_refusal(res, 2, "row 1", "already in this desk", "--skip-existing")
    assert _state(git_desk) == before
    res = git_desk.ok("import", "--skip-existing", str(path), as_=SUPERVISOR)
    assert "imported 0" in res.stdout and "left out 4" in res.stdout
    assert _state(git_desk) == before
    more = _write(tmp_path / "more.json", _rows(6))  # four old, two new
    git_desk.ok("import", "--skip-existing", str(more), as_=SUPERVISOR)
    assert len(git_desk.ticket_files()) == 6


def test_whole_tickets_are_recognised_by_id(git_desk, new_desk, tmp_path):
    git_desk.create("--type", "complaint", "--title", "甲")
    out = tmp_path / "all.json"
    git_desk.ok("export", "--format", "json", "--reveal", "-o", str(out))
    target = new_desk("target", git=True)
    target.ok("import", str(out), as_=SUPERVISOR)
    before = _state(target)
    assert_refusal(target.run("import", str(out), as_=SUPERVISOR), 2, "already in this desk")
    target.ok("import", "--skip-existing", str(out), as_=SUPERVISOR)
    assert _state(target) == before


def test_deeply_nested_json_is_refused_in_one_line(desk, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000, encoding="utf-8")
    assert_refusal(desk.run("import", str(path), as_=SUPERVISOR), 2, "nested")
    proc = subprocess.run(_argv(desk, "import", str(path)), capture_output=True, text=True, timeout=60)
    assert_refusal(proc, 2, "嵌套")  # in the desk's language


def test_two_imports_at_once_leave_no_stray_files(git_desk, tmp_path):
    a = _write(tmp_path / "a.json", _rows(40))
    b = _write(tmp_path / "b.json", _rows(40, start=100))
    procs = [subprocess.Popen(_argv(git_desk, "import", str(p)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for p in (a, b, a)]
    codes = [p.wait(timeout=120) for p in procs]
    assert sorted(codes) == [0, 0, 2], [p.stderr.read() for p in procs]  # the same file twice: once
    assert git_desk.git("status", "--porcelain", "--untracked-files=all") == ""
    assert len(git_desk.ticket_files()) == 80


def _import_interrupted(desk: CliDesk, path: Path, sig: int, delay: float | None) -> int:
    """Start an import and send it sig once it has staged its files (or after delay); its exit code."""
    proc = subprocess.Popen(_argv(desk, "import", str(path)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = desk.root / ".cstool" / "staging"
    deadline = time.monotonic() + 60
    if delay is not None:
        time.sleep(delay)
    else:
        while proc.poll() is None and time.monotonic() < deadline:
            if any((d / "manifest.json").exists() for d in staging.glob("*")) or any(desk.root.glob("tickets/*/*/*")):
                break  # placing has begun (an import without staging: its first file is there)
            time.sleep(0.001)
    proc.send_signal(sig)
    return proc.wait(timeout=60)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_an_import_killed_while_placing_its_files_leaves_the_desk_as_it_was(git_desk, tmp_path, sig):
    path = _write(tmp_path / "rows.json", _rows(300))
    before = _state(git_desk)
    code = _import_interrupted(git_desk, path, sig, None)
    assert code != 0, "the import finished before it could be interrupted; the test proved nothing"
    git_desk.ok("list")  # the next command puts away what the killed one staged
    assert not any((git_desk.root / ".cstool" / "staging").glob("*"))
    after = _state(git_desk)
    if after != before:  # interrupted after its commit went in: then all of it, committed
        assert len(git_desk.ticket_files()) == 300 and after[1] == "", after[1]
        assert len(after[2].split()) == len(before[2].split()) + 1
        return
    git_desk.ok("import", str(path), as_=SUPERVISOR)  # and the import can simply be run again
    assert len(git_desk.ticket_files()) == 300 and git_desk.git("status", "--porcelain") == ""


@pytest.mark.stress
def test_kill_9_at_any_moment_of_an_import_gives_all_or_nothing(git_desk, tmp_path):
    rng = random.Random(14)
    path = _write(tmp_path / "rows.json", _rows(150))
    outcomes = {"nothing": 0, "all": 0}
    start = time.monotonic()
    subprocess.run(_argv(git_desk, "import", str(path)), check=True, capture_output=True)
    took = time.monotonic() - start  # kill at moments spread over a whole import
    _start_again(git_desk)
    for _ in range(25):
        before = _state(git_desk)
        _import_interrupted(git_desk, path, signal.SIGKILL, rng.uniform(0.1, took * 1.1))
        git_desk.ok("list")
        after = _state(git_desk)
        if after == before:
            outcomes["nothing"] += 1
            continue
        outcomes["all"] += 1
        assert len(git_desk.ticket_files()) == 150 and after[1] == ""
        assert len(after[2].split()) == len(before[2].split()) + 1
        _start_again(git_desk)
    print(f"\n[import kill -9] {outcomes} (a whole import took {took:.1f} s)")
    assert outcomes["nothing"] and outcomes["all"]  # both sides of the commit were hit


def _start_again(desk: CliDesk) -> None:
    for p in desk.ticket_files():
        os.unlink(p)
    desk.git("commit", "-qam", "start again from an empty desk")


def test_an_import_spreads_new_contacts_over_the_group_as_its_method_says(git_desk, tmp_path):
    """Each imported row is assigned seeing the rows assigned before it: round robin takes
    the inquiry agents in turn, least open evens out the complaint agents' loads."""
    from tests.support.roster import AGENTS

    git_desk.create("--type", "complaint", "--title", "已有投诉", "--assignee", AGENTS["complaint"][0], as_=SUPERVISOR)
    rows = _rows(4) + [{"type": "complaint", "title": f"投诉{i}", "channel": "phone",
                        "customer": {"name": f"投诉客户{i}", "phone": f"139{i:08d}"}} for i in range(3)]
    git_desk.ok("import", str(_write(tmp_path / "rows.json", rows)), as_=SUPERVISOR)
    docs = json.loads(git_desk.ok("export", "--format", "json").stdout)
    by_group: dict[str, list[str]] = {}
    for doc in sorted(docs, key=lambda d: d["title"]):
        if doc["title"] != "已有投诉":
            by_group.setdefault(doc["group"], []).append(doc["assignee"])
    assert sorted(by_group["inquiry"]) == sorted(AGENTS["inquiry"] * 2)
    loads = [by_group["complaint"].count(a) + (a == AGENTS["complaint"][0]) for a in AGENTS["complaint"]]
    assert loads == [2, 2]


def _loose_objects(desk: CliDesk) -> int:
    counts = dict(line.split(": ") for line in desk.git("count-objects", "-v").splitlines())
    return int(counts["count"])


def test_an_import_stores_its_files_in_one_pack_and_leaves_git_clean(git_desk, tmp_path):
    """git keeps the imported files' contents in one pack (not one loose object each, which
    a large import makes git spend minutes writing and then repacking), and the files stay
    clean and committed: git status has nothing to hash again."""
    before = _loose_objects(git_desk)
    git_desk.ok("import", str(_write(tmp_path / "rows.json", _rows(250))), as_=SUPERVISOR)
    assert len(git_desk.ticket_files()) == 250
    assert _loose_objects(git_desk) - before < 10  # the commit and its few trees
    assert git_desk.git("status", "--porcelain", "--untracked-files=all") == ""
    assert git_desk.git("diff", "--stat", "HEAD~1", "HEAD").count(".yaml") == 250
    git_desk.git("fsck", "--no-dangling")
    show = git_desk.ok("show", git_desk.ticket_files()[0].stem).stdout
    assert "咨询" in show


def test_an_import_refused_by_a_commit_hook_leaves_the_desk_as_it_was(git_desk, tmp_path):
    hook = git_desk.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = _state(git_desk)
    res = git_desk.run("import", str(_write(tmp_path / "rows.json", _rows(150))), as_=SUPERVISOR)
    assert res.exit_code == 3, res.output
    assert _state(git_desk) == before
    hook.unlink()
    git_desk.ok("import", str(tmp_path / "rows.json"), as_=SUPERVISOR)
    assert len(git_desk.ticket_files()) == 150 and git_desk.git("status", "--porcelain") == ""


def _deeper_than(text: str, limit: int) -> bool:
    """Whether brackets outside JSON strings nest deeper than limit, one character at a time."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(head=st.integers(0, 40), body=st.text(alphabet='[]{}"\\a,:', max_size=60))
def test_json_nested_too_deep_is_refused_whatever_strings_hold(head: int, body: str) -> None:
    from cstool.desk.exchange import MAX_JSON_DEPTH, _json_loads
    from cstool.errors import InputError

    text = "[" * head + body
    try:
        _json_loads(text)
        refused = False
    except InputError as exc:
        refused = "deep" in str(exc.key)
    assert refused == _deeper_than(text, MAX_JSON_DEPTH)
