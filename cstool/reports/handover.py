"""The shift handover (交接班): what happened since the shift began and what the next
shift inherits, as data and as text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cstool.config.schema import Config
from cstool.domain.states import WORKING
from cstool.messages import label
from cstool.reports import render, views
from cstool.time.clock import read_stamp


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
        if t.get("status") == "void":  # 作废: registered by mistake, nothing to hand over
            continue
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


def handover_text(data: dict[str, Any], config: Config, lang: str, day_minutes: int = 540) -> str:
    """The handover (as :func:`handover` returns it) as text, one section after another."""
    lines = [label("handover.title", lang, since=views.short_time(data["since"]), until=views.short_time(data["until"]))]

    def section(key: str, rows: list[str]) -> None:
        lines.append("")
        lines.append(f"{label('handover.' + key, lang)} ({len(rows)})")
        lines.extend(rows or ["  —"])

    def name(pid: str | None) -> str:
        return views.person_name(config, pid) or label("unassigned", lang)

    section("opened", [f"  {r['id']}  {render.truncate(r['title'], 40)}  {name(r['assignee'])}" for r in data["opened"]])
    section("closed", [f"  {r['id']}  {render.truncate(r['title'], 40)}  {name(r['assignee'])}" for r in data["closed"]])
    section("escalated", [f"  {r['id']}  L{r['from']}→L{r['to']}  {render.truncate(r['title'], 30)}  {r['reason'] or ''}"
                          for r in data["escalated"]])
    lines.append("")
    lines.append(label("handover.still_open", lang))
    for pid, rows in data["open_by_assignee"].items():
        lines.append(f"  {name(pid)} ({len(rows)})")
        for r in rows:
            lines.append(f"    {r['id']}  {render.truncate(r['title'], 40)}  [{label('status.' + str(r['status']), lang)}]")
    from cstool.time.durations import span_label

    late = label("handover.late", lang)
    section("due_next", [
        f"  {i['due'][:16].replace('T', ' ')}  {i['id']}  {i['kind']}  {name(i['assignee'])}  "
        f"{late + '  ' if i['overdue'] else ''}"
        f"{span_label(i['left_minutes'], i['overdue'], i.get('time') == 'calendar', day_minutes, lang)}"
        for i in data["due_next_shift"]])
    return render.escape_controls("\n".join(lines))
