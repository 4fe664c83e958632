"""Git for a desk: one commit per changing command, holding only cstool's files.

The commit is made with ``git commit --only`` so that anything the user had staged
stays staged and out of cstool's commit. The acting person from the roster is the
commit's author (and its committer when git has no identity configured).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        raise DeskError("error.git.missing") from None
    if check and proc.returncode != 0:
        raise DeskError("error.git.failed", command=args[0], detail=_first_line(proc.stderr or proc.stdout))
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


def commit(root: Path, paths: list[Path], message: str, author: Author, when: str | None = None,
           before: dict[str, bytes | None] | None = None) -> str:
    """Commit exactly these paths with message; return the new commit's short hash.

    ``when`` (ISO 8601) becomes the author date, so backfilled events keep their time.

    When git fails, every path is put back as it was before the command wrote it (``before``:
    its bytes by path relative to root, None for a file that did not exist, made by
    :meth:`Committer.before_write`; else its content at HEAD), so DeskError (exit 3) still
    means that nothing was written.
    """
    rel = relative_paths(root, paths)
    added = stage(root, rel)
    if added.returncode != 0:
        put_back(root, rel, before)
        raise DeskError("error.git.stage", files=_named(rel), detail=_first_line(added.stderr or added.stdout))
    identity: list[str] = []
    if not config_value(root, "user.email"):
        identity = ["-c", f"user.name={author.name}", "-c", f"user.email={author.email}"]
    proc = _commit_only(root, rel, [*identity, "commit", "--quiet", "--no-edit",
                                    f"--author={author.name} <{author.email}>", "-m", message],
                        {"GIT_AUTHOR_DATE": when} if when else {})
    if proc.returncode != 0:
        unstage(root, rel)
        put_back(root, rel, before)
        reason = _first_line(proc.stderr or proc.stdout)
        raise DeskError("error.git.commit", files=_named(rel), detail=reason)
    head = run_git(root, "rev-parse", "--short", "HEAD", check=False)
    return head.stdout.strip()


def relative_paths(root: Path, paths: list[Path]) -> list[str]:
    """Each path relative to root, as ``os.path.relpath`` gives it (taken off the front of
    the path when it starts with root: an import names many thousands)."""
    base = os.path.join(str(root), "")
    out = []
    for path in paths:
        text = str(path)
        out.append(text[len(base):] if text.startswith(base) and ".." not in text and base != os.sep
                   else os.path.relpath(path, root))
    return out


def _named(rel: list[str]) -> Any:
    """The paths of a message: all of a few, the first ones and a count of many."""
    from cstool.messages import Joined, Phrase

    if len(rel) <= 10:
        return ", ".join(rel)
    return Joined([", ".join(rel[:10]), Phrase("error.and_more", n=len(rel) - 10)], "join.semicolon")


def _paths_input(rel: list[str]) -> str:
    return "".join(r + "\0" for r in rel)


def stage(root: Path, rel: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Put the paths (relative to root; a deleted file leaves the index) into git's index,
    read from standard input in one ``git update-index``: any number of paths, no pathspec
    matching (whose cost grows with paths × files)."""
    return run_git(root, "update-index", "--add", "--remove", "-z", "--stdin", check=False,
                   input=_paths_input(rel), env=env)


class BlobPack:
    """Many new files' contents written into git's object store as one pack, by one ``git
    fast-import`` fed while the files are made (it compresses on another core). The commit
    that follows stages the files as usual; git then finds their objects already stored and
    writes no loose object for each (nor repacks them all in an automatic ``git gc``). The
    pack holds no deltas (their search would cost more than the rest of an import); the next
    ``git gc`` makes them. If
    git cannot take them, nothing is lost: staging writes the objects itself. Objects of a
    commit that never happens are unreachable, and git's garbage collection removes them."""

    def __init__(self, root: Path):
        try:
            self._proc: subprocess.Popen | None = subprocess.Popen(
                ["git", "fast-import", "--quiet", "--depth=0"], cwd=root, env=_env(), stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            self._proc = None

    def add(self, data: bytes) -> None:
        """Store one file's bytes (as a blob)."""
        if self._proc is None or self._proc.stdin is None:
            return
        try:
            self._proc.stdin.write(b"blob\ndata %d\n" % len(data))
            self._proc.stdin.write(data)
            self._proc.stdin.write(b"\n")
        except OSError:  # git stopped: the commit writes the objects itself
            self.close()

    def close(self) -> None:
        """Wait until the pack is written (errors are git's to ignore, see the class)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        proc.wait()

    def abandon(self) -> None:
        """Stop without waiting for the pack (the files are not to be committed)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()


def unstage(root: Path, rel: list[str]) -> None:
    """Put the paths' index entries back to HEAD's (a path HEAD lacks leaves the index),
    given on standard input; what else is staged stays staged."""
    prefix = run_git(root, "rev-parse", "--show-prefix", check=False).stdout.strip()
    full = [prefix + r for r in rel]
    head = _head_entries(root, full)
    lines = "".join(f"{head[f]}\t{f}\0" if f in head else f"0 {'0' * 40}\t{f}\0" for f in full)
    run_git(root, "update-index", "-z", "--index-info", check=False, input=lines)


def in_head(root: Path, rel: list[str]) -> bool:
    """Whether HEAD holds any of the paths (relative to root), asked on standard input."""
    request = "".join(f"HEAD:./{r}\n" for r in rel)
    proc = run_git(root, "cat-file", "--batch-check=%(objecttype)", check=False, input=request)
    return any(line == "blob" for line in proc.stdout.splitlines())


def _head_entries(root: Path, full: list[str]) -> dict[str, str]:
    """``mode sha`` of each path at HEAD (relative to the top), from one ``git ls-tree`` of HEAD."""
    proc = run_git(root, "ls-tree", "-r", "-z", "--full-tree", "HEAD", check=False)
    wanted = set(full)
    out: dict[str, str] = {}
    if proc.returncode != 0:
        return out
    for record in proc.stdout.split("\0"):
        info, _, path = record.partition("\t")
        if path in wanted:
            mode, _kind, sha = info.split()
            out[path] = f"{mode} {sha}"
    return out


def _commit_only(root: Path, rel: list[str], argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """``git commit`` of exactly the staged paths ``rel`` (already in the index), as ``git
    commit --only`` would, without passing them as arguments: when something else is
    staged, the commit is made from a temporary index holding HEAD and these paths, so that
    the other staged work stays staged and out of the commit. Hooks run as usual."""
    staged = run_git(root, "diff", "--cached", "--name-only", "-z", "--no-renames", "--relative", check=False)
    others = {p for p in staged.stdout.split("\0") if p} - set(rel)
    if staged.returncode == 0 and not others and not _outside_staged(root):
        return run_git(root, *argv, check=False, env=env)
    index = run_git(root, "rev-parse", "--git-path", "index", check=False).stdout.strip()
    temp = Path(root, index).with_name(f"index.cstool-{os.getpid()}")
    try:
        if (Path(root, index)).exists():
            temp.write_bytes(Path(root, index).read_bytes())
        tenv = {**env, "GIT_INDEX_FILE": str(temp)}
        has_head = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0
        reset = run_git(root, "read-tree", "-m", "HEAD", check=False, env=tenv) if has_head else \
            run_git(root, "read-tree", "--empty", check=False, env=tenv)
        if reset.returncode != 0:
            return reset
        staged_temp = stage(root, rel, tenv)
        if staged_temp.returncode != 0:
            return staged_temp
        return run_git(root, *argv, check=False, env=tenv)
    finally:
        temp.unlink(missing_ok=True)


def _outside_staged(root: Path) -> bool:
    """Whether anything outside root (the desk, when it is a folder of a larger repository) is staged."""
    proc = run_git(root, "diff", "--cached", "--quiet", "--", ":/", ":!.", check=False)
    return proc.returncode != 0


def put_back(root: Path, rel: list[str], before: dict[str, bytes | None] | None) -> None:
    """Restore files a failed commit leaves written: to the bytes kept before the write,
    else to HEAD's content; a file that did not exist before is removed."""
    before = dict(before or {})
    missing = [r for r in rel if r not in before]
    if missing:
        before.update(_head_contents(root, missing))
    for r in rel:
        target = root / r
        content = before.get(r)
        if content is None:
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
            continue
        tmp = target.with_name(f".{target.name}.restore-{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, target)


def _head_contents(root: Path, rel: list[str]) -> dict[str, bytes | None]:
    """Each path's content at HEAD (None when HEAD has no such file), read with one
    ``git cat-file --batch`` that takes no lock (a stale index.lock does not stop it)."""
    request = "".join(f"HEAD:{r}\n" for r in rel).encode("utf-8")
    try:
        proc = subprocess.run(["git", "--no-optional-locks", "cat-file", "--batch"], cwd=root, env=_read_env(),
                              input=request, capture_output=True)
    except OSError:
        return {}
    out: dict[str, bytes | None] = {}
    data, pos = proc.stdout, 0
    for r in rel:
        end = data.find(b"\n", pos)
        if end < 0:
            break
        header = data[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            out[r] = data[pos:pos + size]
            pos += size + 1
        else:
            out[r] = None
    return out


# what a changing command is handed to commit its files: (paths, message) -> short hash
Commit = Callable[[list[Path], str], str]


class Committer:
    """Commits a changing command's files as its person; checked before the first write.

    The desk calls :meth:`before_write` before it writes a file (see ``Desk.save``): the
    write is refused unless the repository is on a branch with no merge or rebase going
    on and the file has no uncommitted edits. The desk keeps each file's bytes from before
    the write, and hands them to the commit so that a failed commit can put them back."""

    def __init__(self, root: Path, author: Author, when: str | None = None):
        self.root, self.author, self.when = root, author, when
        self._checked: set[str] = set()
        self._state_checked = False

    def before_write(self, path: Path) -> None:
        rel = os.path.relpath(path, self.root)
        if rel in self._checked:
            return
        if not self._state_checked:
            check_repository_state(self.root)
            self._state_checked = True
        if os.path.lexists(path):  # a new file (a minted ID) holds nothing of anyone's: no git needed
            check_file_committed(self.root, rel)
        self._checked.add(rel)

    def before_writes(self, paths: list[Path]) -> None:
        """:meth:`before_write` of many files, with one ``git status`` per few hundred of them."""
        rels = [os.path.relpath(p, self.root) for p in paths]
        rels = [r for r in dict.fromkeys(rels) if r not in self._checked]
        if not rels:
            return
        if not self._state_checked:
            check_repository_state(self.root)
            self._state_checked = True
        existing = [r for r in rels if os.path.lexists(os.path.join(self.root, r))]
        for start in range(0, len(existing), 500):
            check_files_committed(self.root, existing[start:start + 500])
        self._checked.update(rels)

    def __call__(self, paths: list[Path], message: str, before: dict[Path, bytes | None] | None = None) -> str:
        """Commit the paths; ``before``: each written file's bytes before the write (None: new)."""
        kept = {os.path.relpath(p, self.root): b for p, b in (before or {}).items()}
        return commit(self.root, paths, message, self.author, self.when, kept)


def git_dir(root: Path) -> Path | None:
    """The git folder of the work tree holding root (a worktree's ``.git`` file followed),
    found without starting git; None outside git."""
    top = _top(root)
    if top is None:
        return None
    dot = top / ".git"
    if dot.is_dir():
        return dot
    try:
        line = dot.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    found = Path(line[len("gitdir:"):].strip())
    return found if found.is_absolute() else (top / found)


def check_repository_state(root: Path) -> None:
    """Refuse a write (DeskError, exit 3) while a merge or rebase is going on or HEAD is
    detached: commits made then land in the middle of someone's merge, or where checking
    out a branch loses them. Reads the git folder only (no process started)."""
    gdir = git_dir(root)
    if gdir is None:
        return
    if (gdir / "rebase-merge").exists() or (gdir / "rebase-apply").exists():
        raise DeskError("error.git.rebase")
    if (gdir / "MERGE_HEAD").exists():
        raise DeskError("error.git.merge")
    try:
        head = (gdir / "HEAD").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if not head.startswith("ref:"):
        raise _detached()


def _detached() -> DeskError:
    return DeskError("error.git.detached")


def check_file_committed(root: Path, rel: str) -> None:
    """Refuse a write (DeskError, exit 3) when HEAD is detached or the file has edits git
    has not committed (modified, staged or untracked): cstool's commit would take them in
    as if cstool had made them. One ``git status`` of that file."""
    check_files_committed(root, [rel])


def check_files_committed(root: Path, rels: list[str]) -> None:
    """:func:`check_file_committed` of these files with one ``git status``; the first of
    them (in the order given) with edits is named."""
    proc = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain=v2", "-z", "--branch", "--no-renames",
                           "--untracked-files=all", "--", *rels], cwd=root, env=_read_env(), capture_output=True)
    if proc.returncode != 0:
        raise DeskError("error.git.status", name=rels[0], detail=_first_line(proc.stderr.decode("utf-8", "replace")))
    initial = False
    found: dict[str, bool] = {}  # path -> untracked (else it has uncommitted edits)
    for record in proc.stdout.split(b"\0"):
        text = record.decode("utf-8", "surrogateescape")
        if text == "# branch.head (detached)":
            raise _detached()
        if text == "# branch.oid (initial)":
            initial = True
        if text[:1] in ("1", "u") and not initial:
            found.setdefault(text.split(" ", 10 if text[0] == "u" else 8)[-1], False)
        if text[:1] == "?" and not initial:
            found.setdefault(text[2:], True)
    named = [(rel, found[Path(rel).as_posix()]) for rel in rels if Path(rel).as_posix() in found]
    if found:  # else a file named otherwise than asked (a path git normalised): the first it reported
        name, untracked = named[0] if named else next(iter(found.items()))
        raise DeskError("error.git.untracked" if untracked else "error.git.uncommitted_edits", name=name)


def unsaved_files(root: Path, pathspec: tuple[str, ...]) -> list[str]:
    """The files under pathspec (relative to root) that git reports untracked, modified,
    staged or deleted (ignored ones left out): work a push would not carry. [] outside git."""
    top = _top(root)
    if top is None:
        return []
    proc = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain=v2", "-z", "--branch", "--no-renames",
                           "--untracked-files=all", "--", *pathspec], cwd=root, env=_read_env(), capture_output=True)
    if proc.returncode != 0:
        return []
    prefix = Path(os.path.abspath(root)).relative_to(os.path.abspath(top)).as_posix()
    parsed = _parse_status(proc.stdout, "" if prefix == "." else prefix + "/")
    return sorted(parsed[1]) if parsed else []


def differs_from_head(root: Path, rel: str) -> bool:
    """Whether the file (relative to root) differs from its version at HEAD, or is not
    committed at all: its git blob hash against HEAD's, so that git reads two objects, not
    the whole index of a large desk. False outside git or for a missing file."""
    import hashlib

    try:
        data = (root / rel).read_bytes()
    except OSError:
        return False
    if _top(root) is None:
        return False
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"HEAD:./{rel}"], cwd=root, env=_read_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return True
    head = proc.stdout.strip()
    algorithm = hashlib.sha256 if len(head) == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(data) + data).hexdigest() != head


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


def tree_state_running(root: Path, pathspec: tuple[str, ...]) -> bool:
    """Whether the git status :func:`start_tree_state` started for this desk is still running."""
    proc = _STARTED.get((str(root), pathspec))
    return proc is not None and proc.poll() is None


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
