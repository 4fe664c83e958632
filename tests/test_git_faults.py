"""A desk whose git commit fails.

For each fault (a pre-commit hook rejects, no usable identity, a merge in progress, a
stale index.lock) exit 3 means that nothing was written: the ticket file is put back
byte for byte (a new ticket's file removed), nothing is half committed (HEAD unchanged,
nothing left staged) and the message says what to do. A detached HEAD or a merge in
progress is refused before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.desk import git
from tests.support.roster import AGENT, MANAGER

SUMMARY: dict[str, Any] = {"faults": 0, "intact": 0}


def _head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").stdout.strip()


def _ticket(d: Any) -> tuple[str, str]:
    tid = d.create("--type", "complaint", "--title", "空调漏水", "--assignee", AGENT, as_=MANAGER)
    return tid, d.path(tid).relative_to(d.root).as_posix()


def _assert_fault_handled(d: Any, res: Any, rel: str, head_before: str, staged_before: str, before: bytes) -> None:
    """Exit 3, the message names the file and says nothing was written, the file holds
    what it held before, HEAD did not move and nothing was left staged."""
    SUMMARY["faults"] += 1
    msg = f"exit {res.exit_code}: {res.stderr!r} [{SUMMARY}]"
    assert res.exit_code == 3, msg
    assert "Traceback" not in res.stderr, msg
    assert rel in res.stderr, "the message names the file — " + msg
    assert "nothing was written" in res.stderr and "again" in res.stderr, "the message says what to do — " + msg
    assert (d.root / rel).read_bytes() == before, "the file is put back as it was"
    assert _head(d.root) == head_before, "nothing committed"
    assert git(d.root, "diff", "--cached", "--name-only").stdout == staged_before, "nothing left staged"
    assert rel not in git(d.root, "status", "--porcelain").stdout, "no local modification is left"
    SUMMARY["intact"] += 1


def test_pre_commit_hook_rejects(git_desk):
    d = git_desk
    tid, rel = _ticket(d)
    hook = d.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    head, staged = _head(d.root), git(d.root, "diff", "--cached", "--name-only").stdout
    before = (d.root / rel).read_bytes()
    res = d.run("note", tid, "-m", "钩子拒绝", as_=AGENT)
    _assert_fault_handled(d, res, rel, head, staged, before)
    # a new ticket under the same hook: its file is removed again, so a retry makes no duplicate
    res = d.run("create", "-q", "--type", "inquiry", "--title", "新工单", as_=MANAGER)
    assert res.exit_code == 3 and "nothing was written" in res.stderr, res.stderr
    assert _head(d.root) == head
    assert git(d.root, "diff", "--cached", "--name-only").stdout == ""
    untracked = git(d.root, "status", "--porcelain", "--untracked-files=all").stdout
    assert "tickets/" not in untracked, untracked
    # once the hook is gone, the next change commits only its own file
    hook.unlink()
    d.ok("note", tid, "-m", "钩子移除", as_=AGENT)
    files = git(d.root, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert files == [rel]
    print(f"\n[git] hook: {SUMMARY}")


def test_use_config_only_without_email_is_handled_by_passing_the_actor(git_desk):
    """user.useConfigOnly=true and no user.email: cstool gives the actor as committer, so
    the commit still works (graceful), authored and committed by the acting person."""
    d = git_desk
    tid, rel = _ticket(d)
    git(d.root, "config", "user.useConfigOnly", "true")
    git(d.root, "config", "--unset", "user.email", check=False)
    d.ok("note", tid, "-m", "无身份", as_=AGENT)
    who = git(d.root, "log", "-1", "--format=%an <%ae>|%cn <%ce>").stdout.strip()
    assert who == "王芳 <wang.fang@example.com>|王芳 <wang.fang@example.com>", who
    assert git(d.root, "status", "--porcelain").stdout == ""


def test_no_identity_possible(git_desk, monkeypatch):
    """An environment whose committer identity git refuses (empty name): exit 3, the
    change stays on disk, nothing committed."""
    d = git_desk
    tid, rel = _ticket(d)
    head, staged = _head(d.root), git(d.root, "diff", "--cached", "--name-only").stdout
    monkeypatch.setenv("GIT_COMMITTER_NAME", "")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "")
    before = (d.root / rel).read_bytes()
    res = d.run("note", tid, "-m", "身份缺失", as_=AGENT)
    _assert_fault_handled(d, res, rel, head, staged, before)
    print(f"\n[git] identity: {SUMMARY}")


def test_detached_head_is_refused_before_writing(git_desk):
    """On a detached HEAD (an interrupted sync, a checkout of a commit) a changing command
    would commit where checking out a branch loses it: refused, exit 3, nothing written."""
    d = git_desk
    tid, rel = _ticket(d)
    git(d.root, "checkout", "-q", "--detach")
    head, before = _head(d.root), (d.root / rel).read_bytes()
    for args in (("note", tid, "-m", "游离头"), ("create", "--type", "inquiry", "--title", "游离头新单")):
        res = d.run(*args, as_=AGENT)
        assert res.exit_code == 3, res.stderr
        assert "detached" in res.stderr and "git switch" in res.stderr and "nothing was written" in res.stderr
    assert _head(d.root) == head and (d.root / rel).read_bytes() == before
    assert git(d.root, "status", "--porcelain", "--untracked-files=all").stdout == ""


def test_merge_in_progress(git_desk):
    """An unresolved, conflicting merge in a non-ticket file: cstool cannot make its
    partial commit; the merge state is left exactly as it was."""
    d = git_desk
    tid, rel = _ticket(d)
    notes = d.root / "notes.txt"
    notes.write_text("base\n")
    git(d.root, "add", "notes.txt")
    git(d.root, "commit", "-q", "-m", "notes")
    main = git(d.root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    git(d.root, "checkout", "-q", "-b", "other")
    notes.write_text("theirs\n")
    git(d.root, "commit", "-q", "-am", "theirs")
    git(d.root, "checkout", "-q", main)
    notes.write_text("ours\n")
    git(d.root, "commit", "-q", "-am", "ours")
    merge = git(d.root, "merge", "other", check=False)
    assert merge.returncode != 0 and (d.root / ".git" / "MERGE_HEAD").exists()
    unmerged = git(d.root, "ls-files", "-u").stdout
    assert "notes.txt" in unmerged
    head, staged = _head(d.root), git(d.root, "diff", "--cached", "--name-only").stdout
    before = (d.root / rel).read_bytes()
    res = d.run("note", tid, "-m", "合并中", as_=AGENT)
    assert res.exit_code == 3 and "merge is in progress" in res.stderr and "nothing was written" in res.stderr, res.stderr
    assert (d.root / rel).read_bytes() == before and _head(d.root) == head
    assert git(d.root, "diff", "--cached", "--name-only").stdout == staged
    assert (d.root / ".git" / "MERGE_HEAD").exists(), "the merge is still in progress"
    assert git(d.root, "ls-files", "-u").stdout == unmerged, "the conflict is untouched"
    print(f"\n[git] merge: {SUMMARY}")


def test_stale_index_lock(git_desk):
    """A stale .git/index.lock (left by a killed git): the same promise as other faults;
    a create leaves no orphan file, so a retry after removing the lock makes one ticket."""
    d = git_desk
    tid, rel = _ticket(d)
    head, staged = _head(d.root), git(d.root, "diff", "--cached", "--name-only").stdout
    (d.root / ".git" / "index.lock").write_text("")
    before = (d.root / rel).read_bytes()
    res = d.run("note", tid, "-m", "索引锁", as_=AGENT)
    _assert_fault_handled(d, res, rel, head, staged, before)
    count = len(list((d.root / "tickets").rglob("*.yaml")))
    res = d.run("create", "--type", "inquiry", "--title", "锁住的新单", as_=AGENT)
    assert res.exit_code == 3 and "nothing was written" in res.stderr, res.stderr
    assert len(list((d.root / "tickets").rglob("*.yaml"))) == count, "no orphan ticket file"
    (d.root / ".git" / "index.lock").unlink()
    d.ok("create", "--type", "inquiry", "--title", "锁住的新单", as_=AGENT)
    assert len(list((d.root / "tickets").rglob("*.yaml"))) == count + 1
    assert git(d.root, "status", "--porcelain", "--untracked-files=all").stdout == ""
