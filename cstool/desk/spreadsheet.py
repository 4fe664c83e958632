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
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cstool.errors import InputError

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60  # characters; longer texts wrap in the cell when opened
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", re.ASCII)
_DAY = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_", re.ASCII)  # the workbook format's escape of a character
# An underscore a reader would take as the start of an escape: before ``xHHHH_``, or before
# ``xHHHH`` and a carriage return, which becomes ``_x000D_`` and so supplies the closing underscore.
_ESCAPE_START = re.compile(r"_(?=x[0-9A-Fa-f]{4}[_\r])", re.ASCII)


def escape_text(text: str) -> str:
    """A text as a cell keeps it: a carriage return as ``_x000D_`` (XML would turn CR LF into
    LF), and a literal ``_xHHHH_`` escaped in turn, as Excel does."""
    if "_x" in text:
        text = _ESCAPE_START.sub("_x005F_", text)
    return text.replace("\r", "_x000D_") if "\r" in text else text


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
    """The workbook's bytes (write-only mode: one pass, little memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.freeze_panes = "A2"
        widths = [_width(h) for h in sheet.headers]
        cells_of_rows = []
        for row in sheet.rows:
            for i, value in enumerate(row):
                if value is not None and value != "":
                    widths[i] = max(widths[i], _width(value))
            cells_of_rows.append(row)
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(w, MAX_WIDTH) + 2
        ws.append([_text_cell(ws, WriteOnlyCell, h) for h in sheet.headers])
        for row in cells_of_rows:
            ws.append([_cell(ws, WriteOnlyCell, v, tz) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _width(value: Any) -> int:
    from cstool.reports.render import width

    text = str(value)
    if "\n" in text:
        return max(width(line) for line in text.split("\n"))
    return width(text) if not text.isascii() else len(text)


def _text_cell(ws: Any, make: Any, text: str) -> Any:
    cell = make(ws, value=escape_text(text))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _cell(ws: Any, make: Any, value: Any, tz: ZoneInfo) -> Any:
    if value is None or value == "":
        return None
    value, number_format = typed(value, tz)
    if isinstance(value, str):
        return _text_cell(ws, make, value)
    cell = make(ws, value=value)
    if number_format:
        cell.number_format = number_format
    return cell


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
