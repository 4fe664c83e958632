"""Git for a desk: one commit per changing command, holding only cstool's files.

The commit is made with ``git commit --only`` so that anything the user had staged
stays staged and out of cstool's commit. The acting person from the roster is the
commit's author (and its committer when git has no identity configured).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cstool.errors import DeskError


@dataclass(frozen=True)
class Author:
    name: str
    email: str


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"})
    return env


def run_git(root: Path, *args: str, check: bool = True, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run git in root; on failure with check, raise DeskError with git's own words."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, env={**_env(), **(env or {})}, capture_output=True, text=True, input=input
        )
    except FileNotFoundError:
        raise DeskError("git is not installed, but this desk is a git repository") from None
    if check and proc.returncode != 0:
        raise DeskError(f"git {args[0]} failed: {_first_line(proc.stderr or proc.stdout)}")
    return proc


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    meaningful = [ln for ln in lines if ln.lower().startswith(("fatal", "error"))]
    return (meaningful or lines or ["no message"])[0]


def work_tree(root: Path) -> Path | None:
    """The top of the git work tree holding root, or None outside git."""
    if _top(root) is None:
        return None
    proc = run_git(root, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.strip())


def config_value(root: Path, key: str) -> str | None:
    proc = run_git(root, "config", "--get", key, check=False)
    value = proc.stdout.strip()
    return value or None


def commit(root: Path, paths: list[Path], message: str, author: Author, when: str | None = None) -> str:
    """Commit exactly these paths with message; return the new commit's short hash.

    ``when`` (ISO 8601) becomes the author date, so backfilled events keep their time.

    On failure the files stay as written (unstaged) and DeskError says what to do.
    """
    rel = [os.path.relpath(p, root) for p in paths]
    added = run_git(root, "add", "-A", "--", *rel, check=False)
    if added.returncode != 0:
        raise DeskError(
            f"the change was saved to {', '.join(rel)} but git could not stage it ({_first_line(added.stderr or added.stdout)}); "
            f"fix that and commit the file yourself, e.g. git add {' '.join(rel)} && git commit"
        )
    identity: list[str] = []
    if not config_value(root, "user.email"):
        identity = ["-c", f"user.name={author.name}", "-c", f"user.email={author.email}"]
    proc = run_git(
        root,
        *identity,
        "commit",
        "--only",
        "--quiet",
        "--no-edit",
        f"--author={author.name} <{author.email}>",
        "-m",
        message,
        "--",
        *rel,
        check=False,
        env={"GIT_AUTHOR_DATE": when} if when else None,
    )
    if proc.returncode != 0:
        run_git(root, "reset", "--quiet", "--", *rel, check=False)
        reason = _first_line(proc.stderr or proc.stdout)
        raise DeskError(
            f"the change was saved to {', '.join(rel)} but git could not commit it ({reason}); "
            f"fix that and commit the file yourself, e.g. git commit -- {' '.join(rel)}"
        )
    head = run_git(root, "rev-parse", "--short", "HEAD", check=False)
    return head.stdout.strip()


def log(root: Path, path: Path, limit: int | None = None) -> list[dict[str, str]]:
    """The commits touching one file, newest first."""
    args = ["log", "--follow", "--format=%H%x1f%h%x1f%aI%x1f%an%x1f%ae%x1f%s%x1e"]
    if limit:
        args.append(f"-n{limit}")
    proc = run_git(root, *args, "--", os.path.relpath(path, root))
    out = []
    for record in proc.stdout.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        full, short, date, name, email, subject = record.split("\x1f")
        out.append({"commit": full, "short": short, "date": date, "author": name, "email": email, "subject": subject})
    return out


def _read_env() -> dict[str, str]:
    # a hook's GIT_DIR or GIT_INDEX_FILE would point git at another repository or index
    env = _env()
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"):
        env.pop(name, None)
    return env


def _top(root: Path) -> Path | None:
    """The nearest folder at or above root holding .git (no process started)."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return None


_STARTED: dict[tuple[str, tuple[str, ...]], subprocess.Popen] = {}


def _status_argv(pathspec: tuple[str, ...]) -> list[str]:
    return ["git", "--no-optional-locks", "status", "--porcelain=v2", "-z", "--branch", "--no-renames",
            "--untracked-files=all", "--ignored=matching", "--", *pathspec]


def start_tree_state(root: Path, pathspec: tuple[str, ...]) -> None:
    """Start :func:`tree_state`'s git status in the background, so that it runs while a
    reading command loads; the next tree_state for the same desk collects it."""
    key = (str(root), pathspec)
    if key in _STARTED or _top(root) is None:
        return
    try:
        _STARTED[key] = subprocess.Popen(_status_argv(pathspec), cwd=root, env=_read_env(), stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL)
    except OSError:
        pass


def drop_started() -> None:
    """Stop background statuses nobody collected (a command that failed early)."""
    while _STARTED:
        _, proc = _STARTED.popitem()
        proc.kill()
        proc.communicate()


def tree_state(root: Path, pathspec: tuple[str, ...]) -> tuple[str, set[str]] | None:
    """Git's view of the files under pathspec: (the HEAD commit, or "" before the first
    commit; the paths, relative to root, that differ from HEAD: modified, staged, deleted,
    untracked or ignored). None outside git or when git cannot answer.

    git compares each file with its own index (size, times, inode, and content when
    those are ambiguous), so this costs a fraction of statting every file from Python.
    ``--no-optional-locks`` keeps a reader from taking the lock a concurrent commit needs."""
    top = _top(root)
    if top is None:
        return None
    try:
        prefix = root.relative_to(top).as_posix()
    except ValueError:
        return None
    prefix = "" if prefix == "." else prefix + "/"
    stdout = _status_output(root, pathspec)
    return None if stdout is None else _parse_status(stdout, prefix)


def _status_output(root: Path, pathspec: tuple[str, ...]) -> bytes | None:
    """The output of ``git status`` for pathspec (the run started early, if any); None if git fails."""
    proc = _STARTED.pop((str(root), pathspec), None)
    try:
        if proc is None:
            proc = subprocess.Popen(_status_argv(pathspec), cwd=root, env=_read_env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)
        stdout, _ = proc.communicate()
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return stdout


def _parse_status(stdout: bytes, prefix: str) -> tuple[str, set[str]] | None:
    """(HEAD, the paths under prefix that differ from it, relative to prefix) from
    ``git status --porcelain=v2 --branch -z``; None without a branch header."""
    head, dirty = None, set()
    fields_before_path = {"1": 8, "2": 9, "u": 10, "?": 1, "!": 1}
    records = iter(stdout.split(b"\0"))
    for record in records:
        if not record:
            continue
        text = record.decode("utf-8", "surrogateescape")
        if text.startswith("# branch.oid "):
            oid = text[len("# branch.oid "):]
            head = "" if oid == "(initial)" else oid
            continue
        count = fields_before_path.get(text[:1])
        if count is None:
            continue
        path = text.split(" ", count)[-1]
        if text[:1] == "2":
            next(records, None)  # a rename's second record is the old path
        if path.startswith(prefix):
            dirty.add(path[len(prefix):])
    if head is None:
        return None
    return head, dirty


def changed_between(root: Path, old: str, new: str, pathspec: tuple[str, ...]) -> set[str] | None:
    """Paths (relative to root) under pathspec that differ between two commits; None when
    git cannot tell (a commit that no longer exists, say)."""
    if old == new:
        return set()
    if not old or not new:
        return None
    try:
        proc = subprocess.run(
            ["git", "--no-optional-locks", "diff", "--name-only", "-z", "--no-renames", "--relative", old, new,
             "--", *pathspec], cwd=root, env=_read_env(), capture_output=True)
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return {p.decode("utf-8", "surrogateescape") for p in proc.stdout.split(b"\0") if p}
