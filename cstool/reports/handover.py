"""The shift handover (交接班): what happened since the shift began and what the next
shift inherits, as data and as text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cstool.config.schema import Config
from cstool.domain.states import WORKING
from cstool.messages import label
from cstool.reports import render, views
from cstool.time.clock import read_stamp


def shift_start(cal: Any, now: datetime) -> datetime:
    """Where the handover starts by default: the end of the previous working shift (see
    :meth:`cstool.time.calendar.BusinessCalendar.previous_shift_end`)."""
    return cal.previous_shift_end(now)


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


def handover_text(data: dict[str, Any], config: Config, lang: str, day_minutes: int = 540,
                  width: int | None = None) -> str:
    """The handover (as :func:`handover` returns it) as text: one section after another,
    each with its columns aligned and fitted to width (see :func:`render.table`)."""
    from cstool.time.durations import span_label

    def name(pid: str | None) -> str:
        return views.person_name(config, pid) or label("unassigned", lang)

    def status(r: dict[str, Any]) -> str:
        return label("status." + str(r["status"]), lang)

    lines = [label("handover.title", lang, since=views.short_time(data["since"]), until=views.short_time(data["until"]))]
    _section(lines, label("handover.opened", lang), [[r["id"], r["title"], name(r["assignee"]), status(r)]
                                                     for r in data["opened"]], width)
    _section(lines, label("handover.closed", lang), [[r["id"], r["title"], name(r["assignee"])] for r in data["closed"]],
             width)
    _section(lines, label("handover.escalated", lang), [
        [r["id"], f"L{r['from']}→L{r['to']}", r["title"], r["reason"] or ""] for r in data["escalated"]], width)
    still = [[f"{name(pid)} ({len(rows)})" if n == 0 else "", r["id"], r["title"], status(r)]
             for pid, rows in data["open_by_assignee"].items() for n, r in enumerate(rows)]
    _section(lines, label("handover.still_open", lang), still, width, count=False, keep=(1,))
    _section(lines, label("handover.due_next", lang), [
        [views.short_time(i["due"]), i["id"], label("kind." + i["kind"], lang), name(i["assignee"]),
         span_label(i["left_minutes"], i["overdue"], i.get("time") == "calendar", day_minutes, lang)]
        for i in data["due_next_shift"]], width, keep=(0, 1))
    return "\n".join(lines)


INDENT = "  "


def _section(lines: list[str], title: str, rows: list[list[Any]], width: int | None, count: bool = True,
             keep: tuple[int, ...] = (0,)) -> None:
    """A titled section after a blank line: its rows as aligned columns (titles cut to fit
    width, or to 40 columns when not on a terminal), or a dash when it has none."""
    lines += ["", f"{title} ({len(rows)})" if count else title]
    if not rows:
        lines.append(INDENT + "—")
        return
    limit = width if not width else max(width - len(INDENT), 1)
    cells = [[render.capped(c, 40, limit) for c in row] for row in rows]
    text = render.table(cells, [""] * len(cells[0]), "plain", limit, keep=keep)
    lines += [(INDENT + line).rstrip() for line in text.split("\n")]
