"""Durations with an explicit unit: business time (``30m``, ``4h``, ``2d``, ``1w``) or
calendar time (``24h calendar``).

A business day is as long as a normal Monday-to-Friday working day of the desk's calendar
(08:30-17:30 → 9 working hours), counted across whatever working hours follow; a
business week is five business days. Calendar durations count wall-clock time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cstool.errors import InputError
from cstool.messages import label

_RE = re.compile(
    r"^\s*(?P<n>\d{1,6}(?:\.\d{1,3})?)\s*(?P<unit>m|min|h|d|w)\s*(?P<cal>calendar)?\s*$",
    re.IGNORECASE,
)
_MINUTES = {"m": 1, "min": 1, "h": 60}


@dataclass(frozen=True)
class Duration:
    """An amount of time; `days` count working days unless `calendar`."""

    minutes: int = 0  # minutes and hours
    days: int = 0  # days and weeks (1w = 5 business days, or 7 calendar days)
    calendar: bool = False
    text: str = ""

    def __str__(self) -> str:
        return self.text or "0m"


def parse_duration(text: object, what: str = "duration") -> Duration:
    """Parse ``30m``, ``4h``, ``2d``, ``1w`` or any of them followed by ``calendar``."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise InputError("error.duration", what=what, value=repr(text))
    if str(text).strip().startswith("-"):
        raise InputError("error.duration.negative", what=what, value=repr(str(text)))
    m = _RE.match(str(text))
    if not m:
        raise InputError("error.duration", what=what, value=repr(str(text)))
    n = float(m.group("n"))
    if n * {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}[m.group("unit").lower()] > 10 * 366 * 1440:
        raise InputError("error.duration.long", what=what, value=repr(str(text)))
    unit = m.group("unit").lower()
    calendar = bool(m.group("cal"))
    canonical = f"{m.group('n')}{'m' if unit == 'min' else unit}" + (" calendar" if calendar else "")
    if unit in _MINUTES:
        minutes = n * _MINUTES[unit]
        if minutes != int(minutes):
            raise InputError("error.duration.minutes", what=what, value=repr(str(text)))
        return Duration(minutes=int(minutes), calendar=calendar, text=canonical)
    days = n * (1 if unit == "d" else (7 if calendar else 5))
    if days != int(days):
        raise InputError("error.duration.days", what=what, value=repr(str(text)))
    return Duration(days=int(days), calendar=calendar, text=canonical)


def span_text(minutes: float, calendar: bool, day_minutes: int, lang: str) -> str:
    """45m, 3h20m, 2d4h. Calendar time counts days of 24 hours; business time counts
    working days of ``day_minutes`` and says so (工作日, working d)."""
    minutes = abs(int(round(minutes)))
    days, rest = divmod(minutes, 24 * 60 if calendar else day_minutes)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}{label('unit.d' if calendar else 'unit.wd', lang)}")
    if hours:
        parts.append(f"{hours}{label('unit.h', lang)}")
    if mins and not days or not parts:
        parts.append(f"{mins}{label('unit.m', lang)}")
    return "".join(parts)


def span_label(minutes: float, late: bool, calendar: bool, day_minutes: int, lang: str) -> str:
    """剩余 1小时 / 超时 2天22小时 / 剩余 1个工作日2小时(工作时间): time left (or late) in
    the deadline's own time, saying "working" for business time."""
    key = ("due.late" if late else "due.left") + ("" if calendar else ".business")
    return label(key, lang, span=span_text(minutes, calendar, day_minutes, lang))
