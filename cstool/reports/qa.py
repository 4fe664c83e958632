"""QA sampling (随机抽查) and the shift handover (交接班) summary."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Iterable

from cstool.time.clock import read_stamp
from cstool.config.schema import Config
from cstool.domain.states import WORKING


def closed_at(ticket: Any, tz: Any) -> datetime | None:
    """When the ticket was last closed (None if it is not closed)."""
    if ticket.get("status") != "closed":
        return None
    for ev in reversed(ticket.get("history") or []):
        if ev.get("action") == "close":
            return read_stamp(ev.get("at"), tz)
    return None


def sample_closed(tickets: Iterable[Any], config: Config, period: Any, n: int, seed: int,
                  types: set[str], groups: set[str]) -> tuple[list[Any], int]:
    """A reproducible sample: the same desk, filters and seed always give the same tickets."""
    pool = []
    for t in tickets:
        when = closed_at(t, config.tz)
        if when is None or (period is not None and when not in period):
            continue
        if types and t.get("type") not in types or groups and t.get("group") not in groups:
            continue
        pool.append(t)
    pool.sort(key=lambda t: str(t.get("id")))
    picked = random.Random(seed).sample(pool, min(n, len(pool)))
    picked.sort(key=lambda t: str(t.get("id")))
    return picked, len(pool)


def shift_start(cal: Any, now: datetime) -> datetime:
    """The start of the working range that holds now, or of the last one before it."""
    local = now.astimezone(cal.tz)
    day = local.date()
    for _ in range(30):
        base = datetime(day.year, day.month, day.day, tzinfo=cal.tz)
        starts = [base + timedelta(minutes=s) for s, _ in cal.ranges(day)]
        past = [s for s in starts if s <= local]
        if past:
            return max(past)
        day -= timedelta(days=1)
    return local - timedelta(hours=12)


def handover(tickets: Iterable[Any], config: Config, cal: Any, since: datetime, now: datetime,
             horizon: datetime, due_items: list[Any]) -> dict[str, Any]:
    """What happened since the shift began and what the next shift inherits, per assignee."""
    opened, closed, escalated = [], [], []
    still_open: dict[str, list[dict[str, Any]]] = {}
    for t in tickets:
        tid = str(t.get("id"))
        row = {"id": tid, "title": t.get("title"), "status": t.get("status"), "group": t.get("group"),
               "assignee": t.get("assignee")}
        created = read_stamp(t.get("created"), cal.tz)
        if created is not None and since <= created <= now:
            opened.append(row)
        for ev in t.get("history") or []:
            at = read_stamp(ev.get("at"), cal.tz)
            if at is None or not since <= at <= now:
                continue
            if ev.get("action") == "close":
                closed.append({**row, "resolution": ev.get("resolution")})
            elif ev.get("action") == "escalate":
                escalated.append({**row, "from": ev.get("from"), "to": ev.get("to"), "reason": ev.get("reason")})
        if t.get("status") in WORKING:
            still_open.setdefault(str(t.get("assignee") or ""), []).append(row)
    due_next = [i.as_json() for i in due_items if i.due <= horizon]
    return {
        "since": since.isoformat(),
        "until": now.isoformat(),
        "opened": opened,
        "closed": closed,
        "escalated": escalated,
        "open_by_assignee": {k: v for k, v in sorted(still_open.items())},
        "due_next_shift": due_next,
    }
