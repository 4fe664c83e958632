"""Wiring the merge driver into git: the driver's file handling, ``setup-git`` and ``sync``."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cstool.desk import yamlio
from cstool.domain import merge
from cstool.errors import CstoolError, DeskError
from cstool.git import repo
from cstool.messages import Joined, Phrase

ATTRIBUTES = (
    "# cstool: merge ticket and customer files by uniting their histories\n"
    "tickets/**/*.yaml merge=cstool\n"
    "customers/*.yaml merge=cstool\n"
)


def _load(path: Path, label: str, plain: bool = False):
    """A side's document, None when it is empty or missing; ``plain``: as plain data, by the
    fast parser (the base, which the merge only compares, never writes out)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    return yamlio.load_plain(path, label) if plain else yamlio.load(path, label)


def _shape_problem(doc: object, kind: str, label: str) -> Phrase | None:
    """Why a side cannot be merged record by record (None when it can)."""
    if doc is None:
        return None
    if not isinstance(doc, dict):
        return Phrase("merge.not_mapping", file=label, kind=Phrase("merge.kind." + kind))
    key = "visits" if kind == "customer" else "history"
    events = doc.get(key)
    if events is not None and (not isinstance(events, list) or not all(isinstance(ev, dict) for ev in events)):
        return Phrase("merge.not_events", file=label, key=key)
    return None


def desk_language(name: str) -> str | None:
    """The ``desk.language`` of the desk holding the file git merges (git runs the driver
    at the top of the work tree, name relative to it); None when it cannot be read."""
    try:
        from cstool.config.load import load_config
        from cstool.desk.paths import find_desk

        return load_config(find_desk(None, cwd=(Path.cwd() / name).parent)).language
    except Exception:  # no desk, or one that cannot be read: the notes are written in Chinese
        return None


def merge_files(base: Path, ours: Path, theirs: Path, name: str, lang: str = "en") -> tuple[int, str]:
    """Merge in place; (0, "") when clean, (1, why in lang) when a person must decide.

    A side that cannot be read (malformed or hostile YAML, not UTF-8, too large or too
    deep, not a record) is refused: git then reports a conflict and keeps ours as it was;
    such content is never merged line by line. The notes written into a ticket's history
    are in the desk's language."""
    code, why = _merge(base, ours, theirs, name or str(ours))
    return code, (why.text(lang) if why is not None else "")


def _merge(base: Path, ours: Path, theirs: Path, label: str,
           language: Callable[[str], str | None] | None = None) -> tuple[int, Phrase | None]:
    """Merge in place (see :func:`merge_files`); ``language(label)``: the desk's language for
    a file's notes (default :func:`desk_language`)."""
    kind = "customer" if "customers/" in label.replace("\\", "/") else "ticket"
    try:
        sides = [_load(path, f"{label} ({side})", side == "base")
                 for path, side in ((base, "base"), (ours, "ours"), (theirs, "theirs"))]
    except CstoolError as exc:
        return 1, Phrase("merge.refused", why=exc)
    for doc, side in zip(sides, ("base", "ours", "theirs")):
        problem = _shape_problem(doc, kind, f"{label} ({side})")
        if problem:
            return 1, Phrase("merge.refused", why=problem)
    o, a, b = sides
    if a is None or b is None:
        return _text_merge(base, ours, theirs, Phrase("merge.deleted", file=label))
    try:
        result = (merge.merge_customer(o, a, b) if kind == "customer"
                  else merge.merge_ticket(o, a, b, (language or desk_language)(label)))
        text = yamlio.dumps(result)
    except merge.NotSameRecord as exc:
        return 1, Phrase("merge.not_same", file=label, id=str(exc))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
        return 1, Phrase("merge.refused", why=Phrase("merge.cannot", file=label, error=error))
    if len(text.encode("utf-8")) > yamlio.MAX_FILE_BYTES:
        return 1, Phrase("merge.refused", why=Phrase("merge.too_big", file=label, mib=yamlio.MAX_FILE_BYTES // 1048576))
    yamlio.atomic_write(ours, text)
    return 0, None


def _text_merge(base: Path, ours: Path, theirs: Path, why: Phrase) -> tuple[int, Phrase | None]:
    proc = subprocess.run(["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", str(ours), str(base), str(theirs)],
                          capture_output=True, text=True)
    return (0 if proc.returncode == 0 else 1), why


def driver_command() -> str:
    """How git should call the driver: this Python and this cstool, wherever installed."""
    return f"{shlex.quote(sys.executable)} -m cstool merge-file %O %A %B %P"


def setup_git(root: Path) -> list[Path]:
    """Register the merge driver in the repository config and .gitattributes.

    Returns the files changed (to commit)."""
    top = repo.work_tree(root)
    if top is None:
        raise DeskError("error.git.not_repo_init", root=root)
    repo.run_git(root, "config", "merge.cstool.name", "cstool: unite ticket histories")
    repo.run_git(root, "config", "merge.cstool.driver", driver_command())
    attributes = root / ".gitattributes"
    existing = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    if "merge=cstool" in existing:
        return []
    text = (existing.rstrip("\n") + "\n" if existing else "") + ATTRIBUTES
    yamlio.atomic_write(attributes, text)
    return [attributes]


def refuse_unsaved_desk_files(root: Path) -> None:
    """Refuse to sync (DeskError) while ticket or customer files are untracked or modified:
    a push carries commits only, so they would stay behind here unnoticed."""
    from cstool.desk.paths import PATHSPEC

    left = repo.unsaved_files(root, PATHSPEC)
    if left:
        shown = Joined([*left[:10], *([Phrase("error.and_more", n=len(left) - 10)] if len(left) > 10 else [])], "join.comma")
        raise DeskError("error.sync.unsaved", n=len(left), files=shown)


def sync(root: Path, remote: str | None = None, author: repo.Author | None = None,
         lang: str = "en") -> list[tuple[str, dict[str, str]]]:
    """Pull with a merge (the merge driver unites ticket edits), then push; what was done,
    as catalogue keys with their fields (``sync.pulled``, ``remote=``, ``branch=``).

    A merge, not a rebase: every commit keeps its committer and committer date, so that
    ``verify --history`` still finds each event in the commit of the person who made it,
    made when it says, after a clone worked offline. Without a git identity on this
    machine, the acting person's is used for the merge commit. ``lang``: the language of a
    merge driver's refusal in the error."""
    top = repo.work_tree(root)
    if top is None:
        raise DeskError("error.sync.not_repo", root=root)
    messages: list[tuple[str, dict[str, str]]] = []
    if repo.run_git(root, "config", "--get", "merge.cstool.driver", check=False).returncode != 0:
        setup_git(root)
        messages.append(("sync.driver_registered", {}))
    refuse_unsaved_desk_files(root)
    status = repo.run_git(root, "status", "--porcelain", "--untracked-files=no")
    if status.stdout.strip():
        raise DeskError("error.sync.dirty")
    branch = repo.run_git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    if branch == "HEAD":
        raise DeskError("error.sync.detached")
    remote = remote or (repo.config_value(root, f"branch.{branch}.remote") or "origin")
    if repo.run_git(root, "remote", "get-url", remote, check=False).returncode != 0:
        raise DeskError("error.sync.no_remote", remote=remote)
    upstream = repo.run_git(root, "ls-remote", "--heads", remote, branch, check=False)
    if upstream.returncode != 0:
        raise DeskError("error.sync.unreachable", remote=remote, detail=repo._first_line(upstream.stderr))
    if upstream.stdout.strip():
        identity: list[str] = []
        if author is not None and not repo.config_value(root, "user.email"):
            identity = ["-c", f"user.name={author.name}", "-c", f"user.email={author.email}"]
        _pull(root, top, remote, branch, identity, lang)
        messages.append(("sync.pulled", {"remote": remote, "branch": branch}))
    push = repo.run_git(root, "push", "--quiet", remote, f"HEAD:{branch}", check=False)
    if push.returncode != 0:
        raise DeskError("error.sync.push", remote=remote, detail=repo._first_line(push.stderr))
    messages.append(("sync.pushed", {"remote": remote, "branch": branch}))
    return messages


def _pull(root: Path, top: Path, remote: str, branch: str, identity: list[str], lang: str) -> None:
    """``git pull --no-rebase`` with the files changed on both sides merged here, in this
    process, as the merge driver would merge them one process each (the driver git is given
    for this pull only notes which files they are). Any other conflict, or a file the
    driver would refuse, aborts the merge: DeskError."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cstool-sync-") as scratch:
        noted = Path(scratch) / "files"
        recorder = f"printf '%s\\0' %P >> {shlex.quote(str(noted))}; exit 1"
        pull = repo.run_git(root, *identity, "-c", f"merge.cstool.driver={recorder}", "pull", "--no-rebase", "--no-edit",
                            "--quiet", remote, branch, check=False)
        if pull.returncode == 0:
            return
        detail = repo._first_line(pull.stderr or pull.stdout)
        names = sorted(set(noted.read_bytes().decode("utf-8", "surrogateescape").split("\0")) - {""}) if noted.exists() else []
        unmerged = _unmerged(top)
        if names and set(unmerged) == set(names):
            refused = _merge_noted(top, unmerged, Path(scratch), lang)
            if refused is None:
                repo.run_git(top, "add", "--", *names)
                commit = repo.run_git(top, *identity, "commit", "--no-edit", "--cleanup=strip", "--quiet", check=False)
                if commit.returncode == 0:
                    return
                detail = repo._first_line(commit.stderr or commit.stdout)
            else:
                detail = refused
        repo.run_git(root, "merge", "--abort", check=False)
        raise DeskError("error.sync.pull", remote=remote, detail=detail)


def _unmerged(top: Path) -> dict[str, dict[int, str]]:
    """The conflicted files of the merge under way: path -> {stage: blob} (1 base, 2 ours, 3 theirs)."""
    out: dict[str, dict[int, str]] = {}
    listed = repo.run_git(top, "ls-files", "-u", "-z").stdout
    for entry in listed.split("\0"):
        if entry:
            info, _, path = entry.partition("\t")
            _mode, blob, stage = info.split()
            out.setdefault(path, {})[int(stage)] = blob
    return out


def _merge_noted(top: Path, unmerged: dict[str, dict[int, str]], scratch: Path, lang: str) -> str | None:
    """Merge each conflicted file into the work tree as the merge driver does (its three
    sides from git); None when all merged, else the first refusal, as the driver says it."""
    import functools

    blobs = _blobs(top, [blob for stages in unmerged.values() for blob in stages.values()])

    @functools.cache
    def folder_language(folder: str) -> str | None:
        try:
            from cstool.config.load import load_config
            from cstool.desk.paths import find_desk

            return load_config(find_desk(None, cwd=top / folder)).language
        except Exception:  # noqa: BLE001 - as desk_language: the notes are then written in Chinese
            return None

    sides = [scratch / name for name in ("base", "ours", "theirs")]
    for path in sorted(unmerged):
        for side, stage in zip(sides, (1, 2, 3), strict=True):
            side.write_bytes(blobs.get(unmerged[path].get(stage, ""), b""))
        code, why = _merge(sides[0], sides[1], sides[2], path, lambda label: folder_language(str(Path(label).parent)))
        if code:
            return f"cstool merge-file: {why.text(lang) if why is not None else ''}"
        (top / path).write_bytes(sides[1].read_bytes())
    return None


def _blobs(top: Path, names: list[str]) -> dict[str, bytes]:
    """The contents of these blobs, read by one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(names))
    proc = subprocess.run(["git", "cat-file", "--batch"], cwd=top, input="".join(f"{n}\n" for n in wanted).encode(),
                          capture_output=True, check=True)
    out, data, at = {}, proc.stdout, 0
    for name in wanted:
        end = data.index(b"\n", at)
        size = int(data[at:end].split()[2])
        out[name] = data[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return out
