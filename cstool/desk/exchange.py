"""Export and import of tickets: JSON (whole documents) and CSV (one row a ticket, opens
in Excel with Chinese text).

A CSV row carries the flat fields as columns and the structured ones (``fields``,
``sla``, ``followups``, ``links``, ``history``) as JSON text, so export → import gives
equal tickets. The customer's phone and email are masked unless ``--reveal``. Every CSV
cell that would start a spreadsheet formula gets a leading ``'`` (``render.csv_cell``),
which import takes off again.

Import takes full rows (with ``id`` and ``history``: written as they are, after the same
checks as ``audit --check``) and new rows (no ``id``: created as ``cstool create`` would,
with routing and SLA). Every row is checked before anything is written; one bad row
refuses the whole file, naming each bad row. The files are staged and put in place with
their commit, all or none (:mod:`cstool.desk.staging`); rows already in the desk are
refused or skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cstool.config.schema import Person
from cstool.domain import model
from cstool.errors import InputError
from cstool.reports import render

FLAT = ("id", "type", "title", "description", "channel", "customer_id", "customer_name", "phone", "email", "tier",
        "priority", "severity", "category", "status", "group", "assignee", "level", "resolution", "created",
        "updated", "due")
NESTED = ("fields", "sla", "followups", "links", "history")
CSV_COLUMNS = FLAT + NESTED


def redact(ticket: dict[str, Any]) -> dict[str, Any]:
    out = dict(ticket)
    if isinstance(out.get("customer"), dict):
        out["customer"] = render.mask_customer(out["customer"], False)
    return out


def to_row(ticket: dict[str, Any]) -> dict[str, Any]:
    """A plain ticket as one CSV row: texts as they are, numbers (the level) as numbers,
    structured fields as JSON text."""
    cust = ticket.get("customer") or {}
    row: dict[str, Any] = {}
    for key in FLAT:
        if key == "customer_id":
            value = cust.get("id")
        elif key == "customer_name":
            value = cust.get("name")
        elif key in ("phone", "email", "tier"):
            value = cust.get(key)
        else:
            value = ticket.get(key)
        row[key] = "" if value is None else value if isinstance(value, (int, float)) else str(value)
    for key in NESTED:
        value = ticket.get(key)
        row[key] = "" if value in (None, [], {}) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return row


def export_text(tickets: list[dict[str, Any]], fmt: str, bom: bool = False) -> str:
    """The export file's text; every CSV cell goes through ``render.csv_cell`` (no formulas)."""
    if fmt == "json":
        return json.dumps(tickets, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for t in tickets:
        row = to_row(t)
        writer.writerow([render.csv_cell(row[key]) for key in CSV_COLUMNS])
    return ("\ufeff" if bom else "") + buf.getvalue()


def from_row(row: dict[str, str], number: int) -> dict[str, Any]:
    """A CSV row back to a plain ticket (the ' export put before a formula character taken
    off, JSON columns decoded); raise InputError naming the row."""
    ticket: dict[str, Any] = {}
    cust: dict[str, Any] = {}
    for key, raw in row.items():
        if key is None:
            raise InputError(f"row {number}: more cells than columns")
        value = render.csv_uncell(raw or "")
        if key not in CSV_COLUMNS:
            raise InputError(f"row {number}: unknown column {render.shown(key)}")
        if value == "":
            continue
        if key in NESTED:
            try:
                ticket[key] = _json_loads(value)
            except InputError as exc:
                raise InputError(f"row {number}: column {key}: {exc.message}") from None
        elif key == "customer_id":
            cust["id"] = value
        elif key == "customer_name":
            cust["name"] = value
        elif key in ("phone", "email", "tier"):
            cust[key] = value
        elif key == "level":
            try:
                ticket["level"] = int(value)
            except ValueError:
                raise InputError(f"row {number}: level {render.shown(value)} is not a number") from None
        else:
            ticket[key] = value
    if cust:
        ticket["customer"] = cust
    ticket["_row"] = number
    return ticket


MAX_JSON_DEPTH = 32  # a ticket nests 4 levels; refused before parsing, so no recursion runs deep


def _json_loads(text: str) -> Any:
    """Parse JSON text whose nesting of [ and { is at most MAX_JSON_DEPTH (checked in one pass)."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InputError(f"not valid JSON: nested more than {MAX_JSON_DEPTH} levels deep")
        elif ch in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise InputError(f"not valid JSON: nested more than {MAX_JSON_DEPTH} levels deep") from None


def read_rows(text: str, fmt: str) -> list[dict[str, Any]]:
    """Parse an import file (JSON list of tickets, or CSV) into plain tickets."""
    if fmt == "json":
        data = _json_loads(text.lstrip("\ufeff"))
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
            raise InputError("a JSON import must be a list of tickets (objects)")
        return data
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise InputError("the CSV file is empty")
    unknown = [c for c in reader.fieldnames if c not in CSV_COLUMNS]
    if unknown:
        raise InputError(f"unknown CSV column(s): {', '.join(render.shown(c) for c in unknown)} "
                         f"(known: {', '.join(CSV_COLUMNS)})")
    rows, problems = [], []
    for i, row in enumerate(reader, start=2):  # row 1 is the header
        try:
            rows.append(from_row(row, i))
        except InputError as exc:
            problems.append(exc.message)
    if problems:
        raise InputError(f"nothing imported: {len(problems)} bad row(s): " + "; ".join(problems[:20]))
    return rows


def to_document(ticket: dict[str, Any]) -> CommentedMap:
    """A plain (imported) ticket as a file document in the fixed key order."""
    doc = model.ordered(dict(ticket), model.FIELD_ORDER)
    if isinstance(doc.get("customer"), dict):
        doc["customer"] = model.ordered(doc["customer"], model.CUSTOMER_ORDER)
    if isinstance(doc.get("sla"), dict):
        doc["sla"] = model.ordered(doc["sla"], model.SLA_ORDER)
    for key in ("followups", "links", "history"):
        if isinstance(doc.get(key), list):
            doc[key] = CommentedSeq(doc[key])
    return doc


def round_trip_equal(a: Any, b: Any) -> bool:
    """Whether two tickets carry the same data (plain comparison)."""
    return render.plain(a) == render.plain(b)


def parse_file(path: Path, fmt: str | None) -> tuple[list[dict[str, Any]], str]:
    if fmt is None:
        suffix = path.suffix.lower()
        if suffix not in (".json", ".csv"):
            raise InputError(f"{path}: say --format csv or json (the file name ends in neither)")
        fmt = suffix[1:]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(raw) > 512 * 1024 * 1024:
        raise InputError(f"{path}: larger than 512 MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text (save the CSV as 'CSV UTF-8')") from None
    return read_rows(text, fmt), fmt


@dataclass
class Imported:
    """What an import did: the IDs written, and how many rows were already in the desk (skipped)."""

    written: list[str]
    skipped: int


def import_key(row: dict[str, Any]) -> str:
    """The stable key of a new-contact row: a hash of its channel, customer, creation time
    and title. Kept on the ticket's create event, so that importing the same row again is
    recognised."""
    cust = row["customer"] if isinstance(row.get("customer"), dict) else {}
    parts = [row.get("channel"), cust.get("id") or cust.get("name"), cust.get("phone"), cust.get("email"),
             row.get("created"), (row.get("title") or "").strip()]
    digest = hashlib.sha256(json.dumps([None if p is None else str(p) for p in parts],
                                       ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:20]


def import_keys(desk: Any) -> set[str]:
    """The import keys of the tickets in the desk (from their create events)."""
    keys = set()
    for doc in desk.documents():
        first = (doc.get("history") or [None])[0]
        if isinstance(first, dict) and first.get("import_key"):
            keys.add(str(first["import_key"]))
    return keys


def import_tickets(desk: Any, rows: list[dict[str, Any]], actor: Person, now: datetime,
                   commit: Any = None, skip_existing: bool = False) -> Imported:
    """Check every row, then write them all under the lock and commit once, all or nothing.

    Rows with an ``id`` are whole tickets (as exported); rows without are new contacts
    created as ``cstool create`` would. A row already in the desk (the same ID, or a new
    contact with the same :func:`import_key`) is refused, or left out with
    ``skip_existing``."""
    from cstool.domain import permissions

    permissions.require(desk.config, "create", actor)
    planned, skipped = _plan(desk, rows, now, skip_existing)
    written = _write_planned(desk, planned, actor, now, commit, skip_existing)
    return Imported(written, skipped + len(planned) - len(written))


def _plan(desk: Any, rows: list[dict[str, Any]], now: datetime,
          skip_existing: bool) -> tuple[list[tuple[str, Any]], int]:
    """Every row checked: the (kind, document or values) to write, and how many rows to skip."""
    from cstool.domain.customers import customer_files

    problems: list[str] = []
    planned: list[tuple[str, Any]] = []  # ("whole", document) or ("new", values with "_import_key")
    seen: set[str] = set()
    existing = desk.ticket_files()
    customers = set(customer_files(desk))
    keys = import_keys(desk) if any(not r.get("id") for r in rows) else set()
    skipped = 0
    for number, row in enumerate(rows, start=1):
        label = row.get("_row", number)
        try:
            model.check_strings({k: v for k, v in row.items() if k != "_row"}, "value")
            if row.get("id"):
                doc = _whole_ticket(row, desk.config, now, customers, seen)
                known = str(doc["id"]) in existing
            else:
                doc = _new_ticket_values(desk, row, now)
                doc["_import_key"] = key = import_key(row)
                if key in seen:
                    raise InputError("the same contact (channel, customer, time and title) appears twice in the file")
                seen.add(key)
                known = key in keys
            if known and not skip_existing:
                what = f"{row['id']} is" if row.get("id") else "this contact was"
                raise InputError(f"{what} already in this desk (imported before?); pass --skip-existing to leave such rows out")
            if known:
                skipped += 1
            else:
                planned.append(("whole" if row.get("id") else "new", doc))
        except InputError as exc:
            problems.append(f"row {label}: {exc.message}")
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise InputError(f"nothing imported: {len(problems)} bad row(s): {shown}")
    return planned, skipped


def _whole_ticket(row: dict[str, Any], config: Any, now: datetime, customers: set[str], seen: set[str]) -> Any:
    """A row that is a whole ticket, checked as ``verify`` and ``create`` would and new to the
    file (its ID is added to ``seen``)."""
    from cstool.desk import verify
    from cstool.time.clock import read_stamp

    doc = to_document({k: v for k, v in row.items() if k != "_row"})
    tid = str(doc["id"])
    _check_texts(doc)
    created = read_stamp(doc.get("created"), config.tz)
    rel = f"tickets/{created.year:04d}/{created.month:02d}/{tid}.yaml" if created else f"tickets/{tid}.yaml"
    found = verify.check_ticket(doc, rel, config, now, customers)
    found = [f for f in found if f.code not in ("complaint", "merge-conflict")]
    if found:
        raise InputError("; ".join(f.message for f in found[:3]))
    if tid in seen:
        raise InputError(f"{tid} appears twice in the file")
    seen.add(tid)
    return doc


def _check_texts(doc: Any) -> None:
    """The texts of a whole ticket, by the rules ``create`` applies to them."""
    if not isinstance(doc.get("title"), str):
        raise InputError("title: a ticket needs a title")
    model.check_title(doc["title"])
    for key in ("description", "resolution"):
        if doc.get(key) is not None:
            model.check_text(str(doc[key]), key)
    cust = doc.get("customer")
    if isinstance(cust, dict):
        if cust.get("name") is not None:
            model.check_title(str(cust["name"]), "customer name")
        model.check_phone(None if cust.get("phone") is None else str(cust["phone"]))
        model.check_email(None if cust.get("email") is None else str(cust["email"]))


def _new_ticket_values(desk: Any, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A row that is a new contact: its values checked as ``cstool create`` would. Its
    ``created``, if given, must be a time (it is part of the row's import key; the ticket is
    created now)."""
    from cstool.domain.workflow import NewTicket, prepare_ticket, work_order_due
    from cstool.time.clock import parse_time

    for key in ("created", "updated"):
        if row.get(key) not in (None, ""):
            parse_time(str(row[key]), desk.config.tz, key)
    cust = row.get("customer") or {}
    if not isinstance(cust, dict):
        raise InputError("customer: must be a mapping of id, name, phone, email, tier")
    req = NewTicket(
        type=row.get("type"), title=row.get("title"), description=row.get("description"),
        channel=row.get("channel"), customer=cust.get("id") or cust.get("name"),
        phone=cust.get("phone"), email=cust.get("email"), tier=cust.get("tier"),
        priority=row.get("priority"), severity=row.get("severity"), category=row.get("category"),
        group=row.get("group"), assignee=row.get("assignee"),
        fields={str(k): str(v) for k, v in (row.get("fields") or {}).items()}, due=row.get("due"),
    )
    values, _ = prepare_ticket(desk, req)
    work_order_due(desk.config, values, now)
    return values


def _write_planned(desk: Any, planned: list[tuple[str, Any]], actor: Person, now: datetime,
                   commit: Any, skip_existing: bool) -> list[str]:
    """Under the desk lock: build every file, stage them, put them in place and commit them
    once (see :mod:`cstool.desk.staging`); their IDs. Rows another import added meanwhile
    are refused (or left out with ``skip_existing``)."""
    from cstool.desk import staging
    from cstool.domain import history, permissions
    from cstool.domain.workflow import build_ticket, mark_recorder
    from cstool.time.clock import read_stamp, stamp

    config = desk.config
    files: list[tuple[Path, str]] = []
    written: list[str] = []
    if any(kind == "whole" for kind, _ in planned):
        permissions.require(config, "import", actor)
    with desk.lock():
        keys = import_keys(desk) if desk.written_since_opened() else set()
        for kind, item in planned:
            if kind == "whole":
                created = read_stamp(item.get("created"), config.tz)
                assert created is not None  # _whole_ticket refused a ticket without a creation time
                tid = str(item["id"])
                if tid in desk.ticket_files():
                    if skip_existing:
                        continue
                    raise InputError(f"{tid} was added to the desk meanwhile; nothing was imported")
                path, doc = desk.ticket_path(tid, created.year, created.month), item
                imported = model.event(stamp(now), actor.id, "import")  # who brought this history into the desk
                mark_recorder(imported, actor)
                history.apply(doc, imported)
            else:
                if item["_import_key"] in keys:
                    if skip_existing:
                        continue
                    raise InputError("another import added the same contacts meanwhile; nothing was imported")
                tid = desk.mint_ticket_id(now.year)
                path, doc = desk.ticket_path(tid, now.year, now.month), build_ticket(tid, item, actor, now, config)
                doc["history"][0]["import_key"] = item["_import_key"]
            files.append((path, _checked_text(desk, path, doc)))
            written.append(tid)
        if files:
            staging.place(desk.root, desk.cache_dir, files,
                          (lambda paths: commit(paths, f"import: {len(paths)} tickets (by {actor.id})")) if commit else None)
            desk.mark_written()
    return written


def _checked_text(desk: Any, path: Path, doc: Any) -> str:
    """The file text of a ticket, refused when it would grow past what cstool reads back."""
    from cstool.desk import yamlio

    text = yamlio.dumps(doc)
    size = len(text.encode("utf-8"))
    if size > yamlio.MAX_FILE_BYTES:
        raise InputError(f"{desk.rel(path)} would be {size // 1024} KiB, past the "
                         f"{yamlio.MAX_FILE_BYTES // 1048576} MiB a desk file may have; nothing was imported")
    return text
