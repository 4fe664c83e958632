"""The one clock: the system time (or ``--now`` / ``CSTOOL_NOW``, read by
:mod:`cstool.time.typed`), and timestamp text.

Timestamps in files are ISO 8601 with the UTC offset of the desk's time zone, to the
second (``2026-11-22T09:30:00+08:00``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from cstool.errors import InputError
from cstool.reports.render import shown


def parse_time(text: str, tz: ZoneInfo, what: str = "--now") -> datetime:
    """Parse an ISO 8601 time as files hold it (date alone means midnight); naive times are in
    tz. Times a user types go through :mod:`cstool.time.typed` instead."""
    raw = (text or "").strip()
    try:
        if not raw or not raw[0].isdigit():
            raise ValueError
        if _COMMON.fullmatch(raw):
            value = datetime.fromisoformat(raw)  # the common forms, without importing dateutil
        else:
            from dateutil.parser import isoparse

            value = isoparse(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        value = value.astimezone(tz).replace(microsecond=0)
        if not 1900 <= value.year <= 2999:
            raise ValueError
    except (ValueError, OverflowError):
        raise InputError("error.time", what=what, value=shown(text)) from None
    return value


def now(tz: ZoneInfo) -> datetime:
    """The current time in the desk's zone (``--now``, read by :func:`cstool.time.typed.read_now`, overrides it)."""
    return datetime.now(UTC).astimezone(tz).replace(microsecond=0)


def stamp(value: datetime) -> str:
    """Format a time for a file: ISO 8601 to the second with its UTC offset."""
    return value.replace(microsecond=0).isoformat()


def read_stamp(value: object, tz: ZoneInfo) -> datetime | None:
    """Read a timestamp from a file (text, or a date/datetime a hand edit left unquoted)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    return _read_text(str(value), tz)


# 2026-11-22, 2026-11-22T09:30, 2026-11-22 09:30:00+08:00 (cstool's own form) …: what the
# standard library reads, many times faster and exactly as dateutil's isoparse does
_COMMON = re.compile(r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?)?", re.ASCII)


@lru_cache(maxsize=8192)  # a ticket's times are read several times over (clocks, audit)
def _read_text(text: str, tz: ZoneInfo) -> datetime:
    return parse_time(text, tz, "timestamp")
