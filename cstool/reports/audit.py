"""The period's statistics (SPEC §4 audit metrics), each defined once, here.

Definitions (``period`` is [start, end); the cut-off for "at the end" is the earlier of
the period's end and now):

- created / resolved / closed: tickets created in the period; resolution events (the
  first resolve or close of a cycle) in the period; close events in the period.
  open: tickets open, in progress or pending at the cut-off.
- first-response time: business minutes from creation to the first reply, for first
  replies made in the period. Resolution time: business minutes of a cycle (creation or
  reopen → resolve/close) not spent pending, for cycles resolved in the period. Both as
  median and P90 (nearest rank).
- SLA compliance % = met ÷ (met + breached) over the targets that completed in the
  period (first responses given, cycles resolved), plus the tickets open at the cut-off
  whose clock is already breached.
- escalations by level: escalate events in the period, by the level they reached.
- reopen rate = tickets reopened in the period ÷ tickets resolved in the period.
- satisfaction % = satisfied ÷ (satisfied + unsatisfied) over the follow-up calls
  finished in the period (unreachable excluded); per person it counts for the agent who
  handled the ticket (its assignee when last resolved or closed before the call), while
  the calls themselves count for the caller; follow-up completion % = follow-ups
  finished in the period ÷ follow-ups due in the period.
- per person: handled (tickets they acted on in the period), resolved (resolutions they
  made), resolution rate % = resolved ÷ handled.
- backlog by age: tickets open at the cut-off by calendar age (0–1 d, 1–3 d, 3–7 d, > 7 d).
- work orders: those resolved in the period, on time (resolved by their due time) by
  urgency A/B/C; late days per receiving department: the late days (``work_orders.
  late_unit``, working days by default; any part of one counts) that begin inside the
  period, up to the work order's resolution or the cut-off, so that the late days of
  consecutive periods add up to those of their union.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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
    """A person's resolution rate %: resolutions they made ÷ tickets they handled (an
    :func:`agent_rows` row); a ticket resolved again after a reopen counts twice."""
    return rate(agent_row["resolved"], agent_row["handled"])


def median(values: list[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value with at least 90 % at or below it."""
    if not values:
        return None
    s = sorted(values)
    return s[max(math.ceil(0.9 * len(s)), 1) - 1]


def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


# --------------------------------------------------------------------------- per-ticket facts


@dataclass
class Facts:
    """What one ticket contributed to a period."""

    ticket: Any
    created_in: bool = False
    resolutions: list[tuple[str, float, bool | None]] = field(default_factory=list)  # (by, active minutes, met?)
    closes: int = 0
    first_response: tuple[str, float, bool | None] | None = None  # (by, minutes, met?)
    escalations: list[int] = field(default_factory=list)
    reopened: bool = False
    followups_finished: list[tuple[str, str, str]] = field(default_factory=list)  # (caller, result, handler)
    followups_due: int = 0
    open_at_cutoff: bool = False
    breached_at_cutoff: bool = False
    age_days: float = 0.0
    actors: set[str] = field(default_factory=set)
    work_order: dict[str, Any] | None = None


_KEPT = ("type", "category", "priority", "group", "assignee", "channel", "followups")


def ticket_facts(ticket: Any, config: Config, cal: BusinessCalendar, period: Period, now: datetime) -> Facts:
    """What one ticket contributed to a period (see :func:`ticket_base` and :func:`facts_at`)."""
    return facts_at(ticket_base(ticket, cal), cal, period, now)


def ticket_base(ticket: Any, cal: BusinessCalendar) -> dict[str, Any]:
    """What a ticket can contribute to any period, worked out once (the index keeps it),
    with times as POSIX seconds: the first reply and each finished cycle with their
    business minutes and whether they met the SLA, the events, the status after each
    event, and for each cycle the moment its resolution target is reached if never
    paused again. :func:`facts_at` then needs only comparisons with the period.

    A history with a missing time or times out of order keeps the whole ticket instead,
    and its facts are worked out from it for each period (:func:`_facts_from_ticket`)."""
    tz = cal.tz
    slim = {**{k: ticket.get(k) for k in _KEPT}, "customer": {"tier": (ticket.get("customer") or {}).get("tier")}}
    created = read_stamp(ticket.get("created"), tz)
    history = list(ticket.get("history") or [])
    read = [read_stamp(ev.get("at") if isinstance(ev, dict) else None, tz) for ev in history]
    times = [t for t in read if t is not None]
    if created is None or len(times) < len(read) or any(a > b for a, b in zip(times, times[1:])):
        return {"whole": ticket}
    sla_data = ticket.get("sla") or {}
    fr_target = sla.parse_target(sla_data.get("first_response_target"))
    res_target = sla.parse_target(sla_data.get("resolution_target"))
    base: dict[str, Any] = {"slim": slim, "created": created.timestamp(), "times": [t.timestamp() for t in times]}
    _base_first_response(base, history, times, created, sla_data, fr_target, cal)
    enders = [(times[i], ev) for i, ev in enumerate(history) if ev.get("action") in ("resolve", "close")]
    _base_cycles(base, history, times, enders, res_target, cal)
    _base_events(base, ticket, history, enders, tz)
    return base


def _base_first_response(base: dict[str, Any], history: list, times: list[datetime], created: datetime,
                         sla_data: Any, fr_target: Any, cal: BusinessCalendar) -> None:
    """The ticket base's first reply (its index), its figures, and when it falls due."""
    first = next((i for i, ev in enumerate(history) if ev.get("action") == "reply"), None)
    base["first_reply"] = first
    if first is not None:
        base["first_response"] = list(_first_response(history[first], created, times[first], fr_target, cal))
    fr_due = None
    if fr_target is not None:
        fr_due = read_stamp(sla_data.get("first_response_due"), cal.tz) or cal.add(created, fr_target)
        fr_due = sla.late_after(cal, fr_due, fr_target)  # the last on-time moment
    base["fr_due"] = fr_due.timestamp() if fr_due is not None else None


def _base_cycles(base: dict[str, Any], history: list, times: list[datetime], enders: list,
                 res_target: Any, cal: BusinessCalendar) -> None:
    """The ticket base's finished resolutions and, per cycle, when its target is reached."""
    cycles = sla.cycles(history, cal.tz, times)
    base["resolutions"] = []
    base["cycles"] = []
    for cycle in cycles:
        end = cycle["end"]
        if end is not None:
            by = next((str(ev.get("by")) for at, ev in enders if at == end), "")
            met = None
            if res_target is not None:
                _, breach, _, _ = sla.measure_cycle(cycle, res_target, cal, end)
                met = breach is None or breach >= end
            base["resolutions"].append([end.timestamp(), by, sla.active_minutes(cycle, cal, end), met])
        reached = None
        if res_target is not None:
            # measured as if never ended and never paused after the last event: up to any
            # cut-off before its end the cycle measures the same, so the target is passed
            # by the cut-off exactly when this last on-time moment is before it
            open_cycle = {"start": cycle["start"], "pauses": cycle["pauses"], "end": None}
            horizon = sla.add_time(cal, times[-1], cal.target_minutes(res_target), res_target)
            _, breach, _, _ = sla.measure_cycle(open_cycle, res_target, cal, horizon)
            reached = sla.late_after(cal, breach, res_target).timestamp() if breach is not None else None
        base["cycles"].append([cycle["start"].timestamp(), end.timestamp() if end is not None else None, reached,
                               [[a.timestamp(), b.timestamp() if b is not None else None] for a, b in cycle["pauses"]]])


def _base_events(base: dict[str, Any], ticket: Any, history: list, enders: list, tz: Any) -> None:
    """The ticket base's events, the status after each, follow-up due times and work-order times."""
    base["events"] = _event_rows(history)
    state = history_blank()
    statuses = []
    for ev in history:
        step(state, ev)
        statuses.append(state["status"])
    base["statuses"] = statuses
    base["followups_due"] = [t.timestamp() for t in (read_stamp(f.get("due"), tz) for f in ticket.get("followups") or [])
                             if t is not None]
    if ticket.get("type") == "work_order":
        due = read_stamp(ticket.get("due"), tz)
        base["wo_due"] = due.timestamp() if due is not None else None
        base["wo_resolved"] = enders[0][0].timestamp() if enders and enders[0][0] is not None else None


def _event_rows(history: list) -> list[list[Any]]:
    """Each event as (by, action, to, result, final, handler): the handler of a follow-up call
    is the ticket's assignee when it was last resolved or closed before the call."""
    rows = []
    state = history_blank()
    handler = None
    for ev in history:
        step(state, ev)
        if ev.get("action") in ("resolve", "close"):
            handler = state["assignee"]
        rows.append([ev.get("by"), ev.get("action"), ev.get("to"), ev.get("result"), bool(ev.get("final")),
                     handler if ev.get("action") == "followup" else None])
    return rows


def facts_at(base: dict[str, Any], cal: BusinessCalendar, period: Period, now: datetime) -> Facts:
    """A ticket's facts for a period, from its :func:`ticket_base`."""
    if "whole" in base:
        return _facts_from_ticket(base["whole"], cal, period, now)
    start, end = period.start.timestamp(), period.end.timestamp()
    cutoff = min(end, now.timestamp())
    facts = Facts(base["slim"])
    created = base["created"]
    facts.created_in = start <= created < end
    times = base["times"]
    fr = base.get("first_response")
    if fr is not None and start <= times[base["first_reply"]] < end:
        facts.first_response = tuple(fr)
    for at, by, minutes, met in base["resolutions"]:
        if start <= at < end:
            facts.resolutions.append((by, minutes, met))
    _count_events(facts, base["events"][bisect_left(times, start):bisect_left(times, end)])
    facts.followups_due = sum(1 for due in base["followups_due"] if start <= due < end)
    _base_state_at_cutoff(facts, base, cutoff)

    if base.get("wo_due") is not None:
        facts.work_order = _work_order_facts(base["wo_due"], base.get("wo_resolved"), start, end, cutoff,
                                             facts.open_at_cutoff)
    return facts


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
    """Add a period's events (as :func:`ticket_base` keeps them) to the facts."""
    for (by, action, to, result, final, handler) in events:
        if by:
            facts.actors.add(str(by))
        if action == "close":
            facts.closes += 1
        elif action == "escalate":
            facts.escalations.append(int(to or 0))
        elif action == "reopen":
            facts.reopened = True
        elif action == "followup" and (result != "unreachable" or final):
            facts.followups_finished.append((str(by), str(result), str(handler or "")))


def _base_state_at_cutoff(facts: Facts, base: dict[str, Any], cutoff: float) -> None:
    """Open at the cut-off, its age, and whether a clock had breached by then."""
    times, created = base["times"], base["created"]
    # state at the cut-off: the events before it are a prefix (times are in order)
    k = bisect_left(times, cutoff)
    status = base["statuses"][k - 1] if k else None
    facts.open_at_cutoff = status in WORKING and created < cutoff
    if facts.open_at_cutoff:
        facts.age_days = (cutoff - created) / 86400
        first = base["first_reply"]
        answered = first is not None and first < k
        if base["fr_due"] is not None and not answered and sla.late(base["fr_due"], cutoff):
            facts.breached_at_cutoff = True
        started = [c for c in base["cycles"] if c[0] < cutoff]
        if started:
            _, ended, reached, pauses = started[-1]
            paused = [p for p in pauses if p[0] < cutoff]
            paused_now = bool(paused) and (paused[-1][1] is None or paused[-1][1] >= cutoff)
            running = ended is None or ended >= cutoff
            if running and not paused_now and reached is not None and sla.late(reached, cutoff):
                facts.breached_at_cutoff = True


def _facts_from_ticket(ticket: Any, cal: BusinessCalendar, period: Period, now: datetime) -> Facts:
    """A ticket's facts for a period worked out from the ticket itself (any history)."""
    tz = cal.tz
    cutoff = min(period.end, now)
    # only the fields the report reads are kept: a month's facts stay small in memory
    facts = Facts({**{k: ticket.get(k) for k in _KEPT}, "customer": {"tier": (ticket.get("customer") or {}).get("tier")}})
    created = read_stamp(ticket.get("created"), tz)
    facts.created_in = created in period
    history = list(ticket.get("history") or [])
    times = [read_stamp(ev.get("at"), tz) for ev in history]
    sla_data = ticket.get("sla") or {}
    fr_target = sla.parse_target(sla_data.get("first_response_target"))
    res_target = sla.parse_target(sla_data.get("resolution_target"))

    # first response
    first = next((i for i, ev in enumerate(history) if ev.get("action") == "reply"), None)
    reply_at = times[first] if first is not None else None
    if first is not None and created is not None and reply_at is not None and reply_at in period:
        facts.first_response = _first_response(history[first], created, reply_at, fr_target, cal)

    # resolution cycles completed in the period
    enders = [(times[i], ev) for i, ev in enumerate(history) if ev.get("action") in ("resolve", "close")]
    facts.resolutions.extend(_resolutions_in(history, times, enders, res_target, cal, period))

    _count_events(facts, [row for row, at in zip(_event_rows(history), times) if at in period])
    for f in ticket.get("followups") or []:
        if read_stamp(f.get("due"), tz) in period:
            facts.followups_due += 1
    _ticket_state_at_cutoff(facts, ticket, history, times, created, cal, cutoff)

    if ticket.get("type") == "work_order":
        due = read_stamp(ticket.get("due"), tz)
        resolved = next((at for at, _ in enders), None)
        if due is not None:
            facts.work_order = _work_order_facts(due.timestamp(), resolved.timestamp() if resolved else None,
                                                 period.start.timestamp(), period.end.timestamp(), cutoff.timestamp(),
                                                 facts.open_at_cutoff)
    return facts


def _first_response(reply: Any, created: datetime, at: datetime, fr_target: Any,
                    cal: BusinessCalendar) -> tuple[str, float, bool | None]:
    """(who, business minutes, met the target?) of the first reply."""
    minutes = cal.between(created, at)
    met = None
    if fr_target is not None:
        met = cal.elapsed(created, at, fr_target) <= cal.target_minutes(fr_target)
    return (str(reply.get("by")), minutes, met)


def _resolutions_in(history: list, times: list, enders: list, res_target: Any, cal: BusinessCalendar,
                    period: Period) -> list[tuple[str, float, bool | None]]:
    """(who, active business minutes, met the target?) of each cycle ended in the period."""
    out = []
    for cycle in sla.cycles(history, cal.tz, times):
        end = cycle["end"]
        if end not in period:
            continue
        by = next((str(ev.get("by")) for at, ev in enders if at == end), "")
        active = sla.active_minutes(cycle, cal, end)
        met = None
        if res_target is not None:
            _, breach, _, _ = sla.measure_cycle(cycle, res_target, cal, end)
            met = breach is None or breach >= end
        out.append((by, active, met))
    return out


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


# --------------------------------------------------------------------------- aggregation


def _minutes_stats(values: list[float]) -> dict[str, Any]:
    med, p = median(values), p90(values)
    return {"count": len(values), "median_minutes": None if med is None else round(med),
            "p90_minutes": None if p is None else round(p)}


def _compliance(results: Iterable[bool | None]) -> dict[str, Any]:
    results = [r for r in results if r is not None]
    met = sum(1 for r in results if r)
    breached = len(results) - met
    return {"met": met, "breached": breached, "compliance": rate(met, met + breached)}


def summarize(facts: list[Facts]) -> dict[str, Any]:
    """The headline figures of a set of tickets' facts."""
    resolutions = [r for f in facts for r in f.resolutions]
    firsts = [f.first_response for f in facts if f.first_response]
    finished = [r for f in facts for r in f.followups_finished]
    satisfied = sum(1 for _, r, _ in finished if r == "satisfied")
    unsatisfied = sum(1 for _, r, _ in finished if r == "unsatisfied")
    resolved_tickets = sum(1 for f in facts if f.resolutions)
    return {
        "created": sum(1 for f in facts if f.created_in),
        "resolved": len(resolutions),
        "closed": sum(f.closes for f in facts),
        "open": sum(1 for f in facts if f.open_at_cutoff),
        "open_breached": sum(1 for f in facts if f.breached_at_cutoff),
        "first_response": _minutes_stats([m for _, m, _ in firsts]),
        "resolution": _minutes_stats([m for _, m, _ in resolutions]),
        "sla_compliance": _compliance([met for _, _, met in firsts] + [met for _, _, met in resolutions]),
        "reopened": sum(1 for f in facts if f.reopened),
        "reopen_rate": rate(sum(1 for f in facts if f.reopened), resolved_tickets),
        "followups_done": len(finished),
        "satisfied": satisfied,
        "unsatisfied": unsatisfied,
        "satisfaction_rate": rate(satisfied, satisfied + unsatisfied),
    }


def dimension_value(f: Facts, dim: str) -> str:
    """A ticket's value of a ``--by`` dimension; work orders (工作联系单) are a channel of
    their own, ``work_order``, whatever channel their record names."""
    t = f.ticket
    if dim == "channel" and t.get("type") == "work_order":
        return WORK_ORDER_CHANNEL
    if dim == "tier":
        return str((t.get("customer") or {}).get("tier") or "")
    if dim == "agent":
        return str(t.get("assignee") or "")
    return str(t.get(dim) or "")


def agent_rows(facts: list[Facts], config: Config) -> list[dict[str, Any]]:
    """Per-person performance: handled, resolved, response and resolution medians, SLA
    compliance, follow-ups done and satisfaction — by who took the actions."""
    rows = []
    for person in config.roster:
        pid = person.id
        handled = sum(1 for f in facts if pid in f.actors)
        firsts = [f.first_response for f in facts if f.first_response and f.first_response[0] == pid]
        resolutions = [r for f in facts for r in f.resolutions if r[0] == pid]
        finished = [r for f in facts for by, r, _ in f.followups_finished if by == pid]
        judged = [r for f in facts for _, r, handler in f.followups_finished if handler == pid]
        if not (handled or firsts or resolutions or finished or judged):
            continue
        sat = judged.count("satisfied")
        unsat = judged.count("unsatisfied")
        fr = _minutes_stats([m for _, m, _ in firsts])
        rs = _minutes_stats([m for _, m, _ in resolutions])
        rows.append({
            "agent": pid,
            "name": person.name,
            "handled": handled,
            "resolved": len(resolutions),
            "first_response_median_minutes": fr["median_minutes"],
            "resolution_median_minutes": rs["median_minutes"],
            "sla_compliance": _compliance([m for _, _, m in firsts] + [m for _, _, m in resolutions])["compliance"],
            "followups_done": len(finished),
            "satisfaction_rate": rate(sat, sat + unsat),
        })
    return rows


def report(tickets: Iterable[Any], config: Config, cal: BusinessCalendar, period: Period, now: datetime,
           by: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every audit figure for the period, as plain data (the JSON of ``audit --json``)."""
    return report_from_facts([ticket_facts(t, config, cal, period, now) for t in tickets], config, cal, period, now, by)


def report_from_facts(facts: list[Facts], config: Config, cal: BusinessCalendar, period: Period, now: datetime,
                      by: tuple[str, ...] = ()) -> dict[str, Any]:
    """The report of :func:`report`, from each ticket's facts."""
    relevant = [f for f in facts if _relevant(f)]
    totals = summarize(relevant)
    firsts = [f.first_response for f in relevant if f.first_response]
    resolutions = [r for f in relevant for r in f.resolutions]
    open_breached = totals["open_breached"]
    out: dict[str, Any] = {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(), "label": period.label},
        "totals": {k: totals[k] for k in ("created", "resolved", "closed", "open", "reopened", "reopen_rate")},
        "times": {"unit": "business minutes", "first_response": totals["first_response"], "resolution": totals["resolution"]},
        "sla": {
            "first_response": _compliance(m for _, _, m in firsts),
            "resolution": _compliance(m for _, _, m in resolutions),
            "overall": totals["sla_compliance"],
            "open_breached": open_breached,
        },
        "escalations": _escalations(relevant),
        "followups": _followup_figures(relevant, totals, cal, min(period.end, now)),
        "backlog_by_age": _backlog_by_age(relevant),
        "complaint_causes": _complaint_causes(relevant),
        "work_orders": _work_order_figures(relevant, config, cal),
        "agents": agent_rows(relevant, config),
    }
    for dim in by:
        out[f"by_{dim}"] = out["agents"] if dim == "agent" else _rows_by(relevant, dim)
    out["headline"] = headline(out)
    return out


def _relevant(f: Facts) -> bool:
    """Did the ticket take part in the period at all?"""
    return bool(f.created_in or f.resolutions or f.closes or f.first_response or f.escalations
                or f.reopened or f.followups_finished or f.followups_due or f.open_at_cutoff or f.work_order)


def _escalations(relevant: list[Facts]) -> dict[str, int]:
    """Escalations per level reached (L1, L2 …)."""
    escalations: dict[str, int] = {}
    for f in relevant:
        for level in f.escalations:
            key = f"L{level}"
            escalations[key] = escalations.get(key, 0) + 1
    return dict(sorted(escalations.items()))


def _followup_figures(relevant: list[Facts], totals: dict[str, Any], cal: BusinessCalendar,
                      cutoff: datetime) -> dict[str, Any]:
    """Follow-up calls done, due, pending and overdue at the cut-off, and their results."""
    finished = [r for f in relevant for _, r, _ in f.followups_finished]
    pending_followups = overdue_followups = 0
    for f in relevant:
        for fu in f.ticket.get("followups") or []:
            due = read_stamp(fu.get("due"), cal.tz)
            done = read_stamp(fu.get("done_at"), cal.tz)
            if due is None or (done is not None and done < cutoff):
                continue
            pending_followups += 1
            if due < cutoff:
                overdue_followups += 1
    due_in_period = sum(f.followups_due for f in relevant)
    return {
        "done": len(finished),
        "due_in_period": due_in_period,
        "completion_rate": rate(len(finished), due_in_period),
        "pending": pending_followups,
        "overdue": overdue_followups,
        "satisfied": finished.count("satisfied"),
        "unsatisfied": finished.count("unsatisfied"),
        "unreachable": finished.count("unreachable"),
        "satisfaction_rate": totals["satisfaction_rate"],
    }


def _backlog_by_age(relevant: list[Facts]) -> dict[str, int]:
    """Tickets open at the cut-off, per age bucket."""
    backlog = {name: 0 for name, _ in AGE_BUCKETS}
    for f in relevant:
        if not f.open_at_cutoff:
            continue
        for name, limit in AGE_BUCKETS:
            if limit is None or f.age_days < limit:
                backlog[name] += 1
                break
    return backlog


def _complaint_causes(relevant: list[Facts]) -> list[dict[str, Any]]:
    """Complaints created in the period per category, most frequent first."""
    categories: dict[str, int] = {}
    complaints = [f for f in relevant if f.created_in and f.ticket.get("type") == "complaint"]
    for f in complaints:
        cat = str(f.ticket.get("category") or "")
        categories[cat] = categories.get(cat, 0) + 1
    return [
        {"category": c or None, "count": n, "share": rate(n, len(complaints))}
        for c, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _work_order_figures(relevant: list[Facts], config: Config, cal: BusinessCalendar) -> dict[str, Any]:
    """Work orders resolved on time per urgency, and late days per department."""
    urgencies = ("A", "B", "C")
    resolved = dict.fromkeys(urgencies, 0)
    on_time = dict.fromkeys(urgencies, 0)
    late_days: dict[str, int] = {}
    for f in relevant:
        wo = f.work_order
        if not wo:
            continue
        urgency = str(f.ticket.get("priority") or "")
        if wo["on_time"] is not None and urgency in resolved:
            resolved[urgency] += 1
            on_time[urgency] += int(wo["on_time"])
        days = _late_days_of(wo["late"], config, cal) if wo["late"] else 0
        if days:
            dept = str(f.ticket.get("group") or "")
            late_days[dept] = late_days.get(dept, 0) + days
    wo_by_urgency = {u: {"resolved": resolved[u], "on_time": on_time[u], "on_time_rate": rate(on_time[u], resolved[u])}
                     for u in urgencies}
    return {"by_urgency": wo_by_urgency, "late_days_by_department": dict(sorted(late_days.items()))}


def _late_days_of(late: list[float], config: Config, cal: BusinessCalendar) -> int:
    """The late days of a work order's late stretch [due, since, stop] (POSIX seconds)."""
    due, since, stop = (datetime.fromtimestamp(t, cal.tz) for t in late)
    return sla.late_days(cal, due, stop, since, config.late_unit)


def _rows_by(relevant: list[Facts], dim: str) -> list[dict[str, Any]]:
    """The headline figures per value of a dimension (type, group, channel, tier …)."""
    groups: dict[str, list[Facts]] = {}
    for f in relevant:
        groups.setdefault(dimension_value(f, dim), []).append(f)
    rows = []
    for value, members in sorted(groups.items()):
        s = summarize(members)
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

# the headline figures compared with an earlier period: (name, where in the report, minutes → hours?);
# each name says its unit (count, _pct, _hours: business hours with one decimal, as the tables show them)
HEADLINE: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("created", ("totals", "created"), False),
    ("resolved", ("totals", "resolved"), False),
    ("closed", ("totals", "closed"), False),
    ("open", ("totals", "open"), False),
    ("reopen_rate_pct", ("totals", "reopen_rate"), False),
    ("first_response_median_hours", ("times", "first_response", "median_minutes"), True),
    ("resolution_median_hours", ("times", "resolution", "median_minutes"), True),
    ("sla_compliance_pct", ("sla", "overall", "compliance"), False),
    ("followup_completion_rate_pct", ("followups", "completion_rate"), False),
    ("satisfaction_rate_pct", ("followups", "satisfaction_rate"), False),
)


def hours(minutes: Any) -> float | None:
    """Minutes as hours with one decimal, as the tables show them (None stays None)."""
    return None if minutes is None else round(minutes / 60, 1)


def headline(data: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of a report (:data:`HEADLINE`), each in the unit its name says."""
    out = {}
    for name, path, in_hours in HEADLINE:
        value: Any = data
        for key in path:
            value = value[key]
        out[name] = hours(value) if in_hours else value
    return out


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
