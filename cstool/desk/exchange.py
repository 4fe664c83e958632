"""Export and import of tickets: JSON (whole documents), CSV (one row a ticket, opens in
Excel and WPS with Chinese text) and Excel workbooks (:mod:`cstool.desk.spreadsheet`).

A row has flat columns: the ticket's own fields, its customer (``customer_phone`` …), its
SLA record (``sla_first_response_due`` …) and its type fields (``fields.service`` …);
``followups`` and ``links`` are JSON text. The history is whole: in CSV the ``history``
column (JSON text), in a workbook a sheet of its own with one row per event. So export →
import gives equal tickets. Headings are the column keys, or their Chinese names under
``--lang zh``; import reads either. The customer's phone and email are masked unless
``--reveal``. Every CSV cell that would start a spreadsheet formula gets a leading ``'``
(``render.csv_cell``), which import takes off again; a CSV starts with a byte-order mark
unless asked not to.

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
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from cstool.config.schema import Person
from cstool.domain import model
from cstool.errors import InputError
from cstool.messages import LANGS, Joined, Phrase, label
from cstool.reports import render

BASE = ("id", "type", "title", "description", "channel", "customer_id", "customer_name", "customer_phone",
        "customer_email", "customer_tier", "priority", "severity", "category", "status", "group", "assignee", "level",
        "resolution", "created", "updated", "due")
SLA_COLUMNS = tuple("sla_" + k for k in model.SLA_ORDER)
LISTS = ("followups", "links")  # lists of entries: JSON text in one cell
FIELDS_PREFIX = "fields."  # the type's own fields, one column each: fields.service …
INT_COLUMNS = ("level", "sla_paused_minutes")  # read back as numbers from CSV text
OLD_NAMES = {"phone": "customer_phone", "email": "customer_email", "tier": "customer_tier"}  # exports of cstool < 0.x
OLD_JSON = ("fields", "sla")  # JSON columns of older exports, still read
EVENT_HEAD = ("ticket_id", "at", "by", "action")
JSON_SUFFIX = ".json"  # an event value that is a list or mapping: JSON text in a column named so


def redact(ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket with the customer's phone and email masked, in its customer block and in
    the ``edit`` events that changed them."""
    out = dict(ticket)
    if isinstance(out.get("customer"), dict):
        out["customer"] = render.mask_customer(out["customer"], False)
    if isinstance(out.get("history"), list):
        out["history"] = render.masked_edits(out["history"])
    return out


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _dumps(value: Any) -> str:
    return _COMPACT.encode(value)  # json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class Columns:
    """The columns of an export, learned from its tickets one at a time: the fixed ones,
    then any further SLA keys and the type fields the tickets have, then the lists (and
    ``history``, as JSON, for CSV)."""

    def __init__(self) -> None:
        self.sla_extra: dict[str, None] = {}
        self.fields: dict[str, None] = {}
        self._seen_sla: set[Any] = set()  # the keys of the blocks learned so far
        self._seen_fields: set[Any] = set()

    def add(self, ticket: dict[str, Any]) -> bool:
        """Learn the ticket's columns; whether any was new."""
        known = len(self.sla_extra) + len(self.fields)
        sla, flds = ticket.get("sla"), ticket.get("fields")
        if isinstance(sla, dict) and not sla.keys() <= self._seen_sla:  # (most tickets bring no key not seen)
            self._seen_sla.update(sla)
            self.sla_extra.update((f"sla_{k}", None) for k in sla if f"sla_{k}" not in SLA_COLUMNS)
        if isinstance(flds, dict) and not flds.keys() <= self._seen_fields:
            self._seen_fields.update(flds)
            self.fields.update((FIELDS_PREFIX + str(k), None) for k in flds)
        return len(self.sla_extra) + len(self.fields) != known

    def keys(self, history: bool) -> list[str]:
        return [*BASE, *SLA_COLUMNS, *self.sla_extra, *self.fields, *LISTS, *(("history",) if history else ())]


def flat_row(ticket: dict[str, Any], history: bool = True) -> dict[str, Any]:
    """A plain ticket as flat columns: texts as they are, numbers as numbers, the lists (and
    the history, unless ``history`` is false) as JSON text."""
    row: dict[str, Any] = {}
    for key, value in ticket.items():
        if type(value) is str and key not in _JSON_COLUMNS:  # most values: a text, as it is
            row[key] = value
        elif key in _NESTED and isinstance(value, dict):
            prefix = _NESTED[key]
            for k, v in value.items():
                row[f"{prefix}{k}"] = v if type(v) is str else _cell(v)
        elif key in _JSON_COLUMNS:
            if key != "history" or history:
                row[key] = None if value in (None, []) else _dumps(value)
        else:
            row[key] = _cell(value)
    return row


_NESTED = {"customer": "customer_", "sla": "sla_", "fields": FIELDS_PREFIX}  # a mapping's keys as columns, so named
_JSON_COLUMNS = frozenset((*LISTS, "history"))


def _cell(value: Any) -> Any:
    """A value as a flat column holds it: None, a number or a text as it is, anything else as its text."""
    return value if value is None or isinstance(value, (int, float, str)) else str(value)


def header(key: str, lang: str, prefix: str = "export.col.") -> str:
    """A column's heading: the key itself in English, the catalogue's name in Chinese."""
    if key.startswith(FIELDS_PREFIX):
        return label("export.fields_prefix", lang) + "." + key[len(FIELDS_PREFIX):]
    return label(prefix + key, lang, default=key)


def header_keys(headers: list[str], known: tuple[str, ...], what: str, prefix: str = "export.col.") -> list[str]:
    """The keys of a file's headings, in either language (English keys or Chinese names);
    an unknown heading is refused, naming it."""
    names = {label(prefix + k, lang, default=k): k for k in known for lang in LANGS}
    prefixes = {label("export.fields_prefix", lang) + ".": FIELDS_PREFIX for lang in LANGS}
    keys, unknown = [], []
    for h in headers:
        h = (h or "").strip()
        key = names.get(h) or next((FIELDS_PREFIX + h[len(p):] for p in prefixes if h.startswith(p) and h != p), None)
        if key is None and what == "ticket" and h.startswith("sla_"):
            key = h
        if key is None and what == "event":
            key = h
        if not key:
            unknown.append(h)
        keys.append(key or "")
    if unknown:
        raise InputError("error.import.columns", what=Phrase(f"import.what.{what}", default=what),
                         columns=", ".join(render.shown(c) for c in unknown), known=", ".join(known))
    return keys


TICKET_KEYS = (*BASE, *SLA_COLUMNS, *LISTS, "history", *OLD_NAMES, *OLD_JSON)


def write_export(tickets: Iterable[dict[str, Any]], fmt: str, write: Callable[[str], Any], bom: bool = True,
                 lang: str = "en") -> int:
    """The export file's text, handed to ``write`` in pieces as it is made: JSON, or CSV with
    flat columns (``history`` and the lists as JSON text) and headings in ``lang``; every CSV
    cell goes through ``render.csv_cell`` (no formulas). Only a CSV's flat rows are held, its
    columns being known at the end; how many tickets."""
    if fmt == "json":
        return _write_json(tickets, write)
    columns = Columns()
    flats = []
    for t in tickets:
        columns.add(t)
        flats.append(flat_row(t))
    keys = columns.keys(history=True)
    write_csv([header(k, lang) for k in keys], ([flat.get(k) for k in keys] for flat in flats), write, bom)
    return len(flats)


def _write_json(tickets: Iterable[dict[str, Any]], write: Callable[[str], Any]) -> int:
    """The tickets as one JSON list, as ``json.dumps(indent=2)`` writes it, and a newline."""
    count = 0
    for ticket in tickets:
        write(("[" if not count else ",") + "\n  " + render.to_json_at(ticket, "\n  "))
        count += 1
    write("\n]\n" if count else "[]\n")
    return count


_QUOTED_FIRST = "=+-@\t\r'"  # first characters render.csv_cell may quote (and "": every text holds it)


def csv_text(headers: list[str], rows: Any, bom: bool) -> str:
    """CSV text (CRLF lines, a UTF-8 byte-order mark unless ``bom`` is false), every cell
    made safe by ``render.csv_cell``."""
    buf = io.StringIO()
    write_csv(headers, rows, buf.write, bom)
    return buf.getvalue()


def write_csv(headers: list[str], rows: Iterable[list[Any]], write: Callable[[str], Any], bom: bool) -> None:
    """:func:`csv_text` handed to ``write`` a few hundred rows at a time."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write("\ufeff" if bom else "")
    writer.writerow([render.csv_cell(h) for h in headers])
    cell = render.csv_cell
    for n, row in enumerate(rows, start=1):  # a text that cannot start a formula is its own cell (the common case, decided fast)
        writer.writerow([v if type(v) is str and v[:1] not in _QUOTED_FIRST else cell("" if v is None else v) for v in row])
        if not n % 500:
            write(buf.getvalue())
            buf.seek(0)
            buf.truncate()
    write(buf.getvalue())


def write_book_export(tickets: Iterable[dict[str, Any]], lang: str, tz: Any, out: Any) -> int:
    """The export as an Excel workbook written to a binary file object as the tickets come: a
    sheet of tickets (one row each, flat columns) and a sheet of their history (one row per
    event: ticket, time, by, action and the event's fields). Both sheets' rows go to temporary
    files, not memory; the history sheet is made on a second core when there is one. How many tickets."""
    from cstool.desk.spreadsheet import CellMaker, SheetOnWorker, SheetStream, write_streams

    def event_rows(item: tuple[Any, Any]) -> Iterator[dict[str, Any]]:
        return _flat_events(*item)

    def headings(keys: tuple[Any, ...]) -> list[str]:
        return [header(k, lang) for k in keys]

    columns, cells = Columns(), CellMaker(tz)
    count = 0
    with SheetStream(cells) as sheet, SheetOnWorker(EVENT_HEAD, event_rows, headings, tz) as events:
        sheet.set_columns(columns.keys(history=False))
        for t in tickets:
            if columns.add(t):
                sheet.set_columns(columns.keys(history=False))
            sheet.add(flat_row(t, history=False))
            events.add((t.get("id"), t.get("history")))
            count += 1
        write_streams([(label("export.sheet.tickets", lang), headings(sheet.layout), sheet),
                       (label("export.sheet.history", lang), None, events)], out)
    return count


def _flat_events(tid: Any, history: Any) -> Iterator[dict[str, Any]]:
    """A ticket's history as the history sheet's rows: its ID, then each event's fields (a
    list or mapping as JSON text, in a column named with :data:`JSON_SUFFIX`)."""
    for ev in history or []:
        flat = {"ticket_id": tid}
        for k, v in (ev.items() if isinstance(ev, dict) else ()):
            if type(v) is str and type(k) is str:  # most: a text, under its name
                flat[k] = v
            elif isinstance(v, (dict, list)):
                flat[str(k) + JSON_SUFFIX] = _dumps(v)
            else:
                flat[str(k)] = _cell(v)
        yield flat


def from_row(values: dict[str, Any], number: int) -> dict[str, Any]:
    """Flat columns (keys, not headings) back to a plain ticket: the ' export put before a
    formula character taken off (CSV), numbers read, JSON columns decoded; raise InputError naming the row."""
    ticket: dict[str, Any] = {}
    for key, raw in values.items():
        value = render.csv_uncell(raw) if isinstance(raw, str) else raw
        if value == "" or value is None:
            continue
        key = OLD_NAMES.get(key, key)
        try:
            if key in INT_COLUMNS and isinstance(value, str):
                value = _number(value, key)
            if key in (*LISTS, "history", *OLD_JSON):
                ticket[key] = _json_loads(str(value))
            elif key.startswith("customer_"):
                ticket.setdefault("customer", {})[key[len("customer_"):]] = value
            elif key.startswith("sla_"):
                ticket.setdefault("sla", {})[key[len("sla_"):]] = value
            elif key.startswith(FIELDS_PREFIX):
                ticket.setdefault("fields", {})[key[len(FIELDS_PREFIX):]] = value if isinstance(value, str) else str(value)
            else:
                ticket[key] = value
        except InputError as exc:
            raise InputError("error.import.row_column", row=number, column=key, error=exc) from None
    ticket["_row"] = number
    return ticket


def _number(text: str, key: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError("error.import.not_number", value=render.shown(text)) from None


PARALLEL_ROWS = 1000  # from this many rows on, whole tickets are checked on every core
WHOLE_CHUNK = 50  # whole tickets a worker process checks at a time
MAX_JSON_DEPTH = 32  # a ticket nests 4 levels; refused before parsing, so no recursion runs deep


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


def _nests_within(text: str, limit: int) -> bool:
    """Whether JSON text nests [ and { at most ``limit`` deep (the brackets outside strings
    counted; a string left open runs to the end)."""
    outside = _JSON_STRING.sub("0", text)
    opened = outside.find('"')
    depth = 0
    for bracket in _JSON_BRACKETS.findall(outside, 0, len(outside) if opened < 0 else opened):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return False
        else:
            depth -= 1
    return True


def _json_loads(text: str) -> Any:
    """Parse JSON text whose nesting of [ and { is at most MAX_JSON_DEPTH (checked before parsing)."""
    if not _nests_within(text, MAX_JSON_DEPTH):
        raise InputError("error.json.deep", depth=MAX_JSON_DEPTH)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("error.json.bad", detail=exc.msg, line=exc.lineno) from None
    except RecursionError:
        raise InputError("error.json.deep", depth=MAX_JSON_DEPTH) from None


def read_rows(text: str, fmt: str) -> list[dict[str, Any]]:
    """Parse an import file (JSON list of tickets, or CSV) into plain tickets."""
    if fmt == "json":
        return read_json_list(text, "ticket")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    headers = next(reader, None)
    if not headers:
        raise InputError("error.csv.empty")
    keys = header_keys([render.csv_uncell(h) for h in headers], TICKET_KEYS, "ticket")
    rows, problems = [], []
    for i, cells in enumerate(reader, start=2):  # row 1 is the header
        try:
            if len(cells) > len(keys):
                raise InputError("error.import.more_cells", row=i)
            rows.append(from_row(dict(zip(keys, cells, strict=False)), i))
        except InputError as exc:
            problems.append(exc)
    _refuse(problems)
    return rows


def read_json_list(text: str, what: str) -> list[dict[str, Any]]:
    data = _json_loads(text.lstrip("\ufeff"))
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise InputError("error.json.list", what=Phrase(f"import.what.{what}", default=what))
    return data


def _refuse(problems: list[Any]) -> None:
    if problems:
        raise InputError("error.import.bad_rows", n=len(problems), rows=Joined(problems[:20], "join.semicolon"))


def book_sheets(sheets: dict[str, list[dict[str, Any]]], main: str, extra: str) -> tuple[Any, Any]:
    """The main sheet's and the extra sheet's rows of a workbook (by their names in either
    language, else the first and second sheet)."""
    def find(key: str, position: int) -> Any:
        for lang in LANGS:
            if label(key, lang) in sheets:
                return sheets[label(key, lang)]
        values = list(sheets.values())
        return values[position] if len(values) > position else []

    return find(main, 0), find(extra, 1)


def read_book_rows(data: bytes, tz: Any, name: str) -> list[dict[str, Any]]:
    """The tickets of a workbook written by :func:`write_book_export`: each ticket's row, with the
    rows of the history sheet that name it as its history, in their order."""
    from cstool.desk.spreadsheet import read_book

    tickets, events = book_sheets(read_book(data, tz, name), "export.sheet.tickets", "export.sheet.history")
    history: dict[str, list[dict[str, Any]]] = {}
    for i, ev in enumerate(events, start=2):
        keyed = _keyed(ev, TICKET_KEYS + EVENT_HEAD, "event")
        tid = str(keyed.pop("ticket_id", "") or "")
        if not tid:
            raise InputError("error.import.history_no_ticket", name=name, row=i)
        for k in [k for k in keyed if k.endswith(JSON_SUFFIX)]:
            keyed[k[: -len(JSON_SUFFIX)]] = _json_loads(str(keyed.pop(k)))
        history.setdefault(tid, []).append(keyed)
    rows: list[dict[str, Any]] = []
    problems: list[Any] = []
    for i, values in enumerate(tickets, start=2):
        try:
            row = from_row(_keyed(values, TICKET_KEYS, "ticket"), i)
        except InputError as exc:
            problems.append(exc)
            continue
        if row.get("id") and str(row["id"]) in history:
            row["history"] = history.pop(str(row["id"]))
        rows.append(row)
    if history:
        problems.append(Phrase("error.import.orphan_history", ids=", ".join(sorted(history)[:5])))
    _refuse(problems)
    return rows


def _keyed(values: dict[str, Any], known: tuple[str, ...], what: str) -> dict[str, Any]:
    """A workbook row keyed by column keys instead of its headings."""
    headings = list(values)
    return dict(zip(header_keys(headings, known, what), values.values(), strict=True))


def to_document(ticket: dict[str, Any], plain: bool = False) -> Any:
    """A plain (imported) ticket as a file document in the fixed key order: of round-trip
    types, or with ``plain`` of dicts and lists (written as the same bytes, and read and
    written many times faster; its lists are the ticket's own, not copies)."""
    doc = model.ordered(dict(ticket), model.FIELD_ORDER, plain)
    if isinstance(doc.get("customer"), dict):
        doc["customer"] = model.ordered(doc["customer"], model.CUSTOMER_ORDER, plain)
    if isinstance(doc.get("sla"), dict):
        doc["sla"] = model.ordered(doc["sla"], model.SLA_ORDER, plain)
    if not plain:
        for key in ("followups", "links", "history"):
            if isinstance(doc.get(key), list):
                doc[key] = CommentedSeq(doc[key])
    return doc


FORMATS = ("csv", "json", "xlsx")


MAX_IMPORT_BYTES = 512 * 1024 * 1024


def file_format(path: Path, fmt: str | None) -> str:
    """The format of a file to import: as given, else from its name."""
    if fmt is None:
        suffix = path.suffix.lower()
        if suffix[1:] not in FORMATS:
            raise InputError("error.import.format", path=path)
        fmt = suffix[1:]
    return fmt


def read_file(path: Path, fmt: str | None) -> tuple[bytes, str]:
    """A file to import, its bytes and format (from the name unless given)."""
    fmt = file_format(path, fmt)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("error.import.unreadable", path=path, reason=exc.strerror) from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise InputError("error.import.too_big", path=path)
    return raw, fmt


def decoded(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("error.import.not_utf8", path=path) from None


def parse_file(path: Path, fmt: str | None, tz: Any = None) -> tuple[list[dict[str, Any]], str]:
    raw, fmt = read_file(path, fmt)
    if fmt == "xlsx":
        return read_book_rows(raw, tz, str(path)), fmt
    return read_rows(decoded(raw, path), fmt), fmt


def import_rows(path: Path, fmt: str | None, tz: Any = None) -> Any:
    """The rows of a file to import, for :func:`import_tickets`: those of a JSON file read
    one at a time as they are checked (:class:`StreamedRows`), else :func:`parse_file`'s list."""
    if file_format(path, fmt) != "json":
        return parse_file(path, fmt, tz)[0]
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError("error.import.unreadable", path=path, reason=exc.strerror) from None
    if size > MAX_IMPORT_BYTES:
        raise InputError("error.import.too_big", path=path)
    return StreamedRows(path)


class StreamedRows:
    """The tickets of a JSON import file, one at a time (:class:`cstool.desk.jsonrows.JsonRows`),
    so that the file is never held whole. A file that reader does not read (a single ticket,
    bad JSON, too deep, not a list of tickets) is read whole by :func:`parse_file`, which
    refuses it with its message, or gives the tickets not yet given. ``total`` and ``read``:
    the file's bytes, and those read so far; ``chunk``: how many bytes to read at a time."""

    def __init__(self, path: Path, chunk: int | None = None):
        from cstool.desk.jsonrows import CHUNK, JsonRows

        self.path = path
        self.rows = JsonRows(path, lambda text: _nests_within(text, MAX_JSON_DEPTH - 1),  # the list is one level
                             chunk or CHUNK)

    @property
    def total(self) -> int:
        return self.rows.total

    @property
    def read(self) -> int:
        return self.rows.read

    def __iter__(self) -> Any:
        from cstool.desk.jsonrows import NotStreamable

        try:
            yield from self.rows
            return
        except (NotStreamable, OSError):
            pass
        yield from parse_file(self.path, "json")[0][self.rows.count:]


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
    return desk.index().import_keys()


def import_tickets(desk: Any, rows: list[dict[str, Any]] | StreamedRows, actor: Person, now: datetime,
                   commit: Any = None, skip_existing: bool = False, progress: Any = None) -> Imported:
    """Check every row, then write them all under the lock and commit once, all or nothing.

    Rows with an ``id`` are whole tickets (as exported); rows without are new contacts
    created as ``cstool create`` would. A row already in the desk (the same ID, or a new
    contact with the same :func:`import_key`) is refused, or left out with
    ``skip_existing``. ``progress(stage, total, counted)``, if given, makes a counter (a
    context manager with ``update(n)``) for the stages ``"check"`` and ``"write"``; it
    counts rows, or (``counted`` false) the bytes of a JSON file read so far."""
    from cstool.domain import permissions

    permissions.require(desk.config, "create", actor)
    progress = progress or _no_progress
    with Spool(desk.cache_dir) as spool:
        if isinstance(rows, StreamedRows):  # counted by the bytes of the file read
            with progress("check", rows.total, False) as bar:
                planned, skipped = _plan(desk, rows, actor, now, skip_existing, _BytesRead(bar, rows), spool)
        else:
            with progress("check", len(rows)) as bar:
                planned, skipped = _plan(desk, rows, actor, now, skip_existing, bar, spool)
        del rows  # what the caller no longer holds is freed before the files are made
        with progress("write", len(planned)) as bar:
            written = _write_planned(desk, planned, actor, now, commit, skip_existing, bar)
    return Imported(written, skipped + len(planned) - len(written))


class Spool:
    """The files of whole tickets, made as their rows are checked, kept until they are
    written in an unnamed temporary file (in the desk's ``.cstool`` folder, readable by
    its owner only: they hold customers' contacts), so that memory does not grow with the
    number of tickets. A context manager; the file is gone when it closes."""

    def __init__(self, folder: Path):
        import tempfile

        self._file = tempfile.TemporaryFile(dir=folder if folder.is_dir() else None)  # noqa: SIM115 - closed by __exit__
        self._end = 0
        self._at = 0  # where the file's position is: no seek (which flushes) while adding, or reading in order

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._file.close()

    def add(self, data: bytes) -> tuple[int, int]:
        """Keep a file's bytes; where they are (start, size)."""
        if self._at != self._end:
            self._file.seek(self._end)
        self._file.write(data)
        start, self._end = self._end, self._end + len(data)
        self._at = self._end
        return start, len(data)

    def get(self, start: int, size: int) -> bytes:
        """The bytes kept at (start, size)."""
        if self._at != start:
            self._file.seek(start)
        data = self._file.read(size)
        self._at = start + len(data)
        return data


class _no_progress:  # noqa: N801 - used as progress(stage, total, counted)
    def __init__(self, stage: str, total: int, counted: bool = True):
        pass

    def __enter__(self) -> _no_progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def update(self, n: int) -> None:
        pass


class _NewContacts:
    """What new-contact rows are checked against, made at the first such row: the import
    keys of the desk's tickets, and the batch their routing counts on."""

    def __init__(self, desk: Any, now: datetime):
        self.desk, self.now = desk, now
        self._keys: set[str] | None = None
        self._batch: Any = None

    def known_keys(self) -> set[str]:
        if self._keys is None:
            self._keys = import_keys(self.desk)
        return self._keys

    def batch(self) -> Any:
        from cstool.domain.workflow import new_batch

        self.known_keys()  # read first, as the batch's index may be brought up to date
        if self._batch is None:
            self._batch = new_batch(self.desk, self.now)
        return self._batch


class _BytesRead:
    """A progress counter of rows that counts the bytes of the file read instead."""

    def __init__(self, bar: Any, rows: StreamedRows):
        self.bar, self.rows, self.done = bar, rows, 0

    def update(self, n: int) -> None:
        read = self.rows.read
        if read > self.done:
            self.bar.update(read - self.done)
            self.done = read


def _plan(desk: Any, rows: Iterable[dict[str, Any]], actor: Person, now: datetime,
          skip_existing: bool, bar: Any, spool: Spool) -> tuple[list[tuple[str, Any]], int]:
    """Every row checked: the (kind, file or values) to write, and how many rows to skip. A
    whole ticket is made into its file's bytes at once, kept in the spool (:class:`WholeFile`),
    so that what is held until the writing is where they are, not the ticket's parsed data."""
    from cstool.domain.customers import customer_files

    problems: list[Any] = []
    planned: list[tuple[str, Any]] = []  # ("whole", WholeFile) or ("new", values with "_import_key")
    seen: set[str] = set()
    existing = desk.ticket_files()
    customers = set(customer_files(desk))
    fresh = _NewContacts(desk, now)
    skipped = 0
    job = (desk.config, now, actor, customers, existing)
    for number, (row, made) in enumerate(_with_whole_made(rows, job), start=1):
        bar.update(1)
        try:
            doc: WholeFile | dict[str, Any] | None
            if row.get("id"):
                known, doc = _planned_whole(made, seen, spool)
            else:
                known, doc = _planned_new(desk, row, now, fresh, seen)
            if known and not skip_existing:
                what = Phrase("error.import.ticket_is", id=row["id"]) if row.get("id") else Phrase("error.import.contact_was")
                raise InputError("error.import.known", what=what)
            if known:
                skipped += 1
            else:
                planned.append(("whole" if row.get("id") else "new", doc))
        except InputError as exc:
            problems.append(Phrase("error.in_row", row=row.get("_row", number), error=exc))
    if problems:
        more = [Phrase("error.and_more", n=len(problems) - 20)] if len(problems) > 20 else []
        raise InputError("error.import.bad_rows", n=len(problems), rows=Joined(problems[:20] + more, "join.semicolon"))
    return planned, skipped


def _planned_whole(made: Any, seen: set[str], spool: Spool) -> tuple[bool, WholeFile | None]:
    """A whole ticket made from its row (:func:`_made_here`): whether the desk has it, and
    else its file kept in the spool; refused if the row was, or if its ID came before."""
    if isinstance(made, InputError):
        raise made
    tid, year, month, data = made
    if tid in seen:
        raise InputError("error.import.twice", id=tid)
    seen.add(tid)
    if data is None:  # the desk has it
        return True, None
    return False, WholeFile(tid, year, month, spool, *spool.add(data))


def _planned_new(desk: Any, row: dict[str, Any], now: datetime, fresh: _NewContacts,
                 seen: set[str]) -> tuple[bool, dict[str, Any]]:
    """A new contact's values checked as ``create`` would, with its import key: whether the
    desk has it already; refused if the same contact came before in the file."""
    model.check_strings({k: v for k, v in row.items() if k != "_row"}, "value")
    values = _new_ticket_values(desk, row, now, fresh.batch())
    values["_import_key"] = key = import_key(row)
    if key in seen:
        raise InputError("error.import.same_contact")
    seen.add(key)
    return key in fresh.known_keys(), values


def _whole_made(row: dict[str, Any], config: Any, now: datetime, actor: Person, customers: set[str],
                existing: Any) -> tuple[str, int, int, bytes | None]:
    """A row that is a whole ticket, checked (:func:`_whole_ticket`) and, unless the desk has
    it (``existing``: the desk's IDs), made into its file (:func:`_whole_file`): its ID, the
    year and month of its creation, the file's bytes (None: the desk has it)."""
    model.check_strings({k: v for k, v in row.items() if k != "_row"}, "value")
    doc = _whole_ticket(row, config, now, customers)
    if str(doc["id"]) in existing:
        return str(doc["id"]), 0, 0, None
    return _whole_file(doc, config, actor, now)


# what whole tickets are checked against: (config, now, actor, customers' files, the desk's IDs)
Job = tuple[Any, datetime, Person, set[str], Any]
_JOB: Job | None = None  # a worker process's


def _start_job(job: Job) -> None:
    """Keep what a worker process checks whole tickets against (it starts with it)."""
    global _JOB
    _JOB = job


def _made_here(row: dict[str, Any], job: Job) -> Any:
    """:func:`_whole_made` of a whole-ticket row, or its refusal; None for a new contact."""
    if not row.get("id"):
        return None
    try:
        return _whole_made(row, *job)
    except InputError as exc:
        return exc


def _made_chunk(packed: bytes) -> list[Any]:
    """:func:`_made_here` of each row of a chunk (packed by :func:`cstool.desk.chunks.pack`; a
    new contact is None and stays None), on a worker process."""
    from cstool.desk.chunks import unpack

    assert _JOB is not None
    return [None if row is None else _made_here(row, _JOB) for row in unpack(packed)]


def _with_whole_made(rows: Iterable[dict[str, Any]], job: Job) -> Iterator[tuple[dict[str, Any], Any]]:
    """Each row with :func:`_made_here` of it, in order. After the first :data:`PARALLEL_ROWS`
    rows, the whole tickets are checked and made on every core, :data:`WHOLE_CHUNK` at a time,
    a few chunks ahead of the rows given; the new contacts, whose routing counts on those
    before them, are left to the caller. What is held meanwhile is each chunk packed into
    bytes, and of each whole ticket only its ID and row number."""
    import itertools
    import os

    rows = iter(rows)
    for row in itertools.islice(rows, PARALLEL_ROWS):  # a small file starts no process
        yield row, _made_here(row, job)
    workers = os.cpu_count() or 1
    first = next(rows, None)
    if first is None or workers < 2:
        for row in itertools.chain([] if first is None else [first], rows):
            yield row, _made_here(row, job)
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from cstool.desk.chunks import in_order, pack

    given: deque[list[dict[str, Any]]] = deque()

    def chunks() -> Iterator[bytes]:
        more = itertools.chain([first], rows)
        while chunk := list(itertools.islice(more, WHOLE_CHUNK)):
            given.append([{k: row[k] for k in ("id", "_row") if k in row} if row.get("id") else row for row in chunk])
            yield pack([row if row.get("id") else None for row in chunk])

    with ProcessPoolExecutor(max_workers=workers, initializer=_start_job, initargs=(job,)) as pool:
        for made in in_order(pool, _made_chunk, chunks(), 2 * workers):
            yield from zip(given.popleft(), made, strict=True)


def _whole_ticket(row: dict[str, Any], config: Any, now: datetime, customers: set[str]) -> Any:
    """A row that is a whole ticket, checked as ``verify`` and ``create`` would."""
    from cstool.desk import verify
    from cstool.time.clock import read_stamp

    doc = to_document({k: v for k, v in row.items() if k != "_row"}, plain=True)
    tid = str(doc["id"])
    _check_texts(doc)
    created = read_stamp(doc.get("created"), config.tz)
    rel = f"tickets/{created.year:04d}/{created.month:02d}/{tid}.yaml" if created else f"tickets/{tid}.yaml"
    found = verify.check_ticket(doc, rel, config, now, customers)
    found = [f for f in found if f.code not in ("complaint", "merge-conflict")]
    if found:
        raise InputError("error.findings", findings=Joined([f.message for f in found[:3]], "join.semicolon"))
    return doc


@dataclass(slots=True)
class WholeFile:
    """A whole ticket ready to write: its ID, the year and month of its creation (its
    folder), and where the bytes of its file are kept."""

    id: str
    year: int
    month: int
    spool: Spool
    start: int
    size: int

    def data(self) -> bytes:
        """The bytes of the file."""
        return self.spool.get(self.start, self.size)


def _whole_file(doc: Any, config: Any, actor: Person, now: datetime) -> tuple[str, int, int, bytes]:
    """A checked whole ticket with the event that records its import (who brought this
    history into the desk, and when) added, made into its file: its ID, the year and month
    of its creation, the file's bytes."""
    from cstool.desk import yamlio
    from cstool.domain import history
    from cstool.domain.workflow import mark_recorder
    from cstool.time.clock import read_stamp, stamp

    created = read_stamp(doc.get("created"), config.tz)
    assert created is not None  # _whole_ticket refused a ticket without a creation time
    imported = model.event(stamp(now), actor.id, "import")
    mark_recorder(imported, actor)
    history.apply(doc, imported)
    return str(doc["id"]), created.year, created.month, yamlio.dumps_new(doc).encode("utf-8")


def _check_texts(doc: Any) -> None:
    """The texts of a whole ticket, by the rules ``create`` applies to them."""
    if not isinstance(doc.get("title"), str):
        raise InputError("error.import.title")
    model.check_title(doc["title"])
    for key in ("description", "resolution"):
        if doc.get(key) is not None:
            model.check_text(str(doc[key]), Phrase(f"what.{key}"))
    cust = doc.get("customer")
    if isinstance(cust, dict):
        if cust.get("name") is not None:
            model.check_title(str(cust["name"]), Phrase("what.customer_name"))
        model.check_phone(None if cust.get("phone") is None else str(cust["phone"]))
        model.check_email(None if cust.get("email") is None else str(cust["email"]))


def _new_ticket_values(desk: Any, row: dict[str, Any], now: datetime, batch: Any = None) -> dict[str, Any]:
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
        raise InputError("error.import.customer")
    req = NewTicket(
        type=row.get("type"), title=row.get("title"), description=row.get("description"),
        channel=row.get("channel"), customer=cust.get("id") or cust.get("name"),
        phone=cust.get("phone"), email=cust.get("email"), tier=cust.get("tier"),
        priority=row.get("priority"), severity=row.get("severity"), category=row.get("category"),
        group=row.get("group"), assignee=row.get("assignee"),
        fields={str(k): str(v) for k, v in (row.get("fields") or {}).items()}, due=row.get("due"),
    )
    values, _ = prepare_ticket(desk, req, batch)
    work_order_due(desk.config, values, now)
    return values


def _write_planned(desk: Any, planned: list[tuple[str, Any]], actor: Person, now: datetime,
                   commit: Any, skip_existing: bool, bar: Any) -> list[str]:
    """Under the desk lock: build every file, stage them, put them in place and commit them
    once (see :mod:`cstool.desk.staging`); their IDs. Rows another import added meanwhile
    are refused (or left out with ``skip_existing``)."""
    from cstool.desk import staging
    from cstool.domain import permissions

    written: list[str] = []
    if any(kind == "whole" for kind, _ in planned):
        permissions.require(desk.config, "import", actor)
    with desk.lock():
        keys = import_keys(desk) if desk.written_since_opened() else set()
        taken = set(desk.ticket_files())

        def files() -> Any:
            for i, (kind, item) in enumerate(planned):
                planned[i] = ("", None)  # each row's values freed once its file is made
                bar.update(1)
                built = _built(desk, kind, item, actor, now, keys, taken, skip_existing)
                if built is not None:
                    tid, path, doc = built
                    written.append(tid)
                    yield path, _checked_text(desk, path, doc)

        staging.place(desk.root, desk.cache_dir, files(),
                      (lambda paths: commit(paths, f"import: {len(paths)} tickets (by {actor.id})")) if commit else None)
        if written:
            desk.mark_written()
    return written


def _built(desk: Any, kind: str, item: Any, actor: Person, now: datetime, keys: set[str], taken: set[str],
           skip_existing: bool) -> tuple[str, Path, Any] | None:
    """One planned row's ticket: (ID, file, document), None when it is to be left out;
    ``taken``, the desk's IDs, gains the new one."""
    from cstool.domain.workflow import build_ticket

    config = desk.config
    if kind == "whole":
        tid = item.id
        if tid in taken:
            if skip_existing:
                return None
            raise InputError("error.import.added_meanwhile", id=tid)
        taken.add(tid)
        return tid, desk.ticket_path(tid, item.year, item.month), item
    if item["_import_key"] in keys:
        if skip_existing:
            return None
        raise InputError("error.import.contacts_meanwhile")
    tid = desk.mint_ticket_id(now.year, taken)
    doc = build_ticket(tid, item, actor, now, config, plain=True)
    doc["history"][0]["import_key"] = item["_import_key"]
    return tid, desk.ticket_path(tid, now.year, now.month), doc


def _checked_text(desk: Any, path: Path, doc: Any) -> bytes:
    """The file's bytes of a ticket (made now, or before for a :class:`WholeFile`), refused
    when they would grow past what cstool reads back."""
    from cstool.desk import yamlio

    data = b"" if isinstance(doc, WholeFile) else yamlio.dumps_new(doc).encode("utf-8")
    size = doc.size if isinstance(doc, WholeFile) else len(data)
    if size > yamlio.MAX_FILE_BYTES:
        raise InputError("error.import.file_too_big", name=desk.rel(path), kib=size // 1024, mib=yamlio.MAX_FILE_BYTES // 1048576)
    return doc.data() if isinstance(doc, WholeFile) else data
