"""The period's statistics (the audit figures), each defined once, here; docs/metrics.md
says the same in words, with a worked example that a test reproduces.

``period`` is [start, end); its cut-off is the earlier of its end and now. A ticket's
history gives, once, the moments at which it enters each metric's population
(:func:`ticket_moments`); a period's facts (:class:`Facts`) are those moments compared
with the period. Each population is decided by one moment, so the counts of consecutive
periods add up to their union's, and each rate's numerator is a part of its denominator.
The figures are gathered from one list per population (:class:`Populations`), made from
each ticket's facts or, for ``cstool audit``, read from the moments the index keeps
(:func:`moment_rows`, :data:`MOMENT_SQL`: the same rules, in SQL):

- created / resolved / closed: tickets created, resolutions (a cycle's first resolve or
  close) and close events in the period; open: tickets open, in progress or pending at
  the cut-off; escalations by the level reached, in the period.
- times (:func:`_moment_facts`): first reply (creation → first reply, for first replies in
  the period), resolution per cycle (cycle start → resolution with time pending left
  out, the SLA time; for resolutions in the period), first resolution (creation → first
  resolution, tickets first resolved in the period) and full resolution (creation → last
  resolution, tickets resolved or closed now and last resolved in the period), in
  business minutes, the last two in calendar minutes too; median and P90 (nearest rank).
- SLA compliance (:func:`sla_compliance`): met ÷ (met + breached) over the clocks whose
  outcome falls in the period (:func:`_clocks`), open tickets' breached clocks included;
  ``open_breached`` says how many tickets open at the cut-off have one.
- reopen rate (:func:`reopen_rate`): of the resolutions in the period, the share reopened
  afterwards, up to now. One-touch rate (:func:`one_touch`): of the tickets solved in
  the period, those resolved with one reply and never reopened.
- follow-up calls (:func:`_calls`): completion (:func:`completion`) of the calls due in
  the period, done on time, late or not yet (up to now); satisfaction
  (:func:`satisfaction_rate`) = satisfied ÷ (satisfied + unsatisfied) over the calls
  finished in the period, per person for the agent who handled the ticket, the call
  itself for the caller.
- backlog by age: tickets open at the cut-off by calendar age (0–1 d, 1–3 d, 3–7 d, > 7 d).
- work orders: those first resolved in the period, on time (resolved by their due time)
  by urgency A/B/C; late days per receiving department: the late days (``work_orders.
  late_unit``, working days by default; any part of one counts) that begin inside the
  period, up to the work order's resolution or the cut-off.
- per person (:func:`agent_rows`): handled, resolved, resolved tickets, medians, SLA,
  follow-up calls and satisfaction.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import compress
from operator import itemgetter, truth
from typing import Any
from zoneinfo import ZoneInfo

from cstool.config.schema import Config
from cstool.domain.history import blank_state as history_blank
from cstool.domain.history import replay, step
from cstool.domain.states import WORKING
from cstool.errors import InputError
from cstool.time import sla
from cstool.time.calendar import BusinessCalendar
from cstool.time.clock import read_stamp

DIMENSIONS = ("group", "agent", "type", "channel", "category", "tier")
WORK_ORDER_CHANNEL = "work_order"
AGE_BUCKETS = (("0-1d", 1), ("1-3d", 3), ("3-7d", 7), (">7d", None))


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive
    label: str

    def __contains__(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def parse_period(text: str | None, start: str | None, end: str | None, tz: ZoneInfo, now: datetime) -> Period:
    """See :func:`_parse_period`; dates outside what a calendar can hold are refused."""
    try:
        return _parse_period(text, start, end, tz, now)
    except (ValueError, OverflowError):
        raise InputError("error.period.outside", period=text or f"{start}..{end}") from None


def _parse_period(text: str | None, start: str | None, end: str | None, tz: ZoneInfo, now: datetime) -> Period:
    """``2026-11`` (month), ``2026-W47`` (ISO week), ``2026-Q4`` (quarter), ``2026`` (year),
    ``2026-11-22`` (day), or --from/--to dates (both inclusive). Default: the current month."""
    if text and (start or end):
        raise InputError("error.period.both")
    if start or end:
        from cstool.time.typed import read_date

        d1 = read_date(start, tz, now, "--from") if start else None
        d2 = read_date(end, tz, now, "--to") if end else None
        d1 = d1 or date(now.year, now.month, 1)
        d2 = d2 or now.date()
        if d2 < d1:
            raise InputError("error.period.reversed", end=d2, start=d1)
        return Period(_midnight(d1, tz), _midnight(d2 + timedelta(days=1), tz), f"{d1}..{d2}")
    if not text:
        text = f"{now.year:04d}-{now.month:02d}"
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise InputError("error.period.month", value=repr(text), month=mo)
        first = date(y, mo, 1)
        nxt = date(y + (mo == 12), mo % 12 + 1, 1)
        return Period(_midnight(first, tz), _midnight(nxt, tz), text)
    if m := re.fullmatch(r"(\d{4})-Q(\d)", text, re.IGNORECASE):
        y, q = int(m.group(1)), int(m.group(2))
        if not 1 <= q <= 4:
            raise InputError("error.period.quarter", value=repr(text), q=q)
        first = date(y, 3 * q - 2, 1)
        nxt = date(y + (q == 4), (3 * q) % 12 + 1, 1)
        return Period(_midnight(first, tz), _midnight(nxt, tz), text.upper())
    if re.fullmatch(r"\d{4}", text):
        y = int(text)
        return Period(_midnight(date(y, 1, 1), tz), _midnight(date(y + 1, 1, 1), tz), text)
    if m := re.fullmatch(r"(\d{4})-W(\d{2})", text, re.IGNORECASE):
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise InputError("error.period.week", value=repr(text)) from None
        return Period(_midnight(monday, tz), _midnight(monday + timedelta(days=7), tz), text.upper())
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError("error.period.bad", value=repr(text)) from None
    return Period(_midnight(day, tz), _midnight(day + timedelta(days=1), tz), text)


def sub_periods(period: Period, now: datetime) -> list[Period]:
    """The days of a period, or for a period longer than 31 days its ISO weeks cut at the
    period's ends; those starting at or after now are left out (they have no figures yet).
    Each is a period of its own: its audit report gives that day's (week's) figures."""
    tz = period.start.tzinfo
    first, last = period.start.date(), period.end.date()  # last is exclusive
    weekly = (last - first).days > 31
    out = []
    day = first
    while day < last:
        nxt = min(day + timedelta(days=7 - day.weekday()), last) if weekly else day + timedelta(days=1)
        if not weekly:
            text = day.isoformat()
        elif (nxt - day).days == 7:
            year, week, _ = day.isocalendar()
            text = f"{year:04d}-W{week:02d}"
        else:
            text = f"{day}..{nxt - timedelta(days=1)}"
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        if start >= now:
            break
        out.append(Period(start, datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz), text))
        day = nxt
    return out


def previous_period(period: Period) -> Period:
    """The period before: the previous month for a month, the previous ISO week for a week,
    the previous quarter for a quarter, the previous year for a year, else as many days
    ending where this one starts."""
    tz = period.start.tzinfo
    first, last = period.start.date(), period.end.date()
    try:
        if re.fullmatch(r"\d{4}", period.label):
            start = date(first.year - 1, 1, 1)
            text = f"{start.year:04d}"
        elif re.fullmatch(r"\d{4}-Q\d", period.label):
            start = (first - timedelta(days=1)).replace(day=1)
            start = start.replace(month=start.month - 2)
            text = f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
        elif re.fullmatch(r"\d{4}-\d{2}", period.label):
            start = (first - timedelta(days=1)).replace(day=1)
            text = f"{start.year:04d}-{start.month:02d}"
        elif re.fullmatch(r"\d{4}-W\d{2}", period.label):
            start = first - timedelta(days=7)
            year, week, _ = start.isocalendar()
            text = f"{year:04d}-W{week:02d}"
        else:
            start = first - (last - first)
            end = first - timedelta(days=1)
            text = start.isoformat() if start == end else f"{start}..{end}"
    except (ValueError, OverflowError):
        raise InputError("error.period.before_outside", period=period.label) from None
    return Period(datetime(start.year, start.month, start.day, tzinfo=tz), period.start, text)


def resolution_rate(agent_row: dict[str, Any]) -> float | None:
    """A person's resolution rate %: of the tickets they handled in the period, those they
    resolved in it (an :func:`agent_rows` row); a ticket resolved again after a reopen
    counts once."""
    return rate(agent_row["resolved_tickets"], agent_row["handled"])


def median(values: list[float]) -> float | None:
    """The middle value (the mean of the two middle values for an even count)."""
    return _median_of_sorted(sorted(values))


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value with at least 90 % at or below it."""
    return _p90_of_sorted(sorted(values))


def _median_of_sorted(s: list[float]) -> float | None:
    if not s:
        return None
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


def _p90_of_sorted(s: list[float]) -> float | None:
    if not s:
        return None
    return s[max(math.ceil(0.9 * len(s)), 1) - 1]


def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


# --------------------------------------------------------------------------- per-ticket facts


@dataclass(slots=True)
class Facts:
    """What one ticket contributed to a period: each field is the ticket's part in the
    population of one metric (docs/metrics.md defines them)."""

    ticket: Any
    created_in: bool = False
    first_response: tuple[str, float] | None = None  # (who replied, business minutes)
    resolutions: list[tuple[str, float, bool]] = field(default_factory=list)  # (by, active minutes, reopened since?)
    first_resolution: tuple[float, float] | None = None  # (calendar minutes, business minutes)
    full_resolution: tuple[float, float, bool] | None = None  # (calendar minutes, business minutes, one-touch?)
    clocks: list[tuple[str, str, bool]] = field(default_factory=list)  # (kind, whose, met?)
    closes: int = 0
    escalations: list[int] = field(default_factory=list)
    calls_due: list[bool | None] = field(default_factory=list)  # per call due: done on time, late, not done (None)
    calls_finished: list[tuple[str, str, str]] = field(default_factory=list)  # (caller, result, handler)
    calls_pending: int = 0
    calls_overdue: int = 0
    open_at_cutoff: bool = False
    breached_at_cutoff: bool = False
    age_days: float = 0.0
    actors: set[str] = field(default_factory=set)
    work_order: dict[str, Any] | None = None


_KEPT = ("type", "category", "priority", "group", "assignee", "channel")


def _slim(ticket: Any) -> dict[str, Any]:
    """The fields of a ticket the report reads (a period's facts stay small in memory)."""
    return {**{k: ticket.get(k) for k in _KEPT}, "customer": {"tier": (ticket.get("customer") or {}).get("tier")}}


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def ticket_facts(ticket: Any, config: Config, cal: BusinessCalendar, period: Period, now: datetime) -> Facts:
    """What one ticket contributed to a period (see :func:`ticket_base` and :func:`facts_at`)."""
    return facts_at(ticket_base(ticket, cal), cal, period, now)


def ticket_base(ticket: Any, cal: BusinessCalendar) -> dict[str, Any]:
    """What a ticket can contribute to any period, worked out once (the index keeps it as
    its moments, :func:`moment_rows`), with times as POSIX seconds: the moments of :func:`ticket_moments`, the events, the
    status after each event, and the work order's due and resolution times.
    :func:`facts_at` then needs only comparisons with the period.

    A history with a missing time or times out of order keeps the whole ticket instead,
    and its facts are worked out from it for each period (:func:`_facts_from_ticket`)."""
    tz = cal.tz
    created = read_stamp(ticket.get("created"), tz)
    history = list(ticket.get("history") or [])
    read = [read_stamp(ev.get("at") if isinstance(ev, dict) else None, tz) for ev in history]
    times = [t for t in read if t is not None]
    if created is None or len(times) < len(read) or any(a > b for a, b in zip(times, times[1:])):
        return {"whole": ticket}
    base: dict[str, Any] = {"slim": _slim(ticket), "created": created.timestamp(), "times": [t.timestamp() for t in times]}
    base.update(ticket_moments(ticket, history, list(read), created, cal))
    base["events"] = [[ev.get("by"), ev.get("action"), ev.get("to")] for ev in history]
    state = history_blank()
    statuses = []
    for ev in history:
        step(state, ev)
        statuses.append(state["status"])
    base["statuses"] = statuses
    if ticket.get("type") == "work_order":
        base["wo_due"] = _ts(read_stamp(ticket.get("due"), tz))
        base["wo_resolved"] = _first_resolution_at(history, read)
    return base


def _first_resolution_at(history: list, times: list[datetime | None]) -> float | None:
    """When the ticket was first resolved or closed (POSIX seconds), or None."""
    return next((_ts(at) for ev, at in zip(history, times) if ev.get("action") in ("resolve", "close") and at), None)


def ticket_moments(ticket: Any, history: list, times: list[datetime | None], created: datetime,
                   cal: BusinessCalendar) -> dict[str, Any]:
    """The moments (POSIX seconds) at which a ticket enters each metric's population,
    worked out from its history (``times``: each event's time, None when unreadable):

    - ``first_response``: [at, who, business minutes from creation] of the first reply;
    - ``replies``: when each reply was made;
    - ``cycles``: each resolution cycle (creation or reopen → first resolve or close) as
      [start, end, last on-time moment, pauses, resolver, active business minutes (挂起
      left out), calendar minutes from creation to the end, business minutes from
      creation to the end] (:func:`_cycle_rows`);
    - ``clocks``: each SLA clock's outcome (:func:`_clocks`);
    - ``calls``: each follow-up call (:func:`_calls`)."""
    sla_data = ticket.get("sla") or {}
    fr_target = sla.parse_target(sla_data.get("first_response_target"))
    res_target = sla.parse_target(sla_data.get("resolution_target"))
    fr_due = None
    if fr_target is not None:
        fr_due = read_stamp(sla_data.get("first_response_due"), cal.tz) or cal.add(created, fr_target)
        fr_due = sla.late_after(cal, fr_due, fr_target)  # the last on-time moment
    first = next((i for i, ev in enumerate(history) if ev.get("action") == "reply"), None)
    at = times[first] if first is not None else None
    first_response = None
    if first is not None and at is not None:
        first_response = [at.timestamp(), str(history[first].get("by")), cal.between(created, at)]
    cycles = _cycle_rows(history, times, created, res_target, cal)
    return {
        "first_reply": first, "fr_due": _ts(fr_due), "first_response": first_response,
        "replies": [at.timestamp() for ev, at in zip(history, times) if at is not None and ev.get("action") == "reply"],
        "cycles": cycles,
        "clocks": _clocks(history, times, fr_due, cycles if res_target is not None else []),
        "calls": _calls(history, cal.tz),
    }


def _cycle_rows(history: list, times: list[datetime | None], created: datetime, res_target: Any,
                cal: BusinessCalendar) -> list[list[Any]]:
    """Each resolution cycle (see :func:`ticket_moments`). Its last on-time moment is
    measured as if the cycle never ended and was never paused after the last event: up to
    any cut-off before its end the cycle measures the same, so its target is passed by a
    cut-off exactly when that moment is before it."""
    enders = [(at, ev) for ev, at in zip(history, times) if ev.get("action") in ("resolve", "close")]
    rows = []
    for cycle in sla.cycles(history, cal.tz, times):
        end = cycle["end"]
        reached = None
        if res_target is not None:
            breach = sla.open_breach(cycle, res_target, cal)
            reached = sla.late_after(cal, breach, res_target).timestamp() if breach is not None else None
        row = [cycle["start"].timestamp(), _ts(end), reached, [[_ts(a), _ts(b)] for a, b in cycle["pauses"]],
               None, None, None, None]
        if end is not None:
            row[4:] = [next((str(ev.get("by")) for at, ev in enders if at == end), ""),
                       sla.active_minutes(cycle, cal, end), (end - created).total_seconds() / 60,
                       cal.between(created, end)]
        rows.append(row)
    return rows


def _clocks(history: list, times: list[datetime | None], fr_due: datetime | None,
            cycles: list[list[Any]]) -> list[list[Any]]:
    """Each SLA clock's outcome as [moment, met?, whose, kind]: a clock counts once, at
    the moment it was met (the first reply; the cycle's resolution, by whoever gave it)
    or breached (its last on-time moment passed while it ran, whether the ticket is
    still open or not). The first-reply clock runs from creation to the first reply,
    and stops without an outcome when the ticket is resolved in time without one; a
    resolution clock runs per cycle, paused while 挂起 (pending). A clock still running
    and not yet breached has no outcome. A clock met is whoever stopped it; a clock
    breached, the ticket's assignee when it breached."""
    out: list[list[Any]] = []
    if fr_due is not None:
        stop = next(((at, ev) for ev, at in zip(history, times)
                     if at is not None and ev.get("action") in ("reply", "resolve", "close")), None)
        if stop is None or stop[0] > fr_due:
            out.append([fr_due.timestamp(), False, _assignee_at(history, times, fr_due.timestamp()), "first_response"])
        elif stop[1].get("action") == "reply":
            out.append([stop[0].timestamp(), True, str(stop[1].get("by")), "first_response"])
    for _, end, reached, _, by, *_ in cycles:
        if reached is not None and (end is None or end > reached):
            out.append([reached, False, _assignee_at(history, times, reached), "resolution"])
        elif end is not None:
            out.append([end, True, by, "resolution"])
    return out


def _assignee_at(history: list, times: list[datetime | None], moment: float) -> str | None:
    """The ticket's assignee after its events up to ``moment`` (POSIX seconds)."""
    state = history_blank()
    for ev, at in zip(history, times):
        if at is not None and at.timestamp() <= moment:
            step(state, ev)
    return state["assignee"]


def _calls(history: list, tz: Any) -> list[list[Any]]:
    """Each follow-up call (回访) as [due, done, result, caller, handler]: due is when the
    call falls due (an unreachable attempt moves it to the next attempt's time), done when
    it was finished (reached, or the last attempt unreachable), result what the customer
    said (a call-back after the last unreachable attempt gives it, and keeps the done
    time: still one call), the caller who made the last attempt, and the handler: the
    ticket's assignee when it was last resolved or closed before the call was done."""
    state = history_blank()
    handler = None
    handlers: dict[int, Any] = {}
    for ev in history:
        step(state, ev)
        if ev.get("action") in ("resolve", "close"):
            handler = state["assignee"]
        elif ev.get("action") == "followup":
            for i, call in enumerate(state["followups"]):
                if call.get("done_at") and i not in handlers:
                    handlers[i] = handler
    return [[_ts(read_stamp(c.get("due"), tz)), _ts(read_stamp(c.get("done_at"), tz)), c.get("result"),
             c.get("by"), handlers.get(i)] for i, c in enumerate(state["followups"])]


def facts_at(base: dict[str, Any], cal: BusinessCalendar, period: Period, now: datetime) -> Facts:
    """A ticket's facts for a period, from its :func:`ticket_base`."""
    if "whole" in base:
        return _facts_from_ticket(base["whole"], cal, period, now)
    start, end, now_ts = _bounds(period, now)
    cutoff = min(end, now_ts)
    facts = Facts(base["slim"])
    facts.created_in = start <= base["created"] < end
    times = base["times"]
    _count_events(facts, base["events"][bisect_left(times, start):bisect_left(times, end)])
    _moment_facts(facts, base, start, end, now_ts)
    _base_state_at_cutoff(facts, base, cutoff)
    if base.get("wo_due") is not None:
        facts.work_order = _work_order_facts(base["wo_due"], base.get("wo_resolved"), start, end, cutoff,
                                             facts.open_at_cutoff)
    return facts


_BOUNDS: dict[tuple[int, int], tuple[Period, datetime, tuple[float, float, float]]] = {}


def _bounds(period: Period, now: datetime) -> tuple[float, float, float]:
    """The period's start and end and now as POSIX seconds, worked out once per report
    (converting an aware time, or even hashing one, is slow next to the comparisons they
    serve): kept by the identity of the objects, which the entry holds on to."""
    key = (id(period), id(now))
    kept = _BOUNDS.get(key)
    if kept is not None and kept[0] is period and kept[1] is now:
        return kept[2]
    if len(_BOUNDS) > 64:
        _BOUNDS.clear()
    bounds = (period.start.timestamp(), period.end.timestamp(), now.timestamp())
    _BOUNDS[key] = (period, now, bounds)
    return bounds


def _moment_facts(facts: Facts, m: dict[str, Any], start: float, end: float, now: float) -> None:
    """Add the ticket's part in each metric's population (:func:`ticket_moments`) for the
    period [start, end) looked at ``now``: events count in the period they happened in;
    clock outcomes and finished calls up to the cut-off; whether a resolution was reopened
    and whether a call due in the period was done, up to now."""
    cutoff = min(end, now)
    fr = m["first_response"]
    if fr is not None and start <= fr[0] < end:
        facts.first_response = (fr[1], fr[2])
    cycles = m["cycles"]
    for i, c in enumerate(cycles):
        if c[1] is not None and start <= c[1] < end:
            facts.resolutions.append((c[4], c[5], i + 1 < len(cycles) and cycles[i + 1][0] < now))
    if cycles and cycles[0][1] is not None and start <= cycles[0][1] < end:
        facts.first_resolution = (cycles[0][6], cycles[0][7])
    begun = [c for c in cycles if c[0] < now]
    if begun and begun[-1][1] is not None and begun[-1][1] < now and start <= begun[-1][1] < end:
        one_touch = len(begun) == 1 and sum(1 for t in m["replies"] if t < now) == 1
        facts.full_resolution = (begun[-1][6], begun[-1][7], one_touch)
    whose = str(facts.ticket.get("assignee") or "")
    facts.clocks = [(kind, by or whose, met) for moment, met, by, kind in m["clocks"] if start <= moment < cutoff]
    for due, done, result, by, handler in m["calls"]:
        if due is not None and start <= due < end:
            facts.calls_due.append(None if done is None or done >= now else done <= due)
        if done is not None and start <= done < cutoff:
            facts.calls_finished.append((str(by), str(result), str(handler or "")))
        if due is not None and (done is None or done >= cutoff):
            facts.calls_pending += 1
            facts.calls_overdue += due < cutoff


def _work_order_facts(due: float, resolved: float | None, start: float, end: float, cutoff: float,
                      open_at_cutoff: bool) -> dict[str, Any] | None:
    """A work order's part in a period (POSIX seconds): on time if resolved in it, and the
    stretch of its lateness inside it (``late``: from, until), whose late days the report
    counts in the desk's unit (:func:`cstool.time.sla.late_days`)."""
    on_time = resolved <= due if resolved is not None and start <= resolved < end else None
    stop = min(resolved, cutoff) if resolved is not None else (cutoff if open_at_cutoff else None)
    since = max(start, due)
    late = [due, since, stop] if stop is not None and stop > since else None
    if on_time is None and late is None:
        return None
    return {"on_time": on_time, "late": late}


def _count_events(facts: Facts, events: list) -> None:
    """Add a period's events ([by, action, to] as :func:`ticket_base` keeps them) to the facts."""
    for by, action, to in events:
        if by:
            facts.actors.add(str(by))
        if action == "close":
            facts.closes += 1
        elif action == "escalate":
            facts.escalations.append(int(to or 0))


def _base_state_at_cutoff(facts: Facts, base: dict[str, Any], cutoff: float) -> None:
    """Open at the cut-off, its age, and whether a clock had breached by then."""
    facts.open_at_cutoff, facts.age_days, facts.breached_at_cutoff = _cutoff_state(base, cutoff)


def _cutoff_state(base: dict[str, Any], cutoff: float) -> tuple[bool, float, bool]:
    """(open at the cut-off, its age in days, whether a clock had breached by then) of a
    ticket's base: (False, 0.0, False) when it is not open."""
    times, created = base["times"], base["created"]
    # state at the cut-off: the events before it are a prefix (times are in order)
    k = bisect_left(times, cutoff)
    status = base["statuses"][k - 1] if k else None
    if status not in WORKING or created >= cutoff:
        return False, 0.0, False
    age = (cutoff - created) / 86400
    first = base["first_reply"]
    answered = first is not None and first < k
    if base["fr_due"] is not None and not answered and sla.late(base["fr_due"], cutoff):
        return True, age, True
    started = [c for c in base["cycles"] if c[0] < cutoff]
    if started:
        _, ended, reached, pauses, *_ = started[-1]
        paused = [p for p in pauses if p[0] < cutoff]
        paused_now = bool(paused) and (paused[-1][1] is None or paused[-1][1] >= cutoff)
        running = ended is None or ended >= cutoff
        if running and not paused_now and reached is not None and sla.late(reached, cutoff):
            return True, age, True
    return True, age, False


def _facts_from_ticket(ticket: Any, cal: BusinessCalendar, period: Period, now: datetime) -> Facts:
    """A ticket's facts for a period worked out from the ticket itself (any history)."""
    tz = cal.tz
    cutoff = min(period.end, now)
    facts = Facts(_slim(ticket))
    created = read_stamp(ticket.get("created"), tz)
    facts.created_in = created in period
    history = list(ticket.get("history") or [])
    times = [read_stamp(ev.get("at"), tz) for ev in history]
    _count_events(facts, [[ev.get("by"), ev.get("action"), ev.get("to")] for ev, at in zip(history, times)
                          if at in period])
    if created is not None:
        _moment_facts(facts, ticket_moments(ticket, history, times, created, cal),
                      period.start.timestamp(), period.end.timestamp(), now.timestamp())
    _ticket_state_at_cutoff(facts, ticket, history, times, created, cal, cutoff)
    if ticket.get("type") == "work_order":
        due = read_stamp(ticket.get("due"), tz)
        if due is not None:
            facts.work_order = _work_order_facts(due.timestamp(), _first_resolution_at(history, times),
                                                 period.start.timestamp(), period.end.timestamp(), cutoff.timestamp(),
                                                 facts.open_at_cutoff)
    return facts


def _ticket_state_at_cutoff(facts: Facts, ticket: Any, history: list, times: list, created: datetime | None,
                            cal: BusinessCalendar, cutoff: datetime) -> None:
    """Open at the cut-off, its age, and whether a clock had breached by then (from the ticket)."""
    before = [ev for ev, at in zip(history, times) if (at or cutoff) < cutoff]
    state = replay(before)
    facts.open_at_cutoff = state["status"] in WORKING and created is not None and created < cutoff
    if facts.open_at_cutoff and created is not None:
        facts.age_days = (cutoff - created).total_seconds() / 86400
        snapshot = dict(ticket)
        snapshot["history"] = before
        snapshot["sla"] = {**dict(ticket.get("sla") or {}), "first_response_at": state["first_response_at"]}
        for clock in (sla.first_response(snapshot, cal, cutoff, ()), sla.resolution(snapshot, cal, cutoff, ())):
            if clock is not None and clock.state == "breached":
                facts.breached_at_cutoff = True


# --------------------------------------------------------------------------- moments, for the index

# Each ticket's base (:func:`ticket_base`) as rows the index keeps in SQL (:func:`moment_rows`),
# one per moment at which the ticket can enter a population: (kind, at, who, u, v, a, b, c, d,
# e, f, g), ``at`` in POSIX seconds and indexed with the kind, so that a period's populations
# are ranges of that index (:data:`MOMENT_SQL`); what each kind keeps is said with its query.
(M_CREATED, M_FIRST_RESPONSE, M_RESOLUTION, M_FIRST_RESOLUTION, M_FULL_RESOLUTION, M_CLOCK, M_CLOSE, M_ESCALATE,
 M_CALL_DUE, M_CALL_DONE, M_CALL_PENDING, M_ACTOR, M_OPEN, M_WORK_ORDER) = range(14)
MOMENT_COLUMNS = ("kind", "at", "who", "u", "v", "a", "b", "c", "d", "e", "f", "g")
NEVER = float("inf")


def moment_rows(base: dict[str, Any]) -> list[tuple]:
    """The rows the index keeps of a ticket's base for :data:`MOMENT_SQL` (none for a
    base that keeps the whole ticket: its facts are worked out from it for each period)."""
    if "whole" in base:
        return []
    rows: list[list[Any]] = [[M_CREATED, base["created"]]]
    fr = base["first_response"]
    if fr is not None:
        rows.append([M_FIRST_RESPONSE, fr[0], fr[1], None, None, fr[2]])
    rows += _cycle_moments(base["cycles"], base["replies"])
    whose = str(base["slim"].get("assignee") or "")
    rows += [[M_CLOCK, moment, by or whose, kind, None, int(met)] for moment, met, by, kind in base["clocks"]]
    acted: dict[str, list[float]] = {}
    for (by, action, to), at in zip(base["events"], base["times"]):
        if by:
            acted.setdefault(str(by), []).append(at)
        if action == "close":
            rows.append([M_CLOSE, at])
        elif action == "escalate":
            rows.append([M_ESCALATE, at, None, None, None, int(to or 0)])
    for due, done, result, by, handler in base["calls"]:
        if due is not None:
            rows.append([M_CALL_DUE, due, None, None, None, done])
            rows.append([M_CALL_PENDING, NEVER if done is None else done, None, None, None, due])
        if done is not None:
            rows.append([M_CALL_DONE, done, str(by), str(result), str(handler or "")])
    for who, times in acted.items():  # each time a person acted, with the time before (once per ticket in a period)
        ordered = sorted(set(times))
        rows += [[M_ACTOR, at, who, None, None, before] for at, before in zip(ordered, [-NEVER, *ordered])]
    rows += [[M_OPEN, hi, None, None, None, lo, int(breached), base["created"]] for lo, hi, breached in _open_spans(base)]
    if base.get("wo_due") is not None:
        resolved = base.get("wo_resolved")
        rows.append([M_WORK_ORDER, NEVER if resolved is None else resolved, None, None, None, base["wo_due"]])
    return [tuple(r + [None] * (len(MOMENT_COLUMNS) - len(r))) for r in rows]


def _cycle_moments(cycles: list[list[Any]], replies: list[float]) -> list[list[Any]]:
    """The resolutions of a ticket's cycles: each one (with the next cycle's start), the
    first, and each as the possible last resolution (with the earliest start of the cycles
    after and before it, and the first two replies, for one-touch)."""
    rows: list[list[Any]] = []
    starts = [c[0] for c in cycles]
    r1, r2 = (replies + [None, None])[:2]
    for i, c in enumerate(cycles):
        if c[1] is None:
            continue
        after, before = min(starts[i + 1:], default=None), min(starts[:i], default=None)
        rows.append([M_RESOLUTION, c[1], c[4], None, None, c[5], starts[i + 1] if i + 1 < len(cycles) else None])
        if i == 0:
            rows.append([M_FIRST_RESOLUTION, c[1], None, None, None, c[6], c[7]])
        rows.append([M_FULL_RESOLUTION, c[1], None, None, None, c[6], c[7], c[0], after, before, r1, r2])
    return rows


def _open_spans(base: dict[str, Any]) -> list[tuple[float, float, bool]]:
    """The cut-offs at which the ticket is open, as spans (after lo, up to hi) with
    whether a clock had breached by then: :func:`_cutoff_state` changes only just
    after one of the ticket's moments (each test it makes is ``moment < cut-off``), so it
    is worked out once per span between two of them."""
    points = {base["created"], *base["times"]}
    if base["fr_due"] is not None:
        points.add(base["fr_due"])
    for start, end, reached, pauses, *_ in base["cycles"]:
        points.update(t for t in (start, end, reached, *(t for p in pauses for t in p)) if t is not None)
    ordered = sorted(points)
    spans: list[list[Any]] = []
    for lo, hi in zip([-NEVER, *ordered], [*ordered, NEVER]):
        is_open, _, breached = _cutoff_state(base, hi if hi != NEVER else lo + 1.0)
        if not is_open:
            continue
        if spans and spans[-1][1] == lo and spans[-1][2] == breached:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi, breached])
    return [(lo, hi, breached) for lo, hi, breached in spans]


# A period's populations from the moments (named parameters: start, end, now, cutoff = the
# earlier of end and now), each query giving the rows of one list of :class:`Populations`
# led by the ticket's key ``t``. The rules are those of :func:`facts_at`.
_IN = "kind = {kind} AND at >= :start AND at < :end"
MOMENT_SQL: dict[str, str] = {
    # created in the period; the first reply (who, business minutes)
    "created": f"SELECT t FROM moments WHERE {_IN.format(kind=M_CREATED)}",
    "first_response": f"SELECT t, who, a FROM moments WHERE {_IN.format(kind=M_FIRST_RESPONSE)}",
    # each cycle's resolution (by, active minutes, reopened: the next cycle began before now)
    "resolutions": f"SELECT t, who, a, b IS NOT NULL AND b < :now FROM moments WHERE {_IN.format(kind=M_RESOLUTION)}",
    "first_resolution": f"SELECT t, a, b FROM moments WHERE {_IN.format(kind=M_FIRST_RESOLUTION)}",
    # the last resolution before now of the last cycle begun before now (c: its start, d and e:
    # the earliest start after and before it); one-touch: the only cycle begun, one reply before now
    "full_resolution": "SELECT t, a, b, (e IS NULL OR e >= :now) AND f IS NOT NULL AND f < :now AND (g IS NULL OR g >= :now) "
                       f"FROM moments WHERE {_IN.format(kind=M_FULL_RESOLUTION)} AND at < :now AND c < :now "
                       "AND (d IS NULL OR d >= :now)",
    # each clock's outcome up to the cut-off (kind, whose, met)
    "clocks": f"SELECT t, u, who, a FROM moments WHERE kind = {M_CLOCK} AND at >= :start AND at < :cutoff",
    "closes": f"SELECT t FROM moments WHERE {_IN.format(kind=M_CLOSE)}",
    "escalations": f"SELECT t, a FROM moments WHERE {_IN.format(kind=M_ESCALATE)}",
    # calls due in the period (a: done): on time, late, or not done before now (NULL)
    "calls_due": f"SELECT t, CASE WHEN a IS NULL OR a >= :now THEN NULL ELSE a <= at END FROM moments "
                 f"WHERE {_IN.format(kind=M_CALL_DUE)}",
    "calls_finished": f"SELECT t, who, u, v FROM moments WHERE kind = {M_CALL_DONE} AND at >= :start AND at < :cutoff",
    # calls not done at the cut-off (at: when done), overdue if due (a) before it
    "calls_pending": f"SELECT t, a < :cutoff FROM moments WHERE kind = {M_CALL_PENDING} AND at >= :cutoff",
    # who acted on the ticket in the period: the first time each did (a: the time before)
    "handled": f"SELECT t, who FROM moments WHERE {_IN.format(kind=M_ACTOR)} AND a < :start",
    # open at the cut-off: a span (a, at] holding it (c: created, b: a clock breached)
    "open": f"SELECT t, (:cutoff - c) / 86400.0, b FROM moments WHERE kind = {M_OPEN} AND at >= :cutoff AND a < :cutoff",
    # work orders resolved (at) since the period's start, or not yet: their part is worked out per row
    "work_orders": f"SELECT t, at, a FROM moments WHERE kind = {M_WORK_ORDER} AND at >= :start",
}
# the flags of the rows (0 or 1 in SQL) that the figures tell apart from None
_BOOLEAN = {"calls_due": 1}
# the populations every ticket in which took part in the period (calls pending and actors do not make it take part)
_TAKING_PART = ("created", "first_response", "resolutions", "first_resolution", "full_resolution", "clocks", "closes",
                "escalations", "calls_due", "calls_finished", "open", "work_orders")


def period_populations(query: Any, among: Any, wholes: list[tuple[Any, Any]], cal: BusinessCalendar, period: Period,
                       now: datetime) -> Populations:
    """A period's populations from the moments the index keeps: ``query(sql, params)``
    runs one of :data:`MOMENT_SQL`; ``among(keys)`` keeps these tickets' keys for
    ``query(sql, params, True)``, which starts counting the rows of the kept tickets per
    value of the second column and gives what waits for the counts (``quietly``: without
    raising what went wrong), and for
    ``query(None, None)``, which gives the kept tickets' :data:`ATTRS` by key; ``wholes``
    are the (key, ticket) the index keeps whole (:func:`ticket_base`), whose facts are
    worked out here."""
    start, end, now_ts = _bounds(period, now)
    params = {"start": start, "end": end, "now": now_ts, "cutoff": min(end, now_ts)}
    pop = Populations()
    for name, sql in MOMENT_SQL.items():
        if name == "handled":
            continue  # counted among the tickets taking part only
        rows = query(sql, params)
        col = _BOOLEAN.get(name)
        if col is not None:
            rows = [(*r[:col], None if r[col] is None else bool(r[col]), *r[col + 1:]) for r in rows]
        setattr(pop, name, rows)
    opened = {key for key, *_ in pop.open}
    work_orders: list[tuple[Any, float, float]] = pop.work_orders  # type: ignore[assignment]  # (key, resolved, due)
    pop.work_orders = [(key, wo) for key, resolved, due in work_orders
                       if (wo := _work_order_facts(due, None if resolved == NEVER else resolved, start, end,
                                                   params["cutoff"], key in opened)) is not None]
    taking_part: set[Any] = set()
    for name in _TAKING_PART:
        taking_part.update(map(itemgetter(0), getattr(pop, name)))
    among(taking_part)
    handled = query(MOMENT_SQL["handled"], params, True)  # counted while the rest is worked out
    try:
        pop.calls_pending = [r for r in pop.calls_pending if r[0] in taking_part]
        pop.tickets = query(None, None)
        for key, ticket in wholes:
            add_facts(pop, key, _facts_from_ticket(ticket, cal, period, now))
    except BaseException:
        handled(quietly=True)  # the count is waited for, its own failure not put before this one
        raise
    pop.handled.update(dict(handled()))
    return pop


# --------------------------------------------------------------------------- aggregation


def _minutes_stats(values: list[float]) -> dict[str, Any]:
    """Count, :func:`median` and :func:`p90` of minutes, rounded to whole minutes."""
    values = sorted(values)  # once, for both
    med, p = _median_of_sorted(values), _p90_of_sorted(values)
    return {"count": len(values), "median_minutes": None if med is None else round(med),
            "p90_minutes": None if p is None else round(p)}


def _resolution_stats(rows: list[tuple]) -> dict[str, Any]:
    """Count, median and P90 of the (key, calendar minutes, business minutes, …) rows of a
    resolution population, both ways."""
    out = _minutes_stats(list(map(itemgetter(2), rows)))
    calendar = _minutes_stats(list(map(itemgetter(1), rows)))
    out["median_calendar_minutes"] = calendar["median_minutes"]
    out["p90_calendar_minutes"] = calendar["p90_minutes"]
    return out


def sla_compliance(results: Iterable[bool]) -> dict[str, Any]:
    """SLA compliance % = met ÷ (met + breached), over the clocks whose outcome falls in
    the period (:func:`_clocks`): met at the first reply or resolution that stopped the
    clock in time, breached when its last on-time moment passed, open ticket or not."""
    results = list(results)
    met = sum(map(truth, results))
    breached = len(results) - met
    return {"met": met, "breached": breached, "compliance": rate(met, met + breached)}


def reopen_rate(reopened: list[bool]) -> float | None:
    """Reopen rate % = of the resolutions made in the period (a cycle's first resolve or
    close; one flag each: reopened since?), the share reopened afterwards, at any time up
    to now (``--now``)."""
    return rate(sum(map(truth, reopened)), len(reopened))


def satisfaction_rate(results: list[str]) -> float | None:
    """Satisfaction (CSAT) % = satisfied ÷ (satisfied + unsatisfied), over the follow-up
    calls finished in the period; unreachable calls are left out."""
    good, bad = results.count("satisfied"), results.count("unsatisfied")
    return rate(good, good + bad)


def completion(calls_due: list[bool | None]) -> dict[str, Any]:
    """Follow-up completion: of the calls due in the period, how many were done on time
    (by their due time), late, or not yet (up to now); completion % = done ÷ due."""
    on_time = sum(1 for c in calls_due if c is True)
    late = sum(1 for c in calls_due if c is False)
    return {"due_in_period": len(calls_due), "done_on_time": on_time, "done_late": late,
            "not_done": len(calls_due) - on_time - late, "completion_rate": rate(on_time + late, len(calls_due))}


def one_touch(one_touch_flags: list[bool]) -> dict[str, Any]:
    """One-touch rate % = of the tickets solved in the period (resolved or closed now, last
    resolved in the period; one flag each), those resolved with exactly one reply and never
    reopened."""
    n = sum(map(truth, one_touch_flags))
    return {"solved": len(one_touch_flags), "one_touch": n, "one_touch_rate": rate(n, len(one_touch_flags))}


# the fields of a ticket the breakdowns read, as text ("" when missing), in this order
ATTRS = ("group", "assignee", "type", "channel", "category", "tier", "priority")
_GROUP, _ASSIGNEE, _TYPE, _CHANNEL, _CATEGORY, _TIER, _PRIORITY = range(len(ATTRS))
# the lists of :class:`Populations`, each row a tuple led by its ticket's key
POPULATIONS = ("created", "first_response", "resolutions", "first_resolution", "full_resolution", "clocks", "closes",
               "escalations", "calls_due", "calls_finished", "calls_pending", "open", "work_orders")


def ticket_attrs(ticket: Any) -> tuple[str, ...]:
    """A ticket's fields of :data:`ATTRS`, as text."""
    values = {**{k: ticket.get(k) for k in ATTRS}, "tier": (ticket.get("customer") or {}).get("tier")}
    return tuple(str(values[k] or "") for k in ATTRS)


@dataclass(slots=True)
class Populations:
    """A period's facts as one list per metric population (docs/metrics.md), each row a
    tuple led by the key of the ticket it comes from, for the tickets that took part in the
    period; ``tickets``: those tickets' :data:`ATTRS`, by key. Worked out from each
    ticket's facts (:func:`populations`), or by the index from the moments it keeps
    (:func:`moment_rows`)."""

    tickets: dict[Any, tuple[str, ...]] = field(default_factory=dict)
    created: list[tuple[Any]] = field(default_factory=list)
    first_response: list[tuple[Any, str, float]] = field(default_factory=list)  # (key, who replied, minutes)
    resolutions: list[tuple[Any, str, float, bool]] = field(default_factory=list)  # (key, by, minutes, reopened?)
    first_resolution: list[tuple[Any, float, float]] = field(default_factory=list)  # (key, calendar, business)
    full_resolution: list[tuple[Any, float, float, bool]] = field(default_factory=list)  # (…, one-touch?)
    clocks: list[tuple[Any, str, str, bool]] = field(default_factory=list)  # (key, kind, whose, met?)
    closes: list[tuple[Any]] = field(default_factory=list)
    escalations: list[tuple[Any, int]] = field(default_factory=list)  # (key, level reached)
    calls_due: list[tuple[Any, bool | None]] = field(default_factory=list)  # (key, on time / late / not done)
    calls_finished: list[tuple[Any, str, str, str]] = field(default_factory=list)  # (key, caller, result, handler)
    calls_pending: list[tuple[Any, bool]] = field(default_factory=list)  # (key, overdue?)
    open: list[tuple[Any, float, bool]] = field(default_factory=list)  # (key, age in days, a clock breached?)
    work_orders: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)  # (key, on_time and late)
    handled: Counter[str] = field(default_factory=Counter)  # per person, the tickets they acted on (not split)

    def split(self, value_of: Any) -> dict[str, Populations]:
        """The populations per value of ``value_of(attrs)``, one per value any ticket has
        (without ``handled``, which the breakdowns do not read)."""
        values: dict[tuple[str, ...], Any] = {}  # per distinct fields: many tickets have the same
        which: dict[Any, Any] = {}
        parts: dict[Any, Populations] = {}
        for key, attrs in self.tickets.items():
            value = values.get(attrs, values)
            if value is values:
                value = values[attrs] = value_of(attrs)
                if value not in parts:
                    parts[value] = Populations()
            which[key] = value
            parts[value].tickets[key] = attrs
        for name in POPULATIONS:
            add = {value: getattr(part, name).append for value, part in parts.items()}
            for row in getattr(self, name):
                add[which[row[0]]](row)
        return parts


def populations(facts: list[Facts]) -> Populations:
    """The populations of the tickets' facts that took part in the period, keyed by their
    place in ``facts``."""
    pop = Populations()
    for key, f in enumerate(facts):
        add_facts(pop, key, f)
    return pop


def add_facts(pop: Populations, key: Any, f: Facts) -> None:
    """Add one ticket's facts to the populations under ``key``, if it took part in the period."""
    if not _relevant(f):
        return
    pop.tickets[key] = ticket_attrs(f.ticket)
    if f.created_in:
        pop.created.append((key,))
    if f.first_response:
        pop.first_response.append((key, *f.first_response))
    pop.resolutions += [(key, *r) for r in f.resolutions]
    if f.first_resolution:
        pop.first_resolution.append((key, *f.first_resolution))
    if f.full_resolution:
        pop.full_resolution.append((key, *f.full_resolution))
    pop.clocks += [(key, *c) for c in f.clocks]
    pop.closes += [(key,)] * f.closes
    pop.escalations += [(key, level) for level in f.escalations]
    pop.calls_due += [(key, c) for c in f.calls_due]
    pop.calls_finished += [(key, *c) for c in f.calls_finished]
    pop.calls_pending += [(key, True)] * f.calls_overdue + [(key, False)] * (f.calls_pending - f.calls_overdue)
    if f.open_at_cutoff:
        pop.open.append((key, f.age_days, f.breached_at_cutoff))
    if f.work_order:
        pop.work_orders.append((key, f.work_order))
    pop.handled.update(f.actors)


def summarize(pop: Populations) -> dict[str, Any]:
    """The headline figures of a set of tickets' populations."""
    results = list(map(itemgetter(2), pop.calls_finished))
    reopened = list(map(itemgetter(3), pop.resolutions))
    return {
        "created": len(pop.created),
        "resolved": len(pop.resolutions),
        "closed": len(pop.closes),
        "open": len(pop.open),
        "open_breached": sum(map(truth, map(itemgetter(2), pop.open))),
        "first_response": _minutes_stats(list(map(itemgetter(2), pop.first_response))),
        "resolution": _minutes_stats(list(map(itemgetter(2), pop.resolutions))),
        "sla_compliance": sla_compliance(map(itemgetter(3), pop.clocks)),
        "reopened": sum(map(truth, reopened)),
        "reopen_rate": reopen_rate(reopened),
        "followups_done": len(results),
        "satisfied": results.count("satisfied"),
        "unsatisfied": results.count("unsatisfied"),
        "satisfaction_rate": satisfaction_rate(results),
    }


def dimension_value(attrs: tuple[str, ...], dim: str) -> str:
    """A ticket's value of a ``--by`` dimension (from its :data:`ATTRS`); work orders
    (工作联系单) are a channel of their own, ``work_order``, whatever channel their record names."""
    if dim == "channel" and attrs[_TYPE] == "work_order":
        return WORK_ORDER_CHANNEL
    return attrs[ATTRS.index("assignee" if dim == "agent" else dim)]


def agent_rows(pop: Populations, config: Config) -> list[dict[str, Any]]:
    """Per-person performance, by who took the actions: handled (tickets they acted on in
    the period), resolved (resolutions they made) and resolved_tickets (tickets among
    them), first-reply and per-cycle resolution medians, SLA compliance over the clocks
    they stopped in time or that breached while the ticket was theirs, follow-up calls
    they finished, and satisfaction with the tickets they handled (the calls' handler)."""
    people = {p.id: _Person() for p in config.roster}
    for who, n in pop.handled.items():
        if who in people:
            people[who].handled = n
    for who, minutes in _by_person(pop.first_response, people, 1, 2).items():
        people[who].firsts = minutes
    for who, minutes in _by_person(pop.resolutions, people, 1, 2).items():
        people[who].resolutions = minutes
    for by, n in _tickets_resolved(pop.resolutions).items():
        if by in people:
            people[by].resolved_tickets = n
    for caller, n in Counter(map(itemgetter(1), pop.calls_finished)).items():
        if caller in people:
            people[caller].calls = n
    for handler, results in _by_person(pop.calls_finished, people, 3, 2).items():
        people[handler].judged = results
    clocks, met = Counter(map(itemgetter(2), pop.clocks)), Counter(compress(map(itemgetter(2), pop.clocks),
                                                                              map(itemgetter(3), pop.clocks)))
    for whose, n in clocks.items():
        if whose in people:
            people[whose].clocks = [True] * met[whose] + [False] * (n - met[whose])
    return [people[p.id].row(p.id, p.name) for p in config.roster if people[p.id].active()]


def _tickets_resolved(resolutions: list[tuple]) -> Counter[str]:
    """Per person, the tickets among the resolutions they made (a ticket they resolved
    twice counts once)."""
    per = Counter(map(itemgetter(1), resolutions))
    times = Counter(map(itemgetter(0), resolutions))
    if len(times) < len(resolutions):  # some ticket resolved more than once: count its resolvers once
        for (_, by), n in Counter(map(itemgetter(0, 1), (r for r in resolutions if times[r[0]] > 1))).items():
            per[by] -= n - 1
    return per


def _by_person(rows: list[tuple], people: dict[str, Any], who: int, value: int) -> dict[str, list[Any]]:
    """The values (column ``value``) of a population's rows per person of ``people`` (column ``who``), in row order."""
    out: dict[str, list[Any]] = {pid: [] for pid in people}
    for person, v in zip(map(itemgetter(who), rows), map(itemgetter(value), rows)):
        kept = out.get(person)
        if kept is not None:
            kept.append(v)
    return {pid: values for pid, values in out.items() if values}


@dataclass
class _Person:
    """One person's part in a period, gathered in one pass over the populations."""

    handled: int = 0
    resolved_tickets: int = 0
    calls: int = 0
    firsts: list[float] = field(default_factory=list)
    resolutions: list[float] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)
    clocks: list[bool] = field(default_factory=list)

    def active(self) -> bool:
        return bool(self.handled or self.firsts or self.resolutions or self.calls or self.judged or self.clocks)

    def row(self, pid: str, name: str) -> dict[str, Any]:
        return {
            "agent": pid,
            "name": name,
            "handled": self.handled,
            "resolved": len(self.resolutions),
            "resolved_tickets": self.resolved_tickets,
            "first_response_median_minutes": _minutes_stats(self.firsts)["median_minutes"],
            "resolution_median_minutes": _minutes_stats(self.resolutions)["median_minutes"],
            "sla_compliance": sla_compliance(self.clocks)["compliance"],
            "followups_done": self.calls,
            "satisfaction_rate": satisfaction_rate(self.judged),
        }


def report(tickets: Iterable[Any], config: Config, cal: BusinessCalendar, period: Period, now: datetime,
           by: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every audit figure for the period, as plain data (the JSON of ``audit --json``)."""
    return report_from_facts([ticket_facts(t, config, cal, period, now) for t in tickets], config, cal, period, now, by)


def report_from_facts(facts: list[Facts], config: Config, cal: BusinessCalendar, period: Period, now: datetime,
                      by: tuple[str, ...] = ()) -> dict[str, Any]:
    """The report of :func:`report`, from each ticket's facts."""
    return report_from_populations(populations(facts), config, cal, period, by)


def report_from_populations(pop: Populations, config: Config, cal: BusinessCalendar, period: Period,
                            by: tuple[str, ...] = ()) -> dict[str, Any]:
    """The report of :func:`report`, from the period's populations."""
    totals = summarize(pop)
    out: dict[str, Any] = {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(), "label": period.label},
        "totals": {k: totals[k] for k in ("created", "resolved", "closed", "open", "reopened", "reopen_rate")},
        "times": {
            "unit": "business minutes",
            "first_response": totals["first_response"],
            "resolution": totals["resolution"],
            "first_resolution": _resolution_stats(pop.first_resolution),
            "full_resolution": _resolution_stats(pop.full_resolution),
        },
        "one_touch": one_touch(list(map(itemgetter(3), pop.full_resolution))),
        "sla": {
            "first_response": sla_compliance([met for _, kind, _, met in pop.clocks if kind == "first_response"]),
            "resolution": sla_compliance([met for _, kind, _, met in pop.clocks if kind == "resolution"]),
            "overall": totals["sla_compliance"],
            "open_breached": totals["open_breached"],
        },
        "escalations": _escalations(pop),
        "followups": _followup_figures(pop, totals),
        "backlog_by_age": _backlog_by_age(pop),
        "complaint_causes": _complaint_causes(pop),
        "work_orders": _work_order_figures(pop, config, cal),
        "agents": agent_rows(pop, config),
    }
    for dim in by:
        out[f"by_{dim}"] = out["agents"] if dim == "agent" else _rows_by(pop, dim)
    out["headline"] = headline(out)
    return out


def _relevant(f: Facts) -> bool:
    """Did the ticket take part in the period at all?"""
    return bool(f.created_in or f.resolutions or f.closes or f.first_response or f.escalations or f.clocks
                or f.calls_finished or f.calls_due or f.open_at_cutoff or f.work_order or f.full_resolution
                or f.first_resolution)


def _escalations(pop: Populations) -> dict[str, int]:
    """Escalations per level reached (L1, L2 …)."""
    levels = Counter(map(itemgetter(1), pop.escalations))
    return dict(sorted((f"L{level}", n) for level, n in levels.items()))


def _followup_figures(pop: Populations, totals: dict[str, Any]) -> dict[str, Any]:
    """Follow-up calls: of those due in the period, done on time, late or not yet
    (:func:`completion`); those finished in the period and what the customers said; and
    those not done at the cut-off (pending) of which already past due (overdue)."""
    finished = list(map(itemgetter(2), pop.calls_finished))
    return {
        **completion(list(map(itemgetter(1), pop.calls_due))),
        "done": len(finished),
        "pending": len(pop.calls_pending),
        "overdue": sum(1 for _, overdue in pop.calls_pending if overdue),
        "satisfied": finished.count("satisfied"),
        "unsatisfied": finished.count("unsatisfied"),
        "unreachable": finished.count("unreachable"),
        "satisfaction_rate": totals["satisfaction_rate"],
    }


def _backlog_by_age(pop: Populations) -> dict[str, int]:
    """Tickets open at the cut-off, per age bucket."""
    backlog = {name: 0 for name, _ in AGE_BUCKETS}
    for _, age_days, _ in pop.open:
        for name, limit in AGE_BUCKETS:
            if limit is None or age_days < limit:
                backlog[name] += 1
                break
    return backlog


def _complaint_causes(pop: Populations) -> list[dict[str, Any]]:
    """Complaints created in the period per category, most frequent first."""
    categories: Counter[str] = Counter()
    # counted per fields first: many tickets have the same, and the count runs in C
    for attrs, n in Counter(map(pop.tickets.__getitem__, map(itemgetter(0), pop.created))).items():
        if attrs[_TYPE] == "complaint":
            categories[attrs[_CATEGORY]] += n
    complaints = sum(categories.values())
    return [
        {"category": c or None, "count": n, "share": rate(n, complaints)}
        for c, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _work_order_figures(pop: Populations, config: Config, cal: BusinessCalendar) -> dict[str, Any]:
    """Work orders resolved on time per urgency, and late days per department."""
    urgencies = ("A", "B", "C")
    resolved = dict.fromkeys(urgencies, 0)
    on_time = dict.fromkeys(urgencies, 0)
    late_days: dict[str, int] = {}
    for key, wo in pop.work_orders:
        urgency = pop.tickets[key][_PRIORITY]
        if wo["on_time"] is not None and urgency in resolved:
            resolved[urgency] += 1
            on_time[urgency] += int(wo["on_time"])
        days = _late_days_of(wo["late"], config, cal) if wo["late"] else 0
        if days:
            dept = pop.tickets[key][_GROUP]
            late_days[dept] = late_days.get(dept, 0) + days
    wo_by_urgency = {u: {"resolved": resolved[u], "on_time": on_time[u], "on_time_rate": rate(on_time[u], resolved[u])}
                     for u in urgencies}
    return {"by_urgency": wo_by_urgency, "late_days_by_department": dict(sorted(late_days.items()))}


def _late_days_of(late: list[float], config: Config, cal: BusinessCalendar) -> int:
    """The late days of a work order's late stretch [due, since, stop] (POSIX seconds)."""
    due, since, stop = (datetime.fromtimestamp(t, cal.tz) for t in late)
    return sla.late_days(cal, due, stop, since, config.late_unit)


def _rows_by(pop: Populations, dim: str) -> list[dict[str, Any]]:
    """The headline figures per value of a dimension (type, group, channel, tier …)."""
    rows = []
    for value, part in sorted(pop.split(lambda attrs: dimension_value(attrs, dim)).items()):
        s = summarize(part)
        rows.append({
            dim: value or None,
            "created": s["created"], "resolved": s["resolved"], "closed": s["closed"], "open": s["open"],
            "first_response_median_minutes": s["first_response"]["median_minutes"],
            "resolution_median_minutes": s["resolution"]["median_minutes"],
            "sla_compliance": s["sla_compliance"]["compliance"],
            "satisfaction_rate": s["satisfaction_rate"],
        })
    return rows


# --------------------------------------------------------------------------- comparison with an earlier period

@dataclass(frozen=True)
class Figure:
    """A headline figure: its name (JSON, CSV; the name says the unit: a count, ``_pct``,
    or ``_hours``: business hours with one decimal, as the tables show them), where it is
    in the report, its unit, whether a rise is for the better (None: neither), and the
    report page's card that shows it (None: not on the page)."""

    name: str
    path: tuple[str, ...]
    unit: str  # "count", "pct" or "hours"
    rise_good: bool | None
    card: str | None = None


# the headline figures, the one list the comparison (audit --compare) and the report page's cards read
HEADLINE: tuple[Figure, ...] = (
    Figure("created", ("totals", "created"), "count", None, "created"),
    Figure("resolved", ("totals", "resolved"), "count", True, "resolved"),
    Figure("closed", ("totals", "closed"), "count", True),
    Figure("open", ("totals", "open"), "count", False, "backlog"),
    Figure("first_response_sla_pct", ("sla", "first_response", "compliance"), "pct", True, "fr_sla"),
    Figure("resolution_sla_pct", ("sla", "resolution", "compliance"), "pct", True, "res_sla"),
    Figure("sla_compliance_pct", ("sla", "overall", "compliance"), "pct", True),
    Figure("satisfaction_rate_pct", ("followups", "satisfaction_rate"), "pct", True, "satisfaction"),
    Figure("followup_completion_rate_pct", ("followups", "completion_rate"), "pct", True, "followup"),
    Figure("reopen_rate_pct", ("totals", "reopen_rate"), "pct", False, "reopen"),
    Figure("one_touch_rate_pct", ("one_touch", "one_touch_rate"), "pct", True),
    Figure("first_response_median_hours", ("times", "first_response", "median_minutes"), "hours", False),
    Figure("resolution_median_hours", ("times", "resolution", "median_minutes"), "hours", False),
    Figure("full_resolution_median_hours", ("times", "full_resolution", "median_minutes"), "hours", False),
)


def figure(data: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in a report (None when there is no report or no such figure)."""
    value: Any = data
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def hours(minutes: Any) -> float | None:
    """Minutes as hours with one decimal, as the tables show them (None stays None)."""
    return None if minutes is None else round(minutes / 60, 1)


def headline(data: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of a report (:data:`HEADLINE`), each in the unit its name says."""
    return {f.name: hours(figure(data, f.path)) if f.unit == "hours" else figure(data, f.path) for f in HEADLINE}


def compare(data: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any]:
    """The report with an earlier period's report beside it: ``compare`` (the earlier period
    and its headline figures) and ``change`` (this minus the earlier, None when either is
    missing; percentages change in points)."""
    now_figures, then_figures = headline(data), headline(earlier)
    change = {k: None if now_figures[k] is None or then_figures[k] is None else round(now_figures[k] - then_figures[k], 1)
              for k in now_figures}
    return {**data, "compare": {"period": earlier["period"], "headline": then_figures}, "change": change}


def compared_period(text: str, period: Period, tz: ZoneInfo, now: datetime) -> Period:
    """The period ``--compare`` names: ``previous`` (:func:`previous_period`) or any period text."""
    if text.strip().lower() == "previous":
        return previous_period(period)
    try:
        return parse_period(text, None, None, tz, now)
    except InputError:
        raise InputError("error.period.compare", value=repr(text)) from None
