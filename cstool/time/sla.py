"""SLA policies and clocks: pure functions of a ticket, the calendar and now.

- ``first_response``: from creation to the first customer-facing reply; never paused.
- ``resolution``: from creation (or the latest reopen) to resolve/close; time in
  ``pending`` does not count; a reopen starts a new cycle.
- ``followup``: each scheduled follow-up call (回访) against its due time.
- ``work_order``: a work order's due time from its urgency (A/B/C) or ``--due``.

A clock is ``running``, ``warning`` (past the first ``warn_at`` fraction), ``breached``
(past its due, still running), ``paused``, ``met`` or ``missed`` (stopped after its due).

On time means elapsed ≤ target, inclusive: a clock stopped at the very second of its due
moment is met, and a running clock is breached only once that second has passed. Every
comparison of a due moment with an end is :func:`late`, so show, due, audit, escalate,
handover and the index agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from cstool.config.schema import Config, Policy
from cstool.domain.routing import rule_matches
from cstool.time.calendar import ROUNDING, BusinessCalendar
from cstool.time.clock import read_stamp
from cstool.time.durations import Duration, parse_duration

RUNNING_STATES = ("running", "warning", "breached")


def choose_policy(config: Config, values: dict[str, Any]) -> Policy | None:
    """The first SLA policy whose conditions all match the ticket's values."""
    for policy in config.sla_policies:
        if rule_matches(policy.when, values):
            return policy
    return None


@dataclass
class Clock:
    """One deadline of a ticket (or customer) as of ``now``."""

    kind: str
    start: datetime | None
    due: datetime | None
    target: Duration | None = None
    stopped: datetime | None = None
    state: str = "running"
    elapsed: float = 0.0  # minutes counted so far (business or calendar, as the target)
    target_minutes: float = 0.0
    breached_at: datetime | None = None
    ever_breached: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
    left_minutes: float | None = None  # time left in the clock's own time (negative: late); None once met

    @property
    def calendar(self) -> bool:
        """Whether the clock counts calendar time (else business time)."""
        return bool(self.target and self.target.calendar)

    @property
    def fraction(self) -> float:
        return self.elapsed / self.target_minutes if self.target_minutes else 0.0

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES


def parse_target(value: Any) -> Duration | None:
    if value in (None, ""):
        return None
    return _parse_target_text(str(value))


@lru_cache(maxsize=1024)  # a desk has a handful of distinct targets, read for every ticket
def _parse_target_text(text: str) -> Duration | None:
    try:
        return parse_duration(text)
    except Exception:  # a hand-edited target that no longer parses is reported by audit --check
        return None


def add_time(cal: BusinessCalendar, start: datetime, minutes: float, d: Duration) -> datetime:
    """start plus minutes counted as the duration counts them (calendar or business time)."""
    return _add(cal, start, minutes, d)


def _add(cal: BusinessCalendar, start: datetime, minutes: float, d: Duration) -> datetime:
    if d.calendar:
        from datetime import timedelta

        return start + timedelta(minutes=minutes)
    return cal.add_minutes(start, minutes)


def late(due: datetime | float, end: datetime | float) -> bool:
    """Whether something ending (or looked at) at ``end`` is past its ``due`` moment: strictly
    after it, as on time means elapsed ≤ target."""
    return end > due  # type: ignore[operator]


def late_after(cal: BusinessCalendar, due: datetime, target: Duration | None) -> datetime:
    """The last on-time moment of a deadline: the due moment itself, or for business time,
    when the due moment ends a working range, the start of the next one (no working time
    passes in between, so elapsed stays at the target until then)."""
    if target is None or target.calendar:
        return due
    return cal.add_minutes(due, 0)


def _state(clock: Clock, now: datetime, warn_at: tuple[float, ...]) -> None:
    if clock.stopped is not None:
        clock.state = "missed" if clock.breached_at is not None else "met"
    elif clock.breached_at is not None and late(clock.breached_at, now):
        clock.state = "breached"
    elif warn_at and clock.fraction >= warn_at[0]:
        clock.state = "warning"
    else:
        clock.state = "running"


def first_response(ticket: Any, cal: BusinessCalendar, now: datetime, warn_at: tuple[float, ...]) -> Clock | None:
    sla = ticket.get("sla") or {}
    target = parse_target(sla.get("first_response_target"))
    created = read_stamp(ticket.get("created"), cal.tz)
    if target is None or created is None:
        return None
    due = read_stamp(sla.get("first_response_due"), cal.tz) or cal.add(created, target)
    stopped = read_stamp(sla.get("first_response_at"), cal.tz)
    end = stopped or now
    clock = Clock("first_response", created, due, target, stopped)
    clock.target_minutes = cal.target_minutes(target)
    clock.elapsed = max(cal.elapsed(created, end, target), 0.0)
    # elapsed against target: a business target is not breached by the time outside
    # working hours right after its due moment
    if late(late_after(cal, due, target), end):
        clock.breached_at = due
        clock.ever_breached = True
    _state(clock, now, warn_at)
    return clock


def cycles(history: Any, tz: Any, times: Sequence[datetime | None] | None = None) -> list[dict[str, Any]]:
    """Resolution cycles: start, pauses [(from, to|None)], end (None while open).
    ``times``: the events' times when the caller has read them already."""
    cycles: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    history = history or []
    if times is None:
        times = [read_stamp(ev.get("at"), tz) for ev in history]
    for ev, at in zip(history, times):
        action = ev.get("action")
        if at is None:
            continue
        if action in ("create", "reopen"):
            current = {"start": at, "pauses": [], "end": None}
            cycles.append(current)
        elif current is None:
            continue
        elif action == "pending":
            if not current["pauses"] or current["pauses"][-1][1] is not None:
                current["pauses"].append([at, None])
        elif action in ("resume", "resolve", "close"):
            if current["pauses"] and current["pauses"][-1][1] is None:
                current["pauses"][-1][1] = at
            if action in ("resolve", "close") and current["end"] is None:
                current["end"] = at
    return cycles


def _running_stretches(cycle: dict[str, Any]) -> list[tuple[datetime, datetime | None]]:
    """A cycle's running stretches in order, (from, to): from its start up to each pause, then
    from each pause's end; the last runs on (to None) unless a pause has not ended."""
    stretches: list[tuple[datetime, datetime | None]] = []
    cursor = cycle["start"]
    for p_from, p_to in cycle["pauses"]:
        stretches.append((cursor, p_from))
        cursor = p_to
        if cursor is None:
            return stretches
    stretches.append((cursor, None))
    return stretches


def measure_cycle(cycle: dict[str, Any], target: Duration, cal: BusinessCalendar,
                  now: datetime) -> tuple[float, datetime | None, float, bool]:
    """(elapsed active minutes, breach moment or None, paused minutes, paused now)."""
    total = cal.target_minutes(target)
    end = cycle["end"] or now
    elapsed = 0.0
    paused = 0.0
    breach: datetime | None = None
    for p_from, p_to in cycle["pauses"]:
        paused += cal.elapsed(p_from, min(p_to or end, end), target) if p_from < end else 0.0
        if p_to is None:
            break
    paused_now = bool(cycle["pauses"]) and cycle["pauses"][-1][1] is None and cycle["end"] is None
    for a, b in _running_stretches(cycle):
        if a >= end:
            break
        stop = end if b is None else min(b, end)
        span = max(cal.elapsed(a, stop, target), 0.0)
        if breach is None and elapsed + span > total:
            breach = _add(cal, a, total - elapsed, target)
        elapsed += span
    return elapsed, breach, paused, paused_now


def open_breach(cycle: dict[str, Any], target: Duration, cal: BusinessCalendar) -> datetime | None:
    """When a cycle passes its target if it is never ended and never paused again after its
    pauses: :func:`measure_cycle`'s breach moment for a cycle without an end, looked at a
    moment past its last event by more than the target. Its last running stretch (from the
    last pause's end) then always holds what is left of the target, so the breach is found
    without measuring up to that moment. None when it breached neither before nor during a
    pause that has not ended."""
    total = cal.target_minutes(target)
    elapsed = 0.0
    for a, b in _running_stretches(cycle):
        if b is None:
            return _add(cal, a, total - elapsed, target)
        span = max(cal.elapsed(a, b, target), 0.0)
        if elapsed + span > total:
            return _add(cal, a, total - elapsed, target)
        elapsed += span
    return None


BUSINESS = Duration(text="business time")


def active_minutes(cycle: dict[str, Any], cal: BusinessCalendar, end: datetime) -> float:
    """Business minutes of a cycle up to end, without its time pending."""
    return measure_cycle(cycle, BUSINESS, cal, end)[0]


def resolution(ticket: Any, cal: BusinessCalendar, now: datetime, warn_at: tuple[float, ...]) -> Clock | None:
    sla = ticket.get("sla") or {}
    target = parse_target(sla.get("resolution_target"))
    if target is None:
        return None
    all_cycles = cycles(ticket.get("history"), cal.tz)
    if not all_cycles:
        return None
    ever = False
    for cycle in all_cycles[:-1]:
        _, breach, _, _ = measure_cycle(cycle, target, cal, now)
        ever = ever or breach is not None
    last = all_cycles[-1]
    elapsed, breach, paused, paused_now = measure_cycle(last, target, cal, now)
    total = cal.target_minutes(target)
    if paused_now:
        due = None
    elif breach is not None:
        due = breach
    else:
        # not breached: the remaining time counted on from now (or from when it stopped)
        due = _add(cal, last["end"] or now, max(total - elapsed, 0.0), target)
    clock = Clock("resolution", last["start"], due, target, last["end"])
    clock.target_minutes = total
    clock.elapsed = elapsed
    clock.breached_at = breach
    clock.ever_breached = ever or breach is not None
    clock.detail = {"cycles": len(all_cycles), "paused_minutes": round(paused)}
    if paused_now:
        clock.state = "paused"
    else:
        _state(clock, now, warn_at)
    return clock


def followup_clocks(ticket: Any, cal: BusinessCalendar, now: datetime) -> list[Clock]:
    out = []
    for f in ticket.get("followups") or []:
        due = read_stamp(f.get("due"), cal.tz)
        if due is None:
            continue
        done = read_stamp(f.get("done_at"), cal.tz)
        clock = Clock("followup", None, due, stopped=done)
        clock.detail = {"attempts": int(f.get("attempts") or 0), "result": f.get("result"),
                        "assignee": f.get("assignee")}
        end = done or now
        if late(due, end):
            clock.breached_at = due
            clock.ever_breached = True
        _state(clock, now, ())
        out.append(clock)
    return out


def work_order_clock(ticket: Any, cal: BusinessCalendar, now: datetime, unit: str = "working_day") -> Clock | None:
    if ticket.get("type") != "work_order":
        return None
    due = read_stamp(ticket.get("due"), cal.tz)
    if due is None:
        return None
    stopped = read_stamp((ticket.get("sla") or {}).get("resolved_at"), cal.tz)
    clock = Clock("work_order", read_stamp(ticket.get("created"), cal.tz), due, stopped=stopped)
    end = stopped or now
    if late(due, end):
        clock.breached_at = due
        clock.ever_breached = True
        clock.detail = {"late_days": late_days(cal, due, end, unit=unit)}
    _state(clock, now, ())
    return clock


def late_days(cal: BusinessCalendar, due: datetime, stop: datetime, since: datetime | None = None,
              unit: str = "working_day") -> int:
    """Late days (每延误一天) of something due at `due` and late until `stop`, counting only
    the late days that start at or after `since` (default: all of them).

    The first late day starts the moment `due` passes, and a new one every `unit` of
    lateness after that: a working day (``cal.day_minutes`` of working time) or a day (24
    hours). Any part of a late day counts, so 31 working minutes late is one late day;
    and as each late day starts at one moment, the late days counted with `since` at the
    end of one period and at the start of the next add up to those of both together."""
    size = cal.day_minutes if unit == "working_day" else 24 * 60

    def lateness(t: datetime) -> float:
        if t <= due:
            return 0.0
        return cal.between(due, t) if unit == "working_day" else (t - due).total_seconds() / 60

    late_until = lateness(stop)
    late_from = lateness(since) if since is not None else 0.0
    if late_until <= late_from:
        return 0
    return _days_begun(late_until, size) - _days_begun(late_from, size)


def _days_begun(minutes: float, size: float) -> int:
    """How many late days have begun after `minutes` of lateness (the first one at once)."""
    return max(0, math.ceil(minutes / size - ROUNDING / size))


def ticket_clocks(ticket: Any, config: Config, cal: BusinessCalendar, now: datetime) -> list[Clock]:
    """Every clock of a ticket as of now."""
    out: list[Clock] = []
    for clock in (first_response(ticket, cal, now, config.warn_at), resolution(ticket, cal, now, config.warn_at),
                  work_order_clock(ticket, cal, now, config.late_unit)):
        if clock is not None:
            out.append(clock)
    out.extend(followup_clocks(ticket, cal, now))
    for clock in out:
        clock.left_minutes = _left(clock, cal, now)
    return out


def _left(clock: Clock, cal: BusinessCalendar, now: datetime) -> float | None:
    """Time left until the clock's due (negative: how late), in its own time: against the
    target for SLA clocks, business time from the due moment for follow-ups and work orders."""
    if clock.state == "met":
        return None
    if clock.target is not None and clock.target_minutes:
        return clock.target_minutes - clock.elapsed
    if clock.due is None:
        return None
    return cal.between(clock.stopped or now, clock.due)


def paused_minutes_at(ticket: Any, cal: BusinessCalendar, now: datetime) -> int:
    """Business minutes the current cycle has spent pending, up to now (for the file)."""
    clock = resolution(ticket, cal, now, ())
    return int(clock.detail.get("paused_minutes", 0)) if clock else 0
