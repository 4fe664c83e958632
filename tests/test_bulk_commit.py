"""Commits of any size: the paths of a commit reach git on standard input, never as
arguments, so a commit of more paths than the system's argument-list limit allows (an
import of a year of tickets) goes in whole; what the user had staged stays staged and out
of cstool's commit, and a failed commit leaves nothing staged.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cstool.errors import DeskError
from cstool.git import repo
from tests.support.desk import git

AUTHOR = repo.Author("孙丽", "sun.li@example.com")


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "desk"
    root.mkdir()
    git(root, "init", "-q")
    (root / "seed.yaml").write_text("a: 1\n", encoding="utf-8")
    git(root, "add", "seed.yaml")
    git(root, "commit", "-qm", "seed")
    return root


def _new_files(root: Path, n: int, folder: str) -> list[Path]:
    (root / folder).mkdir(parents=True)
    paths = [root / folder / f"{i:06d}.yaml" for i in range(n)]
    for i, path in enumerate(paths):
        path.write_text(f"n: {i}\n", encoding="utf-8")
    return paths


def _committed(root: Path) -> set[str]:
    return set(git(root, "show", "--name-only", "--format=", "HEAD").stdout.split())


def test_a_commit_longer_than_the_argument_limit_goes_in_whole(tmp_path):
    root = _repo(tmp_path)
    folder = "tickets/" + "长" * 60  # 180 bytes a path before the name
    n = os.sysconf("SC_ARG_MAX") // 180 + 500
    paths = _new_files(root, n, folder)
    repo.commit(root, paths, f"import: {n} tickets", AUTHOR)
    assert len(_committed(root)) == n
    assert git(root, "status", "--porcelain").stdout == ""
    assert git(root, "log", "-1", "--format=%an <%ae>|%s").stdout.strip() == f"孙丽 <sun.li@example.com>|import: {n} tickets"


def test_what_the_user_staged_stays_staged_and_out_of_the_commit(tmp_path):
    root = _repo(tmp_path)
    (root / "mine.txt").write_text("draft\n", encoding="utf-8")
    git(root, "add", "mine.txt")
    paths = _new_files(root, 50, "tickets")
    repo.commit(root, paths, "import: 50 tickets", AUTHOR)
    assert _committed(root) == {f"tickets/{i:06d}.yaml" for i in range(50)}
    assert git(root, "diff", "--cached", "--name-only").stdout.split() == ["mine.txt"]
    assert git(root, "status", "--porcelain", "--", "tickets").stdout == ""


def test_a_refused_commit_leaves_nothing_staged_and_the_new_files_removed(tmp_path):
    root = _repo(tmp_path)
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    head = git(root, "rev-parse", "HEAD").stdout
    paths = _new_files(root, 30, "tickets")
    with pytest.raises(DeskError) as info:
        repo.commit(root, paths, "import: 30 tickets", AUTHOR)
    assert "and 20 more" in info.value.message and "nothing was written" in info.value.message
    assert git(root, "rev-parse", "HEAD").stdout == head
    assert git(root, "diff", "--cached", "--name-only").stdout == ""
    assert not any(p.exists() for p in paths)


def test_a_desk_in_a_folder_of_a_larger_repository_commits_its_own_paths(tmp_path):
    top = _repo(tmp_path)
    root = top / "centre"
    paths = _new_files(root, 20, "tickets")
    repo.commit(top, paths, "import: 20 tickets", AUTHOR)
    assert _committed(top) == {f"centre/tickets/{i:06d}.yaml" for i in range(20)}
    # and when only some paths are new, the others changed
    paths[0].write_text("n: changed\n", encoding="utf-8")
    repo.commit(root, [paths[0]], "change one", AUTHOR)
    assert _committed(top) == {"centre/tickets/000000.yaml"}
    repo.unstage(root, ["tickets/000001.yaml"])  # in HEAD: back to HEAD's entry, nothing changes
    assert git(top, "status", "--porcelain").stdout == ""


@pytest.mark.stress
def test_a_commit_of_100000_paths(tmp_path):
    root = _repo(tmp_path)
    paths = _new_files(root, 100_000, "tickets/2026/11")
    repo.commit(root, paths, "import: 100000 tickets", AUTHOR)
    assert len(_committed(root)) == 100_000
    assert git(root, "status", "--porcelain").stdout == ""
