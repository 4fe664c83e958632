"""Putting many new files into the desk at once, all or none.

The files are first written under ``.cstool/staging/<token>/`` with a manifest of where
each goes; only then are they renamed into place (a rename within one file system is
atomic) and committed. If anything fails, or the user presses Ctrl-C, the files placed
so far are taken away again. If the process is killed, the staging folder stays behind,
and the next process that takes the desk lock finishes the job (:func:`sweep`): it keeps
the files when their commit went in (or, without git, when every file was placed), and
otherwise removes them from the work tree and from git's index. So the desk holds either
all of the files, committed, or none of them.

Call everything here under the desk lock.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from cstool.desk import yamlio
from cstool.errors import DeskError

STAGING = "staging"
MANIFEST = "manifest.json"
DONE = "done"  # written once every file is in place and committed: nothing to undo
_ACTIVE: set[str] = set()  # the staging folders this process is placing right now (never swept)


def place(root: Path, cache_dir: Path, files: Iterable[tuple[Path, str | bytes]],
          commit: Callable[[list[Path]], object] | None) -> None:
    """Write the files (new paths only, each with its text or its UTF-8 bytes; made one by
    one as they are written), then commit
    them with ``commit(paths)``, all or none. The staged files are flushed to disk with one
    sync rather than one each; each folder they go into is synced once after the renames.
    With a commit, their contents go into git's object store as one pack while they are
    written (:class:`cstool.git.repo.BlobPack`), so that the commit need not store each one."""
    from cstool.git.repo import BlobPack, relative_paths

    folder = cache_dir / STAGING / f"{os.getpid()}-{os.urandom(8).hex()}"
    folder.mkdir(parents=True)
    _ACTIVE.add(folder.name)
    paths: list[Path] = []
    rels: list[str] = []
    new_dirs: list[str] = []
    pack = BlobPack(root) if commit is not None else None
    try:
        for i, (path, text) in enumerate(files):
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            _write(folder / f"{i}.yaml", data, sync=False)
            if pack is not None:
                pack.add(data)
            paths.append(path)
        if pack is not None:
            pack.close()
        rels = relative_paths(root, paths)
        new_dirs = _missing_dirs(root, [path.parent for path in paths])
        os.sync()
        _write(folder / MANIFEST, json.dumps({"files": rels, "dirs": new_dirs}).encode("utf-8"))
        _put_in_place(folder, paths, rels)
        if commit is not None and paths:
            commit(paths)
        _write(folder / DONE, b"")
    except BaseException:
        if pack is not None:
            pack.abandon()
        _undo(root, rels, new_dirs, committed_check=commit is not None)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        _ACTIVE.discard(folder.name)
    shutil.rmtree(folder, ignore_errors=True)


def _put_in_place(folder: Path, paths: list[Path], rels: list[str]) -> None:
    """Rename each staged file to its place, then sync each folder once."""
    made: set[Path] = set()
    for i, path in enumerate(paths):
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if os.path.lexists(path):
            raise DeskError("error.import.appeared", name=rels[i])
        os.rename(folder / f"{i}.yaml", path)
    for parent in made:
        yamlio.fsync_dir(parent)


def pending(cache_dir: Path) -> bool:
    """Whether a staging folder exists (one stat when there is none)."""
    try:
        return any(True for _ in os.scandir(cache_dir / STAGING))
    except OSError:
        return False


def sweep(root: Path, cache_dir: Path) -> bool:
    """Finish what a killed process left in ``.cstool/staging`` (call right after taking the
    lock); whether there was anything."""
    base = cache_dir / STAGING
    try:
        leftovers = [entry for entry in os.scandir(base) if entry.is_dir()]
    except OSError:
        return False
    swept = False
    for entry in leftovers:
        folder = Path(entry.path)
        if entry.name in _ACTIVE:
            continue
        swept = True
        if not (folder / DONE).exists():
            try:
                manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
                rels, dirs = manifest["files"], manifest["dirs"]
            except (OSError, ValueError, KeyError, TypeError):
                rels, dirs = [], []  # killed before the manifest was written: nothing was placed
            if all(isinstance(r, str) for r in [*rels, *dirs]):
                _undo(root, rels, dirs, committed_check=True)
        shutil.rmtree(folder, ignore_errors=True)
    return swept


def _missing_dirs(root: Path, folders: list[Path]) -> list[str]:
    """The folders (relative to root) that placing files in these folders would create, deepest first."""
    missing: set[str] = set()
    for folder in set(folders):
        while folder != root and root in folder.parents and not folder.exists():
            missing.add(os.path.relpath(folder, root))
            folder = folder.parent
    return sorted(missing, key=lambda rel: (-rel.count(os.sep), rel))


def _undo(root: Path, rels: list[str], dirs: list[str], committed_check: bool) -> None:
    """Take placed files, and the folders made for them, away again, unless their commit went in."""
    from cstool.git import repo

    top = repo.work_tree(root) if committed_check and rels else None
    if top is not None and repo.in_head(root, rels):
        return  # the commit went in (git finished after this process was killed): keep it
    for rel in rels:
        target = root / rel
        if ".." in Path(rel).parts or os.path.isabs(rel):
            continue
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
    for rel in dirs:
        if ".." not in Path(rel).parts and not os.path.isabs(rel):
            try:
                os.rmdir(root / rel)
            except OSError:
                pass  # not empty: something else is in it now
    if top is not None:
        repo.unstage(root, rels)


def _write(path: Path, data: bytes, sync: bool = True) -> None:
    """Write a new file and flush it to disk unless ``sync`` is false (ticket files get the
    usual mode, like any desk file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if path.suffix == ".yaml" else 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)

