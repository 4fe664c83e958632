"""What is due or overdue: first responses, resolutions, follow-up calls, work orders and
periodic customer visits, soonest first (the ``due`` command and CI checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cstool.config.schema import Config
from cstool.domain.customers import next_visit
from cstool.domain.states import WORKING
from cstool.time import sla
from cstool.time.calendar import BusinessCalendar
from cstool.time.durations import span_label

KINDS = ("first_response", "resolution", "followup", "work_order", "visit")


@dataclass
class Item:
    """One deadline: a ticket's clock or a customer's visit."""

    id: str
    kind: str
    due: datetime
    overdue: bool
    assignee: str
    group: str
    title: str
    state: str
    left_minutes: float  # minutes until due in the deadline's own time (negative when late)
    calendar: bool = False  # calendar time (wall clock), else business time (working minutes)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "assignee": self.assignee or None,
            "group": self.group or None,
            "title": self.title,
            "state": self.state,
            "left_minutes": round(self.left_minutes),
            "time": "calendar" if self.calendar else "business",
        }


def deadlines(ticket: Any, config: Config, cal: BusinessCalendar,
              now: datetime) -> list[tuple[str, datetime, float | None, bool, str, str]]:
    """A ticket's running deadlines: (kind, due, target minutes, calendar time?, assignee, group);
    none for a void ticket.

    The due moments do not depend on ``now`` (a paused clock has none), so the index can
    keep them; ``now`` only has to be at or after the ticket's last event."""
    from cstool.time.clock import read_stamp

    latest = now
    for ev in ticket.get("history") or []:
        at = read_stamp(ev.get("at"), cal.tz) if isinstance(ev, dict) else None
        if at is not None and at > latest:
            latest = at
    status = ticket.get("status")
    if status == "void":  # 作废: nothing of it is due any more
        return []
    out = []
    # only a ticket being worked on has SLA or work-order deadlines running; any may have a call due
    working = status in WORKING
    clocks = sla.ticket_clocks(ticket, config, cal, latest) if working else sla.followup_clocks(ticket, cal, latest)
    for clock in clocks:
        due = clock.due
        if due is None:  # a paused resolution clock has none; a follow-up clock always has one
            continue
        if clock.kind == "followup":
            if clock.stopped is not None:
                continue
            group = config.followup_group or str(ticket.get("group") or "")
            assignee = str(clock.detail.get("assignee") or "")
        else:
            if not working or clock.stopped is not None or clock.state == "paused":
                continue
            group, assignee = str(ticket.get("group") or ""), str(ticket.get("assignee") or "")
        target = clock.target_minutes or None
        out.append((clock.kind, due, target, bool(clock.target and clock.target.calendar), assignee, group))
    return out


def make_item(ident: str, kind: str, due: datetime, target: float | None, calendar: bool, assignee: str, group: str,
              title: str, config: Config, cal: BusinessCalendar, now: datetime,
              timing: tuple[float, bool] | None = None) -> Item:
    """A deadline as seen at ``now``: overdue, warning (past the first warn_at fraction) or
    running, with the time left (or late) counted in the deadline's own time: wall-clock
    minutes for calendar time, working minutes for business time. ``timing``: the
    :func:`_timing` of this due moment, when the caller has it already."""
    left, overdue = timing or _timing(due, calendar, cal, now)
    state = "breached" if overdue else "running"
    if not overdue and target and config.warn_at and left <= target * (1 - config.warn_at[0]):
        state = "warning"
    return Item(ident, kind, due, overdue, assignee, group, title, state, left, calendar)


def _timing(due: datetime, calendar: bool, cal: BusinessCalendar, now: datetime) -> tuple[float, bool]:
    """Minutes left until due (in the deadline's own time) and whether it is overdue at now."""
    left = (due - now).total_seconds() / 60 if calendar else cal.between(now, due)
    return left, sla.late(due if calendar else sla.late_after(cal, due, sla.BUSINESS), now)


def ticket_items(ticket: Any, config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    """The running deadlines of one ticket, as seen at now."""
    return [make_item(str(ticket.get("id")), kind, due, target, calendar, assignee, group,
                      str(ticket.get("title") or ""), config, cal, now)
            for kind, due, target, calendar, assignee, group in deadlines(ticket, config, cal, now)]


def customer_items(record: Any, config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    due = next_visit(config, record)
    if due is None:
        return []
    return [make_item(str(record.get("id")), "visit", due, None, True, str(record.get("owner") or ""),
                      config.followup_group or "", visit_title(record), config, cal, now)]


def visit_title(record: Any) -> str:
    return f"{record.get('name') or ''} ({record.get('tier') or '?'})"


def collect(tickets: Iterable[Any], customers: Iterable[Any], config: Config, cal: BusinessCalendar,
            now: datetime) -> list[Item]:
    items: list[Item] = []
    for t in tickets:
        items.extend(ticket_items(t, config, cal, now))
    for c in customers:
        items.extend(customer_items(c, config, cal, now))
    items.sort(key=lambda i: (i.due, i.id, KINDS.index(i.kind)))
    return items


def select(items: list[Item], *, horizon: datetime | None, overdue_only: bool, assignees: tuple[str, ...],
           groups: tuple[str, ...], kinds: tuple[str, ...]) -> list[Item]:
    """Filter: overdue ones always, others due before the horizon (None: any time)."""
    out = []
    for item in items:
        if overdue_only and not item.overdue:
            continue
        if not item.overdue and horizon is not None and item.due > horizon:
            continue
        if assignees and item.assignee not in assignees:
            continue
        if groups and item.group not in groups:
            continue
        if kinds and item.kind not in kinds:
            continue
        out.append(item)
    return out


def left_text(item: Item, day_minutes: int, lang: str) -> str:
    """剩余 1小时 / 超时 2天22小时 / 剩余 1个工作日2小时(工作时间): an item's time left or
    late in its own time."""
    return span_label(item.left_minutes, item.overdue, item.calendar, day_minutes, lang)


def due_rows(index: Any, cal: BusinessCalendar, now: datetime, *, within: Any, overdue_only: bool,
             kinds: tuple[str, ...], groups: tuple[str, ...], assignees: tuple[str, ...]) -> list[tuple[tuple, datetime]]:
    """The index's deadline rows due within ``within`` business time of now (overdue ones
    always; only those if ``overdue_only``), each with its due moment, soonest first."""
    horizon = now if overdue_only else cal.add(now, within)
    rows = index.deadlines(horizon, kinds=kinds, groups=groups, assignees=assignees)
    moments: dict[str, datetime] = {}  # a backlog has many deadlines at the same minute
    dated = [(row, moments.get(row[2]) or moments.setdefault(row[2], datetime.fromisoformat(row[2]))) for row in rows]
    if overdue_only:
        dated = [(row, when) for row, when in dated if sla.late(when, now)]
    return dated


def count_overdue(dated: list[tuple[tuple, datetime]], now: datetime) -> int:
    return sum(1 for _, when in dated if sla.late(when, now))


def row_item(row: tuple, when: datetime, config: Config, cal: BusinessCalendar, now: datetime) -> Item:
    """An index deadline row (id, kind, due, target, calendar, assignee, group, title) as an Item."""
    return row_items([(row, when)], config, cal, now)[0]


def row_items(dated: list[tuple[tuple, datetime]], config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    """:func:`row_item` of every row; deadlines falling due at the same moment (a backlog
    holds many) are timed once."""
    timings: dict[tuple[datetime, bool], tuple[float, bool]] = {}
    items = []
    for (ident, kind, _, target, calendar, assignee, group, title), when in dated:
        own_time = bool(calendar) or kind == "visit"
        timing = timings.get((when, own_time))
        if timing is None:
            timing = timings[(when, own_time)] = _timing(when, own_time, cal, now)
        items.append(make_item(ident, kind, when, target, own_time, assignee or "", group or "", title or "",
                               config, cal, now, timing))
    return items


def by_assignee(dated: list[tuple[tuple, datetime]]) -> list[tuple[tuple, datetime]]:
    """Grouped by assignee; groups ordered by their soonest item, items soonest first."""
    order: dict[str, int] = {}
    for i, (row, _) in enumerate(dated):
        order.setdefault(row[5] or "", i)
    return sorted(dated, key=lambda d: (order[d[0][5] or ""], d[1]))
