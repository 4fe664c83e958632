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

import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cstool.config.schema import PRIORITIES, SEVERITIES, TIERS, Config
from cstool.desk import yamlio
from cstool.desk.lined import load_lined
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


def _all_ticket_files(root: Path) -> list[str]:
    """Every ``*.yaml`` under tickets/ (no hidden names, never through a symbolic link), each
    folder's files in name order before its sub-folders, as paths relative to the desk."""
    out: list[str] = []
    tickets = root / "tickets"
    if tickets.is_dir():
        _walk(str(tickets), "tickets/", out)
    return out


def _walk(folder: str, rel: str, out: list[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            subfolders.append(entry)
        elif entry.name.endswith(".yaml"):
            out.append(rel + entry.name)
    for sub in subfolders:
        _walk(sub.path, f"{rel}{sub.name}/", out)


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
        _links_under(str(folder), top, out)
    return out


def _links_under(folder: str, rel: str, out: list[Finding]) -> None:
    """The links in a folder (in name order), then in its sub-folders (in the order the
    system lists them, as :func:`os.walk` visits them), never through a link."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_symlink():
            name = f"{rel}/{entry.name}"
            out.append(Finding(name, None, None, "symlink", Phrase("finding.symlink", name=name,
                                                                    target=os.readlink(entry.path))))
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _links_under(entry.path, f"{rel}/{entry.name}", out)


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
    on_roster: dict[str, bool] = {MERGE_ACTOR: True}  # each actor looked up once (a history names a few, many times)
    for i, ev in enumerate(hist):
        if not isinstance(ev, dict) or not all(k in ev for k in ("at", "by", "action")):
            add("history", Phrase("finding.event_fields", n=i + 1), i, hist)
            continue
        problem = history.event_problem(ev)
        if problem is not None:
            add("history", Phrase("finding.event_problem", n=i + 1, problem=problem), i, hist)
        who = ev.get("by")
        known = on_roster.get(who) if type(who) is str else None
        if known is None:
            known = who == MERGE_ACTOR or config.person(str(who)) is not None
            if type(who) is str:
                on_roster[who] = known
        if not known:
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
               unreadable: dict[str, Any] | None = None, cache: Any = None) -> tuple[list[Finding], int]:
    """Every finding of the desk (or of the ticket files in ``only``, paths relative to
    the desk), and how many files were checked. ``unreadable`` holds the files the index
    could not read (path -> reason): each is reported, so that every file a reading
    command skips is a finding. ``cache`` (a :class:`cstool.desk.verify_cache.CheckCache`)
    answers for files checked before and unchanged since, and collects this check's files.
    Many files to read are read on every core."""
    findings, customer_ids, files_read = _check_customers(root, cache)
    if cache is not None:
        cache.start(customer_ids)
    rels = [rel for rel in _all_ticket_files(root) if only is None or rel in only]
    files_read += len(rels)
    reused = {rel: entry for rel in rels if (entry := cache.lookup(rel, now) if cache is not None else None)}
    context = CheckContext(root, config, now, customer_ids, cache is not None)
    misses = [rel for rel in rels if rel not in reused]
    unsaved = _in_background(unsaved_findings, root) if only is None and len(misses) < PARALLEL_FROM else None
    fresh = _fresh_results(context, misses)
    seen: dict[str, str] = {}
    tickets: dict[str, tuple[list[str], list[int | None]]] = {}
    for rel in rels:
        result = _reused(rel, cache.reuse(rel, reused[rel])) if rel in reused else next(fresh)
        findings.extend(_take(context, rel, result, seen, tickets, cache, rel in reused))
    reported = {f.file for f in findings if f.code in ("parse", "unreadable")}
    findings.extend(_parse_finding(rel, _why_unreadable(root, rel, config, msg), "unreadable")
                    for rel, msg in sorted((unreadable or {}).items()) if rel not in reported and (only is None or rel in only))
    all_ids = {Path(rel).stem for rel in _all_ticket_files(root)} if only is not None else set(tickets)
    for tid, (links, lines) in tickets.items():
        findings.extend(Finding(seen[tid], line, tid, "reference", Phrase("finding.missing_link", link=link))
                        for link, line in zip(links, lines) if link not in all_ids)
    if only is None:
        findings.extend(link_findings(root) + (unsaved.result() if unsaved is not None else unsaved_findings(root)))
    if cache is not None:
        cache.save(partial=only is not None)
    return findings, files_read


def _in_background(work: Callable[[Path], list[Finding]], root: Path) -> Any:
    """Start work (a git status, say: another process, waited for) in a thread; its
    ``result()`` waits for it. Not used while worker processes are started."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(work, root)
    finally:
        pool.shutdown(wait=False)


@dataclass
class CheckContext:
    """What checking one ticket file needs besides the file (picklable: sent to each worker)."""

    root: Path
    config: Config
    now: datetime
    customers: set[str]
    keep: bool  # whether to make each file's entry of the record

    @functools.cached_property
    def cal(self) -> Any:
        """The desk's business calendar."""
        from cstool.time.calendar import BusinessCalendar

        return BusinessCalendar(self.config.calendar, self.config.tz)


# (ID, own findings, linked tickets, their lines, the record's entry or None) of one ticket file
FileResult = tuple[Any, list[Finding], list[str], list[int | None], list[Any] | None]


def _reused(rel: str, kept: tuple[Any, list[tuple[Any, ...]], list[str], list[int | None]]) -> FileResult:
    """A file's result from its entry of the record."""
    tid, found, links, lines = kept
    return tid, [Finding(rel, *f) for f in found], links, lines, None


def _take(context: CheckContext, rel: str, result: FileResult, seen: dict[str, str],
          tickets: dict[str, tuple[list[str], list[int | None]]], cache: Any, reused: bool) -> list[Finding]:
    """A file's findings from its result, noting its ID; an ID already seen (a duplicate)
    has its file read again here, in order, with its lines."""
    tid, found, links, lines, entry = result
    if isinstance(tid, str) and tid in seen:
        if cache is not None:
            cache.checked.add(rel)
        return _duplicate(context, rel, seen)
    if isinstance(tid, str):
        seen[tid] = rel
        tickets[tid] = (links, lines)
    if cache is not None and not reused:
        cache.checked.add(rel)
        if entry is not None and isinstance(tid, str):
            cache.keep(rel, entry)
    return found


def _duplicate(context: CheckContext, rel: str, seen: dict[str, str]) -> list[Finding]:
    """The findings of a file whose ID another file already has, the duplicate among them."""
    try:
        data, found = _checked_ticket(context.root / rel, rel, context.config, context.now, context.customers, seen)
    except CstoolError as exc:
        return [_parse_finding(rel, exc)]
    tid = data.get("id")
    return [*found, *_calendar_findings(data, rel, context.cal),
            Finding(rel, _line(data, "id"), tid, "duplicate", Phrase("finding.duplicate", id=tid, other=seen[tid]))]


def check_file(context: CheckContext, rel: str) -> FileResult:
    """Read and check one ticket file on its own (no other file is looked at)."""
    from cstool.desk.verify_cache import entry_for

    try:
        data, found = _checked_ticket(context.root / rel, rel, context.config, context.now, context.customers, {})
    except CstoolError as exc:
        return None, [_parse_finding(rel, exc)], [], [], None
    found = found + _calendar_findings(data, rel, context.cal)
    if not isinstance(data, dict):
        return None, found, [], [], None
    node = data.get("links")
    links = [str(link) for link in node or []]
    lines = [_line(node, i) for i in range(len(links))]
    entry = entry_for(data, context.config.tz, context.now, links, lines, found) if context.keep else None
    return data.get("id"), found, links, lines, entry


PARALLEL_FROM = 2000  # files to read from which a second core pays for starting it
CHUNK = 500

_WORKER: dict[str, CheckContext] = {}


def _start_worker(context: CheckContext) -> None:
    _WORKER["context"] = context


def _check_chunk(rels: list[str]) -> list[FileResult]:
    from cstool.desk.index import gc_paused

    with gc_paused():
        return [check_file(_WORKER["context"], rel) for rel in rels]


def _fresh_results(context: CheckContext, rels: list[str]) -> Iterator[FileResult]:
    """The results of these files, in order: on every core when there are many."""
    workers = min(os.cpu_count() or 1, 4)
    if len(rels) < PARALLEL_FROM or workers < 2:
        yield from (check_file(context, rel) for rel in rels)
        return
    from concurrent.futures import ProcessPoolExecutor

    from cstool.desk.chunks import in_order

    chunks = (rels[i:i + CHUNK] for i in range(0, len(rels), CHUNK))
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(context,)) as pool:
        for results in in_order(pool, _check_chunk, chunks, 2 * workers):
            yield from results


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
    first; only one with findings (or an ID already seen) is read again with its lines
    (:func:`cstool.desk.lined.load_lined`), which the findings then name."""
    data = yamlio.load_plain(path, rel)
    found = check_ticket(data, rel, config, now, customers)
    tid = data.get("id") if isinstance(data, dict) else None
    if found or (isinstance(tid, str) and tid in seen):
        data = load_lined(path, rel)
        found = check_ticket(data, rel, config, now, customers)
    return data, found


def _check_customers(root: Path, cache: Any = None) -> tuple[list[Finding], set[str], int]:
    """The customer records' findings, the IDs of the good ones, and how many files were
    read (``cache`` answers for a file checked before and unchanged since)."""
    import stat

    from cstool.desk.paths import stat_key

    findings: list[Finding] = []
    customer_ids: set[str] = set()
    cdir = root / "customers"
    files_read = 0
    if cache is not None:
        cache.start_customers()
    if cdir.is_dir():
        for path in sorted(cdir.glob("*.yaml")):
            try:
                st = os.lstat(path)
            except OSError:
                st = None
            if st is not None and stat.S_ISLNK(st.st_mode):
                continue  # reported by link_findings
            rel = path.relative_to(root).as_posix()
            files_read += 1
            key = stat_key(st) if st is not None and stat.S_ISREG(st.st_mode) else None
            kept = cache.customer(rel, key) if cache is not None and key is not None else None
            if kept is None:
                cid, found = _check_customer_file(path, rel)
                if cache is not None and key is not None:
                    cache.keep_customer(rel, key, cid, found)
            else:
                cid, found = kept[0], [Finding(rel, line, None, code, message) for line, code, message in kept[1]]
            findings.extend(found)
            if cid is not None:
                customer_ids.add(cid)
    return findings, customer_ids, files_read


def _check_customer_file(path: Path, rel: str) -> tuple[str | None, list[Finding]]:
    """One customer record's ID (None when it is not a good one) and findings."""
    try:
        data = yamlio.load_plain(path, rel)  # fast; read again for line numbers only if needed
        if not isinstance(data, dict) or data.get("tier") not in TIERS:
            data = yamlio.load(path, rel)
    except CstoolError as exc:
        message = exc.message.split(": ", 1)[-1] if exc.message.startswith(rel) else exc.message
        return None, [Finding(rel, None, None, "parse", message)]
    cid = data.get("id") if isinstance(data, dict) else None
    if not isinstance(cid, str) or not ids.CUSTOMER_ID_RE.match(cid) or path.name != f"{cid}.yaml":
        return None, [Finding(rel, 1, None, "schema", Phrase("finding.customer_id", id=repr(cid)))]
    if data.get("tier") not in TIERS:
        return str(cid), [Finding(rel, _line(data, "tier"), None, "schema", Phrase("finding.tier", tier=shown(data.get("tier"))))]
    return str(cid), []


def _why_unreadable(root: Path, rel: str, config: Config, stored: Any) -> Any:
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


def _parse_finding(rel: str, msg: Any, code: str = "parse") -> Finding:
    """A ticket file that does not parse: the loader's message, with its line when it names one
    (an error that says where, such as a malformed ticket's, keeps its words of every language,
    as does the reason the index kept)."""
    if hasattr(msg, "why") and hasattr(msg, "where"):  # the index's reason (cstool.desk.index.Unreadable)
        head = msg.where[len(rel) + 1:]
        return Finding(rel, int(head) if head.isdigit() else None, None, code, msg.why())
    if isinstance(msg, CstoolError):
        where, error = msg.fmt.get("where"), msg.fmt.get("error")
        head = str(where)[len(rel) + 1:] if isinstance(where, str) and where.startswith(rel + ":") else ""
        if head.isdigit() and hasattr(error, "text"):
            return Finding(rel, int(head), None, code, error)
        if msg.message.startswith(rel):  # the loader's words, beginning with the place
            from cstool.desk.index import unreadable_because

            return _parse_finding(rel, unreadable_because(rel, "", msg), code)
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
