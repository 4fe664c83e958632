"""The index: a rebuildable SQLite cache of every ticket file in ``.cstool/index.sqlite``.

YAML files are the only source of truth. The index keeps, per file, its size, mtime,
ctime and inode (so an in-place edit, a ``git pull`` or a ``git checkout`` is always
seen), the ticket's summary columns and its whole content as JSON. Every reading
command refreshes it first: files whose stat changed are parsed again, new files added,
removed files dropped. A corrupt or old-version index is deleted and rebuilt; a desk
where ``.cstool`` cannot be written is read without a cache. Deleting the index loses
nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Iterator

from cstool import yamlio
from cstool.errors import DeskError
from cstool.query import SUMMARY_KEYS, summarize

SCHEMA_VERSION = 2
INDEX_FILE = "index.sqlite"
COLUMNS = SUMMARY_KEYS + ("customer_id", "_text")


def _col(key: str) -> str:
    return "text_" if key == "_text" else f'"{key}"'


class Index:
    """A connection to a desk's index (or an in-memory one when the cache is not writable)."""

    def __init__(self, desk: Any):
        self.desk = desk
        self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        folder = self.desk.cache_dir
        path = folder / INDEX_FILE
        try:
            folder.mkdir(exist_ok=True)
            if not os.access(folder, os.W_OK):
                raise PermissionError
            conn = self._connect(str(path))
        except (OSError, sqlite3.Error):
            return self._connect(":memory:")
        return conn

    def _connect(self, where: str) -> sqlite3.Connection:
        for attempt in range(2):
            conn = sqlite3.connect(where, timeout=30, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL") if where != ":memory:" else None
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    self._create(conn)
                conn.execute("SELECT count(*) FROM files").fetchone()
                return conn
            except sqlite3.DatabaseError:
                conn.close()
                if where == ":memory:" or attempt:
                    raise
                for suffix in ("", "-wal", "-shm"):
                    try:
                        os.unlink(where + suffix)
                    except FileNotFoundError:
                        pass
        raise AssertionError("unreachable")

    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DROP TABLE IF EXISTS files")
            cols = ", ".join(f"{_col(k)} TEXT" for k in COLUMNS if k != "id")
            conn.execute(f"CREATE TABLE files (path TEXT PRIMARY KEY, stat TEXT NOT NULL, id TEXT, {cols}, doc TEXT NOT NULL)")
            conn.execute("CREATE INDEX files_id ON files(id)")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ refresh

    def refresh(self) -> int:
        """Bring the index up to date with the files; return how many files were parsed.

        Many changed files (a cold rebuild, a large pull) are parsed on every core, with a
        progress bar when standard error is a terminal."""
        on_disk = self.desk.ticket_stats()
        known = dict(self.conn.execute("SELECT path, stat FROM files"))
        changed = [(rel, st) for rel, st in on_disk.items() if known.get(rel) != st]
        removed = [rel for rel in known if rel not in on_disk]
        if not changed and not removed:
            return 0
        rows = list(_parse_all(self.desk.root, changed))
        placeholders = ", ".join("?" for _ in range(len(COLUMNS) + 3))
        cols = ", ".join(["path", "stat", *[_col(k) for k in COLUMNS], "doc"])
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany("DELETE FROM files WHERE path = ?", [(r,) for r in removed])
            self.conn.executemany(f"INSERT OR REPLACE INTO files ({cols}) VALUES ({placeholders})", rows)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return len(changed)

    # ------------------------------------------------------------------ reading

    def summaries(self) -> list[dict[str, Any]]:
        cols = ", ".join(_col(k) for k in COLUMNS)
        out = []
        for row in self.conn.execute(f"SELECT {cols} FROM files ORDER BY path"):
            s = dict(zip(COLUMNS, row))
            s["level"] = int(s["level"]) if str(s.get("level") or "").isdigit() else None
            out.append({k: ("" if v is None else v) if k != "level" else v for k, v in s.items()})
        return out

    def documents(self) -> Iterator[dict[str, Any]]:
        for (doc,) in self.conn.execute("SELECT doc FROM files ORDER BY path"):
            yield json.loads(doc)

    def close(self) -> None:
        self.conn.close()


PARALLEL_FROM = 2000  # below this many files, starting worker processes costs more than it saves
CHUNK = 500


def _row(root: Path, rel: str, st: str) -> tuple:
    """One file's index row: path, stat, summary columns, content as JSON."""
    doc = yamlio.load_plain(root / rel, rel)
    if not isinstance(doc, dict):
        raise DeskError(f"{rel}:1: a ticket file must be a mapping of fields")
    if _shape_problem(doc) is not None:
        # the fast path has no line numbers: the guarded loader names the line
        from cstool.store import check_shape

        check_shape(yamlio.load(root / rel, rel), rel, _TZ)
    summary = summarize(doc)
    return (rel, st, *[_text(summary.get(k)) for k in COLUMNS], json.dumps(doc, ensure_ascii=False))


_TZ = None


def _shape_problem(doc: dict) -> Any:
    global _TZ
    from zoneinfo import ZoneInfo

    from cstool.model import shape_problem

    if _TZ is None:
        _TZ = ZoneInfo("Asia/Shanghai")
    return shape_problem(doc, _TZ)


def _rows(args: tuple[str, list[tuple[str, str]]]) -> list[tuple]:
    root, items = args
    return [_row(Path(root), rel, st) for rel, st in items]


def _parse_all(root: Path, changed: list[tuple[str, str]]) -> Iterator[tuple]:
    show = len(changed) >= PARALLEL_FROM and sys.stderr.isatty()
    bar = None
    if show:
        import click

        bar = click.progressbar(length=len(changed), label="cstool: indexing tickets", file=sys.stderr)
        bar.__enter__()
    try:
        workers = os.cpu_count() or 1
        if len(changed) < PARALLEL_FROM or workers < 2:
            for rel, st in changed:
                yield _row(root, rel, st)
                if bar:
                    bar.update(1)
            return
        from concurrent.futures import ProcessPoolExecutor

        chunks = [(str(root), changed[i:i + CHUNK]) for i in range(0, len(changed), CHUNK)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for rows in pool.map(_rows, chunks):
                yield from rows
                if bar:
                    bar.update(len(rows))
    finally:
        if bar:
            bar.__exit__(None, None, None)


def _text(value: Any) -> Any:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def open_index(desk: Any) -> Index:
    return Index(desk)

