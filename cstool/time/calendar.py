"""Business time: the desk's working hours, holidays and make-up workdays (调休).

All arithmetic happens in the desk's time zone on wall-clock working ranges. A business
day is as long as a normal Monday-to-Friday working day (08:30-17:30 → 9 hours), so
``2d`` of business time is 18 working hours and ``between`` can report days and hours
alike. Calendar durations (``24h calendar``) are plain elapsed time.

Holidays and make-up workdays come from two sources: China's official calendar (the
State Council's yearly notice, as kept by the ``chinesecalendar`` package) for every year
that package covers, unless the desk sets ``calendar.official: none``; and the desk's own
``calendar.holidays`` / ``calendar.extra_workdays``, which add to the official days and
win where the two disagree. A year neither source covers falls back to the weekday rule
(the hours of ``calendar.hours``); the calendar notes every such year it is asked about
(:data:`UNCOVERED`), so that a command can warn that its deadlines may be wrong.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cstool.config.schema import WEEKDAYS, Calendar
from cstool.errors import DeskError
from cstool.time.durations import Duration

MAX_DAYS = 20 * 366  # beyond any duration accepted (ten years); guards against a calendar with no working time


ROUNDING = 1e-6  # minutes

OFFICIAL_PACKAGE = "chinesecalendar"

# years a calendar was asked about that no source covers, since the last take_uncovered()
UNCOVERED: set[int] = set()


@dataclass(frozen=True)
class Official:
    """China's official holidays and make-up workdays, and the years they cover."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    first_year: int
    last_year: int
    version: str


@functools.cache
def official_calendar() -> Official:
    """The ``chinesecalendar`` package's days (loaded once per process)."""
    try:
        import chinese_calendar
        from chinese_calendar import constants
    except ImportError:
        raise DeskError("error.calendar.package", package=OFFICIAL_PACKAGE) from None
    years = [d.year for d in constants.holidays]
    ver = str(getattr(chinese_calendar, "__version__", "unknown"))
    return Official(frozenset(constants.holidays), frozenset(constants.workdays), min(years), max(years), ver)


def official_version() -> str:
    """What identifies the installed official calendar's data ('' without it), cheaply: the
    size and time of its table of dates, found without importing the package (nor
    ``importlib.metadata``, which costs more than a small command)."""
    import os
    from importlib.util import find_spec

    try:
        spec = find_spec("chinese_calendar")
        if spec is None or spec.origin is None:
            return ""
        st = os.stat(os.path.join(os.path.dirname(spec.origin), "constants.py"))
    except (ImportError, OSError, ValueError):
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


def take_uncovered() -> list[int]:
    """The uncovered years noted since the last call, sorted; the note is cleared."""
    years = sorted(UNCOVERED)
    UNCOVERED.clear()
    return years


class BusinessCalendar:
    """Working ranges per day, and adding/measuring business time."""

    def __init__(self, calendar: Calendar, tz: ZoneInfo):
        self.cal = calendar
        self.tz = tz
        self.day_minutes = sum(e - s for s, e in calendar.extra_workday_hours) or 540
        self._added: dict[tuple[datetime, Duration], datetime] = {}
        self._midnights: dict[date, datetime] = {}
        desk_years = {d.year for d in calendar.holidays | calendar.extra_workdays}
        self.official: Official | None = None
        if calendar.official == "cn":
            off = self.official = official_calendar()
            self.holidays = (off.holidays - calendar.extra_workdays) | calendar.holidays
            self.workdays = (off.workdays - calendar.holidays) | calendar.extra_workdays
            self.covered: frozenset[int] | None = frozenset(range(off.first_year, off.last_year + 1)) | desk_years
        else:
            self.holidays, self.workdays = calendar.holidays, calendar.extra_workdays
            # a desk off the official calendar that lists no day at all keeps the weekday rule on purpose
            self.covered = frozenset(desk_years) if desk_years else None

    def is_covered(self, year: int) -> bool:
        """Does a source of holidays and make-up workdays cover the year?"""
        return self.covered is None or year in self.covered

    def _note(self, first: int, last: int) -> None:
        if self.covered is not None:
            UNCOVERED.update(y for y in range(first, last + 1) if y not in self.covered)

    def ranges(self, day: date) -> tuple[tuple[int, int], ...]:
        """Working ranges of a local date, in minutes after midnight."""
        if self.covered is not None and day.year not in self.covered:
            UNCOVERED.add(day.year)
        return self._ranges(day)

    def _ranges(self, day: date) -> tuple[tuple[int, int], ...]:
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.cal.hours[WEEKDAYS[day.weekday()]] or self.cal.extra_workday_hours
        return self.cal.hours[WEEKDAYS[day.weekday()]]

    def source(self, day: date) -> str:
        """Where a day's kind comes from: desk (the config's lists), official, or weekday (the hours)."""
        if day in self.cal.holidays or day in self.cal.extra_workdays:
            return "desk"
        if self.official is not None and (day in self.official.holidays or day in self.official.workdays):
            return "official"
        return "weekday"

    def kind(self, day: date) -> str:
        """holiday, makeup (a make-up workday), workday or rest (a day with no hours by the weekday rule)."""
        if day in self.holidays:
            return "holiday"
        if day in self.workdays:
            return "makeup"
        return "workday" if self.cal.hours[WEEKDAYS[day.weekday()]] else "rest"

    def is_working(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        minute = local.hour * 60 + local.minute
        return any(s <= minute < e for s, e in self.ranges(local.date()))

    def _at(self, day: date, minute: int) -> datetime:
        naive = datetime.combine(day, time()) + timedelta(minutes=minute)
        return naive.replace(tzinfo=self.tz)

    def _midnight(self, day: date) -> datetime:
        """``_at(day, 0)``, made once per day (a backlog's deadlines fall on a few hundred days)."""
        found = self._midnights.get(day)
        if found is None:
            found = self._midnights[day] = self._at(day, 0)
        return found

    def minutes_of(self, d: Duration) -> int:
        """A business duration in working minutes."""
        return d.minutes + d.days * self.day_minutes

    def add(self, start: datetime, d: Duration) -> datetime:
        """The moment d after start (business time unless d is calendar time). The answer
        depends only on the moment start is and on d, so it is worked out once for each (an
        import gives thousands of tickets the same start and the same few targets)."""
        key = (start, d)
        found = self._added.get(key)
        if found is None:
            found = self._add(start, d)
            if len(self._added) < 10_000:
                self._added[key] = found
        elif not d.calendar:  # the days counted were those of these years: noted as the first time
            self._note(start.astimezone(self.tz).year, found.astimezone(self.tz).year)
        return found

    def _add(self, start: datetime, d: Duration) -> datetime:
        if d.calendar:
            local = start.astimezone(self.tz)
            naive = local.replace(tzinfo=None) + timedelta(days=d.days, minutes=d.minutes)
            return naive.replace(tzinfo=self.tz)
        return self.add_minutes(start, self.minutes_of(d))

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment after `minutes` working minutes counted from start."""
        local = start.astimezone(self.tz)
        day = local.date()
        offset = (local - self._midnight(day)).total_seconds() / 60
        remaining = float(minutes)
        for _ in range(MAX_DAYS):
            for s, e in self.ranges(day):
                if e <= offset:
                    continue
                begin = max(s, offset)
                room = e - begin
                if remaining <= room + ROUNDING:
                    # to the second, as times are kept: float noise from a start with seconds
                    # must not carry a deadline at a range's end over to the next range
                    return self._midnight(day) + timedelta(seconds=round((begin + min(remaining, room)) * 60))
                remaining -= room
            day += timedelta(days=1)
            offset = 0
        raise DeskError("error.calendar.no_work", days=MAX_DAYS, day=start.isoformat())

    def between(self, a: datetime, b: datetime) -> float:
        """Working minutes from a to b (negative when b is before a)."""
        if b < a:
            return -self.between(b, a)
        la, lb = a.astimezone(self.tz), b.astimezone(self.tz)
        da, db = la.date(), lb.date()
        lo = (la - self._midnight(da)).total_seconds() / 60
        hi = (lb - self._midnight(db)).total_seconds() / 60
        if da == db:
            return self._within(da, lo, hi)
        # the first day's rest, whole days between (from running totals), the last day's start
        middle = 0
        self._note(da.year, db.year)
        if db > da + timedelta(days=1):
            self._cover(da.toordinal(), db.toordinal())  # both totals from one table
            middle = self._cumulative(db) - self._cumulative(da + timedelta(days=1))
        return self._within(da, lo, 24 * 60) + middle + self._within(db, 0, hi)

    def _within(self, day: date, lo: float, hi: float) -> float:
        total = 0.0
        for s, e in self.ranges(day):
            overlap = min(e, hi) - max(s, lo)
            if overlap > 0:
                total += overlap
        return total

    def _cover(self, lo: int, hi: int) -> None:
        """Make the running-totals table span the day ordinals lo..hi (with a margin)."""
        table = getattr(self, "_table", None)
        if table is not None and table[0] <= lo and hi <= table[0] + len(table[1]) - 1:
            return
        first = min(lo, table[0] if table else lo) - 400
        last = max(hi, (table[0] + len(table[1]) - 1) if table else hi) + 400
        sums = [0]
        for n in range(first, last):
            sums.append(sums[-1] + sum(e - s for s, e in self._ranges(date.fromordinal(n))))
        self._table = (first, sums)

    def _cumulative(self, day: date) -> int:
        """Working minutes of all days before `day`, counted from the table's origin."""
        ordinal = day.toordinal()
        self._cover(ordinal, ordinal)
        first, sums = self._table
        return sums[ordinal - first]

    def end_of_working_day(self, day: date) -> datetime:
        """The end of the day's working time, or of the next working day's when it has none."""
        for _ in range(MAX_DAYS):
            ranges = self.ranges(day)
            if ranges:
                return self._at(day, max(e for _, e in ranges))
            day += timedelta(days=1)
        raise DeskError("error.calendar.no_work", days=MAX_DAYS, day=day.isoformat())

    def previous_shift_end(self, now: datetime) -> datetime:
        """Where a shift handover starts: the end of the working day before the one in
        progress (or, outside working hours, before the last one that began). At Monday
        08:35 that is Friday's close of business, or the close of the last working day
        before it when Friday was a holiday; make-up workdays count as working days."""
        local = now.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_DAYS):
            ranges = self.ranges(day)
            if ranges and self._at(day, min(s for s, _ in ranges)) <= local:
                break
            day -= timedelta(days=1)
        for _ in range(MAX_DAYS):
            day -= timedelta(days=1)
            ranges = self.ranges(day)
            if ranges:
                return self._at(day, max(e for _, e in ranges))
        raise DeskError("error.calendar.no_working_time", days=MAX_DAYS, day=local.date().isoformat())

    def elapsed(self, a: datetime, b: datetime, d: Duration) -> float:
        """Minutes from a to b in the same kind of time as d (business or calendar)."""
        if d.calendar:
            return (b - a).total_seconds() / 60
        return self.between(a, b)

    def target_minutes(self, d: Duration) -> float:
        """A duration's length in minutes of its own kind."""
        if d.calendar:
            return d.minutes + d.days * 24 * 60
        return self.minutes_of(d)


_LAST_CALENDAR: list[tuple[Any, BusinessCalendar]] = []  # many tickets made at once (an import) share one


def calendar_of(config: Any) -> BusinessCalendar:
    """The desk's business calendar (working hours, holidays, make-up workdays) in its time
    zone; the same object again for the same config."""
    if _LAST_CALENDAR and _LAST_CALENDAR[0][0] is config:
        return _LAST_CALENDAR[0][1]
    cal = BusinessCalendar(config.calendar, config.tz)
    _LAST_CALENDAR[:] = [(config, cal)]
    return cal


def hours_text(ranges: tuple[tuple[int, int], ...]) -> str:
    """Working ranges as ``08:30-12:00, 13:00-17:30`` ('' for none)."""
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in ranges)


def parse_span(text: str | None, today: date) -> tuple[date, date, str]:
    """``2027`` (a year) or ``2027-01`` (a month), default this year: its first and last day and its label."""
    import re

    from cstool.errors import InputError

    text = (text or str(today.year)).strip()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m.group(1))
        if year < 1:
            raise InputError("error.calendar.year", value=repr(text))
        return date(year, 1, 1), date(year, 12, 31), text
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if year < 1 or not 1 <= month <= 12:
            raise InputError("error.calendar.month", value=repr(text))
        nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return date(year, month, 1), nxt - timedelta(days=1), text
    raise InputError("error.calendar.span", value=repr(text))


def calendar_days(cal: BusinessCalendar, first: date, last: date) -> list[dict[str, object]]:
    """Every day from first to last: its kind, working hours, whether it is a working day and
    where that comes from (desk, official or weekday)."""
    out: list[dict[str, object]] = []
    day = first
    while day <= last:
        ranges = cal._ranges(day)
        out.append({"date": day.isoformat(), "weekday": WEEKDAYS[day.weekday()], "kind": cal.kind(day),
                    "working": bool(ranges), "hours": hours_text(ranges), "source": cal.source(day),
                    "covered": cal.is_covered(day.year)})
        day += timedelta(days=1)
    return out
