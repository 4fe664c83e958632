"""Output: tables (Chinese-aware widths), JSON, CSV and Markdown; masking of customer data.

Every reading command builds rows of plain values and hands them here with the chosen
format. Phone numbers and emails are masked unless the user passes ``--reveal``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMATS = ("table", "json", "csv", "markdown")


def mask_phone(phone: Any) -> Any:
    """138****5678: keep the first three and last four digits."""
    if not phone:
        return phone
    text = str(phone)
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
    return json.dumps(plain(data), ensure_ascii=False, indent=2)


def width(text: str) -> int:
    from wcwidth import wcswidth

    w = wcswidth(text)
    return w if w >= 0 else len(text)


def truncate(text: Any, limit: int) -> str:
    """Cut text to a display width (wide characters count two), ending with …."""
    from wcwidth import wcwidth

    value = " ".join(str(text or "").split())
    if width(value) <= limit:
        return value
    out, used = [], 0
    for ch in value:
        w = max(wcwidth(ch), 0)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


# terminal control characters (C0 but tab and newline, DEL, C1), bidi controls that reorder what
# is shown, and lone surrogates: stored text must not drive the terminal or disguise itself
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def escape_controls(text: str) -> str:
    """Text made safe to show: each control character written as its escape (ESC as ``\\x1b``,
    a right-to-left override as ``\\u202e``); tabs, newlines and all other text unchanged."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], fmt: str = "table") -> str:
    """Rows as a table, CSV or Markdown (JSON is handled by the caller)."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(["" if c is None else c for c in row] for row in rows)
        return buf.getvalue()
    from tabulate import tabulate

    cells = [["" if c is None else escape_controls(str(c)) for c in row] for row in rows]
    if fmt == "markdown":  # a | inside a cell would split it; a newline would end the row
        cells = [[str(c).replace("|", "\\|").replace("\n", " ") for c in row] for row in cells]
    style = "pipe" if fmt == "markdown" else "simple"
    return tabulate(cells, headers=[escape_controls(str(h)) for h in headers], tablefmt=style, disable_numparse=True)


def color_enabled(stream: Any = None) -> bool:
    """Colour only on a terminal and never with NO_COLOR."""
    if os.environ.get("NO_COLOR") is not None:
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def records(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [plain(r) for r in rows]
