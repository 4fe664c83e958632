"""What is due or overdue: first responses, resolutions, follow-up calls, work orders and
periodic customer visits, soonest first (the ``due`` command and CI checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from cstool import sla
from cstool.calendar import BusinessCalendar
from cstool.config import Config
from cstool.customers import next_visit

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
    left_minutes: float  # business minutes until due; negative when late

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
        }


def ticket_items(ticket: Any, config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    """The running deadlines of one ticket."""
    status = ticket.get("status")
    items = []
    for clock in sla.ticket_clocks(ticket, config, cal, now):
        if clock.kind == "followup":
            if clock.stopped is not None:
                continue
            group = config.followup_group or str(ticket.get("group") or "")
            assignee = ""
        else:
            if status not in ("open", "in_progress", "pending") or not clock.running or clock.due is None:
                continue
            group = str(ticket.get("group") or "")
            assignee = str(ticket.get("assignee") or "")
        items.append(Item(
            id=str(ticket.get("id")),
            kind=clock.kind,
            due=clock.due,
            overdue=clock.due <= now,
            assignee=assignee,
            group=group,
            title=str(ticket.get("title") or ""),
            state="breached" if clock.due <= now else clock.state,
            left_minutes=cal.between(now, clock.due),
        ))
    return items


def customer_items(record: Any, config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    due = next_visit(config, record)
    if due is None:
        return []
    return [Item(
        id=str(record.get("id")),
        kind="visit",
        due=due,
        overdue=due <= now,
        assignee=str(record.get("owner") or ""),
        group=config.followup_group or "",
        title=f"{record.get('name') or ''} ({record.get('tier') or '?'})",
        state="breached" if due <= now else "running",
        left_minutes=cal.between(now, due),
    )]


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


def business_text(minutes: float, day_minutes: int, lang: str) -> str:
    """45m, 3h20m, 2d4h — business time; days are working days."""
    minutes = abs(int(round(minutes)))
    days, rest = divmod(minutes, day_minutes)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours:
        parts.append(f"{hours}h")
    if mins and not days:
        parts.append(f"{mins}m")
    text = "".join(parts) or "0m"
    if lang == "zh":
        text = text.replace("d", "天").replace("h", "小时").replace("m", "分")
    return text
