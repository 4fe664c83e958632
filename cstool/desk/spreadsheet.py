"""Excel workbooks (.xlsx) with typed cells, written and read with openpyxl.

A workbook is a list of sheets, each a header row and rows of plain values. Cells keep
their type, so a spreadsheet shows and sorts them right and nothing in them ever runs:

- a time stamp of a file (``2026-11-19T10:00:00+08:00``) becomes a date-time cell in the
  desk's time zone (Excel has no time zones), shown ``yyyy-mm-dd hh:mm:ss``; a day
  (``2026-11-19``) a date cell ``yyyy-mm-dd``. Only a text that reads back to exactly the
  same text becomes a date, so reading the workbook gives the texts that were written;
- numbers and true/false stay numbers and booleans;
- every other text is a text cell, its type set explicitly: a text starting with ``=`` is
  never stored as a formula. A carriage return is stored as the format's escape
  ``_x000D_`` (which Excel shows as the character), so CR LF inside a text reads back.

The header row is frozen, and each column is as wide as its widest cell (up to a limit),
counting east-Asian wide characters twice.

Workbooks are written here directly as the parts of the format (what openpyxl's
write-only mode writes, without its cost per cell: a desk of 100,000 tickets has millions
of cells); they are read with openpyxl. A sheet is written as its rows come
(:class:`SheetStream`): each row's XML is made once, from cells kept for the texts that
come again, and goes compressed to a temporary file; the column widths and the header row,
which precede the rows in the file but depend on all of them, are compressed apart when the
workbook is written, and joined to the rows in the zip (:mod:`cstool.desk.zipping`).
"""

from __future__ import annotations

import functools
import io
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cstool.desk.chunks import pack, unpack
from cstool.desk.zipping import DeflateSpool, Member, Piece, deflate, member_of, write_zip
from cstool.errors import DeskError, InputError

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60  # characters; longer texts wrap in the cell when opened
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", re.ASCII)
_DAY = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_", re.ASCII)  # the workbook format's escape of a character
# Characters a cell cannot hold as they are: a carriage return (XML turns CR LF into LF), the
# other control characters but tab and line feed, and U+FFFE and U+FFFF, none of which XML allows.
_ESCAPED_CHARS = "\x00-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff"
_NEEDS_ESCAPE = re.compile(f"[{_ESCAPED_CHARS}]")
# An underscore a reader would take as the start of an escape: before ``xHHHH_``, or before
# ``xHHHH`` and a character that is escaped, whose ``_xHHHH_`` supplies the closing underscore.
_ESCAPE_START = re.compile(f"_(?=x[0-9A-Fa-f]{{4}}[_{_ESCAPED_CHARS}])", re.ASCII)


def escape_text(text: str) -> str:
    """A text as a cell keeps it: a carriage return as ``_x000D_`` (XML would turn CR LF into
    LF), likewise the other characters XML cannot hold, and a literal ``_xHHHH_`` escaped in
    turn, as Excel does."""
    if "_x" in text:
        text = _ESCAPE_START.sub("_x005F_", text)
    if "\r" in text:
        text = text.replace("\r", "_x000D_")
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text


def unescape_text(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(0)[2:6], 16)), text) if "_x" in text else text


@dataclass
class Sheet:
    """One sheet: its title (at most 31 characters), header row and rows of plain values."""

    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def typed(value: Any, tz: ZoneInfo) -> tuple[Any, str | None]:
    """The value a cell holds and its number format: a stamp or day as a date, others as they are."""
    if isinstance(value, str):
        if len(value) == 25 and _STAMP.fullmatch(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value, None
            local = moment.astimezone(tz)
            if local.isoformat() == value:  # in the desk's zone: reads back as the same text
                return local.replace(tzinfo=None), DATETIME_FORMAT
        elif len(value) == 10 and _DAY.fullmatch(value):
            try:
                return date.fromisoformat(value), DATE_FORMAT
            except ValueError:
                return value, None
    return value, None


def write_book(sheets: list[Sheet], tz: ZoneInfo) -> bytes:
    """The workbook's bytes (see :func:`write_book_to`)."""
    buf = io.BytesIO()
    write_book_to(sheets, tz, buf)
    return buf.getvalue()


def write_book_to(sheets: list[Sheet], tz: ZoneInfo, out: Any) -> None:
    """Write the workbook of these sheets to a binary file object (see :func:`write_streams`)."""
    streams: list[SheetStream] = []
    cells = CellMaker(tz)
    try:
        for sheet in sheets:
            stream = SheetStream(cells)
            streams.append(stream)
            keys = range(len(sheet.headers))
            stream.set_columns(keys)
            for row in sheet.rows:
                stream.add(dict(zip(keys, row, strict=False)))
        write_streams([(sheet.title, sheet.headers, stream) for sheet, stream in zip(sheets, streams, strict=True)], out)
    finally:
        for stream in streams:
            stream.close()


def write_streams(sheets: list[tuple[str, Any, Any]], out: Any) -> None:
    """Write a workbook of streamed sheets, each (title, headings of its columns, stream: a
    :class:`SheetStream` or a :class:`SheetOnWorker`), to a binary file object; each sheet's
    rows were compressed as they came, and are copied as they are."""
    names = [title[:31] for title, _, _ in sheets]
    members = [stream.member(f"xl/worksheets/sheet{number}.xml", headers)
               for number, (_, headers, stream) in enumerate(sheets, start=1)]
    write_zip([*members, *(member_of(name, text.encode("utf-8")) for name, text in _book_parts(names).items())], out)


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_DATETIME_STYLE, _DATE_STYLE = "1", "2"  # cell formats of styles.xml: DATETIME_FORMAT, DATE_FORMAT
_STYLES = (f'<styleSheet xmlns="{_MAIN_NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="{DATETIME_FORMAT}" />'
           f'<numFmt numFmtId="165" formatCode="{DATE_FORMAT}" /></numFmts><fonts count="1"><font><name val="Calibri" />'
           '<family val="2" /><sz val="11" /></font></fonts><fills count="2"><fill><patternFill /></fill><fill>'
           '<patternFill patternType="gray125" /></fill></fills><borders count="1"><border><left /><right /><top />'
           '<bottom /><diagonal /></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
           'borderId="0" /></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" />'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" />'
           '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" /></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles></styleSheet>')


def _book_parts(names: list[str]) -> dict[str, str]:
    """The parts of a workbook besides its sheets: content types, relations, workbook, styles."""
    count = range(1, len(names) + 1)
    sheet_type = f"{_TYPE}.worksheet+xml"
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}" />' for n in count)
    sheets = "".join(f'<sheet name="{_attr(name)}" sheetId="{n}" state="visible" r:id="rId{n}" />'
                     for n, name in zip(count, names, strict=True))
    rels = "".join(f'<Relationship Type="{_REL_NS}/worksheet" Target="/xl/worksheets/sheet{n}.xml" Id="rId{n}" />'
                   for n in count)
    return {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
        '<Default Extension="xml" ContentType="application/xml" />'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml" />{overrides}'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml" /></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PACKAGE_REL_NS}"><Relationship Type="{_REL_NS}/officeDocument" '
        'Target="xl/workbook.xml" Id="rId1" /></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns:r="{_REL_NS}" xmlns="{_MAIN_NS}"><workbookPr /><bookViews><workbookView '
        f'activeTab="0" /></bookViews><sheets>{sheets}</sheets><calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE_REL_NS}">{rels}<Relationship '
        f'Type="{_REL_NS}/styles" Target="styles.xml" Id="rId{len(names) + 1}" /></Relationships>',
        "xl/styles.xml": _STYLES,
    }


_MISSING = object()
_CELL_REF = re.compile(rb'<c r="([A-Z]+)')  # a cell's start: texts are escaped, so never found in one
_DATE_CELL = (f'" s="{_DATETIME_STYLE}"'.encode(), f'" s="{_DATE_STYLE}"'.encode())  # a time's or a day's cell
_ROW = b"\x00"  # the row's number in a cell kept for its column (never in the XML: a text's NUL is escaped)


class CellMaker:
    """The cells of one workbook: a value's XML (UTF-8) after its reference (from the
    reference's closing quote on) and its width. Kept for texts, which come again and again
    (the same names and states), and for whole numbers. A time stamp's cell is made from its
    day's serial (found once per day and offset) and its time of day, each time it comes."""

    CACHED = 100_000  # texts (and whole numbers) kept at once

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._texts: dict[str, tuple[bytes, int]] = {}
        self._numbers: dict[int, tuple[bytes, int]] = {}
        self._days: dict[str, Any] = {}  # a stamp's day and offset: the day's serial, None if not plainly in the zone
        self._seconds: dict[str, int] = {}  # a stamp's time of day: seconds since midnight

    def cell(self, value: Any) -> tuple[bytes, int]:
        """The value's cell (as :func:`_cell_body` makes it, after a quote) and its width."""
        kind = type(value)
        if kind is str:
            cell = self._texts.get(value)
            if cell is None:
                moment = self.moment(value) if len(value) == 25 else None
                if moment is not None:  # a time stamp: made from its day's serial, rarely met again
                    return moment, 25
                if len(self._texts) >= self.CACHED:
                    self._texts.clear()
                cell = self._texts[value] = (('"' + _cell_body(value, self.tz)).encode("utf-8"),
                                             len(value) if value.isascii() and "\n" not in value else _width(value))
            return cell
        if kind is int:
            cell = self._numbers.get(value)
            if cell is None:
                if len(self._numbers) >= self.CACHED:
                    self._numbers.clear()
                cell = self._numbers[value] = (('"' + _cell_body(value, self.tz)).encode(), _width(value))
            return cell
        return ('"' + _cell_body(value, self.tz)).encode("utf-8"), _width(value)

    def moment(self, stamp: str) -> bytes | None:
        """A time stamp's cell (25 characters) as :func:`_cell_body` makes it, after a quote,
        from its day's serial; None when it is no stamp, or its day is not plainly in the
        desk's zone at its offset (then :func:`typed` decides)."""
        if not _STAMP.fullmatch(stamp):
            return None
        clock = stamp[11:19]
        seconds = self._seconds.get(clock)
        if seconds is None:
            seconds = self._seconds[clock] = _seconds_of(clock)
        key = stamp[:10] + stamp[19:]
        days = self._days.get(key, _MISSING)
        if days is _MISSING:
            days = self._days[key] = _day_serial(stamp, self.tz)
        if days is None or seconds < 0:
            return None
        return _MOMENT % (days + seconds / 86400)


_MOMENT = f'" s="{_DATETIME_STYLE}" t="n"><v>%.16g</v></c>'.encode()  # a time's cell, its serial put in


def _seconds_of(clock: str) -> int:
    """A time of day's seconds since midnight (hh:mm:ss); -1 when it is no time of day."""
    if clock[:2] >= "24" or clock[3:5] >= "60" or clock[6:] >= "60":
        return -1
    return int(clock[:2]) * 3600 + int(clock[3:5]) * 60 + int(clock[6:])


def _day_serial(stamp: str, tz: ZoneInfo) -> float | None:
    """The serial of a stamp's day when its first and last second, at its offset, are times in
    the desk's zone (read back as the same text: see :func:`typed`), so that every second
    between is (a zone changes its offset at most once a day); None otherwise."""
    first, last = (typed(stamp[:10] + t + stamp[19:], tz)[0] for t in ("T00:00:00", "T23:59:59"))
    if isinstance(first, datetime) and isinstance(last, datetime):
        return _serial(first.date())
    return None


class SheetStream:
    """One sheet written as its rows come: each row's XML is made at once (a column's cells
    kept for texts that come again) and a few hundred rows at a time go, compressed, to a
    temporary file, so memory stays flat however long the sheet. What precedes the rows in
    the file (the column widths, the header row) is made when the sheet is taken (:meth:`member`).

    The columns are keys, set before the first row and set again when more are found; new
    keys may come anywhere among them, but the known keys keep their order. Rows written
    before a change have their cells moved to their final columns when the sheet is taken.
    """

    ROWS_AT_ONCE = 500
    CACHED = 100_000  # cells kept at once, over all columns
    PLANS = 10_000  # row plans kept at once (one for each set of keys rows come with)

    def __init__(self, cells: CellMaker) -> None:
        self.cells = cells
        self.layout: tuple[Any, ...] = ()
        self._columns: dict[Any, list[Any]] = {}  # key: [position, its cells by text, its width, its cells' start]
        self._kept = 0
        self._plans: dict[tuple[Any, ...], tuple[list[Any], list[Any] | None]] = {}  # see _plan
        self._rows: list[bytes] = []
        self._number = 1  # the last row's number (the header is row 1)
        self._spool = DeflateSpool(background=True)  # the rows, in a piece for each layout they were written with

    def __enter__(self) -> SheetStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._spool.close()

    def set_columns(self, keys: Iterable[Any]) -> None:
        """The sheet's columns from now on: those so far, in their order, with any new ones among them."""
        layout = tuple(keys)
        if not _in_order(self.layout, layout):
            raise ValueError("a sheet's columns may grow but not change their order")
        self._flush()
        self.layout = layout
        self._plans.clear()
        for position, key in enumerate(layout):
            column = self._columns.setdefault(key, [-1, {}, 0, ""])
            if column[0] != position:  # new, or moved: its cells kept so far name another column
                column[0], column[1], column[3] = position, {"": b""}, f'<c r="{_letter(position + 1)}'.encode() + _ROW

    def add(self, row: dict[Any, Any]) -> None:
        """The next row, as {column key: value}; empty values and keys not among the columns are left out."""
        keys = tuple(row)
        plan = self._plans.get(keys)
        if plan is None:
            plan = self._plan(keys)
        cells: list[bytes] = []
        for column, value in zip(plan[0], row.values() if plan[1] is None else map(row.__getitem__, plan[1])):
            if column is None or value is None:
                continue
            kind = type(value)
            cell = column[1].get(value) if kind is str or kind is int else None  # (never a bool: True == 1)
            if cell is None:
                cell = self._new_cell(column, value)
            if cell:
                cells.append(cell)
        self._number += 1
        self._rows.append((b'<row r="\x00">' + b"".join(cells) + b"</row>").replace(_ROW, b"%d" % self._number))
        if len(self._rows) >= self.ROWS_AT_ONCE:
            self._flush()

    def _plan(self, keys: tuple[Any, ...]) -> tuple[list[Any], list[Any] | None]:
        """How a row with these keys is written: the columns of its values in the row's order
        (None for a key not among the columns) and no keys, when that is the columns' order;
        else the columns in their order and the keys whose values go in them. Kept for the next
        row with the same keys, until the columns change."""
        columns = self._columns
        found = [columns.get(key) for key in keys]
        positions = [column[0] for column in found if column is not None]
        if positions == sorted(positions):
            plan: tuple[list[Any], list[Any] | None] = (found, None)
        else:
            ordered = sorted((key for key in keys if key in columns), key=lambda key: columns[key][0])
            plan = ([columns[key] for key in ordered], ordered)
        if len(self._plans) >= self.PLANS:
            self._plans.clear()
        self._plans[keys] = plan
        return plan

    def _new_cell(self, column: list[Any], value: Any) -> bytes:
        """A value's cell in its column, kept for the column if it may come again (a text, not a
        time: those are kept once for the workbook, and rarely come again in one column)."""
        if type(value) is str and len(value) == 25:  # perhaps a time: rarely met again, so not kept
            moment = self.cells.moment(value)
            if moment is not None:
                if column[2] < 25:
                    column[2] = 25
                return column[3] + moment
        body, width = self.cells.cell(value)
        if width > column[2]:
            column[2] = width
        cell: bytes = column[3] + body
        kind = type(value)
        if kind is int or (kind is str and not body.startswith(_DATE_CELL)):
            if self._kept >= self.CACHED:
                for kept in self._columns.values():
                    kept[1] = {"": b""}
                self._kept = 0
            column[1][value] = cell
            self._kept += 1
        return cell

    def member(self, name: str, headers: list[str]) -> Member:
        """The sheet as the workbook's member ``name``, ``headers`` heading its columns: frozen
        header row, column widths (each column as wide as its widest cell), then the rows (those
        written before their columns moved put in their final columns)."""
        self._flush()
        self._spool.end_piece()
        final = self.layout
        rows = [piece if final[: len(piece.tag)] == piece.tag else
                self._spool.remade(piece, functools.partial(_relettered, old=piece.tag, new=final), b"</row>")
                for piece in list(self._spool.pieces)]
        head = deflate(self._head(headers).encode("utf-8"))
        return Member(name, [head, *rows, deflate(_SHEET_END.encode("utf-8"), last=True)], self._spool.packed)

    def _head(self, headers: list[str]) -> str:
        widths = [max(_width(h), self._columns[key][2]) for h, key in zip(headers, self.layout, strict=False)]
        cols = "".join(f'<col width="{min(w, MAX_WIDTH) + 2}" customWidth="1" min="{i}" max="{i}" />'
                       for i, w in enumerate(widths, start=1))
        head = "".join(f'<c r="{_letter(i)}1" t="inlineStr" />' if h == "" else
                       f'<c r="{_letter(i)}1" t="inlineStr">{_text(h)}</c>' for i, h in enumerate(headers, start=1))
        return (f'<worksheet xmlns="{_MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr />'
                '</sheetPr><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen" /><selection pane="bottomLeft" activeCell="A1" sqref="A1" />'
                '</sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15" />'
                f'{"<cols>" + cols + "</cols>" if cols else ""}<sheetData><row r="1">{head}</row>')

    def _flush(self) -> None:
        if self._rows:
            self._spool.write(b"".join(self._rows), self.layout)
            self._rows = []


class GrowingSheet:
    """A streamed sheet whose columns are the keys its rows bring: the first ones given, then
    each new key in the order it first comes."""

    def __init__(self, first: Iterable[Any], cells: CellMaker) -> None:
        self.columns: dict[Any, None] = dict.fromkeys(first)
        self.stream = SheetStream(cells)
        self.stream.set_columns(self.columns)

    def add(self, row: dict[Any, Any]) -> None:
        """The next row, {key: value}."""
        if not row.keys() <= self.columns.keys():
            self.columns.update(dict.fromkeys(row))
            self.stream.set_columns(self.columns)
        self.stream.add(row)

    def close(self) -> None:
        self.stream.close()


class SheetOnWorker:
    """A :class:`GrowingSheet` made on a second core: the items given to :meth:`add` go in
    batches to a worker process, which turns each into rows (``rows_of``) and writes the
    sheet's compressed XML, headed by ``headers_of(its columns)``, to a private temporary
    file; the workbook then copies that file. The XML is the same as the sheet made in this process,
    which is what happens on one core or where processes cannot be forked.

    The batches are sent by a thread of this process, a few batches ahead of the worker at
    most, so that neither process waits for the other while one of them is briefly slower."""

    BATCH = 500
    AHEAD = 8  # batches sent and not yet taken by the worker, at most

    def __init__(self, first: Iterable[Any], rows_of: Callable[[Any], Iterable[dict[Any, Any]]],
                 headers_of: Callable[[tuple[Any, ...]], list[str]], tz: ZoneInfo) -> None:
        import multiprocessing
        import os

        self.rows_of, self.headers_of = rows_of, headers_of
        self._batch: list[Any] = []
        self._sender: Any = None  # the sending thread, started with the first batch
        self._sending: deque[Future[None]] = deque()
        self._path: str | None = None
        self.local: GrowingSheet | None = None
        self.process: Any = None
        if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            self.local = GrowingSheet(first, CellMaker(tz))
            return
        context = multiprocessing.get_context("fork")
        self._conn, theirs = context.Pipe()
        self.process = context.Process(target=_sheet_worker, args=(theirs, tuple(first), rows_of, headers_of, tz),
                                       daemon=True)
        self.process.start()
        theirs.close()

    def __enter__(self) -> SheetOnWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, item: Any) -> None:
        """One more item whose rows go in the sheet."""
        if self.local is not None:
            for row in self.rows_of(item):
                self.local.add(row)
            return
        self._batch.append(item)
        if len(self._batch) >= self.BATCH:
            self._send(pack(self._batch))
            self._batch = []

    def _send(self, data: bytes) -> None:
        """Bytes for the worker, handed to the sending thread; if the worker has stopped, why."""
        if self._sender is None:
            self._sender = ThreadPoolExecutor(1, thread_name_prefix="cstool-sheet")
        try:
            while len(self._sending) >= self.AHEAD:
                self._sending.popleft().result()
        except OSError:
            self._answer()  # the worker stopped: its answer says why
            raise
        self._sending.append(self._sender.submit(self._conn.send_bytes, data))

    def member(self, name: str, headers: Any = None) -> Member:
        """The sheet as the workbook's member ``name`` (its headings come from ``headers_of``),
        once the worker has made it."""
        if self.local is not None:
            return self.local.stream.member(name, self.headers_of(self.local.stream.layout))
        if self._batch:
            self._send(pack(self._batch))
            self._batch = []
        self._send(b"")
        self._path, whole = self._answer()
        return Member(name, [whole], self._file_chunks)

    def _answer(self) -> Any:
        """The worker's answer once it has ended: what it made, or a DeskError saying why it failed."""
        try:
            while self._sending:
                self._sending.popleft().result()
        except OSError:
            pass  # the worker stopped taking batches: its answer says why
        try:
            status, value = self._conn.recv()
        except EOFError:
            status, value = "failed", f"exit code {self.process.exitcode}"
        self.process.join()
        if status != "done":
            raise DeskError("error.sheet_worker", detail=value)
        return value

    def _file_chunks(self, piece: Piece) -> Iterator[bytes]:
        """The worker's file, a megabyte at a time."""
        with open(str(self._path), "rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk

    def close(self) -> None:
        """Stop the worker if it still runs, and remove its file."""
        import os

        if self.local is not None:
            self.local.close()
        if self._sender is not None:
            for waiting in self._sending:
                waiting.cancel()
            if self.process is not None and self.process.is_alive():
                self.process.terminate()  # (a send still under way ends)
            self._sender.shutdown(wait=True)
            self._sending.clear()
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
            self._conn.close()
        if self._path is not None:
            os.unlink(self._path)
            self._path = None


def _sheet_worker(conn: Any, first: tuple[Any, ...], rows_of: Callable[[Any], Iterable[dict[Any, Any]]],
                  headers_of: Callable[[tuple[Any, ...]], list[str]], tz: ZoneInfo) -> None:
    """The worker of :class:`SheetOnWorker`: the sheet of the items received until None, its
    compressed XML written to a temporary file (readable by its owner only); answers ("done",
    (path, a piece standing for the whole)) or ("failed", why)."""
    import os

    fd, path = tempfile.mkstemp(prefix="cstool-sheet-", suffix=".xml")
    try:
        sheet = GrowingSheet(first, CellMaker(tz))
        try:
            while data := conn.recv_bytes():
                for item in unpack(data):
                    for row in rows_of(item):
                        sheet.add(row)
            member = sheet.stream.member("", headers_of(sheet.stream.layout))
            with os.fdopen(fd, "wb") as fh:
                fd = -1
                for chunk in member.packed():
                    fh.write(chunk)
        finally:
            sheet.close()
        conn.send(("done", (path, Piece(member.csize, member.size, member.crc))))
    except BaseException as exc:  # noqa: BLE001 - whatever stopped it is reported to the workbook's writer
        if fd >= 0:
            os.close(fd)
        os.unlink(path)
        try:
            conn.send(("failed", f"{type(exc).__name__}: {str(exc)[:200]}"))
        except OSError:
            pass  # the writer has gone (interrupted)
    finally:
        conn.close()


_SHEET_END = '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" /></worksheet>'


def _in_order(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    """Whether every old key is among the new ones, in the same order."""
    rest = iter(new)
    return all(key in rest for key in old)


def _relettered(data: bytes, old: tuple[Any, ...], new: tuple[Any, ...]) -> bytes:
    """Rows written with the columns ``old``, their cells moved to the columns ``new``."""
    where = {key: _letter(n).encode() for n, key in enumerate(new, start=1)}
    moved = {_letter(n).encode(): b'<c r="' + where[key] for n, key in enumerate(old, start=1)}
    return _CELL_REF.sub(lambda m: moved[m.group(1)], data)


def _letter(number: int) -> str:
    """A column's letters: 1 is A, 27 is AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_EPOCH = datetime(1899, 12, 30)


def _cell_body(value: Any, tz: ZoneInfo) -> str:
    """A cell after its reference: a text as an inline string, a stamp or day as a serial
    number with its date format, a number or true/false as it is (as openpyxl writes them)."""
    kind = type(value)
    if kind is str:
        typed_value, _ = typed(value, tz)
        if typed_value is value:
            return f' t="inlineStr">{_text(value)}</c>'
        style = _DATETIME_STYLE if isinstance(typed_value, datetime) else _DATE_STYLE
        return f' s="{style}" t="n"><v>{_number(_serial(typed_value))}</v></c>'
    if kind is bool:
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f' t="n"><v>{_number(value)}</v></c>'
    return f' t="inlineStr">{_text(str(value))}</c>'


def _serial(moment: date) -> float:
    """Excel's serial number of a (naive) date-time or a day, as openpyxl computes it."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    days = (moment - _EPOCH).days
    if 0 < days <= 60:
        days -= 1
    return days + (moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 10**6) / 86400


def _number(value: float) -> str:
    return "" if value != value or value in (float("inf"), float("-inf")) else f"{value:.16g}"


def _text(value: str) -> str:
    """An inline string's XML (escaped as :func:`escape_text` says, then for XML)."""
    text = escape_text(value)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    stripped = text.strip()
    if stripped and stripped != text:
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _attr(text: str) -> str:
    return escape_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _width(value: Any) -> int:
    from cstool.reports.render import width

    text = str(value)
    if "\n" in text:
        return max(width(line) for line in text.split("\n"))
    return width(text) if not text.isascii() else len(text)


def read_book(data: bytes, tz: ZoneInfo, name: str) -> dict[str, list[dict[str, Any]]]:
    """Every sheet's rows as {header: value} (empty cells left out); dates back to the texts
    :func:`write_book` took them from. ``name`` names the file in errors."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError("error.xlsx.unreadable", name=name, kind=type(exc).__name__) from None
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        for ws in book.worksheets:
            rows = ws.iter_rows()
            header = next(rows, None)
            if header is None:
                out[ws.title] = []
                continue
            names = [None if c.value is None else str(c.value) for c in header]
            out[ws.title] = [_read_row(names, row, tz) for row in rows]
    finally:
        book.close()
    return out


def _read_row(names: list[str | None], row: Any, tz: ZoneInfo) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, cell in zip(names, row, strict=False):
        value = cell.value
        if value is None or name is None:
            continue
        if isinstance(value, datetime):
            if value.microsecond:  # a float's rounding: back to the whole second written
                value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
            fmt = str(getattr(cell, "number_format", "") or "")
            value = value.date().isoformat() if ("h" not in fmt.lower()) else value.replace(tzinfo=tz).isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = unescape_text(value)
        values[unescape_text(name)] = value
    return values


def figures_book(rows: list[list[Any]], lang: str, tz: ZoneInfo) -> bytes:
    """A report's (section, metric, value) rows as a one-sheet workbook, values typed."""
    from cstool.messages import label

    headers = [label("xlsx." + k, lang) for k in ("section", "metric", "value")]
    return write_book([Sheet(label("export.sheet.audit", lang), headers, rows)], tz)
