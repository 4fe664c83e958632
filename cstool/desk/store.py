"""The record store: finding the desk, the desk lock, and the one way to load and save
ticket and customer files.

Layout::

    <desk>/cstool.yaml
    <desk>/templates/<template>.yaml
    <desk>/tickets/<YYYY>/<MM>/<ID>.yaml     (year/month of creation)
    <desk>/customers/<ID>.yaml
    <desk>/.cstool/                          (cache and lock; git-ignored)
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cstool.config.load import load_config
from cstool.config.schema import Config
from cstool.desk import paths, yamlio
from cstool.desk.paths import CACHE_DIR, EARLY_TOKENS, LOCK_FILE, find_desk, stat_key, write_token  # noqa: F401
from cstool.domain import ids
from cstool.domain.model import check_shape, key_line
from cstool.errors import DeskError, InputError
from cstool.reports.render import shown

T = TypeVar("T")

DEFAULT_LOCK_TIMEOUT = 30.0


@dataclass
class Desk:
    """An opened desk: its folder and validated config."""

    root: Path
    config: Config
    _files: Any = field(default=None, repr=False)
    _index: Any = field(default=None, repr=False)
    opened_token: str = field(default="", repr=False)  # the write token when this desk was opened
    locked_token: str = field(default="", repr=False)  # ... and when the lock was last taken
    _saved: bool = field(default=False, repr=False)
    # called with each file path before it is written (the git checks of the command's committer)
    before_write: Any = field(default=None, repr=False)
    # called with the paths a bulk command is about to write, to make the same checks at once
    before_writes: Any = field(default=None, repr=False)
    # the reason of a late entry (--backfill), carried by every event this command records
    backfill: str | None = field(default=None, repr=False)
    # files the index could not read, path -> reason (file and line): reading commands skip them
    # the files a command skipped as unreadable, each with why (put into words when shown)
    skipped: dict[str, Any] = field(default_factory=dict, repr=False)
    _warned: bool = field(default=False, repr=False)  # whether they were named on stderr yet
    # under the lock: each file written and not yet committed -> its bytes before (None: it was new)
    _journal: dict[Path, bytes | None] = field(default_factory=dict, repr=False)
    # under the lock: the folders already cleared of temp files a killed writer left
    _swept: set[Path] = field(default_factory=set, repr=False)

    @classmethod
    def open(cls, root: Path) -> Desk:
        desk = cls(root, load_config(root))
        early = EARLY_TOKENS.pop(str(root), None)  # read before git status started, if it did early
        desk.opened_token = write_token(root) if early is None else early
        return desk

    def written_since_opened(self) -> bool:
        """Under the lock: whether another cstool process wrote since this desk was opened."""
        return self.locked_token != self.opened_token

    # ------------------------------------------------------------------ paths
    @property
    def tickets_dir(self) -> Path:
        return self.root / "tickets"

    @property
    def customers_dir(self) -> Path:
        return self.root / "customers"

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def ticket_path(self, ticket_id: str, created_year: int, created_month: int) -> Path:
        return self.tickets_dir / f"{created_year:04d}" / f"{created_month:02d}" / f"{ticket_id}.yaml"

    # ------------------------------------------------------------------ listing
    def ticket_files(self) -> Mapping[str, Path]:
        """Every ticket file by ID, found by name (no file is parsed)."""
        if self._files is None:
            self._files = _Files(self.root, self._scan(stat=False))
        return self._files

    def ticket_stats(self) -> dict[str, str]:
        """Every ticket file (path relative to the desk) with its size, times and inode."""
        stats = self._scan(stat=True)
        self._files = _Files(self.root, stats)
        return stats

    def customer_stats(self) -> dict[str, str]:
        """Every customer file (path relative to the desk) with its size, times and inode."""
        out: dict[str, str] = {}
        try:
            entries = list(os.scandir(self.customers_dir))
        except FileNotFoundError:
            return out
        for entry in entries:
            if entry.name.endswith(".yaml") and not entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
                out["customers/" + entry.name] = stat_key(entry.stat())
        return out

    def _scan(self, stat: bool) -> dict[str, str]:
        out: dict[str, str] = {}
        for year in _subdirs(self.tickets_dir):
            for month in _subdirs(year):
                prefix = f"tickets/{year.name}/{month.name}/"
                for entry in os.scandir(month):
                    name = entry.name
                    if not name.endswith(".yaml") or name.startswith("."):
                        continue
                    if stat:
                        try:
                            st = entry.stat()
                        except FileNotFoundError:
                            continue
                        if not entry.is_file(follow_symlinks=False):
                            continue
                        out[prefix + name] = stat_key(st)
                    elif entry.is_file(follow_symlinks=False):
                        out[prefix + name] = ""
        return out

    # ------------------------------------------------------------------ reading through the index
    def index(self) -> Any:
        """The desk's index, refreshed against the files."""
        return self._refreshed(self._opened_index())

    def _opened_index(self) -> Any:
        """The desk's index, opened once (after finishing what a killed import left staged)."""
        from cstool.desk.index import open_index

        if self._index is None:
            self.finish_staging()
            self._index = open_index(self)
        return self._index

    def _refreshed(self, index: Any) -> Any:
        """The index refreshed against the files, the files it cannot read noted as skipped."""
        index.refresh()
        self.skipped.update(index.bad_files())
        return index

    def read_index(self, reader: Callable[[Any], T]) -> T:
        """What ``reader(index)`` gives on the index refreshed against the files. On a large
        desk most of a refresh is the wait for git to say which files changed: while git
        still works, a reader of an index that most likely stands (:meth:`Index.stands`)
        runs on it meanwhile, and what it gave is kept when nothing changed the index since
        (neither this refresh nor another process's); else the reader runs (again) on the
        refreshed index. ``reader`` only reads."""
        from cstool.desk.paths import PATHSPEC
        from cstool.git import repo

        index = self._opened_index()
        early: tuple[T] | None = None
        if repo.tree_state_running(self.root, PATHSPEC) and index.stands():
            version = index.others_writes()
            try:
                early = (reader(index),)
            except Exception:  # noqa: BLE001 — whatever it was, the reader runs again on the refreshed index
                early = None
        self._refreshed(index)
        if early is not None and not index.last_refresh_changed and index.others_writes() == version:
            return early[0]
        return reader(index)

    def documents(self) -> list[dict[str, Any]]:
        """Every ticket as plain data (from the index; read-only use)."""
        return list(self.index().documents())

    def working_documents(self) -> list[dict[str, Any]]:
        """Every ticket still being worked on (open, in progress or pending), as plain data
        from the index (read-only use)."""
        from cstool.desk.query import Filters
        from cstool.domain.states import WORKING

        return list(self.index().documents_where(Filters(statuses=WORKING)))

    def resolve(self, query: str) -> tuple[str, Path]:
        """The one ticket an ID or unambiguous suffix names; refuse bad or ambiguous input."""
        norm = ids.normalize_query(query or "")
        if norm is None:
            raise InputError("error.not_ticket_id", query=shown(query), example=f"{self.config.prefix}-2026-7KQ3MX9")
        files = self.ticket_files()
        matches = ids.match_suffix(norm, list(files))
        if not matches:
            near = self._nearest(norm, list(files))
            if near:
                raise InputError("error.no_ticket_guess", query=shown(query), listed=", ".join(near))
            raise InputError("error.no_ticket", query=shown(query))
        if len(matches) > 1:
            more = len(matches) - 10
            raise InputError("error.ambiguous_id" if more <= 0 else "error.ambiguous_id_more",
                             query=shown(query), listed=", ".join(matches[:10]), more=more)
        return matches[0], files[matches[0]]

    def _nearest(self, query: str, known: list[str], shown_at_most: int = 5) -> list[str]:
        """The IDs nearest a query that names none (by edits to its ending), the tickets still
        being worked on first (their status as the index last saw it: refreshing it would cost
        more than the order is worth; a ticket it has not seen yet comes after those it knows open)."""
        from cstool.desk.index import open_index
        from cstool.domain.states import WORKING

        near = ids.nearest(query, known)[:500]
        if not near:
            return []
        if self._index is None:
            self._index = open_index(self)
        status = self._index.statuses([i for _, i in near])
        ranked = sorted(near, key=lambda pair: (pair[0], status.get(pair[1]) not in WORKING, pair[1]))
        return [i for _, i in ranked[:shown_at_most]]

    # ------------------------------------------------------------------ load/save
    def load_ticket(self, path: Path) -> Any:
        """Load one ticket file safely for an edit; refuse anything that is not a ticket mapping.

        A file exactly as cstool writes it comes back as plain data (saved again by the fast
        emitter, with the same bytes the round-trip writer gives); any other file comes back
        round-trip loaded, so its comments and styles survive the edit, and a problem is
        named with its line."""
        from cstool.domain.model import shape_problem

        rel = self.rel(path)
        paths.check_inside(self.root, path)
        text = yamlio.read_text(path, rel)  # read once: the fast path and the round-trip one share it
        plain = yamlio.canonical_data(text)
        if plain is not None and plain.get("id") == path.name[:-5] and shape_problem(plain, self.config.tz) is None:
            yamlio.refuse_surrogates(plain, path, rel)
            return plain
        data = yamlio.loads(text, rel)
        if not isinstance(data, dict):
            raise DeskError("error.file.ticket_mapping", name=f"{rel}:1")
        yamlio.refuse_surrogates(data, path, rel)
        expected = path.name[:-5]
        if data.get("id") != expected:
            line = key_line(data, "id")
            raise DeskError("error.file.id_mismatch", name=f"{rel}:{line}", id=repr(data.get("id")), expected=expected)
        check_shape(data, rel, self.config.tz)
        return data

    def read_ticket(self, path: Path) -> Any:
        """A ticket for reading only (``show``): the index's copy when the file has not
        changed since it was indexed, else parsed as plain data by the fast parser; a file
        with any problem goes through :meth:`load_ticket`, which refuses it naming the line."""
        from cstool.desk.index import open_index
        from cstool.domain.model import shape_problem

        if self._index is None:
            self._index = open_index(self)
        data = self._index.fresh_document(self.rel(path))
        if data is not None:
            return data
        data = yamlio.load_plain(path, self.rel(path))
        if isinstance(data, dict) and data.get("id") == path.name[:-5] and shape_problem(data, self.config.tz) is None:
            yamlio.refuse_surrogates(data, path, self.rel(path))
            return data
        return self.load_ticket(path)

    def iter_tickets(self) -> Iterator[tuple[Path, Any]]:
        for _ticket_id, path in sorted(self.ticket_files().items()):
            yield path, self.load_ticket(path)

    def summaries(self) -> list[dict[str, Any]]:
        """The flat summary of every ticket (see :mod:`cstool.desk.query`), from the index."""
        return self.index().summaries()

    def save(self, path: Path, data: Any) -> None:
        """Write a desk file atomically (call under the desk lock); refuse a file that would
        grow past what cstool reads back, and clear temp files a killed writer left."""
        text = (yamlio.fast_dumps(data) if type(data) is dict else None) or yamlio.dumps(data)
        size = len(text.encode("utf-8"))
        if size > yamlio.MAX_FILE_BYTES:
            raise InputError("error.file.would_grow", name=self.rel(path), kib=size // 1024, mib=yamlio.MAX_FILE_BYTES // 1048576)
        paths.check_inside(self.root, path)
        if self.before_write is not None:
            self.before_write(path)
        if path.parent not in self._swept:  # once a folder per lock: no writer can be killed in it meanwhile
            yamlio.sweep_temp_files(path.parent)
            self._swept.add(path.parent)
        self._saved = True
        if path not in self._journal:
            try:
                self._journal[path] = path.read_bytes()
            except FileNotFoundError:
                self._journal[path] = None
        yamlio.atomic_write(path, text, root=self.root)
        if self._files is not None and path.parent.parent.parent == self.tickets_dir:
            self._files.add(path.relative_to(self.root).as_posix())

    def check_writes(self, paths: list[Path]) -> None:
        """Make the checks :meth:`save` makes before writing a file for all these files at
        once (a bulk command, before its first write), where the committer can."""
        if self.before_writes is not None:
            self.before_writes(paths)

    def written_before(self) -> dict[Path, bytes | None]:
        """Each file written under the lock and not committed yet: its bytes before (None: new)."""
        return dict(self._journal)

    def committed(self, paths: Any) -> None:
        """The files were committed: an interruption from now on leaves them as they are."""
        for path in paths:
            self._journal.pop(Path(path), None)

    def put_back(self) -> None:
        """Restore every file written under the lock and not committed (after Ctrl-C): a new
        file is removed, a changed one gets its old bytes back. A second Ctrl-C meanwhile is
        ignored, so the desk is never left half put back."""
        import signal
        import threading

        journal, self._journal = self._journal, {}
        if threading.current_thread() is not threading.main_thread():
            _put_back_files(journal)
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            _put_back_files(journal)
        finally:
            signal.signal(signal.SIGINT, previous)

    def finish_staging(self) -> None:
        """Before reading: if a killed import left staged files, take the lock for a moment so
        that they are put away (see :meth:`lock`); when another process holds it, or the desk
        is read-only, read as it is."""
        from cstool.desk import staging

        if staging.pending(self.cache_dir):
            try:
                with self.lock(timeout=0):
                    pass
            except DeskError:
                pass

    def mark_written(self) -> None:
        """Say that files were put in place by other means than :meth:`save` (under the lock)."""
        self._saved = True
        self._files = None

    def ticket_exists(self, ticket_id: str) -> bool:
        """Whether a file for this ID is in any month folder (cheaper than listing them all)."""
        if self._files is not None:
            return ticket_id in self._files
        name = f"{ticket_id}.yaml"
        return any((month / name).is_file() for year in _subdirs(self.tickets_dir) for month in _subdirs(year))

    def mint_ticket_id(self, year: int, taken: set[str] | None = None) -> str:
        """A random ID not used by any ticket in this desk (call under the desk lock);
        ``taken``: the IDs in use, known already (many new tickets at once), gains the new one."""
        for _ in range(100):
            candidate = ids.mint_ticket_id(self.config.prefix, year)
            if taken is not None:
                if candidate not in taken:
                    taken.add(candidate)
                    return candidate
            elif not self.ticket_exists(candidate):
                return candidate
        raise DeskError("error.mint")

    # ------------------------------------------------------------------ customers
    def customer_path(self, customer_id: str) -> Path:
        return self.customers_dir / f"{customer_id}.yaml"

    def load_customer(self, customer_id: str) -> Any:
        path = self.customer_path(customer_id)
        data = yamlio.load(path, self.rel(path), root=self.root)
        if not isinstance(data, dict):
            raise DeskError("error.file.customer_mapping", name=f"{self.rel(path)}:1")
        return data

    # ------------------------------------------------------------------ lock
    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the desk lock: one writer at a time, across processes."""
        if timeout is None:
            timeout = float(os.environ.get("CSTOOL_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
        if not os.access(self.root, os.W_OK):
            raise DeskError("error.read_only", root=self.root)
        fd = _open_lock(self.root)
        deadline = time.monotonic() + timeout
        acquired = False
        try:
            delay = 0.005
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    acquired = True
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise DeskError("error.locked", seconds=f"{timeout:g}") from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.1)
            self._files = None  # another writer may have added files while we waited
            from cstool.desk import staging

            if staging.sweep(self.root, self.cache_dir):  # files an import killed mid-way left: all or none
                self._saved = True
            self.locked_token = os.pread(fd, 64, 0).decode("ascii", "replace")
            self._saved = False
            self._journal = {}
            self._swept = set()
            try:
                yield
            except KeyboardInterrupt:
                self.put_back()
                raise
        finally:
            if acquired and self._saved:
                token = f"{time.time_ns()}-{os.getpid()}".encode("ascii")
                os.ftruncate(fd, 0)
                os.pwrite(fd, token, 0)
                self.opened_token = self.locked_token = token.decode("ascii")
            os.close(fd)


def _open_lock(root: Path) -> int:
    """Open (creating) the lock file of the desk without following a link: a ``.cstool``
    or ``.cstool/lock`` that is a symbolic link is refused, nothing outside touched."""
    try:
        folder = paths.cache_dir(root)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DeskError("error.lock.symlink", name=f"{CACHE_DIR}/{LOCK_FILE}") from None
        raise DeskError("error.lock.create", name=root / CACHE_DIR, reason=exc.strerror) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DeskError("error.lock.not_file", name=f"{CACHE_DIR}/{LOCK_FILE}")
    return fd


def _put_back_files(journal: dict[Path, bytes | None]) -> None:
    for path, before in journal.items():
        if before is None:
            path.unlink(missing_ok=True)
        else:
            yamlio.atomic_write_bytes(path, before)


class _Files(Mapping):
    """Ticket ID → file path, made from the scanned relative paths only when asked for
    (creating 100,000 Path objects up front would cost more than the scan itself)."""

    def __init__(self, root: Path, rels: Any):
        self.root = root
        self.rels = {rel.rsplit("/", 1)[-1][:-5]: rel for rel in rels}

    def __getitem__(self, ticket_id: str) -> Path:
        return self.root / self.rels[ticket_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.rels)

    def __len__(self) -> int:
        return len(self.rels)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self.rels

    def add(self, rel: str) -> None:
        self.rels[rel.rsplit("/", 1)[-1][:-5]] = rel




def _subdirs(folder: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False) and not e.name.startswith("."))
    except FileNotFoundError:
        return []
