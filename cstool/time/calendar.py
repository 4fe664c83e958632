"""Business time: the desk's working hours, holidays and make-up workdays (调休).

All arithmetic happens in the desk's time zone on wall-clock working ranges. A business
day is as long as a normal Monday-to-Friday working day (08:30-17:30 → 9 hours), so
``2d`` of business time is 18 working hours and ``between`` can report days and hours
alike. Calendar durations (``24h calendar``) are plain elapsed time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cstool.config.schema import WEEKDAYS, Calendar
from cstool.errors import DeskError
from cstool.time.durations import Duration

MAX_DAYS = 20 * 366  # beyond any duration accepted (ten years); guards against a calendar with no working time


ROUNDING = 1e-6  # minutes


class BusinessCalendar:
    """Working ranges per day, and adding/measuring business time."""

    def __init__(self, calendar: Calendar, tz: ZoneInfo):
        self.cal = calendar
        self.tz = tz
        self.day_minutes = sum(e - s for s, e in calendar.extra_workday_hours) or 540

    def ranges(self, day: date) -> tuple[tuple[int, int], ...]:
        """Working ranges of a local date, in minutes after midnight."""
        if day in self.cal.holidays:
            return ()
        if day in self.cal.extra_workdays:
            return self.cal.hours[WEEKDAYS[day.weekday()]] or self.cal.extra_workday_hours
        return self.cal.hours[WEEKDAYS[day.weekday()]]

    def is_working(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        minute = local.hour * 60 + local.minute
        return any(s <= minute < e for s, e in self.ranges(local.date()))

    def _at(self, day: date, minute: int) -> datetime:
        naive = datetime.combine(day, time()) + timedelta(minutes=minute)
        return naive.replace(tzinfo=self.tz)

    def minutes_of(self, d: Duration) -> int:
        """A business duration in working minutes."""
        return d.minutes + d.days * self.day_minutes

    def add(self, start: datetime, d: Duration) -> datetime:
        """The moment d after start (business time unless d is calendar time)."""
        if d.calendar:
            local = start.astimezone(self.tz)
            naive = local.replace(tzinfo=None) + timedelta(days=d.days, minutes=d.minutes)
            return naive.replace(tzinfo=self.tz)
        return self.add_minutes(start, self.minutes_of(d))

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment after `minutes` working minutes counted from start."""
        local = start.astimezone(self.tz)
        day = local.date()
        offset = (local - self._at(day, 0)).total_seconds() / 60
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
                    return self._at(day, 0) + timedelta(seconds=round((begin + min(remaining, room)) * 60))
                remaining -= room
            day += timedelta(days=1)
            offset = 0
        raise DeskError(f"the calendar has no working time in the {MAX_DAYS} days after {start.isoformat()}")

    def between(self, a: datetime, b: datetime) -> float:
        """Working minutes from a to b (negative when b is before a)."""
        if b < a:
            return -self.between(b, a)
        la, lb = a.astimezone(self.tz), b.astimezone(self.tz)
        da, db = la.date(), lb.date()
        lo = (la - self._at(da, 0)).total_seconds() / 60
        hi = (lb - self._at(db, 0)).total_seconds() / 60
        if da == db:
            return self._within(da, lo, hi)
        # the first day's rest, whole days between (from running totals), the last day's start
        middle = 0
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
            sums.append(sums[-1] + sum(e - s for s, e in self.ranges(date.fromordinal(n))))
        self._table = (first, sums)

    def _cumulative(self, day: date) -> int:
        """Working minutes of all days before `day`, counted from the table's origin."""
        ordinal = day.toordinal()
        self._cover(ordinal, ordinal)
        first, sums = self._table
        return sums[ordinal - first]

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
