"""Times and dates as people type them, wherever a command asks for one (``--now``,
``--due``, ``--since``, ``--from``/``--to``).

Accepted, in the desk's time zone unless an offset is given:

- ISO 8601: ``2026-12-01``, ``2026-12-01T14:00``, ``2026-12-01 14:00:30+08:00``;
- other separators: ``2026/12/01``, ``2026.12.01``, ``2026年12月1日`` (日 or 号);
- without the year (the year of the run's clock): ``12-01``, ``12/01``, ``12月1日``;
- a day named relative to the run's clock: ``今天``/``today``, ``昨天``/``yesterday``,
  ``明天``/``tomorrow``, ``前天``, ``后天``;
- any of those followed by a time of day: ``14:00``, ``14:00:30``, ``14点``, ``14点30分``,
  ``2点半``, with ``上午``/``下午``/``晚上`` (``下午3点`` is 15:00); a time alone is today.

Full-width digits and colons (``１２：００``) are read as plain ones, case does not matter.
``--now`` sets the run's clock, so it takes no relative form and no date without a year.
Years run from 1900 to 2999; anything else is refused naming the accepted forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cstool.errors import InputError

RELATIVE_DAYS = {"今天": 0, "今日": 0, "today": 0, "昨天": -1, "昨日": -1, "yesterday": -1, "明天": 1, "明日": 1,
                 "tomorrow": 1, "前天": -2, "后天": 2}
_YEAR_DATE = re.compile(r"(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})[日号]?)", re.ASCII)
_DAY_DATE = re.compile(r"(\d{1,2})(?:[-/.](\d{1,2})|月(\d{1,2})[日号]?)", re.ASCII)
_RELATIVE = re.compile("|".join(sorted(RELATIVE_DAYS, key=len, reverse=True)))
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_SPOKEN = re.compile(r"(上午|早上|中午|下午|晚上)?(\d{1,2})[点时](?:(\d{1,2})分?|(半))?", re.ASCII)
_AFTERNOON = ("下午", "晚上")
MIN_YEAR, MAX_YEAR = 1900, 2999


@dataclass(frozen=True)
class Typed:
    """A time a user typed: the moment, and whether a time of day was given (else midnight)."""

    at: datetime
    has_time: bool


def read_now(text: str, tz: ZoneInfo, what: str = "--now") -> datetime:
    """The clock set by ``--now``: a full date (and time), never relative."""
    return read_typed(text, tz, None, what).at


def read_time(text: str, tz: ZoneInfo, now: datetime, what: str) -> datetime:
    """A moment a user typed; a date alone is its midnight."""
    return read_typed(text, tz, now, what).at


def read_date(text: str, tz: ZoneInfo, now: datetime, what: str) -> date:
    """A day a user typed (``--from``, ``--to``, ``--since``); a time of day is refused."""
    typed = read_typed(text, tz, now, what, date=True)
    if typed.has_time:
        raise InputError("error.bad_date", what=what, value=_shown(text))
    return typed.at.date()


def read_typed(text: str, tz: ZoneInfo, now: datetime | None, what: str, date: bool = False) -> Typed:
    """Parse text as the module docstring says; ``now`` None means no relative form is allowed.
    Refuses (InputError, exit 2) with a message naming the accepted forms (of a date when
    ``date``); never raises anything else."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    raw = " ".join(raw.split())
    try:
        typed = _grammar(raw, tz, now) or _iso(raw, tz)
    except _Relative:
        raise InputError("error.relative_now", what=what, value=_shown(text)) from None
    except (ValueError, OverflowError):
        typed = None
    if typed is None or not MIN_YEAR <= typed.at.year <= MAX_YEAR:
        if now is None:
            raise InputError("error.bad_now", what=what, value=_shown(text))
        raise InputError("error.bad_date" if date else "error.bad_time", what=what, value=_shown(text))
    return typed


class _Relative(Exception):
    """A relative form where none is allowed (``--now``)."""


def _grammar(raw: str, tz: ZoneInfo, now: datetime | None) -> Typed | None:
    """The forms of the module docstring other than ISO with an offset; None if raw is none of them."""
    day, rest = _day_part(raw, now)
    rest = rest.strip().removeprefix("t").strip() if day is not None else rest
    clock = _clock_part(rest) if rest else None
    if rest and clock is None:
        return None
    if day is None:
        if clock is None:
            return None
        if now is None:
            raise _Relative
        day = now.date()
    hour, minute, second = clock or (0, 0, 0)
    at = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)
    return Typed(at, clock is not None)


def _day_part(raw: str, now: datetime | None) -> tuple[date | None, str]:
    """The day at the start of raw (None when it starts with none) and what follows it."""
    if m := _YEAR_DATE.match(raw):
        month, day = (m.group(3), m.group(4)) if m.group(2) else (m.group(5), m.group(6))
        return date(int(m.group(1)), int(month), int(day)), raw[m.end():]
    if m := _RELATIVE.match(raw):
        if now is None:
            raise _Relative
        return now.date() + timedelta(days=RELATIVE_DAYS[m.group(0)]), raw[m.end():]  # now is in the desk's zone
    m = _DAY_DATE.match(raw)
    if m and not _CLOCK.match(raw):
        if now is None:
            raise _Relative
        return date(now.year, int(m.group(1)), int(m.group(2) or m.group(3))), raw[m.end():]
    return None, raw


def _clock_part(rest: str) -> tuple[int, int, int] | None:
    """A time of day (``14:00``, ``14:00:30``, ``下午3点半``), or None."""
    if m := _CLOCK.fullmatch(rest):
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    elif m := _SPOKEN.fullmatch(rest):
        hour, minute, second = int(m.group(2)), 30 if m.group(4) else int(m.group(3) or 0), 0
        if m.group(1) in _AFTERNOON and hour < 12:
            hour += 12
    else:
        return None
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError
    return hour, minute, second


def _iso(raw: str, tz: ZoneInfo) -> Typed | None:
    """ISO 8601 forms the grammar does not cover (an offset, ``Z``, the basic format)."""
    if not raw or not raw[0].isdigit():
        return None
    try:
        if not (raw.isascii() and raw.isprintable()):
            raise ValueError  # (fromisoformat lets some controls through; isoparse refuses them)
        value = datetime.fromisoformat(raw.upper())  # the common forms, without importing dateutil
    except ValueError:
        from dateutil.parser import isoparse

        value = isoparse(raw.upper())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    value = value.astimezone(tz).replace(microsecond=0)
    return Typed(value, "T" in raw.upper() or " " in raw)


def _shown(text: str) -> str:
    from cstool.reports.render import shown

    return shown(text)
