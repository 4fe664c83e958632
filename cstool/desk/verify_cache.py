"""What ``verify`` found in each file, kept so that a file that has not changed is not read again.

``.cstool/verified.json`` holds, for each ticket file checked, the stat key (size, times,
inode) the index knew it by then, its ID and linked tickets with their lines (for the
checks across files: duplicate IDs, links to tickets that do not exist), its own findings
and, for a closed complaint with follow-up calls, the span of time in which those
findings hold (a call falls due, or ``--now`` goes back before one). Findings are kept
free of any language: a catalogue key and its fields (see :func:`encode`), put into words
in the language of the run that shows them. The whole record is tied to what the
findings depend on besides the file: the config (and cstool's and the official
calendar's versions, as the index keys them), the customer IDs on record and the code of
the checks; any change there checks every file again. A file whose stat key is not the
one recorded, or that the index does not hold, is always read and checked again; so is a
file changed in the second the check that recorded it began, or later (its stat key
could stay the same through a second change within the clock's tick). Deleting the
record loses nothing.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cstool.desk import yamlio
from cstool.desk.paths import check_inside
from cstool.errors import CstoolError
from cstool.messages import Both, Joined, Phrase
from cstool.time.clock import read_stamp

CACHE_NAME = "verified.json"
# the modules whose code decides what a ticket file's findings are
CHECKING_MODULES = ("cstool.desk.verify", "cstool.domain.history", "cstool.domain.states", "cstool.domain.model",
                    "cstool.domain.ids", "cstool.domain.merge", "cstool.time.clock", "cstool.time.calendar",
                    "cstool.config.schema", "cstool.desk.verify_cache", "cstool.desk.lined")


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
    """The files of the last check (path -> [stat key, ID, links, their lines, valid after,
    valid until, findings]) and the stat keys the index holds now (path -> key); ``kept``
    collects this check's files. ``config_key`` None (a desk read without a cache):
    nothing is read or kept."""

    root: Path
    config_key: str | None
    known: dict[str, str]
    key: str | None = None
    entries: dict[str, list[Any]] = field(default_factory=dict)
    kept: dict[str, list[Any]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)  # the files read and checked by this run
    started: int = field(default_factory=time.time_ns)  # when this check began (ns since the epoch)
    record: dict[str, Any] | None = None  # the record as read (None: not read yet)
    customers: dict[str, list[Any]] = field(default_factory=dict)  # customer files: [stat key, ID, findings]
    kept_customers: dict[str, list[Any]] = field(default_factory=dict)

    def _read(self) -> dict[str, Any]:
        """The record as kept ({} when there is none, or it cannot be read)."""
        if self.record is None:
            self.record = {}
            path = self.root / ".cstool" / CACHE_NAME
            try:
                check_inside(self.root, path)
                data = json.loads(path.read_text(encoding="utf-8"))
                self.record = data if isinstance(data, dict) else {}
            except (OSError, ValueError, CstoolError):
                pass
        return self.record

    def start_customers(self) -> None:
        """Read the customer files' part of the record, when it was made by the same code
        and config (a customer file's findings depend on nothing else)."""
        if self.config_key is None:
            return
        record = self._read()
        if record.get("checks") == f"{self.config_key}|{checks_key()}" and isinstance(record.get("customers"), dict):
            self.customers = record["customers"]

    def customer(self, rel: str, stat: str) -> list[Any] | None:
        """(ID or None, findings as (line, check, message)) of a customer file checked
        before with this stat key, kept again; else None."""
        entry = self.customers.get(rel)
        if entry is None or len(entry) != 3 or entry[0] != stat:
            return None
        self.kept_customers[rel] = entry
        return [entry[1], [(line, code, decode(message)) for line, code, message in entry[2]]]

    def keep_customer(self, rel: str, stat: str, cid: str | None, findings: list[Any]) -> None:
        """Keep a customer file's ID and findings (not when it changed in the second this
        check began or later, nor when a finding cannot be kept as it is)."""
        if self.config_key is None or _changed_since(stat, self.started - self.started % 1_000_000_000):
            return
        try:
            self.kept_customers[rel] = [stat, cid, [[f.line, f.code, encode(f.message)] for f in findings]]
        except TypeError:
            pass

    def start(self, customers: set[str]) -> None:
        """Read the record kept for this context (none when it was another context's)."""
        self.key = context_key(self.config_key, customers)
        if self.key is None:
            return
        record = self._read()
        if record.get("key") == self.key and isinstance(record.get("files"), dict):
            self.entries = record["files"]

    def lookup(self, rel: str, now: datetime) -> list[Any] | None:
        """The entry of a file checked before and unchanged since, when ``now`` is on the
        same side of each of its follow-up calls as then, else None."""
        entry = self.entries.get(rel)
        stat = self.known.get(rel)
        if entry is None or len(entry) != ENTRY_LENGTH or stat is None or entry[0] != stat:
            return None
        after, until = entry[4], entry[5]
        if (after is not None and not datetime.fromisoformat(after) < now) or \
                (until is not None and datetime.fromisoformat(until) < now):
            return None  # a follow-up call's due time lies between then and now
        return entry

    def reuse(self, rel: str, entry: list[Any]) -> tuple[Any, list[tuple[Any, ...]], list[str], list[int | None]]:
        """A looked-up entry, kept again: (ID, findings as (line, ticket, check, message),
        links, their lines)."""
        self.kept[rel] = entry
        findings = [(line, decode(ticket), code, decode(message)) for line, ticket, code, message in entry[6]]
        return entry[1], findings, entry[2], entry[3]

    def keep(self, rel: str, entry: list[Any]) -> None:
        """Keep a file's entry (from :func:`entry_for`) under the stat key the index knows it
        by; not when the file changed in the second this check began or later (a change
        within the clock's tick after it was read could leave the same key)."""
        stat = self.known.get(rel)
        if stat is None or _changed_since(stat, self.started - self.started % 1_000_000_000):
            return
        self.kept[rel] = [stat, *entry]

    def save(self, partial: bool) -> None:
        """Keep this check's files (with ``partial``, a check of some files only: the record
        of the others stays). Nothing is written when the record would stay as it is; a desk
        whose .cstool cannot be written goes without."""
        if self.key is None:
            return
        if partial:
            files = {rel: entry for rel, entry in self.entries.items() if rel not in self.checked}
            files.update(self.kept)
        else:
            files = self.kept
        if files == self.entries and self.kept_customers == self.customers:
            return
        record = {"key": self.key, "checks": f"{self.config_key}|{checks_key()}", "files": files,
                  "customers": self.kept_customers}
        try:
            (self.root / ".cstool").mkdir(exist_ok=True)
            yamlio.atomic_write(self.root / ".cstool" / CACHE_NAME, json.dumps(record, ensure_ascii=False), root=self.root)
        except (OSError, CstoolError):
            pass


ENTRY_LENGTH = 7


def _changed_since(stat: str, moment_ns: int) -> bool:
    """Whether a stat key's modification or change time is at or after the moment (or unreadable)."""
    try:
        _size, mtime, ctime, _ino = stat.split(":")
        return max(int(mtime), int(ctime)) >= moment_ns
    except ValueError:
        return True


def entry_for(data: dict, tz: Any, now: datetime, links: list[str], lines: list[int | None],
              findings: list[Any]) -> list[Any] | None:
    """A file's entry of the record but its stat key: [ID, links, their lines, valid after,
    valid until, findings as [line, ticket, check, message] free of any language]; None
    when a finding holds a value the record cannot give back as it is."""
    try:
        kept = [[f.line, encode(f.ticket), f.code, encode(f.message)] for f in findings]
        tid = encode(data.get("id"))
    except TypeError:
        return None
    after, until = due_window(data, tz, now)
    return [tid, links, lines, after, until, kept]


def encode(value: Any) -> Any:
    """A finding's value as JSON that :func:`decode` gives back as it was: catalogue phrases
    by key and fields, texts, numbers, lists and mappings (TypeError for anything else)."""
    if value is None or type(value) in (bool, int, float):
        return value
    if isinstance(value, str):
        if type(value) is not str and (repr(value) != str.__repr__(value) or format(value, "") != str.__str__(value)):
            raise TypeError(type(value).__name__)
        return str.__str__(value)
    if isinstance(value, Phrase):
        return {"p": value.key, "f": {name: encode(v) for name, v in value.fmt.items()}}
    if isinstance(value, Joined):
        return {"j": value.sep, "parts": [encode(p) for p in value.parts]}
    if isinstance(value, Both):
        return {"b": [encode(value.zh), encode(value.en)]}
    if type(value) is list:
        return {"l": [encode(v) for v in value]}
    if type(value) is dict:
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    raise TypeError(type(value).__name__)


def decode(value: Any) -> Any:
    """The value :func:`encode` was given."""
    if not isinstance(value, dict):
        return value
    if "p" in value:
        return Phrase(value["p"], **{name: decode(v) for name, v in value["f"].items()})
    if "j" in value:
        return Joined([decode(p) for p in value["parts"]], value["j"])
    if "b" in value:
        return Both(*(decode(v) for v in value["b"]))
    if "l" in value:
        return [decode(v) for v in value["l"]]
    return {decode(k): decode(v) for k, v in value["d"]}


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
