"""A desk whose git commit fails.

For each fault (a pre-commit hook rejects, no usable identity, a merge in progress, a
stale index.lock) the file change stays intact on disk, nothing is half committed (HEAD
unchanged, nothing left staged), the message says what to do, and the exit code is 3.
A detached HEAD is not a fault for git: the commit is made there and the ticket file
and its history agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cstool.desk import yamlio
from cstool.domain import history
from tests.support.desk import git
from tests.support.roster import AGENT, MANAGER

SUMMARY: dict[str, Any] = {"faults": 0, "intact": 0}


def _head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").stdout.strip()


def _ticket(d: Any) -> tuple[str, str]:
    tid = d.create("--type", "complaint", "--title", "空调漏水", "--assignee", AGENT, as_=MANAGER)
    return tid, d.path(tid).relative_to(d.root).as_posix()


def _assert_fault_handled(d: Any, res: Any, rel: str, head_before: str, staged_before: str, expect_note: str) -> None:
    """Exit 3, the message says the change was saved and how to commit it, the file
    holds the change, HEAD did not move and nothing was left staged."""
    SUMMARY["faults"] += 1
    msg = f"exit {res.exit_code}: {res.stderr!r} [{SUMMARY}]"
    assert res.exit_code == 3, msg
    assert "Traceback" not in res.stderr, msg
    assert rel in res.stderr, "the message names the file — " + msg
    assert "commit" in res.stderr and "yourself" in res.stderr, "the message says what to do — " + msg
    data = yamlio.load(d.root / rel)
    assert data["history"][-1].get("note") == expect_note, "the change is on disk"
    assert history.disagreements(data) == []
    assert _head(d.root) == head_before, "nothing committed"
    assert git(d.root, "diff", "--cached", "--name-only").stdout == staged_before, "nothing left staged"
    assert rel in git(d.root, "status", "--porcelain").stdout, "the change shows as a local modification"
    SUMMARY["intact"] += 1


def test_pre_commit_hook_rejects(git_desk):
    d = git_desk
    tid, rel = _ticket(d)
    hook = d.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    head, staged = _head(d.root), git(d.root, "diff", "--cached", "--name-only").stdout
    res = d.run("note", tid, "-m", "钩子拒绝", as_=AGENT)
    _assert_fault_handled(d, res, rel, head, staged, "钩子拒绝")
    # a new ticket under the same hook: the file exists, it is untracked, not staged
    res = d.run("create", "-q", "--type", "inquiry", "--title", "新工单", as_=MANAGER)
    assert res.exit_code == 3 and "yourself" in res.stderr, res.stderr
    assert _head(d.root) == head
    assert git(d.root, "diff", "--cached", "--name-only").stdout == ""
    untracked = git(d.root, "status", "--porcelain", "--untracked-files=all").stdout
    assert "?? tickets/" in untracked, untracked
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
    res = d.run("note", tid, "-m", "身份缺失", as_=AGENT)
    _assert_fault_handled(d, res, rel, head, staged, "身份缺失")
    print(f"\n[git] identity: {SUMMARY}")


def test_detached_head_commits_there_and_file_agrees(git_desk):
    """git commits on a detached HEAD; the commit holds exactly the ticket file, and the
    committed file equals the file on disk, whose history replays to its fields."""
    d = git_desk
    tid, rel = _ticket(d)
    git(d.root, "checkout", "-q", "--detach")
    head = _head(d.root)
    res = d.run("note", tid, "-m", "游离头", as_=AGENT)
    assert res.exit_code == 0, res.stderr
    assert git(d.root, "rev-parse", "HEAD~1").stdout.strip() == head
    assert git(d.root, "symbolic-ref", "-q", "HEAD", check=False).returncode != 0, "still detached"
    assert git(d.root, "show", "--name-only", "--format=", "HEAD").stdout.split() == [rel]
    assert git(d.root, "show", f"HEAD:{rel}").stdout == (d.root / rel).read_text(encoding="utf-8")
    data = d.ticket(tid)
    assert data["history"][-1]["note"] == "游离头" and history.disagreements(data) == []
    assert git(d.root, "status", "--porcelain").stdout == ""
    verify = d.run("verify", as_=MANAGER)
    assert verify.exit_code == 0, verify.stdout


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
    res = d.run("note", tid, "-m", "合并中", as_=AGENT)
    _assert_fault_handled(d, res, rel, head, staged, "合并中")
    assert (d.root / ".git" / "MERGE_HEAD").exists(), "the merge is still in progress"
    assert git(d.root, "ls-files", "-u").stdout == unmerged, "the conflict is untouched"
    print(f"\n[git] merge: {SUMMARY}")


# Regression test: at f909d5b this failed: cstool/gitops.py commit(): `git add` runs with check=True, so a
#   failing add (e.g. a stale .git/index.lock left by a killed git) raises 'git add failed: …' without saying
#   that the change was saved to the file or how to commit it, unlike a failing `git commit`
def test_stale_index_lock(git_desk):
    """A stale .git/index.lock (left by a killed git): the same promise as other faults."""
    d = git_desk
    tid, rel = _ticket(d)
    head, staged = _head(d.root), git(d.root, "diff", "--cached", "--name-only").stdout
    (d.root / ".git" / "index.lock").write_text("")
    res = d.run("note", tid, "-m", "索引锁", as_=AGENT)
    _assert_fault_handled(d, res, rel, head, staged, "索引锁")
