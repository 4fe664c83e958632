"""Export and import of tickets: JSON (whole documents) and CSV (one row a ticket, opens
in Excel with Chinese text).

A CSV row carries the flat fields as columns and the structured ones (``fields``,
``sla``, ``followups``, ``links``, ``history``) as JSON text, so export → import gives
equal tickets. ``--redact`` masks the customer's phone and email.

Import takes full rows (with ``id`` and ``history``: written as they are, after the same
checks as ``audit --check``) and new rows (no ``id``: created as ``cstool create`` would,
with routing and SLA). Every row is checked before anything is written; one bad row
refuses the whole file, naming each bad row.
"""

from __future__ import annotations

import csv
import io
import json
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


def to_row(ticket: dict[str, Any]) -> dict[str, str]:
    """A plain ticket as one CSV row."""
    cust = ticket.get("customer") or {}
    row: dict[str, str] = {}
    for key in FLAT:
        if key == "customer_id":
            value = cust.get("id")
        elif key == "customer_name":
            value = cust.get("name")
        elif key in ("phone", "email", "tier"):
            value = cust.get(key)
        else:
            value = ticket.get(key)
        row[key] = "" if value is None else str(value)
    for key in NESTED:
        value = ticket.get(key)
        row[key] = "" if value in (None, [], {}) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return row


def export_text(tickets: list[dict[str, Any]], fmt: str, bom: bool = False) -> str:
    if fmt == "json":
        return json.dumps(tickets, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for t in tickets:
        writer.writerow(to_row(t))
    return ("\ufeff" if bom else "") + buf.getvalue()


def from_row(row: dict[str, str], number: int) -> dict[str, Any]:
    """A CSV row back to a plain ticket (JSON columns decoded); raise InputError naming the row."""
    ticket: dict[str, Any] = {}
    cust: dict[str, Any] = {}
    for key, raw in row.items():
        if key is None:
            raise InputError(f"row {number}: more cells than columns")
        value = (raw or "")
        if key not in CSV_COLUMNS:
            raise InputError(f"row {number}: unknown column {key!r}")
        if value == "":
            continue
        if key in NESTED:
            try:
                ticket[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise InputError(f"row {number}: column {key} is not valid JSON ({exc.msg})") from None
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
                raise InputError(f"row {number}: level {value!r} is not a number") from None
        else:
            ticket[key] = value
    if cust:
        ticket["customer"] = cust
    ticket["_row"] = number
    return ticket


def read_rows(text: str, fmt: str) -> list[dict[str, Any]]:
    """Parse an import file (JSON list of tickets, or CSV) into plain tickets."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
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
        raise InputError(f"unknown CSV column(s): {', '.join(unknown)} (known: {', '.join(CSV_COLUMNS)})")
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


def import_tickets(desk: Any, rows: list[dict[str, Any]], actor: Person, now: datetime,
                   commit: Any = None) -> list[str]:
    """Check every row, then write them all under the lock and commit once.

    Rows with an ``id`` are whole tickets (as exported); rows without are new contacts
    created as ``cstool create`` would. Returns the IDs written."""
    from cstool.domain.customers import customer_files

    config = desk.config
    from cstool.domain import permissions

    permissions.require(config, "create", actor)
    problems: list[str] = []
    planned: list[tuple[str, Any]] = []  # ("whole", document) or ("new", values)
    seen: set[str] = set()
    existing = desk.ticket_files()
    customers = set(customer_files(desk))
    for number, row in enumerate(rows, start=1):
        label = row.get("_row", number)
        try:
            if row.get("id"):
                planned.append(("whole", _whole_ticket(row, config, now, customers, existing, seen)))
            else:
                planned.append(("new", _new_ticket_values(desk, row, now)))
        except InputError as exc:
            problems.append(f"row {label}: {exc.message}")
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise InputError(f"nothing imported: {len(problems)} bad row(s): {shown}")
    return _write_planned(desk, planned, actor, now, commit)


def _whole_ticket(row: dict[str, Any], config: Any, now: datetime, customers: set[str], existing: Any,
                  seen: set[str]) -> Any:
    """A row that is a whole ticket, checked as ``verify`` would and new to the desk and
    the file (its ID is added to ``seen``)."""
    from cstool.desk import verify
    from cstool.time.clock import read_stamp

    doc = to_document({k: v for k, v in row.items() if k != "_row"})
    tid = str(doc["id"])
    created = read_stamp(doc.get("created"), config.tz)
    rel = f"tickets/{created.year:04d}/{created.month:02d}/{tid}.yaml" if created else f"tickets/{tid}.yaml"
    found = verify.check_ticket(doc, rel, config, now, customers)
    found = [f for f in found if f.code not in ("complaint", "merge-conflict")]
    if found:
        raise InputError("; ".join(f.message for f in found[:3]))
    if tid in existing:
        raise InputError(f"{tid} is already in this desk")
    if tid in seen:
        raise InputError(f"{tid} appears twice in the file")
    seen.add(tid)
    return doc


def _new_ticket_values(desk: Any, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A row that is a new contact: its values checked as ``cstool create`` would."""
    from cstool.domain.workflow import NewTicket, prepare_ticket, work_order_due

    cust = row.get("customer") or {}
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
                   commit: Any) -> list[str]:
    """Write the planned tickets under the desk lock and commit them once; their IDs."""
    from cstool.domain import history, permissions
    from cstool.domain.workflow import build_ticket, mark_recorder
    from cstool.time.clock import read_stamp, stamp

    config = desk.config
    written: list[str] = []
    paths = []
    if any(kind == "whole" for kind, _ in planned):
        permissions.require(config, "import", actor)
    with desk.lock():
        for kind, item in planned:
            if kind == "whole":
                created = read_stamp(item.get("created"), config.tz)
                assert created is not None  # _whole_ticket refused a ticket without a creation time
                tid = str(item["id"])
                if tid in desk.ticket_files():
                    raise InputError(f"{tid} was added to the desk meanwhile; nothing more imported")
                path = desk.ticket_path(tid, created.year, created.month)
                imported = model.event(stamp(now), actor.id, "import")  # who brought this history into the desk
                mark_recorder(imported, actor)
                history.apply(item, imported)
                desk.save(path, item)
            else:
                tid = desk.mint_ticket_id(now.year)
                path = desk.ticket_path(tid, now.year, now.month)
                desk.save(path, build_ticket(tid, item, actor, now, config))
            written.append(tid)
            paths.append(path)
        if commit and paths:
            commit(paths, f"import: {len(paths)} tickets (by {actor.id})")
    return written
