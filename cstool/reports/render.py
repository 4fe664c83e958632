"""Output: tables (Chinese-aware widths), JSON, CSV and Markdown; masking of customer data.

Every reading command builds rows of plain values and hands them here with the chosen
format. Phone numbers and emails are masked unless the user passes ``--reveal``. Every
CSV cell goes through :func:`csv_cell`, so that no cell opens as a formula.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMATS = ("table", "json", "csv", "markdown")


def mask_phone(phone: Any) -> Any:
    """138****5678: keep the first three and last four digits."""
    if not phone:
        return phone
    text = str(phone)
    n = len(text)
    if text.isdigit() and n >= 9:  # the common case (the rule below), without a look at each character
        return text[:3] + "*" * (n - 7) + text[-4:]
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(text)
    keep = set(digits[:3] + digits[-4:]) if len(digits) >= 9 else set(digits[-2:])
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(text))


def mask_email(email: Any) -> Any:
    """z***@example.com: keep the first character of the local part and the domain."""
    if not email:
        return email
    text = str(email)
    local, at, domain = text.partition("@")
    if not at:
        return "*" * len(text)
    return (local[:1] + "***") + "@" + domain


# A phone number in free text: 7 or more digits, possibly with a leading +, single spaces or
# dashes between them (138 1234 5678, +86-138-1234-5678, 021-12345678), not part of a word
# (a ticket ID) and not a date (2026-11-22).
_PHONE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?![0-9]{4}-[0-9]{2}-[0-9]{2})\+?[0-9](?:[ \-]?[0-9]){6,}(?![0-9A-Za-z])")
# An e-mail address in free text. Bounded quantifiers and no nesting keep it linear.
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,8}")


def mask_text(text: Any) -> Any:
    """Free text with every phone number and e-mail address in it masked as
    :func:`mask_phone` and :func:`mask_email` do (138****5678, z***@example.com).

    The one masking of free text: commit messages, error messages that echo what a user
    typed, and merge-conflict notes go through it."""
    if not text or not isinstance(text, str):
        return text
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def shown(value: Any, limit: int = 40) -> str:
    """A value a user gave, for an error message: quoted, cut to ``limit`` characters, control
    characters escaped, and phone numbers and e-mails in it masked (:func:`mask_text`)."""
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(mask_text(text))


def csv_cell(value: Any) -> Any:
    """One CSV cell, safe to open in a spreadsheet.

    A text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would
    be read by Excel or LibreOffice as a formula (or have its first character stripped,
    leaving one), so it gets a leading ``'`` as OWASP recommends. A text that already
    begins with ``'`` characters followed by one of those gets one more, so that
    :func:`csv_uncell` can take exactly the added ``'`` off again and nothing else.

    Whether a cell is a number is decided by its Python type, not its text: an ``int``
    or ``float`` such as ``-2`` is written as it is, while the *text* ``"-2"`` (which came
    from a user) is neutralised like any other text."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text.lstrip("'")[:1] in CSV_FORMULA_START and text:
        return "'" + text
    return text


def csv_uncell(text: str) -> str:
    """Undo :func:`csv_cell`: drop the ``'`` it added before a formula character, nothing else."""
    if text[:1] == "'" and text.lstrip("'")[:1] in CSV_FORMULA_START and text.lstrip("'"):
        return text[1:]
    return text


CONTACT_FIELDS = ("customer.phone", "customer.email")  # what an ``edit`` event may hold of a customer's contact


def masked_edits(events: list[Any]) -> list[Any]:
    """A history with the customer contacts its ``edit`` events changed masked (copies of
    those events; the others as they are)."""
    out = None  # a copy only once an event is masked: most histories have none to mask
    for i, ev in enumerate(events):
        changes = ev.get("changes") if isinstance(ev, dict) else None
        if isinstance(changes, list) and any(isinstance(c, dict) and c.get("field") in CONTACT_FIELDS for c in changes):
            if out is None:
                out = list(events)
            out[i] = dict(ev, changes=[dict(c, **{k: mask_text(c.get(k)) for k in ("from", "to")})
                                       if isinstance(c, dict) and c.get("field") in CONTACT_FIELDS else c for c in changes])
    return list(events) if out is None else out


def mask_customer(customer: Any, reveal: bool) -> Any:
    if reveal or not isinstance(customer, dict):
        return customer
    out = dict(customer)
    if out.get("phone"):
        out["phone"] = mask_phone(out["phone"])
    if out.get("email"):
        out["email"] = mask_email(out["email"])
    return out


def plain(value: Any) -> Any:
    """Convert round-trip YAML values to plain JSON-able Python values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def to_json(data: Any) -> str:
    """``json.dumps(plain(data), ensure_ascii=False, indent=2)``, made in one pass: the
    standard library's indented encoder is written in Python and slow on long lists."""
    return to_json_at(data, "\n")


def to_json_at(data: Any, newline: str) -> str:
    """:func:`to_json` of a value written after ``newline`` and its indent (an item of a list
    written piece by piece: ``"\n  "``)."""
    from json.encoder import encode_basestring

    out: list[str] = []
    _json_into(data, newline, out, encode_basestring)
    return "".join(out)


def to_json_records(records: list[dict[str, Any]]) -> str:
    """:func:`to_json` of a list of mappings whose keys are texts (the caller's promise),
    made by the standard library's C encoder a few thousand at a time: its separators are
    marks no JSON text holds (it writes control characters as escapes), put into the
    indented layout afterwards. A list that is not all non-empty flat mappings goes to
    :func:`to_json`."""
    if not records or not all(type(r) is dict and r for r in records):
        return to_json(records)
    pieces = []
    for start in range(0, len(records), 2000):
        text = _MARKED.encode(records[start:start + 2000])
        if ":\x01{" in text or ":\x01[" in text:  # a mapping or list inside: not flat
            return to_json(records)
        pieces.append("{\n    " + text[2:-2].replace("},\x00{", "\n  },\n  {\n    ").replace(",\x00", ",\n    ")
                      .replace(":\x01", ": ") + "\n  }")
    return "[\n  " + ",\n  ".join(pieces) + "\n]"


def write_json_list(items: Iterable[Any], write: Callable[[str], Any], chunk: int = 2000) -> None:
    """:func:`to_json` of a list given as an iterable, handed to ``write`` a chunk of items
    at a time (each chunk made by :func:`to_json_records`), so that a long list is never
    held whole: neither its items nor its text."""
    rest = iter(items)
    batches = iter(lambda: list(itertools.islice(rest, chunk)), [])
    write_json_items(([to_json_records(batch)[4:-2]] for batch in batches), write)


def json_item_layout(keys: Sequence[str]) -> tuple[str, ...]:
    """The fixed texts of a flat mapping with these keys as :func:`write_json_list` writes it
    as an item of a list: the item is ``layout[0] + v[0] + layout[1] + … + v[-1] +
    layout[-1]``, each ``v`` the :func:`json_value` of a value in the order of the keys. For
    writing many records of one shape with little work each (see :func:`write_json_items`)."""
    from json.encoder import encode_basestring

    return ("{\n    " + encode_basestring(keys[0]) + ": ",
            *(",\n    " + encode_basestring(key) + ": " for key in keys[1:]), "\n  }")


def json_value(value: str | int | float | bool | None) -> str:
    """A JSON scalar as :func:`write_json_list` writes it (texts as they are, not escaped to ASCII)."""
    kind = type(value)
    if kind is str:
        return _text(value)  # type: ignore[arg-type]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return "null" if value is None else _SCALAR.encode(value)


def write_json_items(chunks: Iterable[Sequence[str]], write: Callable[[str], Any]) -> None:
    """:func:`write_json_list` of a list whose items come already written (laid out by
    :func:`json_item_layout`), handed to ``write`` a chunk of them at a time."""
    first = True
    for chunk in chunks:
        if chunk:
            write(("[\n  " if first else ",\n  ") + ",\n  ".join(chunk))
            first = False
    write("[]" if first else "\n]")


_SCALAR = json.JSONEncoder(ensure_ascii=False)
_text: Callable[[str], str] = json.encoder.encode_basestring
_MARKED = json.JSONEncoder(ensure_ascii=False, separators=(",\x00", ":\x01"))
_JSON_SCALARS = (str, int, float, bool, type(None))


@functools.lru_cache(maxsize=64)
def _flat_encoder(inner: str) -> json.JSONEncoder:
    """The standard library's encoder (its C part) parting items by a comma and ``inner``."""
    return json.JSONEncoder(ensure_ascii=False, separators=("," + inner, ": "))


def _json_into(value: Any, newline: str, out: list[str], text: Callable[[str], str]) -> None:
    """Append the indented JSON of :func:`plain` of value (see :func:`to_json`)."""
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        if not all(type(key) is str for key in value):
            value = {str(key): item for key, item in value.items()}  # as plain() names them
        if _flat(value):
            # a flat mapping: the C encoder, its items one indented line each
            inner = newline + "  "
            out.append("{" + inner + _flat_encoder(inner).encode(value)[1:-1] + newline + "}")
            return
        pairs = value.items()
        opening, closing = "{", "}"
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        pairs = ((None, item) for item in value)
        opening, closing = "[", "]"
    else:
        out.append(_json_scalar(value, text))
        return
    inner = newline + "  "
    out.append(opening)
    separator = inner
    for key, item in pairs:
        head = separator if key is None else separator + text(key) + ": "
        kind = type(item)
        if kind is str:
            out.append(head + text(item))
        elif kind is int or kind is bool or item is None:
            out.append(head + _json_scalar(item, text))
        else:
            out.append(head)
            _json_into(item, inner, out, text)
        separator = "," + inner
    out.append(newline + closing)


def _flat(mapping: dict) -> bool:
    """Whether a mapping's keys are texts and its values JSON scalars."""
    return all(type(key) is str for key in mapping) and all(type(item) in _JSON_SCALARS for item in mapping.values())


def _json_scalar(value: Any, text: Callable[[str], str]) -> str:
    value = plain(value)
    if isinstance(value, str):
        return text(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        return json.dumps(value)  # NaN, Infinity as json writes them
    return str(value)


# where a letter, digit, punctuation mark or symbol is measured without wcwidth: Latin-1,
# general punctuation, arrows (→), enclosed numbers (①) and the CJK blocks (ideographs,
# kana, Hangul syllables, full-width forms)
_PLAIN_SPANS = ((0xA1, 0xFF), (0x2010, 0x2027), (0x2030, 0x205E), (0x2190, 0x21FF), (0x2460, 0x24FF),
                (0x2E80, 0x3029), (0x3030, 0x3096), (0x309B, 0x30FF), (0x3105, 0x3163), (0x3165, 0x318F),
                (0x31A0, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
                (0xFE30, 0xFE4F), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6))


def _char_width(ch: str) -> int | None:
    """A character's display width when it is plain (printable ASCII, or a letter, digit,
    punctuation mark or symbol of :data:`_PLAIN_SPANS`: two when East Asian wide or
    full-width, else one), else None: everything else (marks, joiners, emoji, controls) is
    left to wcwidth, whose tables and sequences decide it."""
    import unicodedata

    code = ord(ch)
    if 0x20 <= code < 0x7F:
        return 1
    if not any(lo <= code <= hi for lo, hi in _PLAIN_SPANS) or unicodedata.category(ch)[0] not in "LNPS":
        return None
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _plain_width(text: str) -> int | None:
    """:func:`width` of text made only of plain characters (see :func:`_char_width`), else None."""
    if text.isascii() and text.isprintable():
        return len(text)
    total = 0
    for ch in text:
        w = _char_width(ch)
        if w is None:
            return None
        total += w
    return total


def width(text: str) -> int:
    """Columns the text takes on a terminal (wide characters count two). Plain text is
    measured without importing wcwidth, which costs more than a small command."""
    plain_width = _plain_width(text)
    if plain_width is not None:
        return plain_width
    from wcwidth import wcswidth

    w = wcswidth(text)
    return w if w >= 0 else len(text)


def capped(text: Any, limit: int, width: int | None) -> str:
    """A long text in a table cell: cut to ``limit`` (as :func:`truncate`) when the output is
    not a terminal (width None), whole otherwise (the table is then fitted to the terminal,
    or shown whole with --wide)."""
    return truncate(text, limit) if width is None else " ".join(str(text or "").split())


def char_width(ch: str) -> int:
    """Columns one character takes (wcwidth only for what is not plain, see :func:`_char_width`)."""
    w = _char_width(ch)
    if w is None:
        from wcwidth import wcwidth

        w = max(wcwidth(ch), 0)
    return w


def truncate(text: Any, limit: int) -> str:
    """Cut text to a display width (wide characters count two), ending with …."""
    return cut_text(" ".join(str(text or "").split()), limit)


# terminal control characters (C0 but tab and newline, DEL, C1), bidi controls that reorder what
# is shown, and lone surrogates: stored text must not drive the terminal or disguise itself
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def escape_controls(text: str) -> str:
    """Text made safe to show: each control character written as its escape (ESC as ``\\x1b``,
    a right-to-left override as ``\\u202e``); tabs, newlines and all other text unchanged."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


RED = ("\x1b[31m", "\x1b[39m")  # SGR codes for red text and back


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], fmt: str = "table", width: int | None = None,
          drop: Sequence[int] = (), keep: Sequence[int] = (0,), soft_min: int | None = None,
          red: Sequence[tuple[int, int]] = ()) -> str:
    """Rows as a table, CSV or Markdown (JSON is handled by the caller).

    A table (``fmt`` "table", or "plain": aligned columns without headers) is fitted to
    ``width`` display columns when one is given (not None nor :data:`WIDE`; see
    :func:`fit_columns`); ``drop``, ``keep`` and ``soft_min`` are as there. The cells at
    ``red`` (row, column) are shown in red, coloured after the text was escaped and cut."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([csv_cell(h) for h in headers])
        writer.writerows([csv_cell(c) for c in row] for row in rows)
        return buf.getvalue()
    cells = [["" if c is None else escape_controls(str(c)) for c in row] for row in rows]
    heads = [escape_controls(str(h)) for h in headers]
    if fmt == "markdown":  # a | inside a cell would split it; a newline would end the row
        cells = [[str(c).replace("|", "\\|").replace("\n", " ") for c in row] for row in cells]
        from tabulate import tabulate

        return tabulate(cells, headers=heads, tablefmt="pipe", disable_numparse=True)
    if width and cells:  # measured as tabulate shows them: without surrounding blanks
        cells = [[c.strip() for c in row] for row in cells]
        heads, cells, columns = fit_columns(heads, cells, width, drop, keep, HEADER_PAD if fmt != "plain" else 0, soft_min)
    else:
        columns = list(range(len(heads)))
    for r, c in red:
        if c in columns and cells[r][columns.index(c)]:
            cells[r][columns.index(c)] = RED[0] + cells[r][columns.index(c)] + RED[1]
    text = simple_table(cells, heads) if fmt != "plain" else None
    if text is None:
        from tabulate import tabulate

        text = (tabulate(cells, tablefmt="plain", disable_numparse=True) if fmt == "plain"
                else tabulate(cells, headers=heads, tablefmt="simple", disable_numparse=True))
    return "\n".join(cut_line(line, width) for line in text.split("\n")) if width else text


# ----------------------------------------------------------------------------- fitting the terminal

GAP = 2  # columns between two table columns (tabulate's "simple" and "plain" styles)
HEADER_PAD = 2  # a column with a header is that much wider than the header (tabulate's MIN_PADDING)
SOFT_MIN = 10  # a cut column keeps at least this many columns before another column is left out
HARD_MIN = 3  # and at least this many when nothing is left to leave out
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


WIDE = 0  # a width meaning: no limit, and no text cut either (--wide)


def terminal_width(wide: bool = False, stream: Any = None) -> int | None:
    """How wide tables may be: :data:`WIDE` with ``wide``; None when the output is not a
    terminal and ``COLUMNS`` is not set (a pipe or a file: whole lines, long titles cut to
    a fixed width as always); else the terminal's width (``COLUMNS`` when set, as
    :func:`shutil.get_terminal_size` reads it)."""
    import shutil

    if wide:
        return WIDE
    stream = stream or sys.stdout
    on_terminal = bool(getattr(stream, "isatty", lambda: False)())
    if not on_terminal and not os.environ.get("COLUMNS", "").strip().isdigit():
        return None
    return max(shutil.get_terminal_size().columns, 20)


def shown_width(text: str) -> int:
    """Display width of a cell: wide characters count two, colour codes nothing."""
    return width(_ANSI.sub("", text))


def fit_columns(headers: Sequence[str], rows: Sequence[Sequence[str]], limit: int, drop: Sequence[int] = (),
                keep: Sequence[int] = (0,), pad: int = 0,
                soft_min: int | None = None) -> tuple[list[str], list[list[str]], list[int]]:
    """Headers and rows cut to fit ``limit`` display columns.

    The widest columns are cut first (their text ends with …), each down to ``soft_min``
    (:data:`SOFT_MIN` by default); when that is not enough the columns in ``drop`` are left out, one at
    a time in that order, and only then are columns cut further, to :data:`HARD_MIN`.
    Columns in ``keep`` (by default the first, an ID) are never cut; a header takes ``pad``
    columns more than its text. Returns the headers, the rows and the indexes of the columns kept."""
    natural = [max([shown_width(headers[i]) + pad] + [shown_width(r[i]) for r in rows]) for i in range(len(headers))]
    shown_cols = list(range(len(headers)))
    pending = [i for i in drop if i in shown_cols]
    while True:
        widths = _shrink({i: natural[i] for i in shown_cols}, limit, soft_min or SOFT_MIN, keep)
        if widths is not None or not pending:
            break
        shown_cols.remove(pending.pop(0))
    if widths is None:
        widths = _shrink({i: natural[i] for i in shown_cols}, limit, HARD_MIN, keep, give_up=True) or {}
    out_heads = [_cut_cell(headers[i], max(widths[i] - pad, 1)) for i in shown_cols]
    return out_heads, [[_cut_cell(row[i], widths[i]) for i in shown_cols] for row in rows], shown_cols


def _shrink(widths: dict[int, int], limit: int, floor: int, keep: Sequence[int], give_up: bool = False) -> dict[int, int] | None:
    """Column widths cut, widest first and not below floor, until the table fits limit;
    None when it cannot (with give_up: the narrowest it can be)."""
    widths = dict(widths)
    total = sum(widths.values()) + GAP * (len(widths) - 1)
    while total > limit:
        cuttable = [i for i, w in widths.items() if i not in keep and w > floor]
        if not cuttable:
            return widths if give_up else None
        widest = max(cuttable, key=lambda i: (widths[i], i))
        widths[widest] -= 1
        total -= 1
    return widths


def _cut_cell(text: str, limit: int) -> str:
    """A cell cut to limit display columns (ending with …); a coloured cell that is too wide loses its colour."""
    if shown_width(text) <= limit:
        return text
    return cut_text(_ANSI.sub("", text), limit)


def cut_text(text: str, limit: int) -> str:
    """Text cut to a display width, ending with … (spaces kept as they are, unlike :func:`truncate`)."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def cut_line(line: str, limit: int) -> str:
    """A line of output no wider than limit: trailing blanks dropped, the rest cut with …."""
    line = line.rstrip()
    return line if shown_width(line) <= limit else cut_text(_ANSI.sub("", line), limit)


def wrap_line(line: str, limit: int | None, indent: int = 4) -> list[str]:
    """A line broken into lines no wider than limit (None or WIDE: as it is); the lines after the
    first start with ``indent`` spaces more than the first. Breaks at a space where one is
    near the end, else between any two characters (Chinese has no spaces)."""
    line = line.rstrip()
    if not limit or width(line) <= limit:
        return [line]
    lead = " " * min(len(line) - len(line.lstrip()) + indent, limit // 2)
    out: list[str] = []
    rest = line
    while width(rest) > limit:
        used, cut = 0, 0
        for i, ch in enumerate(rest):
            used += char_width(ch)
            if used > limit:
                break
            cut = i + 1
        space = rest.rfind(" ", len(lead) + 1 if out else 1, cut + 1)
        if space > cut * 2 // 3:
            cut = space
        out.append(rest[:cut].rstrip())
        rest = lead + rest[cut:].lstrip()
    out.append(rest)
    return out


def simple_table(cells: list[list[str]], headers: list[str]) -> str | None:
    """The table tabulate's "simple" style makes of these texts (left-aligned, each cell
    stripped, columns at least two wider than their heading, wide characters counting
    two, no spaces at the end of a line), without importing tabulate; None when a text needs tabulate's own handling (a
    line break, an escape sequence, a character that is not plain, a row of another length
    or all blank)."""
    rows = [[c.strip() for c in row] for row in cells]
    if any(len(row) != len(headers) or not any(row) for row in rows):
        return None  # (tabulate leaves out a last row that is all blank)
    widths: dict[str, int] = {}
    for text in (*headers, *(c for row in rows for c in row)):
        if text in widths:
            continue
        if "\n" in text or "\r" in text or "\x1b" in text:
            return None
        plain_width = _plain_width(text)
        if plain_width is None:
            return None
        widths[text] = plain_width
    columns = [max([widths[h] + 2, *(widths[row[i]] for row in rows)]) for i, h in enumerate(headers)]

    def line(texts: list[str]) -> str:
        return "  ".join(t + " " * (w - widths[t]) for t, w in zip(texts, columns)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in columns), *(line(row) for row in rows)])


def color_enabled(stream: Any = None) -> bool:
    """Colour only on a terminal and never with NO_COLOR."""
    if os.environ.get("NO_COLOR") is not None:
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def records(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [plain(r) for r in rows]
