"""The index: a rebuildable SQLite cache of every ticket file in ``.cstool/index.sqlite``.

YAML files are the only source of truth. The index keeps, per file, its size, mtime,
ctime and inode (so an in-place edit, a ``git pull`` or a ``git checkout`` is always
seen), the ticket's summary columns and its whole content as JSON. Every reading
command refreshes it first: files whose stat changed are parsed again, new files added,
removed files dropped. A corrupt or old-version index is deleted and rebuilt; a desk
where ``.cstool`` cannot be written is read without a cache. Deleting the index loses
nothing.

A file that cannot be read (malformed YAML, a value of the wrong kind, text that is not
text) does not stop the desk: its path, stat and the reason are kept in ``bad_files``,
reading commands skip it and name it, and it is parsed again once it changes.
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import marshal
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from cstool.desk import paths, yamlio
from cstool.desk.paths import PATHSPEC, stat_key
from cstool.desk.query import SUMMARY_KEYS, summarize
from cstool.domain.states import STATUSES, WORKING
from cstool.errors import CstoolError, DeskError
from cstool.git import repo

# 10: deadlines and visits follow the official calendar; 11: on time means elapsed ≤ target;
# 12: files that cannot be read are kept in bad_files; 13: a void ticket (作废) keeps no deadlines;
# 14: each ticket's audit base in its own table, found by its span, and none for a void ticket;
# 15: the audit bases as moments in SQL, a period's populations read as ranges of their index;
# 16: the deadlines' index holds what `due` lists, in its order;
# 17: why a file cannot be read is kept as a catalogue phrase, put into words when shown
SCHEMA_VERSION = 17
INDEX_FILE = "index.sqlite"
# the modules whose code decides what the index keeps per ticket: the audit's ticket bases,
# the SLA clocks and the deadlines; a change to any of them rebuilds every desk's index
DEFINING_MODULES = ("cstool.reports.audit", "cstool.time.sla", "cstool.time.calendar", "cstool.time.due",
                    "cstool.desk.query")
COLUMNS = SUMMARY_KEYS + ("customer_id", "_text")
# the audits table's columns of cstool.reports.audit.ATTRS ("group" is a keyword of SQL)
_ATTR_COLUMNS = ("grp", "assignee", "type", "channel", "category", "tier", "priority")
WATCH_LIMIT = 5000
# the indexes on the tables, apart from their keys: made with the tables, and made again after
# a bulk load (see Index._bulk_load), which fills the tables without them
INDEXES = (
    "CREATE INDEX files_id ON files(id)",
    "CREATE INDEX files_status_created ON files(status, created)",
    'CREATE INDEX files_group_created ON files("group", created)',  # round robin's last ticket
    "CREATE INDEX audits_until ON audits(until, since)",
    "CREATE INDEX audits_whole ON audits(until, since) WHERE whole IS NOT NULL",
    "CREATE INDEX moments_t ON moments(t)",
    # soonest first, in the order `due` lists them, holding every column it shows: read in one
    # sweep of the index, never a look-up in the table per row
    "CREATE INDEX deadlines_due ON deadlines(due_utc, id, kind, title, assignee, grp, due, calendar, target)",
    "CREATE INDEX deadlines_path ON deadlines(path)",
)
BUSY_TIMEOUT = 30.0  # seconds to wait for another process's lock on the index


def _keep(conn: sqlite3.Connection, keys: str) -> None:
    """Put these tickets' keys (a JSON array) in the connection's ``temp.kept`` table, in one
    statement (one per key on an SQLite without JSON functions)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS kept (t INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.kept")
    try:
        conn.execute("INSERT INTO temp.kept SELECT value FROM json_each(?)", (keys,))
    except sqlite3.OperationalError:  # an SQLite without JSON functions
        conn.execute("BEGIN")
        try:
            conn.executemany("INSERT INTO temp.kept VALUES (?)", [(k,) for k in json.loads(keys)])
        finally:
            conn.execute("COMMIT")


def _marks(values: tuple[Any, ...] | list[Any]) -> str:
    """Parameter marks for an SQL ``IN (…)`` of values."""
    return ", ".join("?" for _ in values)


def _col(key: str) -> str:
    return "text_" if key == "_text" else f'"{key}"'


class Index:
    """A connection to a desk's index (or an in-memory one when the cache is not writable)."""

    def __init__(self, desk: Any):
        self.desk = desk
        self.in_memory = False
        self.bulk = False  # filling empty tables without their indexes (see _bulk_load)
        self.last_refresh_changed = True  # whether the last refresh changed what readers of the index see
        self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        folder = self.desk.cache_dir
        path = folder / INDEX_FILE
        _refuse_links(self.desk.root, path)
        try:
            paths.cache_dir(self.desk.root)
            if not os.access(folder, os.W_OK):
                raise PermissionError
            _private(path)
            conn = self._connect(str(path))
        except (OSError, sqlite3.Error):
            self.in_memory = True
            return self._connect(":memory:")
        return conn

    def _connect(self, where: str) -> sqlite3.Connection:
        busy_until = time.monotonic() + BUSY_TIMEOUT
        attempt = 0
        while True:
            conn = sqlite3.connect(where, timeout=BUSY_TIMEOUT, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL") if where != ":memory:" else None
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    self._create(conn)
                conn.execute("SELECT path FROM files LIMIT 1").fetchone()  # an unreadable file fails here
                return conn
            except sqlite3.OperationalError:
                # busy or locked (another process is creating or converting the index): the
                # file is sound, so wait and try again rather than delete it under that process
                conn.close()
                if where == ":memory:" or time.monotonic() >= busy_until:
                    raise
                time.sleep(0.05)
                continue
            except sqlite3.DatabaseError:
                conn.close()
                if where == ":memory:" or attempt:
                    raise
                attempt += 1
                for suffix in ("", "-wal", "-shm"):
                    try:
                        os.unlink(where + suffix)
                    except FileNotFoundError:
                        pass
                _private(Path(where))

    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        from cstool.reports.audit import MOMENT_COLUMNS

        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                conn.execute("COMMIT")  # another process made it while this one waited for the lock
                return
            for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                conn.execute(f'DROP TABLE IF EXISTS "{table}"')  # whatever an older version kept
            cols = ", ".join(f"{_col(k)} TEXT" for k in COLUMNS if k != "id")
            # the summary columns stay in a narrow table that scans fast; whole tickets apart
            conn.execute(f"CREATE TABLE files (path TEXT PRIMARY KEY, stat TEXT NOT NULL, id TEXT, {cols})")
            conn.execute("CREATE TABLE docs (path TEXT PRIMARY KEY, doc TEXT NOT NULL)")  # whole tickets
            # the tickets that can count in an audit period (not void), found by the span they can
            # count in (see _period_clause), with the fields the breakdowns read; ``whole``: the
            # ticket itself when its facts are worked out from it (cstool.reports.audit.ticket_base)
            attrs = ", ".join(f"{a} TEXT" for a in _ATTR_COLUMNS)
            conn.execute("CREATE TABLE audits (t INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, since TEXT NOT NULL, "
                         f"until TEXT NOT NULL, whole BLOB, {attrs})")
            # the moments at which each of them can enter an audit population (cstool.reports.audit.moment_rows),
            # stored in the order of (kind, at), so that a period's rows of a kind are read in one sweep;
            # n numbers a ticket's moments; columns without a type keep integers as integers
            conn.execute(f"CREATE TABLE moments ({', '.join(MOMENT_COLUMNS[:2])}, t INTEGER NOT NULL, n INTEGER NOT NULL, "
                         f"{', '.join(MOMENT_COLUMNS[2:])}, PRIMARY KEY (kind, at, t, n)) WITHOUT ROWID")
            conn.execute("CREATE TRIGGER audits_gone AFTER DELETE ON audits BEGIN DELETE FROM moments WHERE t = old.t; END")
            # running deadlines of tickets and customers' next periodic visits (for `due`)
            conn.execute("CREATE TABLE deadlines (path TEXT NOT NULL, id TEXT, kind TEXT, due_utc TEXT, due TEXT, "
                         "target REAL, calendar INTEGER, assignee TEXT, grp TEXT, title TEXT)")
            conn.execute("CREATE TABLE customers (path TEXT PRIMARY KEY, stat TEXT NOT NULL, id TEXT, doc TEXT NOT NULL)")
            # files that cannot be read, kept until they change: (path, stat, reason naming file and line)
            conn.execute("CREATE TABLE bad_files (path TEXT PRIMARY KEY, stat TEXT NOT NULL, message TEXT NOT NULL)")
            conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            # paths to stat at the next refresh although git reports them clean (see refresh)
            conn.execute("CREATE TABLE watch (path TEXT PRIMARY KEY)")
            for sql in INDEXES:
                conn.execute(sql)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ refresh

    def refresh(self) -> int:
        """Bring the index up to date with the files; return how many files were parsed
        (see :meth:`_refresh`)."""
        try:
            with gc_paused():
                parsed = self._refresh()
            self._note_token()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DeskError("error.index_busy", seconds=int(BUSY_TIMEOUT)) from None
            raise
        return parsed

    def _note_token(self) -> None:
        """Keep the desk's write token as it was when the desk was opened, before this refresh."""
        token = str(getattr(self.desk, "opened_token", "") or "")
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'token'").fetchone()
        if not self.in_memory and (row is None or row[0] != token):
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('token', ?)", (token,))

    def stands(self) -> bool:
        """Whether a refresh will most likely leave the index as it stands: it is kept in a
        file, was built for this config and this code, and no cstool process has written to
        the desk since its last refresh (what git or an editor changed meanwhile is known
        only when the refresh asks git)."""
        from cstool.config.load import config_key

        if self.in_memory:
            return False
        meta = dict(self.conn.execute("SELECT key, value FROM meta WHERE key IN ('config', 'definitions', 'token')"))
        return (meta.get("token") == paths.write_token(self.desk.root) and meta.get("definitions") == definitions_key()
                and meta.get("config") == config_key(self.desk.root))

    def others_writes(self) -> int:
        """A number that changes whenever another connection (another cstool process, say)
        commits a change to the index (SQLite's ``data_version``)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def refresh_after_writes(self) -> None:
        """Refresh only when a cstool process has written to the desk since the last refresh
        (its write token differs), else trust the index as it stands: cheap enough for shell
        completion, which thus misses only what came from git or by hand since a command last ran."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'token'").fetchone()
        if row is None or row[0] != paths.write_token(self.desk.root):
            self.refresh()

    def _refresh(self) -> int:
        """Bring the index up to date with the files; return how many files were parsed.

        In a git desk only the files git reports as differing from HEAD, those changed
        between the commit last indexed and HEAD, and those still being watched (see
        :meth:`_plan_from_git`) are statted; elsewhere every file is. Many changed files (a
        cold rebuild, a large pull) are parsed on every core, with a progress bar when
        standard error is a terminal. A changed config (the calendar, the SLA policies)
        recomputes every deadline, so the whole index is rebuilt then."""
        meta = self._meta_for_current_config()
        state = None if self.in_memory else repo.tree_state(self.desk.root, PATHSPEC)
        watched = {rel for (rel,) in self.conn.execute("SELECT path FROM watch")}
        plan = self._plan_from_git(state, meta.get("git_head"), watched) if state is not None else None
        if plan is None:
            plan = self._plan_full(watched)
        changed, removed, changed_customers, removed_customers, verified = plan
        touched = {rel for rel, _ in changed} | set(removed) | {rel for rel, _ in changed_customers} | set(removed_customers)
        watch_add: set[str] = set()
        head = None
        if state is not None:
            head, dirty = state
            watch_add = {rel for rel in dirty | touched if _kind(rel)} - watched
            verified = [(rel, st) for rel, st in verified if rel not in dirty and rel not in touched]
        self.last_refresh_changed = bool(touched)  # what readers see; the watch and the HEAD indexed are bookkeeping
        if not (touched or watch_add or verified or head != meta.get("git_head")):
            return 0
        checked = [_checked(_customer_row, self.desk.root, rel, st) for rel, st in changed_customers]
        bad_customers = [row for row in checked if isinstance(row, Unreadable)]
        customer_rows = [row for row in checked if not isinstance(row, Unreadable)]
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._delete_stale(changed, removed, changed_customers, removed_customers)
            if len(changed) >= PARALLEL_FROM and self._empty():
                with self._bulk_load():
                    self._insert_tickets(changed)
            else:
                self._insert_tickets(changed)
            self.conn.executemany("INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?)", [row[:-1] for row in customer_rows])
            self.conn.executemany("DELETE FROM bad_files WHERE path = ?", [(row[0],) for row in customer_rows])
            self._record_bad(bad_customers)
            self.conn.executemany("INSERT INTO deadlines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  [d for row in customer_rows for d in row[-1]])
            if state is not None and len(touched) > WATCH_LIMIT:
                watch_add = self._still_differing(state, touched, changed + changed_customers,
                                                  removed + removed_customers) - watched
            self._record_watch(head, verified, watch_add)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return len(changed) + len(changed_customers)

    def _meta_for_current_config(self) -> dict[str, str]:
        """The meta table; a config other than the one indexed, or per-ticket facts worked
        out by other code (:func:`definitions_key`), empties the index first. A changed
        cstool.yaml whose change is only in what the index keeps nothing of (the roster,
        the permissions, the history rules: :func:`config_content_key`) keeps the index."""
        from cstool.config.load import config_key

        key = config_key(self.desk.root)
        defs = definitions_key()
        meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        if meta.get("config") == key and meta.get("definitions") == defs:
            return meta
        content = config_content_key(self.desk.root)
        self.conn.execute("BEGIN IMMEDIATE")
        if meta.get("definitions") != defs or content is None or meta.get("content") != content:
            for table in ("files", "docs", "moments", "audits", "deadlines", "customers", "bad_files", "watch", "meta"):
                self.conn.execute(f"DELETE FROM {table}")
            meta = {"definitions": defs}
        meta.update(config=key, content=content or "")
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))
        self.conn.execute("COMMIT")
        return meta

    def _empty(self) -> bool:
        """Whether the index holds no ticket at all (a first or a cold build)."""
        return not any(self.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
                       for table in ("files", "bad_files", "audits", "moments", "deadlines"))

    @contextmanager
    def _bulk_load(self) -> Iterator[None]:
        """Fill the empty ticket tables in one sweep (a cold build, in the caller's transaction):
        their indexes are dropped and made again at the end, no row is looked for to be replaced,
        and the moments, whose key orders them by kind and time, are gathered apart and stored
        in key order at the end; inserted ticket by ticket, each went to a random place in that
        order, which cost more than parsing the tickets."""
        for sql in INDEXES:
            self.conn.execute(f"DROP INDEX {sql.split()[2]}")
        self.conn.execute("CREATE TEMP TABLE moments_load AS SELECT * FROM moments WHERE 0")
        self.bulk = True
        try:
            yield
        finally:
            self.bulk = False
        self.conn.execute("INSERT INTO moments SELECT * FROM temp.moments_load ORDER BY kind, at, t, n")
        self.conn.execute("DROP TABLE temp.moments_load")
        for sql in INDEXES:
            self.conn.execute(sql)

    def _delete_stale(self, changed: list[tuple[str, str]], removed: list[str],
                      changed_customers: list[tuple[str, str]], removed_customers: list[str]) -> None:
        """Drop the rows of removed files, and the deadlines of every changed or removed one."""
        gone = [(r,) for r in removed] + [(r,) for r, _ in changed] + [(r,) for r in removed_customers] + \
            [(r,) for r, _ in changed_customers]
        self.conn.executemany("DELETE FROM files WHERE path = ?", [(r,) for r in removed])
        self.conn.executemany("DELETE FROM docs WHERE path = ?", [(r,) for r in removed])
        self.conn.executemany("DELETE FROM audits WHERE path = ?", [(r,) for r in removed])
        self.conn.executemany("DELETE FROM customers WHERE path = ?", [(r,) for r in removed_customers])
        self.conn.executemany("DELETE FROM deadlines WHERE path = ?", gone)
        self.conn.executemany("DELETE FROM bad_files WHERE path = ?", [(r,) for r in removed + removed_customers])

    def _record_bad(self, bad: list[Unreadable]) -> None:
        """Keep the files that cannot be read apart, with their reason; drop any row they had."""
        for table in ("files", "docs", "audits", "customers"):
            self.conn.executemany(f"DELETE FROM {table} WHERE path = ?", [(b.path,) for b in bad])
        self.conn.executemany("INSERT OR REPLACE INTO bad_files VALUES (?, ?, ?)", [(b.path, b.stat, b.stored()) for b in bad])

    def _insert_tickets(self, changed: list[tuple[str, str]]) -> None:
        """Parse the changed ticket files and insert their rows, docs and deadlines in batches."""
        placeholders = ", ".join("?" for _ in range(len(COLUMNS) + 2))
        cols = ", ".join(["path", "stat", *[_col(k) for k in COLUMNS]])
        batch: list[tuple] = []
        for row in itertools.chain(_parse_all(self.desk.root, changed), [None]):
            if isinstance(row, Unreadable):
                self._record_bad([row])
                continue
            if row is not None:
                batch.append(row)
            if batch and (row is None or len(batch) >= 500):  # insert as parsed: memory stays flat
                if not self.bulk:
                    self.conn.executemany("DELETE FROM bad_files WHERE path = ?", [(r[0],) for r in batch])
                self.conn.executemany(f"INSERT OR REPLACE INTO files ({cols}) VALUES ({placeholders})",
                                      [r[:-3] for r in batch])
                self.conn.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)", [(r[0], r[-3]) for r in batch])
                self._insert_audits([r for r in batch if r[_STATUS] != "void"], [r[0] for r in batch])
                self.conn.executemany("INSERT INTO deadlines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                      [d for r in batch for d in r[-1]])
                batch = []

    def _insert_audits(self, rows: list[tuple], paths_: list[str]) -> None:
        """Replace the audit rows of ``paths_`` with those of the (non-void) ticket ``rows``
        and their moments; each ticket gets a key of its own, above any kept."""
        if not self.bulk:
            self.conn.executemany("DELETE FROM audits WHERE path = ?", [(p,) for p in paths_])
        first = self.conn.execute("SELECT coalesce(max(t), 0) + 1 FROM audits").fetchone()[0]
        marks = ", ".join("?" for _ in range(5 + len(_ATTR_COLUMNS)))
        self.conn.executemany(f"INSERT INTO audits VALUES ({marks})",
                              [(t, r[0], *_audit_span(r), r[-2][0], *r[-2][1]) for t, r in enumerate(rows, first)])
        moments = [(*m[:2], t, n, *m[2:]) for t, r in enumerate(rows, first) for n, m in enumerate(r[-2][2])]
        if moments:
            marks = ", ".join("?" for _ in moments[0])
            table = "temp.moments_load" if self.bulk else "moments"
            self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", moments)

    def _record_watch(self, head: str | None, verified: list[tuple[str, str]], watch_add: set[str]) -> None:
        """Outside git (no head) forget the watch; in git, update it and record the HEAD indexed."""
        if head is None:
            self.conn.execute("DELETE FROM watch")
            self.conn.execute("DELETE FROM meta WHERE key = 'git_head'")
        else:
            # a path leaves the watch only if no concurrent refresh re-indexed it meanwhile
            self.conn.executemany(
                "DELETE FROM watch WHERE path = ? AND coalesce((SELECT stat FROM files WHERE path = ?), "
                "(SELECT stat FROM customers WHERE path = ?), (SELECT stat FROM bad_files WHERE path = ?), '') = ?",
                [(rel, rel, rel, rel, st or "") for rel, st in verified])
            self.conn.executemany("INSERT OR IGNORE INTO watch VALUES (?)", [(rel,) for rel in watch_add])
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('git_head', ?)", (head,))

    def _still_differing(self, before: tuple[str, set[str]], touched: set[str], parsed: list[tuple[str, str]],
                         removed: list[str]) -> set[str]:
        """After many files were parsed (a rebuild, a large pull): the ones to watch. A file
        git reports clean now, at the same HEAD, and unchanged since it was parsed is
        indexed as it is in HEAD, so it need not be statted at the next refresh."""
        after = repo.tree_state(self.desk.root, PATHSPEC)
        head, dirty = before
        if after is None or after[0] != head:
            return {rel for rel in dirty | touched if _kind(rel)}
        now = self.desk.ticket_stats()
        now.update(self.desk.customer_stats())
        moved = {rel for rel, st in parsed if now.get(rel) != st} | {rel for rel in removed if rel in now}
        return {rel for rel in dirty | after[1] | moved if _kind(rel)}

    def _plan_full(self, watched: set[str]) -> tuple:
        """Stat every file and compare with the index."""
        # the index is read before the folders: a row another process adds meanwhile, for a
        # file created after the scan, must not look like a file removed
        known = dict(self.conn.execute("SELECT path, stat FROM files"))
        known_customers = dict(self.conn.execute("SELECT path, stat FROM customers"))
        for rel, st in self.conn.execute("SELECT path, stat FROM bad_files"):
            (known if _kind(rel) == "ticket" else known_customers)[rel] = st
        on_disk = self.desk.ticket_stats()
        changed = [(rel, st) for rel, st in on_disk.items() if known.get(rel) != st]
        removed = [rel for rel in known if rel not in on_disk]
        customers_on_disk = self.desk.customer_stats()
        changed_customers = [(rel, st) for rel, st in customers_on_disk.items() if known_customers.get(rel) != st]
        removed_customers = [rel for rel in known_customers if rel not in customers_on_disk]
        verified = [(rel, on_disk.get(rel) or customers_on_disk.get(rel)) for rel in watched]
        return changed, removed, changed_customers, removed_customers, verified

    def _plan_from_git(self, state: tuple[str, set[str]], indexed_head: str | None, watched: set[str]) -> tuple | None:
        """Stat only the files that can differ from the index, or None when git cannot say.

        The rule kept between refreshes: a file outside the ``watch`` table is indexed as
        it is in the commit last indexed (``git_head``). So the files to stat are those
        git reports as differing from HEAD now, those changed between that commit and
        HEAD, and the watched ones: every file that differed from HEAD or was re-indexed
        at the last refresh (a file edited and then reverted is clean again, but its row
        holds the edit). A watched file leaves the watch once it is clean and unchanged."""
        head, dirty = state
        if indexed_head is None:
            return None
        if len(watched) > WATCH_LIMIT:
            return None  # after a rebuild: one scan of every file is faster than this many lookups
        moved = repo.changed_between(self.desk.root, indexed_head, head, PATHSPEC)
        if moved is None:
            return None
        candidates = sorted(rel for rel in dirty | moved | watched if _kind(rel))
        known: dict[str, str] = {}
        for i in range(0, len(candidates), 500):
            part = candidates[i:i + 500]
            marks = ", ".join("?" for _ in part)
            known.update(self.conn.execute(f"SELECT path, stat FROM files WHERE path IN ({marks}) "
                                           f"UNION ALL SELECT path, stat FROM customers WHERE path IN ({marks}) "
                                           f"UNION ALL SELECT path, stat FROM bad_files WHERE path IN ({marks})",
                                           [*part, *part, *part]))
        changed: list[tuple[str, str]] = []
        removed: list[str] = []
        changed_customers: list[tuple[str, str]] = []
        removed_customers: list[str] = []
        verified: list[tuple[str, str | None]] = []
        for rel in candidates:
            st = _stat(self.desk.root / rel)
            ticket = _kind(rel) == "ticket"
            if st is None:
                if rel in known:
                    (removed if ticket else removed_customers).append(rel)
                verified.append((rel, None))
            elif known.get(rel) != st:
                (changed if ticket else changed_customers).append((rel, st))
            else:
                verified.append((rel, st))
        return changed, removed, changed_customers, removed_customers, verified

    # ------------------------------------------------------------------ reading

    def fresh_document(self, rel: str) -> dict[str, Any] | None:
        """The indexed content of one ticket file if the file has not changed since it was
        indexed (same size, times and inode), else None; no refresh needed."""
        st = _stat(self.desk.root / rel)
        if st is None:
            return None
        row = self.conn.execute("SELECT d.doc FROM files f JOIN docs d ON d.path = f.path WHERE f.path = ? AND f.stat = ?",
                                (rel, st)).fetchone()
        return None if row is None else json.loads(row[0])

    def statuses(self, ids: list[str]) -> dict[str, str]:
        """The indexed status of each of these tickets (as last indexed: no refresh)."""
        out: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self.conn.execute(f"SELECT id, status FROM files WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
            out.update((str(i), str(st or "")) for i, st in rows)
        return out

    def bad_files(self) -> list[tuple[str, Unreadable]]:
        """The files that could not be read, as (path, why), by path."""
        return [(path, Unreadable.from_stored(path, st, text))
                for path, st, text in self.conn.execute("SELECT path, stat, message FROM bad_files ORDER BY path")]

    def summaries(self) -> list[dict[str, Any]]:
        cols = ", ".join(_col(k) for k in COLUMNS)
        return [self._summary(row) for row in self.conn.execute(f"SELECT {cols} FROM files ORDER BY path")]

    def tickets_of_customer(self, customer_id: str) -> list[dict[str, Any]]:
        """The summaries of a customer's tickets, oldest first; void ones (作废) left out."""
        cols = ", ".join(_col(k) for k in COLUMNS)
        rows = self.conn.execute(f"SELECT {cols} FROM files WHERE customer_id = ? AND coalesce(status, '') != 'void' "
                                 "ORDER BY coalesce(created, ''), id", (customer_id,))
        return [self._summary(row) for row in rows]

    def select(self, filters: Any, sort: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        """The summaries ``list`` shows, filtered (:class:`cstool.desk.query.Filters`), sorted
        (ties by creation time, then ID) and limited in SQL, and how many matched in all."""
        clause, args = filters.sql(_col)
        total = self.conn.execute(f"SELECT count(*) FROM files{clause}", args).fetchone()[0]
        key = sort.lstrip("-")
        direction = "DESC" if sort.startswith("-") else "ASC"
        if key == "due":  # soonest first (latest with '-'); tickets with no running deadline last
            first = f"({_NEXT_DUE.format(col='due_utc')}) IS NULL ASC, ({_NEXT_DUE.format(col='due_utc')})"
        elif key == "priority":
            first = "CASE priority WHEN 'A' THEN 0 WHEN 'B' THEN 1 WHEN 'C' THEN 2 ELSE 9 END"
        elif key == "status":
            first = "CASE status " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUSES)) + " ELSE 99 END"
        else:
            first = f"coalesce({_col(key)}, '')"
        order = f" ORDER BY {first} {direction}, coalesce(created, '') {direction}, id {direction}"
        cols = ", ".join(_col(k) for k in COLUMNS)
        sql = f"SELECT {cols}, ({_NEXT_DUE.format(col='due')}) FROM files{clause}{order}" + (" LIMIT ?" if limit else "")
        rows = self.conn.execute(sql, [*args, *([limit] if limit else [])])
        return [{**self._summary(row[:-1]), "due": row[-1] or ""} for row in rows], total

    def complete_ids(self, word: str, limit: int) -> list[tuple[str, str, str]]:
        """(id, status, title) of the tickets whose ID starts with word (IDs are upper-case;
        a range on the ID index), else of those whose ID ends with it: open ones first, each
        part newest first; at most limit."""
        head = word.upper()
        suffix = "%" + head.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        for match, values in (("id >= ? AND id < ?", (head, head + "\U0010ffff")), ("id LIKE ? ESCAPE '\\'", (suffix,))):
            found: list[tuple[str, str, str]] = []
            for where in (f"status IN ({_marks(WORKING)})", f"coalesce(status, '') NOT IN ({_marks(WORKING)})"):
                if len(found) < limit:
                    sql = f"SELECT id, status, title FROM files WHERE {where} AND {match} ORDER BY created DESC, id DESC LIMIT ?"
                    rows = self.conn.execute(sql, (*WORKING, *values, limit - len(found)))
                    found += [(str(i or ""), str(s or ""), str(t or "")) for i, s, t in rows]
            if found or not word:
                return found
        return []

    @staticmethod
    def _summary(row: tuple) -> dict[str, Any]:
        s = dict(zip(COLUMNS, row))
        level = str(s.get("level") or "")
        out = {k: ("" if v is None else v) for k, v in s.items()}
        out["level"] = int(level) if level.isdigit() else None
        return out

    def assignment_rows(self, group: str) -> list[dict[str, Any]]:
        """What routing needs to pick a person: every active assigned ticket (for least
        open) and the group's latest ticket (for round robin)."""
        cols = '"id", "group", assignee, status, created'
        rows = list(self.conn.execute(
            f"SELECT {cols} FROM files WHERE status IN ({_marks(WORKING)}) AND coalesce(assignee, '') != '' "
            f"UNION SELECT * FROM (SELECT {cols} FROM files WHERE \"group\" = ? AND coalesce(assignee, '') != '' "
            "ORDER BY created DESC, id DESC LIMIT 1)", (*WORKING, group)))
        return [dict(zip(("id", "group", "assignee", "status", "created"), r)) for r in rows]

    def documents_for_period(self, start: Any, end: Any) -> Iterator[dict[str, Any]]:
        """The tickets that can count in a period (see :func:`_period_clause`)."""
        where, args = _period_clause(start, end)
        sql = f"SELECT d.doc FROM audits a JOIN docs d ON d.path = a.path WHERE {where} ORDER BY +a.path"
        for (doc,) in self.conn.execute(sql, args):
            yield json.loads(doc)

    def period_populations(self, period: Any, now: Any, cal: Any) -> Any:
        """A period's audit populations (:func:`cstool.reports.audit.period_populations`):
        ranges of the moments the index keeps, and the facts of the tickets kept whole."""
        from cstool.reports import audit

        kept: list[str] = []  # the kept tickets' keys as one JSON array

        def query(sql: str | None, params: dict[str, float] | None, counted: bool = False) -> Any:
            if sql is None:  # the kept tickets' fields, one tuple shared by the tickets that have the same
                rows = self.conn.execute(f"SELECT t, {', '.join(_ATTR_COLUMNS)} FROM audits "
                                         "WHERE t IN (SELECT t FROM temp.kept)").fetchall()
                shared: dict[tuple, tuple] = {}
                return {row[0]: shared.setdefault(attrs, attrs) for row in rows for attrs in (row[1:],)}
            if counted:
                sql = f"SELECT m.who, count(*) FROM ({sql}) m WHERE m.t IN (SELECT t FROM temp.kept) GROUP BY m.who"
                return self._aside(sql, params or {}, kept[0])
            return self.conn.execute(sql, params or {}).fetchall()

        def among(keys: set[int]) -> None:
            kept[:] = [json.dumps(sorted(keys))]
            _keep(self.conn, kept[0])

        where, args = _period_clause(period.start, period.end)
        with gc_paused():
            wholes = [(t, marshal.loads(whole)) for t, whole in
                      self.conn.execute(f"SELECT a.t, a.whole FROM audits a INDEXED BY audits_whole "
                                                       f"WHERE a.whole IS NOT NULL AND {where}", args)]
            return audit.period_populations(query, among, wholes, cal, period, now)

    def _aside(self, sql: str, params: dict[str, Any], keys: str) -> Callable[..., list[tuple]]:
        """Start a query over the tickets of ``keys`` (a JSON array, in ``temp.kept``) that
        sums many rows into a few on a second connection, in a thread, and give what waits for
        its rows (``quietly``: [] instead of raising what went wrong): SQLite does such work
        without holding Python's lock, so it runs beside this thread's work meanwhile. An
        index held in memory runs it here and now."""
        import threading

        if self.in_memory:
            found = self.conn.execute(sql, params).fetchall()
            return lambda quietly=False: found
        where = self.desk.cache_dir / INDEX_FILE
        _refuse_links(self.desk.root, where)
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                conn = sqlite3.connect(str(where), timeout=BUSY_TIMEOUT, isolation_level=None)
                try:
                    _keep(conn, keys)
                    outcome["rows"] = conn.execute(sql, params).fetchall()
                finally:
                    conn.close()
            except BaseException as exc:  # noqa: BLE001 — raised again in the waiting thread
                outcome["error"] = exc

        thread = threading.Thread(target=run, name="cstool-index-aside", daemon=True)
        thread.start()

        def wait(quietly: bool = False) -> list[tuple]:
            thread.join()
            if "error" in outcome and not quietly:
                raise outcome["error"]
            return outcome.get("rows", [])
        return wait

    def import_keys(self) -> set[str]:
        """The import keys on the tickets' create events (``cstool import`` of new contacts)."""
        import sqlite3

        try:
            rows = self.conn.execute("SELECT json_extract(doc, '$.history[0].import_key') FROM docs "
                                     "WHERE instr(doc, '\"import_key\"') > 0")
            return {str(k) for (k,) in rows if k}
        except sqlite3.OperationalError:  # an SQLite without JSON functions
            keys = set()
            for doc in self.documents():
                first = (doc.get("history") or [None])[0]
                if isinstance(first, dict) and first.get("import_key"):
                    keys.add(str(first["import_key"]))
            return keys

    def documents_where(self, filters: Any) -> Iterator[dict[str, Any]]:
        """The tickets whose summary passes ``filters`` (:class:`cstool.desk.query.Filters`,
        without words to find: SQLite lowers only ASCII letters), in path order."""
        clause, args = filters.sql(_col)
        for (doc,) in self.conn.execute(f"SELECT d.doc FROM files JOIN docs d ON d.path = files.path{clause} "
                                        "ORDER BY files.path", args):
            yield json.loads(doc)

    def documents_due_by(self, moment: Any, kinds: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        """The tickets still being worked on that have a deadline of one of these kinds due
        at or before ``moment``, in path order."""
        sql = (f"SELECT d.doc FROM files JOIN docs d ON d.path = files.path WHERE status IN ({_marks(WORKING)}) AND "
               f"files.path IN (SELECT path FROM deadlines WHERE kind IN ({_marks(kinds)}) AND due_utc <= ?) "
               "ORDER BY files.path")
        for (doc,) in self.conn.execute(sql, (*WORKING, *kinds, moment.astimezone(UTC).isoformat())):
            yield json.loads(doc)

    def file_stats(self) -> dict[str, str]:
        """The stat key of every ticket file indexed (path -> size, times and inode): after a
        refresh, each file is as it was when its row was made if its stat key is this one."""
        return dict(self.conn.execute("SELECT path, stat FROM files"))

    def documents(self) -> Iterator[dict[str, Any]]:
        for (doc,) in self.conn.execute("SELECT doc FROM docs ORDER BY path"):
            yield json.loads(doc)

    def deadlines(self, horizon: Any, kinds: tuple[str, ...] = (), groups: tuple[str, ...] = (),
                  assignees: tuple[str, ...] = ()) -> list[tuple]:
        """Deadlines falling due before horizon (overdue ones included), soonest first:
        (id, kind, due, target, calendar, assignee, group, title)."""
        where, args = _deadline_filter(horizon, kinds, groups, assignees)
        sql = f"SELECT id, kind, due, target, calendar, assignee, grp, title FROM deadlines{where} ORDER BY due_utc, id, kind"
        return list(self.conn.execute(sql, args))

    def deadline_batches(self, horizon: Any, kinds: tuple[str, ...] = (), groups: tuple[str, ...] = (),
                         assignees: tuple[str, ...] = (), size: int = 2000) -> Iterator[list[tuple]]:
        """:meth:`deadlines`, a batch of ``size`` at a time, as (id, title, assignee, group,
        kind, due, calendar, target): the fields many deadlines share last, so that a
        slice of a row names them (a missing id or title is empty text)."""
        where, args = _deadline_filter(horizon, kinds, groups, assignees)
        cursor = self.conn.execute("SELECT ifnull(id, ''), ifnull(title, ''), assignee, grp, kind, due, calendar, target "
                                   f"FROM deadlines{where} ORDER BY due_utc, id, kind", args)
        while batch := cursor.fetchmany(size):
            yield batch

    def customer_documents(self) -> Iterator[dict[str, Any]]:
        for (doc,) in self.conn.execute("SELECT doc FROM customers ORDER BY path"):
            yield json.loads(doc)

    def close(self) -> None:
        self.conn.close()


PARALLEL_FROM = 2000  # below this many files, starting worker processes costs more than it saves
CHUNK = 500


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk work that makes many small, acyclic objects (parsing, decoding a period's
    tickets) runs several times faster without the cycle collector stepping in."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_CONTEXT: dict[str, Any] = {}


def _context(root: Path) -> tuple[Any, Any, Any]:
    """The desk's config, calendar and the time now, once per process."""
    from cstool.config.load import config_key

    key = (str(root), config_key(root))
    if _CONTEXT.get("key") != key:
        from cstool.config.load import load_config
        from cstool.time.calendar import BusinessCalendar
        from cstool.time.clock import now

        config = load_config(root)
        _CONTEXT.update(key=key, config=config, cal=BusinessCalendar(config.calendar, config.tz), now=now(config.tz))
    return _CONTEXT["config"], _CONTEXT["cal"], _CONTEXT["now"]


# a ticket's 办结时限: the soonest running deadline by which it must be resolved (its resolution
# clock, or a work order's due time), as a correlated subquery on the files table
_NEXT_DUE = ("SELECT d.{col} FROM deadlines d WHERE d.path = files.path AND d.kind IN ('resolution', 'work_order') "
             "ORDER BY d.due_utc LIMIT 1")


def _deadline_filter(horizon: Any, kinds: tuple[str, ...], groups: tuple[str, ...],
                     assignees: tuple[str, ...]) -> tuple[str, list[Any]]:
    """The WHERE clause (empty, or starting with a space) and its arguments for the deadlines
    due at or before horizon (None: any time) of these kinds, groups and assignees (none: all)."""
    where, args = [], []
    if horizon is not None:
        where.append("due_utc <= ?")
        args.append(horizon.astimezone(UTC).isoformat())
    for column, values in (("kind", kinds), ("grp", groups), ("assignee", assignees)):
        if values:
            where.append(f"{column} IN ({_marks(values)})")
            args.extend(values)
    return (" WHERE " + " AND ".join(where) if where else ""), args


def _deadline_rows(rel: str, ident: str, title: str, items: list[tuple]) -> list[tuple]:

    return [(rel, ident, kind, due.astimezone(UTC).isoformat(), due.isoformat(), target, int(calendar),
             assignee, group, title) for kind, due, target, calendar, assignee, group in items]


def _customer_row(root: Path, rel: str, st: str) -> tuple:
    from cstool.domain.customers import next_visit
    from cstool.time.due import visit_title

    doc = yamlio.load_plain(root / rel, rel)
    if not isinstance(doc, dict):
        raise DeskError("error.file.customer_mapping", name=f"{rel}:1")
    config, cal, _ = _context(root)
    due = next_visit(config, doc)
    items = [] if due is None else [("visit", due, None, False, str(doc.get("owner") or ""), config.followup_group or "")]
    return (rel, st, str(doc.get("id") or ""), json.dumps(doc, ensure_ascii=False),
            _deadline_rows(rel, str(doc.get("id") or ""), visit_title(doc), items))


def _row(root: Path, rel: str, st: str, context: tuple[Any, Any, Any] | None = None) -> tuple:
    """One file's index row: path, stat, summary columns, content as JSON, and its deadlines
    (``context``: the desk's :func:`_context`, when the caller has it for many files)."""
    doc = yamlio.load_plain(root / rel, rel)
    if not isinstance(doc, dict):
        raise DeskError("error.file.ticket_mapping", name=f"{rel}:1")
    from cstool.domain.model import check_shape, shape_problem
    from cstool.reports.audit import moment_rows, ticket_attrs, ticket_base
    from cstool.time.due import deadlines

    config, cal, now = context or _context(root)
    if shape_problem(doc, config.tz) is not None:
        # the fast path has no line numbers: the guarded loader names the line
        check_shape(yamlio.load(root / rel, rel), rel, config.tz)
    summary = summarize(doc)

    rows = _deadline_rows(rel, summary["id"], summary["title"], deadlines(doc, config, cal, now))
    base = ticket_base(doc, cal)
    whole = marshal.dumps(_interned(base["whole"])) if "whole" in base else None
    return (rel, st, *[_text(summary.get(k)) for k in COLUMNS], json.dumps(doc, ensure_ascii=False),
            (whole, ticket_attrs(doc), moment_rows(base)), rows)


def _interned(value: Any) -> Any:
    """``value`` with its strings interned, so that marshal writes each repeated string
    (field names, people, actions) once per ticket and reads it back once."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list):
        return [_interned(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_interned(v) for v in value)
    if isinstance(value, dict):
        return {_interned(k): _interned(v) for k, v in value.items()}
    return value


_CREATED, _UPDATED, _STATUS = (2 + COLUMNS.index(k) for k in ("created", "updated", "status"))
ACTIVE_UNTIL = "~"  # sorts after every date: an active ticket can count in any period from its creation


def _audit_span(row: tuple) -> tuple[str, str]:
    """A ticket row's audit span for :func:`_period_clause`: since its creation, until its
    last update or, while it is active, for ever (empty text for a missing time)."""
    until = ACTIVE_UNTIL if row[_STATUS] in WORKING else (row[_UPDATED] or "")
    return row[_CREATED] or "", until


@dataclass(frozen=True)
class Unreadable:
    """A desk file the index cannot take, and why: ``where`` names the file and, when known,
    the line; ``reason`` is the whole sentence, beginning with ``where``, as a phrase of the
    catalogue, put into words in the language it is shown in."""

    path: str
    stat: str
    where: str
    reason: Any

    def text(self, lang: str) -> str:
        """The sentence in lang (``where: why``)."""
        from cstool.messages import in_words

        return in_words(self.reason, lang)

    def why(self) -> Any:
        """The reason without the place it begins with, for a list that names the place apart."""
        return _Without(self.reason, f"{self.where}: ")

    def stored(self) -> str:
        """The reason as the index keeps it: JSON of the place and the catalogue phrase."""
        from cstool.desk.verify_cache import encode

        return json.dumps([self.where, encode(self.reason)], ensure_ascii=False)

    @classmethod
    def from_stored(cls, path: str, stat: str, text: str) -> Unreadable:
        """The reason :meth:`stored` kept."""
        from cstool.desk.verify_cache import decode

        where, reason = json.loads(text)
        return cls(path, stat, where, decode(reason))


class _Without:
    """A sentence shown without the words it begins with (its place, named apart)."""

    def __init__(self, sentence: Any, head: str):
        self.sentence, self.head = sentence, head

    def text(self, lang: str) -> str:
        from cstool.messages import in_words

        words = in_words(self.sentence, lang)
        return words[len(self.head):] if words.startswith(self.head) else words

    def __str__(self) -> str:
        return self.text("en")


def _phrase(exc: CstoolError) -> Any:
    """An error as a catalogue phrase (fields that are errors too), or as its English
    sentence when it is a finished sentence or holds a value a phrase cannot keep."""
    from cstool.desk.verify_cache import encode
    from cstool.messages import Phrase

    if exc.key is None:
        return exc.message
    phrase = Phrase(exc.key, **{name: _phrase(v) if isinstance(v, CstoolError) else v for name, v in exc.fmt.items()})
    try:
        encode(phrase)
    except TypeError:
        return exc.message
    return phrase


def _checked(make: Callable[[Path, str, str], tuple], root: Path, rel: str, st: str) -> tuple | Unreadable:
    """``make``'s row for one file, or why the file cannot be read. Whatever a file holds
    (bad YAML, values of the wrong kind, a lone surrogate that is not text) ends here as a
    reason, never as an error that stops the command."""
    try:
        row = make(root, rel, st)
        for cell in row:
            if isinstance(cell, str):
                cell.encode("utf-8")  # a lone surrogate cannot be stored or printed
        return row
    except CstoolError as exc:
        return unreadable_because(rel, st, exc, root)
    except UnicodeError:
        from cstool.messages import Phrase

        where = f"{rel}:{yamlio.surrogate_line(root / rel)}"
        return Unreadable(rel, st, where, Phrase("error.file.surrogate", name=where))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError, RecursionError) as exc:
        from cstool.messages import Phrase

        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        return Unreadable(rel, st, rel, Phrase("error.file.wrong_kind", name=rel, detail=detail))


def unreadable_because(rel: str, st: str, exc: CstoolError, root: Path | None = None) -> Unreadable:
    """A file that cannot be read because of exc: the place is the one the loader's words
    begin with (the file, and the line when known); for words that name no place, the file
    and, with root, the line of the first value they quote."""
    from cstool.messages import Phrase

    if exc.message.startswith(rel):
        head = exc.message[len(rel):].split(": ", 1)[0]
        return Unreadable(rel, st, rel + head if head[1:].isdigit() else rel, _phrase(exc))
    where = _with_line(root, rel, exc.message) if root is not None else rel
    return Unreadable(rel, st, where, Phrase("error.at", where=where, error=_phrase(exc)))


def _with_line(root: Path, rel: str, message: str) -> str:
    """The file and the line of the first value a reason quotes (a value checked after
    parsing, such as a customer's ``since: banana``), or the file alone."""
    quoted = re.search(r"'([^'\n]{1,200})'", message)
    line = None
    if quoted:
        try:
            lines = yamlio.read_text(root / rel).splitlines()
        except CstoolError:
            lines = []
        line = next((i + 1 for i, text in enumerate(lines) if quoted[1] in text), None)
    return f"{rel}:{line}" if line else rel


def _rows(args: tuple[str, list[tuple[str, str]]]) -> list[tuple | Unreadable]:
    root, items = args
    with gc_paused():
        make = functools.partial(_row, context=_context(Path(root)))  # the config's key is looked up once
        return [_checked(make, Path(root), rel, st) for rel, st in items]


def _parse_all(root: Path, changed: list[tuple[str, str]]) -> Iterator[tuple | Unreadable]:
    show = len(changed) >= PARALLEL_FROM and sys.stderr.isatty()
    bar = None
    if show:
        from cstool.progress import Progress

        bar = Progress(len(changed), "cstool: indexing tickets")
        bar.__enter__()
    try:
        workers = os.cpu_count() or 1
        if len(changed) < PARALLEL_FROM or workers < 2:
            make = functools.partial(_row, context=_context(root)) if changed else _row
            for rel, st in changed:
                yield _checked(make, root, rel, st)
                if bar:
                    bar.update(1)
            return
        from concurrent.futures import ProcessPoolExecutor

        from cstool.desk.chunks import in_order

        chunks = ((str(root), changed[i:i + CHUNK]) for i in range(0, len(changed), CHUNK))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for rows in in_order(pool, _rows, chunks, 2 * workers):  # parsed tickets never pile up
                yield from rows
                if bar:
                    bar.update(len(rows))
    finally:
        if bar:
            bar.__exit__(None, None, None)


def _period_clause(start: Any, end: Any) -> tuple[str, tuple[str, ...]]:
    """SQL for the tickets that can count in a period: created before its end, not void
    (作废), and either active now or touched since 30 days before its start (a follow-up
    call falls due within days of the close). Times are compared as text with a day's
    margin either side, so a hand-written offset cannot drop a ticket."""
    from datetime import timedelta

    lo = (start - timedelta(days=31)).isoformat()
    hi = (end + timedelta(days=1)).isoformat()
    # the span is kept per ticket (_audit_span) and indexed: the test reads a range of the index;
    # a void ticket (作废) has no audit row, so it counts in no period
    return "a.until >= ? AND a.since < ?", (lo, hi)


# a desk file's path as the full scan finds them: no part empty or hidden, the file's name ending in .yaml
_DESK_FILE = re.compile(r"(?:(tickets)/[^/.][^/]*/[^/.][^/]*|(customers))/[^/.][^/]*\.yaml")


def _kind(rel: str) -> str | None:
    """"ticket" or "customer" for a path shaped like a desk file (as the full scan finds
    them: tickets/<year>/<month>/<ID>.yaml, customers/<ID>.yaml), else None."""
    found = _DESK_FILE.fullmatch(rel)
    if found is None:
        return None
    return "ticket" if found[1] else "customer"


def _refuse_links(root: Path, index_file: Path) -> None:
    """sqlite follows links: refuse an index (or its -wal, -shm) that is a link, or a
    ``.cstool`` that is one, before sqlite opens anything (DeskError, exit 3)."""
    paths.check_inside(root, index_file)
    for suffix in ("-wal", "-shm", "-journal"):
        paths.check_inside(root, index_file.with_name(index_file.name + suffix))


def _stat(path: Path) -> str | None:
    """The stat key the index keeps for a regular file (never through a link), or None."""
    import stat

    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return stat_key(st)


def _text(value: Any) -> Any:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _private(path: Path) -> None:
    """Create the index file readable by its owner only (it holds every raw contact), or make
    an older one so; SQLite gives its -wal and -shm files the mode of the database file.
    An existing file is never opened here: closing any descriptor of a file drops every
    POSIX lock the process holds on it, including SQLite's own (another connection of this
    process may be using it), so it is changed by path only."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    except FileExistsError:
        pass
    for suffix in ("", "-wal", "-shm"):
        try:
            if os.stat(f"{path}{suffix}").st_mode & 0o077:
                os.chmod(f"{path}{suffix}", 0o600)
        except FileNotFoundError:
            pass


# the parts of cstool.yaml nothing the index keeps depends on: changing them keeps the index
CONFIG_NOT_INDEXED = ("roster", "permissions", "history")


def config_content_key(root: Path) -> str | None:
    """A hash of what cstool.yaml says, leaving out :data:`CONFIG_NOT_INDEXED` (None when
    it cannot be read: the index is then rebuilt, as for any change)."""
    import hashlib

    from cstool.desk.paths import CONFIG_FILE
    from cstool.reports.render import plain

    try:
        data = yamlio.load_plain(root / CONFIG_FILE, CONFIG_FILE)
    except Exception:  # noqa: BLE001 - whatever makes it unreadable, the safe answer is a rebuild
        return None
    if not isinstance(data, dict):
        return None
    kept = {str(k): v for k, v in data.items() if str(k) not in CONFIG_NOT_INDEXED}
    text = json.dumps(plain(kept), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def definitions_key() -> str:
    """What the per-ticket facts the index keeps were worked out by: the index's
    SCHEMA_VERSION and a hash of the source of the modules that work them out
    (:data:`DEFINING_MODULES`) and of the Python version that wrote them, so that an index
    written by other code is rebuilt."""
    import hashlib
    from importlib.util import find_spec

    # the audit bases are marshal data, whose format is the Python version's
    digest = hashlib.sha256(f"{SCHEMA_VERSION}:{sys.version_info[:2]}:{marshal.version}".encode())
    for name in DEFINING_MODULES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        digest.update(name.encode())
        digest.update(Path(origin).read_bytes() if origin else b"")
    return f"{SCHEMA_VERSION}:{digest.hexdigest()[:16]}"


def open_index(desk: Any) -> Index:
    return Index(desk)

