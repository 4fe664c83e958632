"""How tickets look to people: the list table, the detail page and the history timeline.

Commands hand plain data and the language here; the output format (table, JSON, CSV,
Markdown) is chosen by the caller. Customer phone and email are masked unless reveal.
"""

from __future__ import annotations

from typing import Any

from cstool.config.schema import Config
from cstool.domain.model import FIELD_ORDER
from cstool.messages import label, local_name
from cstool.reports import render

LIST_COLUMNS = ("id", "status", "type", "priority", "title", "customer", "group", "assignee", "created", "due")
# what a narrow terminal leaves out first (column indexes of LIST_COLUMNS): created, customer, group, due,
# type (sorted by due: type and priority, never the due column); ID and times are never cut, only left out
LIST_DROP = (8, 5, 6, 9, 2)
LIST_DROP_BY_DUE = (8, 5, 6, 2, 3)
LIST_KEEP = (0, 8, 9)
LIST_TITLE_MIN = 20  # columns a title keeps before other columns are left out
TITLE_WIDTH = 34


def type_name(config: Config, key: str, lang: str) -> str:
    t = config.types.get(key)
    return key if t is None else local_name(t, lang)


def group_name(config: Config, key: str, lang: str) -> str:
    g = config.groups.get(key)
    return key or "" if g is None else local_name(g, lang)


def channel_name(config: Config, key: str, lang: str) -> str:
    c = config.channels.get(key)
    return key if c is None else local_name(c, lang)


def person_name(config: Config, pid: str | None) -> str:
    if not pid:
        return ""
    p = config.person(pid)
    return p.name if p else pid


def level_name(config: Config, level: Any, lang: str) -> str:
    try:
        role = config.ladder[int(level) - 1]
    except (TypeError, ValueError, IndexError):
        return str(level or "")
    return f"L{int(level)} {label('role.' + role, lang)}"


def short_time(stamp: str) -> str:
    """2026-11-22T09:30:00+08:00 → 2026-11-22 09:30 (the desk's zone)."""
    return stamp[:16].replace("T", " ") if stamp else ""


def public_summary(s: dict[str, Any], reveal: bool) -> dict[str, Any]:
    out = {k: v for k, v in s.items() if not k.startswith("_")}
    if not reveal:
        out["phone"] = render.mask_phone(out.get("phone")) or ""
        out["email"] = render.mask_email(out.get("email")) or ""
    return out


def ticket_list(rows: list[dict[str, Any]], config: Config, lang: str, fmt: str, reveal: bool,
                width: int | None = None, sort: str = "") -> str:
    """Summaries as table/markdown/csv/json text; a table fitted to ``width`` (see
    :func:`cstool.reports.render.table`), keeping the due column longest when sorted by it."""
    if fmt == "json":
        return render.to_json([public_summary(s, reveal) for s in rows]) + "\n"
    if fmt == "csv":
        keys = [k for k in rows[0] if not k.startswith("_")] if rows else [k for k in LIST_COLUMNS]
        data = [public_summary(s, reveal) for s in rows]
        return render.table([[d.get(k, "") for k in keys] for d in data], keys, "csv")
    if not rows:
        return ""
    headers = [label(c, lang) for c in LIST_COLUMNS]
    table_rows = []
    cap = width if fmt == "table" else render.WIDE
    for s in rows:
        table_rows.append([
            s["id"],
            label("status." + s["status"], lang) if s["status"] else "",
            type_name(config, s["type"], lang),
            s["priority"],
            render.capped(s["title"], TITLE_WIDTH, cap),
            render.capped(s["customer"], 12, cap),
            group_name(config, s["group"], lang),
            person_name(config, s["assignee"]) or "—",
            short_time(s["created"]),
            short_time(s.get("due") or ""),
        ])
    drop = LIST_DROP_BY_DUE if sort.lstrip("-") == "due" else LIST_DROP
    return render.table(table_rows, headers, fmt, width, drop=drop, keep=LIST_KEEP, soft_min=LIST_TITLE_MIN) + "\n"


# --------------------------------------------------------------------------- show


def _edited_value(path: str, value: Any, lang: str, reveal: bool) -> str:
    """One side of an edit's change as shown: contacts masked unless reveal, severities named."""
    if value is None or value == "":
        return "—"
    if path == "severity":
        return label("severity." + str(value), lang, default=str(value))
    if path == "due" or path.endswith("_due"):
        return short_time(str(value))
    text = " ".join(str(value).split())
    if path in ("customer.phone", "customer.email", "customer.name", "description", "title") and not reveal:
        text = render.mask_text(text)
    return render.truncate(text, 40)


def edit_changes(ev: Any, lang: str, reveal: bool = False) -> list[str]:
    """An ``edit`` event's changes, each as ``field: old → new``."""
    out = []
    for change in ev.get("changes") or []:
        if not isinstance(change, dict):
            continue
        path = str(change.get("field") or "")
        leaf = path.rsplit(".", 1)[-1]
        name = leaf if path.startswith("fields.") else label({"customer.name": "customer"}.get(path, leaf), lang)
        old, new = (_edited_value(path, change.get(k), lang, reveal) for k in ("from", "to"))
        out.append(f"{name}: {old} → {new}")
    return out


def describe_event(ev: Any, config: Config, lang: str, reveal: bool = False) -> str:
    """One history event as a readable line (without time and actor); the contacts an edit
    changed are masked unless reveal."""
    action = str(ev.get("action", ""))
    name = label("action." + action, lang)
    parts = [name]
    if action == "edit":
        parts.append("; ".join(edit_changes(ev, lang, reveal)))
    if action == "create":
        where = group_name(config, str(ev.get("group") or ""), lang)
        who = person_name(config, ev.get("assignee"))
        parts.append(f"→ {where}" + (f" / {who}" if who else ""))
        if ev.get("rule"):
            parts.append(label("event.rule", lang, rule=str(ev["rule"])))
    if "from" in ev or "to" in ev:
        src, dst = ev.get("from"), ev.get("to")
        if action == "escalate":
            src, dst = level_name(config, src, lang), level_name(config, dst, lang)
        elif action == "route":
            src, dst = group_name(config, str(src or ""), lang), group_name(config, str(dst or ""), lang)
        parts.append(f"{src or '—'} → {dst or '—'}")
    if ev.get("assignee") and action != "create":
        parts.append(label("event.assignee", lang, name=person_name(config, ev.get("assignee"))))
    for key, labelled in (("result", True), ("reason", True), ("resolution", True), ("note", False),
                          ("message", False)):
        value = ev.get(key)
        if value:
            text = " ".join(str(value).split())
            if key == "result":
                text = label(f"result.{text}", lang, default=text)
            parts.append(f"{label('event.' + key, lang)}: {text}" if labelled else text)
    return "  ".join(parts)


def clock_lines(clocks: list[Any], lang: str, day_minutes: int = 540) -> list[str]:
    """One line per SLA clock: kind, state, due, how far along it is, and the time left (or
    how late) in the clock's own time."""
    from cstool.time.durations import span_label

    lines = []
    for c in clocks:
        name = label("kind." + c.kind, lang)
        state = label("clock." + c.state, lang, default=c.state)
        due = short_time(c.due.isoformat()) if c.due else "—"
        extra = ""
        if c.target is not None:
            extra = f"  {c.target}  {round(c.fraction * 100)}%"
        if c.kind == "resolution" and c.detail.get("cycles", 1) > 1:
            extra += "  " + label("clock.cycle", lang, n=c.detail["cycles"])
        if c.ever_breached and c.state not in ("breached", "missed"):
            extra += "  " + label("clock.breached_before", lang)
        if c.left_minutes is not None:
            late = c.state in ("breached", "missed")
            extra += "  " + span_label(c.left_minutes, late, c.calendar, day_minutes, lang)
        lines.append(f"  {name}: {state}  {due}{extra}")
    return lines


def ticket_detail(ticket: Any, config: Config, lang: str, reveal: bool, clocks: list[Any] | None = None,
                  day_minutes: int = 540, width: int | None = None) -> str:
    """The ``show`` page: fields, description, details, follow-ups and the timeline; lines
    wider than ``width`` are wrapped (see :func:`cstool.reports.render.wrap_line`)."""
    head = f"{ticket.get('id')}  {ticket.get('title') or ''}"
    lines = [head, "=" * min(max(render.width(head), 20), width or 80)]
    lines.extend(_field_lines(ticket, config, lang, reveal))
    sla = ticket.get("sla") or {}
    if sla or clocks:
        policy = f" ({sla.get('policy')})" if sla.get("policy") else ""
        lines += ["", label("sla", lang) + policy + ":", *clock_lines(clocks or [], lang, day_minutes)]
    fields = ticket.get("fields") or {}
    _section(lines, "fields", [f"  {key}: {value}" for key, value in fields.items()], lang)
    desc = str(ticket.get("description") or "").rstrip()
    _section(lines, "description", ["  " + ln for ln in desc.splitlines()] if desc else [], lang)
    _section(lines, "followups", [_followup_line(f, lang) for f in ticket.get("followups") or []], lang)
    _section(lines, "history", [f"  {short_time(str(ev.get('at') or ''))}  {person_name(config, ev.get('by'))}  "
                                f"{describe_event(ev, config, lang, reveal)}" for ev in ticket.get("history") or []], lang)
    return "".join(part + "\n" for line in lines for part in render.wrap_line(render.escape_controls(line), width))


def _section(lines: list[str], key: str, body: list[str], lang: str) -> None:
    """A titled block of the show page after a blank line; nothing when it has no lines."""
    if body:
        lines += ["", label(key, lang) + ":", *body]


def _customer_text(ticket: Any, lang: str, reveal: bool) -> str:
    """Name, phone and email (masked unless reveal), tier and record ID on one line."""
    cust = render.mask_customer(dict(ticket.get("customer") or {}), reveal)
    text = " ".join(str(cust.get(k)) for k in ("name", "phone", "email") if cust.get(k))
    if cust.get("tier"):
        text += f" ({label('tier', lang)} {cust['tier']})"
    if cust.get("id"):
        text += f" [{cust['id']}]"
    return text


def _field_lines(ticket: Any, config: Config, lang: str, reveal: bool) -> list[str]:
    """The current fields as aligned "label  value" lines (empty ones left out), then links."""
    rows = [
        ("status", label("status." + str(ticket.get("status")), lang)),
        ("type", type_name(config, str(ticket.get("type")), lang)),
        ("channel", channel_name(config, str(ticket.get("channel")), lang)),
        ("priority", ticket.get("priority")),
        ("severity", label("severity." + str(ticket.get("severity")), lang) if ticket.get("severity") else None),
        ("category", ticket.get("category")),
        ("customer", _customer_text(ticket, lang, reveal) or None),
        ("group", group_name(config, str(ticket.get("group") or ""), lang)),
        ("assignee", person_name(config, ticket.get("assignee")) or label("unassigned", lang)),
        ("level", level_name(config, ticket.get("level"), lang)),
        ("created", short_time(str(ticket.get("created") or ""))),
        ("updated", short_time(str(ticket.get("updated") or ""))),
        ("due", short_time(str(ticket.get("due") or "")) or None),
    ]
    width = max(render.width(label(k, lang)) for k, _ in rows)
    lines = []
    for key, value in rows:
        if value not in (None, ""):
            name = label(key, lang)
            lines.append(f"{name}{' ' * (width - render.width(name))}  {value}")
    links = ticket.get("links") or []
    if links:
        name = label("links", lang)
        lines.append(f"{name}{' ' * (width - render.width(name))}  {', '.join(str(x) for x in links)}")
    return lines


def _followup_line(f: Any, lang: str) -> str:
    result = f.get("result")
    state = label(f"result.{result}", lang, default=str(result)) if result else label("followup.due", lang)
    kind = label(f"followup.kind.{f.get('kind', '')}", lang, default=str(f.get("kind", "")))
    return (f"  {short_time(str(f.get('due') or ''))}  {kind}  {state}"
            + (f"  {f.get('note')}" if f.get("note") else ""))


def ticket_json(ticket: Any, reveal: bool, clocks: list[Any] | None = None) -> str:
    """The ticket as JSON. While its resolution clock is paused (pending), the stored
    ``sla.resolution_due`` is out of date: it is left out and ``sla.resolution_left_minutes``
    (the time left, in the target's own time) given instead."""
    data = render.plain(ticket)
    paused = next((c for c in clocks or [] if c.kind == "resolution" and c.state == "paused"), None)
    if paused is not None and isinstance(data.get("sla"), dict):
        data["sla"].pop("resolution_due", None)
        data["sla"]["resolution_left_minutes"] = round(paused.left_minutes or 0)
    if "customer" in data:
        data["customer"] = render.mask_customer(data["customer"], reveal)
    if not reveal and isinstance(data.get("history"), list):
        data["history"] = render.masked_edits(data["history"])
    ordered = {k: data[k] for k in FIELD_ORDER if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return render.to_json(ordered) + "\n"
