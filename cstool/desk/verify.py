"""Integrity checks of a desk (``audit --check`` / ``verify``).

Each finding names the file (and line where one applies) and a reason. The checks:
every file parses safely and has the ticket schema; the history replays to the current
fields; no ID is used twice; every complaint that is closed has a resolution and, once
its follow-up call is past due, a follow-up result; every actor and assignee is on the
roster (a ticket still being worked on not with someone who has left); every referenced
customer and linked ticket exists; merge conflicts recorded
by the merge driver are listed until resolved; no running deadline falls in a year that
no calendar source (the official calendar, the desk's own lists) covers. Symbolic links
under tickets/, customers/ and templates/ are reported (cstool never follows them), and
in a git desk so are ticket and customer files that are not committed (untracked or
modified): work a sync would not carry.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cstool.config.schema import PRIORITIES, SEVERITIES, TIERS, Config
from cstool.desk import yamlio
from cstool.domain import history, ids
from cstool.domain.merge import MERGE_ACTOR
from cstool.domain.states import STATUSES, WORKING
from cstool.errors import CstoolError
from cstool.messages import Phrase
from cstool.reports.render import shown
from cstool.time.clock import read_stamp

REQUIRED = ("id", "type", "title", "status", "created", "history")


@dataclass
class Finding:
    file: str
    line: int | None
    ticket: str | None
    code: str
    message: Any  # a Phrase of the catalogue, or a text (such as a loader's message)

    def words(self, lang: str = "en") -> str:
        """The message in lang."""
        return self.message.text(lang) if hasattr(self.message, "text") else str(self.message)

    def text(self, lang: str = "en") -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.words(lang)}"

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "ticket": self.ticket, "code": self.code, "message": self.words()}


def _line(node: Any, key: Any) -> int | None:
    try:
        lc = node.lc  # ruamel's line and column record (a plain dict or list has none)
        return (lc.key(key) if isinstance(node, dict) else lc.item(key))[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def _all_ticket_files(root: Path) -> list[Path]:
    """Every ``*.yaml`` under tickets/ (no hidden names, never through a symbolic link), each
    folder's files in name order before its sub-folders."""
    out: list[Path] = []
    tickets = root / "tickets"
    if tickets.is_dir():
        _walk(str(tickets), out)
    return out


def _walk(folder: str, out: list[Path]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            subfolders.append(entry.path)
        elif entry.name.endswith(".yaml"):
            out.append(Path(entry.path))
    for sub in subfolders:
        _walk(sub, out)


LINKED_FOLDERS = ("tickets", "customers", "templates")


def link_findings(root: Path) -> list[Finding]:
    """Every symbolic link under tickets/, customers/ and templates/ (and those folders
    themselves when they are links): cstool skips them, a reader should remove them."""
    out: list[Finding] = []
    for top in LINKED_FOLDERS:
        folder = root / top
        if folder.is_symlink():
            out.append(Finding(top, None, None, "symlink", Phrase("finding.symlink_folder", name=top)))
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            for name in sorted(dirnames + filenames):
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    rel = Path(path).relative_to(root).as_posix()
                    out.append(Finding(rel, None, None, "symlink", Phrase("finding.symlink", name=rel, target=os.readlink(path))))
    return out


def unsaved_findings(root: Path) -> list[Finding]:
    """In a git desk, the ticket and customer files that are untracked or modified."""
    from cstool.desk.paths import PATHSPEC
    from cstool.git import repo

    return [Finding(rel, None, None, "uncommitted", Phrase("finding.uncommitted", name=rel))
            for rel in repo.unsaved_files(root, PATHSPEC)]


def check_ticket(data: Any, rel: str, config: Config, now: datetime, customers: set[str]) -> list[Finding]:
    """Schema, replay, complaint results, roster and customer references of one ticket."""
    if not isinstance(data, dict):
        return [Finding(rel, 1, None, "schema", Phrase("finding.ticket_mapping"))]
    out: list[Finding] = []
    tid = data.get("id")

    def add(code: str, message: Any, key: Any = None, node: Any = None) -> None:
        out.append(Finding(rel, _line(node if node is not None else data, key) if key is not None else None, tid, code, message))

    _check_fields(data, rel, tid, config, add)
    _check_customer(data, customers, add)
    _check_history(data, tid, config, add)
    assignee = data.get("assignee")
    holder = config.person(str(assignee)) if assignee else None
    if assignee and holder is None:
        add("roster", Phrase("finding.assignee", who=repr(assignee)), "assignee")
    elif holder is not None and not holder.active and data.get("status") in WORKING:
        add("roster", Phrase("finding.assignee_left", who=repr(assignee), day=str(holder.left), id=tid,
                             group=data.get("group")), "assignee")
    _check_complaint(data, config, now, add)
    return out


def _check_fields(data: dict, rel: str, tid: Any, config: Config, add: Callable[..., None]) -> None:
    """Required fields, the ID and file name, known values, title, timestamps and the file's place."""
    for key in REQUIRED:
        if key not in data:
            add("schema", Phrase("finding.missing", key=key))
    if tid is not None and (not isinstance(tid, str) or not ids.is_ticket_id(tid)):
        add("schema", Phrase("finding.not_id", id=repr(tid)), "id")
    if isinstance(tid, str) and Path(rel).name != f"{tid}.yaml":
        add("schema", Phrase("finding.id_file", id=tid, name=Path(rel).name), "id")
    for key, known in (("type", config.types), ("channel", config.channels), ("group", config.groups),
                       ("priority", PRIORITIES), ("severity", SEVERITIES), ("status", STATUSES)):
        value = data.get(key)
        if value is not None and value not in known:
            add("schema", Phrase("finding.not_one_of", key=key, value=shown(value), known=", ".join(known)), key)
    if (not isinstance(data.get("title"), str) or not str(data.get("title")).strip()) and "title" in data:
        add("schema", Phrase("finding.title"), "title")
    for key in ("created", "updated", "due"):
        if data.get(key) is not None:
            try:
                read_stamp(data.get(key), config.tz)
            except CstoolError:
                add("schema", Phrase("finding.timestamp", key=key, value=shown(data.get(key))), key)
    created = None
    try:
        created = read_stamp(data.get("created"), config.tz)
    except CstoolError:
        pass
    if created is not None and tid:
        expected = f"tickets/{created.year:04d}/{created.month:02d}/{tid}.yaml"
        if rel != expected:
            add("layout", Phrase("finding.layout", expected=expected), "created")


def _check_customer(data: dict, customers: set[str], add: Callable[..., None]) -> None:
    """The customer block: a mapping, a known tier, a customer record that exists."""
    cust = data.get("customer")
    if cust is not None and not isinstance(cust, dict):
        add("schema", Phrase("finding.customer_mapping"), "customer")
    elif cust:
        if cust.get("tier") not in (None, *TIERS):
            add("schema", Phrase("finding.customer_tier", tier=shown(cust.get("tier"))), "tier", cust)
        if cust.get("id") and cust.get("id") not in customers:
            add("reference", Phrase("finding.customer_record", id=cust.get("id")), "id", cust)


def _check_history(data: dict, tid: Any, config: Config, add: Callable[..., None]) -> None:
    """The history: a list starting with create, complete events by people on the roster,
    merge conflicts not yet acknowledged, and a replay that gives the current fields."""
    hist = data.get("history")
    if hist is not None and not isinstance(hist, list):
        add("schema", Phrase("finding.history_list"), "history")
        return
    if not isinstance(hist, list):
        return
    if hist and (not isinstance(hist[0], dict) or hist[0].get("action") != "create"):
        add("history", Phrase("finding.history_start"), "history")
    # a conflict is acknowledged by any later ack: one pass backwards finds the last ack
    last_ack = max((i for i, ev in enumerate(hist) if isinstance(ev, dict) and ev.get("action") == "ack"), default=-1)
    for i, ev in enumerate(hist):
        if not isinstance(ev, dict) or not all(k in ev for k in ("at", "by", "action")):
            add("history", Phrase("finding.event_fields", n=i + 1), i, hist)
            continue
        problem = history.event_problem(ev)
        if problem is not None:
            add("history", Phrase("finding.event_problem", n=i + 1, problem=problem), i, hist)
        if ev.get("by") != MERGE_ACTOR and config.person(str(ev.get("by"))) is None:
            add("roster", Phrase("finding.event_by", n=i + 1, who=repr(ev.get("by"))), i, hist)
        if ev.get("action") == "merge-conflict" and i > last_ack:
            note = ev.get("note") or Phrase("finding.conflict_default")
            add("merge-conflict", Phrase("finding.conflict", note=note, id=tid), i, hist)
    if all(isinstance(ev, dict) for ev in hist):
        for differs in history.disagreements(data):
            add("replay", differs, "status" if "status" in data else None)


def _check_complaint(data: dict, config: Config, now: datetime, add: Callable[..., None]) -> None:
    """A closed complaint has a resolution and, once its follow-up call is past due, a result."""
    if data.get("type") == "complaint" and data.get("status") == "closed":
        if not data.get("resolution"):
            add("complaint", Phrase("finding.no_resolution"), "status")
        for f in data.get("followups") or []:
            try:
                due = read_stamp(f.get("due"), config.tz)
            except CstoolError:
                continue
            if due is not None and due < now and not f.get("result") and not f.get("done_at"):
                add("complaint", Phrase("finding.followup_missing", due=f.get("due")), "followups")
            elif due is not None and due < now and f.get("result") == "unreachable" and not f.get("done_at"):
                add("complaint", Phrase("finding.followup_unreached", due=f.get("due")), "followups")


def check_desk(root: Path, config: Config, now: datetime, only: set[str] | None = None,
               unreadable: dict[str, str] | None = None, cache: Any = None) -> tuple[list[Finding], int]:
    """Every finding of the desk (or of the ticket files in ``only``, paths relative to
    the desk), and how many files were checked. ``unreadable`` holds the files the index
    could not read (path -> reason): each is reported, so that every file a reading
    command skips is a finding. ``cache`` (a :class:`cstool.desk.verify_cache.CheckCache`)
    answers for files found clean before and unchanged since, and collects the clean ones."""
    from cstool.time.calendar import BusinessCalendar

    cal = BusinessCalendar(config.calendar, config.tz)
    findings, customer_ids, files_read = _check_customers(root)
    if cache is not None:
        cache.start(customer_ids)
    seen: dict[str, str] = {}
    tickets: dict[str, Any] = {}
    for path in _all_ticket_files(root):
        rel = path.relative_to(root).as_posix()
        if only is not None and rel not in only:
            continue
        files_read += 1
        reused = cache.hit(rel, now) if cache is not None else None
        if reused is not None and isinstance(reused[0], str) and reused[0] not in seen:
            seen[reused[0]] = rel
            tickets[reused[0]] = {"links": reused[1]} if reused[1] else {}
            findings.extend(Finding(**f) for f in reused[2])
            continue
        findings.extend(_check_one(path, rel, config, now, customer_ids, cal, seen, tickets, cache))
    reported = {f.file for f in findings if f.code in ("parse", "unreadable")}
    findings.extend(_parse_finding(rel, _why_unreadable(root, rel, config, msg), "unreadable")
                    for rel, msg in sorted((unreadable or {}).items()) if rel not in reported and (only is None or rel in only))
    all_ids = {p.stem for p in _all_ticket_files(root)} if only is not None else set(tickets)
    for tid, data in tickets.items():
        for i, link in enumerate(data.get("links") or []):
            if str(link) not in all_ids:
                findings.append(Finding(seen[tid], _line(data.get("links"), i), tid, "reference",
                                        f"linked ticket {link} does not exist"))
    if only is None:
        findings.extend(link_findings(root) + unsaved_findings(root))
    if cache is not None:
        cache.save(partial=only is not None)
    return findings, files_read


def _check_one(path: Path, rel: str, config: Config, now: datetime, customer_ids: set[str], cal: Any,
               seen: dict[str, str], tickets: dict[str, Any], cache: Any) -> list[Finding]:
    """Read and check one ticket file; note its ID (and a duplicate), and tell the cache
    when it is clean."""
    if cache is not None:
        cache.checked.add(rel)
    try:
        data, found = _checked_ticket(path, rel, config, now, customer_ids, seen)
    except CstoolError as exc:
        return [_parse_finding(rel, exc)]
    found = found + _calendar_findings(data, rel, cal)
    tid = data.get("id") if isinstance(data, dict) else None
    if isinstance(tid, str) and tid in seen:
        return [*found, Finding(rel, _line(data, "id"), tid, "duplicate", Phrase("finding.duplicate", id=tid, other=seen[tid]))]
    if isinstance(tid, str):
        seen[tid] = rel
        tickets[tid] = data if data.get("links") else {}  # only links are looked at again: memory stays small
    if cache is not None and isinstance(data, dict) and not found:  # findings are words of a language: made afresh
        cache.keep(rel, data, config.tz, now, [])
    return found


def _running_deadlines(data: dict) -> list[tuple[str, Any, Any]]:
    """(what, due time as written, node) of a ticket's deadlines that are still running."""
    out: list[tuple[str, Any, Any]] = []
    if data.get("status") == "void":
        return out
    if data.get("status") in ("resolved", "closed"):
        for f in data.get("followups") or []:
            if isinstance(f, dict) and f.get("due") and not f.get("done_at"):
                out.append(("followup", f.get("due"), f))
        return out
    sla: dict = data["sla"] if isinstance(data.get("sla"), dict) else {}
    if sla.get("first_response_due") and not sla.get("first_response_at"):
        out.append(("first_response", sla.get("first_response_due"), sla))
    if sla.get("resolution_due") and not sla.get("resolved_at"):
        out.append(("resolution", sla.get("resolution_due"), sla))
    if data.get("type") == "work_order" and data.get("due"):
        out.append(("work_order", data.get("due"), data))
    return out


def _calendar_findings(data: Any, rel: str, cal: Any) -> list[Finding]:
    """A running deadline in a year no calendar source covers: it may fall on a holiday."""
    if not isinstance(data, dict):
        return []
    out = []
    for what, due_text, _node in _running_deadlines(data):
        try:
            due = read_stamp(due_text, cal.tz)
        except CstoolError:
            continue
        if due is not None and not cal.is_covered(due.year):
            out.append(Finding(rel, None, data.get("id"), "calendar",
                               Phrase("finding.calendar", what=what, due=due_text, year=due.year)))
    return out


def _checked_ticket(path: Path, rel: str, config: Config, now: datetime, customers: set[str],
                    seen: dict[str, str]) -> tuple[Any, list[Finding]]:
    """One ticket file and its findings. A file is read with the fast parser (linear, in C)
    first; only one with findings (or an ID already seen) is read again with the
    round-trip loader, whose line numbers the findings then name."""
    data = yamlio.load_plain(path, rel)
    found = check_ticket(data, rel, config, now, customers)
    tid = data.get("id") if isinstance(data, dict) else None
    if found or (isinstance(tid, str) and tid in seen):
        data = yamlio.load(path, rel)
        found = check_ticket(data, rel, config, now, customers)
    return data, found


def _check_customers(root: Path) -> tuple[list[Finding], set[str], int]:
    """The customer records' findings, the IDs of the good ones, and how many files were read."""
    findings: list[Finding] = []
    customer_ids: set[str] = set()
    cdir = root / "customers"
    files_read = 0
    if cdir.is_dir():
        for path in sorted(cdir.glob("*.yaml")):
            if path.is_symlink():
                continue  # reported by link_findings
            rel = path.relative_to(root).as_posix()
            files_read += 1
            try:
                data = yamlio.load_plain(path, rel)  # fast; read again for line numbers only if needed
                if not isinstance(data, dict) or data.get("tier") not in TIERS:
                    data = yamlio.load(path, rel)
            except CstoolError as exc:
                message = exc.message.split(": ", 1)[-1] if exc.message.startswith(rel) else exc.message
                findings.append(Finding(rel, None, None, "parse", message))
                continue
            cid = data.get("id") if isinstance(data, dict) else None
            if not isinstance(cid, str) or not ids.CUSTOMER_ID_RE.match(cid) or path.name != f"{cid}.yaml":
                findings.append(Finding(rel, 1, None, "schema", Phrase("finding.customer_id", id=repr(cid))))
                continue
            if data.get("tier") not in TIERS:
                findings.append(Finding(rel, _line(data, "tier"), None, "schema",
                                        Phrase("finding.tier", tier=shown(data.get("tier")))))
            customer_ids.add(cid)
    return findings, customer_ids, files_read


def _why_unreadable(root: Path, rel: str, config: Config, stored: str) -> str | CstoolError:
    """Why the index could not read a ticket file: a malformed ticket's error read afresh
    (its words come in every language), else the reason the index stored."""
    from cstool.domain.model import check_shape

    try:
        data = yamlio.load(root / rel, rel)
        if isinstance(data, dict):
            check_shape(data, rel, config.tz)
    except CstoolError as exc:
        return exc
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError, RecursionError, OSError):
        pass
    return stored


def _parse_finding(rel: str, msg: str | CstoolError, code: str = "parse") -> Finding:
    """A ticket file that does not parse: the loader's message, with its line when it names one
    (an error that says where, such as a malformed ticket's, keeps its words of every language)."""
    if isinstance(msg, CstoolError):
        where, error = msg.fmt.get("where"), msg.fmt.get("error")
        head = str(where)[len(rel) + 1:] if isinstance(where, str) and where.startswith(rel + ":") else ""
        if head.isdigit() and hasattr(error, "text"):
            return Finding(rel, int(head), None, code, error)
        msg = msg.message
    line = None
    if msg.startswith(rel + ":"):
        rest = msg[len(rel) + 1:]
        head, _, tail = rest.partition(": ")
        if head.isdigit():
            line, msg = int(head), tail
        else:
            msg = rest.lstrip(" ")
    return Finding(rel, line, None, code, msg)
