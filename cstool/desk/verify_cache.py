"""What ``verify`` found clean, kept so that a file that has not changed is not read again.

``.cstool/verified.json`` holds, for each ticket file checked, the stat key (size, times,
inode) the index knew it by then, its ID and linked tickets (for the checks across files:
duplicate IDs, links to tickets that do not exist), its own findings and, for a closed
complaint with follow-up calls, the span of time in which those findings hold (a call
falls due, or ``--now`` goes back before one). The whole record is tied to what
the findings depend on besides the file: the config (and cstool's and the official
calendar's versions, as the index keys them), the customer IDs on record and the code of
the checks; any change there checks every file again. A file whose stat key is not the
one recorded, or that the index does not hold, is always read and checked again.
Deleting the record loses nothing.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cstool.desk import yamlio
from cstool.desk.paths import check_inside
from cstool.errors import CstoolError
from cstool.time.clock import read_stamp

CACHE_NAME = "verified.json"
# the modules whose code decides what a ticket file's findings are
CHECKING_MODULES = ("cstool.desk.verify", "cstool.domain.history", "cstool.domain.states", "cstool.domain.model",
                    "cstool.domain.ids", "cstool.domain.merge", "cstool.time.clock", "cstool.time.calendar",
                    "cstool.config.schema", "cstool.desk.verify_cache")


@functools.cache
def checks_key() -> str:
    """A hash of the source of :data:`CHECKING_MODULES`."""
    import hashlib
    from importlib.util import find_spec

    digest = hashlib.sha256()
    for name in CHECKING_MODULES:
        spec = find_spec(name)
        digest.update(name.encode())
        digest.update(Path(spec.origin).read_bytes() if spec is not None and spec.origin else b"")
    return digest.hexdigest()[:16]


def context_key(config_key: str | None, customers: set[str]) -> str | None:
    """What the findings of every file depend on besides the file (None: nothing is kept)."""
    if config_key is None:
        return None
    import hashlib

    ids = hashlib.sha256("\n".join(sorted(customers)).encode()).hexdigest()[:16]
    return f"{config_key}|{checks_key()}|{ids}"


@dataclass
class CheckCache:
    """The files of the last check (path -> [stat key, ID, links, valid after, valid until,
    findings]) and the stat keys the index holds now (path -> key); ``kept`` collects this
    check's files. ``config_key`` None (a desk read without a cache): nothing is read or kept."""

    root: Path
    config_key: str | None
    known: dict[str, str]
    key: str | None = None
    entries: dict[str, list[Any]] = field(default_factory=dict)
    kept: dict[str, list[Any]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)  # the files read and checked by this run

    def start(self, customers: set[str]) -> None:
        """Read the record kept for this context (none when it was another context's)."""
        self.key = context_key(self.config_key, customers)
        if self.key is None:
            return
        path = self.root / ".cstool" / CACHE_NAME
        try:
            check_inside(self.root, path)
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("key") == self.key and isinstance(data.get("files"), dict):
                self.entries = data["files"]
        except (OSError, ValueError, AttributeError, CstoolError):
            pass

    def hit(self, rel: str, now: datetime) -> tuple[Any, list[Any], list[dict[str, Any]]] | None:
        """(ID, links, findings as JSON) of a file checked before and unchanged since, when
        ``now`` is on the same side of each of its follow-up calls as then, else None."""
        entry = self.entries.get(rel)
        stat = self.known.get(rel)
        if entry is None or len(entry) != 6 or stat is None or entry[0] != stat:
            return None
        after, until = entry[3], entry[4]
        if (after is not None and not datetime.fromisoformat(after) < now) or \
                (until is not None and datetime.fromisoformat(until) < now):
            return None  # a follow-up call's due time lies between then and now
        self.kept[rel] = entry
        return entry[1], entry[2], entry[5]

    def keep(self, rel: str, data: dict, tz: Any, now: datetime, findings: list[dict[str, Any]]) -> None:
        """Note a file's own findings (when the index knows its stat key): those of no other file."""
        stat = self.known.get(rel)
        if stat is None:
            return
        links = [str(link) for link in data.get("links") or []]
        after, until = due_window(data, tz, now)
        self.kept[rel] = [stat, data.get("id"), links, after, until, findings]

    def save(self, partial: bool) -> None:
        """Keep this check's clean files (with ``partial``, a check of some files only: the
        record of the others stays). A desk whose .cstool cannot be written goes without."""
        if self.key is None:
            return
        if partial:
            files = {rel: entry for rel, entry in self.entries.items() if rel not in self.checked}
            files.update(self.kept)
        else:
            files = self.kept
        try:
            (self.root / ".cstool").mkdir(exist_ok=True)
            yamlio.atomic_write(self.root / ".cstool" / CACHE_NAME,
                                json.dumps({"key": self.key, "files": files}, ensure_ascii=False), root=self.root)
        except (OSError, CstoolError):
            pass


def due_window(data: dict, tz: Any, now: datetime) -> tuple[str | None, str | None]:
    """The moments between which ``now`` must lie for the file's findings to stay as they
    are: after the latest follow-up call of a closed complaint already due (and open to a
    finding: no result yet, or the customer not reached) and until the earliest one to come."""
    if data.get("type") != "complaint" or data.get("status") != "closed":
        return None, None
    past: list[datetime] = []
    future: list[datetime] = []
    for f in data.get("followups") or []:
        if not isinstance(f, dict) or f.get("done_at") or (f.get("result") and f.get("result") != "unreachable"):
            continue
        try:
            due = read_stamp(f.get("due"), tz)
        except CstoolError:
            continue
        if due is not None:
            (past if due < now else future).append(due)
    return (max(past).isoformat() if past else None), (min(future).isoformat() if future else None)
