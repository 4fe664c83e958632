"""How tickets look to people: the list table, the detail page and the history timeline.

Commands hand plain data and the language here; the output format (table, JSON, CSV,
Markdown) is chosen by the caller. Customer phone and email are masked unless reveal.
"""

from __future__ import annotations

from typing import Any

from cstool.reports import render
from cstool.config.schema import Config
from cstool.messages import label
from cstool.domain.model import FIELD_ORDER

LIST_COLUMNS = ("id", "status", "type", "priority", "title", "customer", "group", "assignee", "created")
TITLE_WIDTH = 34


def type_name(config: Config, key: str, lang: str) -> str:
    t = config.types.get(key)
    return key if t is None else (t.name if lang == "zh" else t.name_en)


def group_name(config: Config, key: str, lang: str) -> str:
    g = config.groups.get(key)
    return key or "" if g is None else (g.name if lang == "zh" else g.name_en)


def channel_name(config: Config, key: str, lang: str) -> str:
    c = config.channels.get(key)
    return key if c is None else (c.name if lang == "zh" else c.name_en)


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


def ticket_list(rows: list[dict[str, Any]], config: Config, lang: str, fmt: str, reveal: bool) -> str:
    """Summaries as table/markdown/csv/json text."""
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
    for s in rows:
        table_rows.append([
            s["id"],
            label("status." + s["status"], lang) if s["status"] else "",
            type_name(config, s["type"], lang),
            s["priority"],
            render.truncate(s["title"], TITLE_WIDTH) if fmt == "table" else s["title"],
            render.truncate(s["customer"], 12) if fmt == "table" else s["customer"],
            group_name(config, s["group"], lang),
            person_name(config, s["assignee"]) or "—",
            short_time(s["created"]),
        ])
    return render.table(table_rows, headers, fmt) + "\n"


# --------------------------------------------------------------------------- show


def describe_event(ev: Any, config: Config, lang: str) -> str:
    """One history event as a readable line (without time and actor)."""
    action = str(ev.get("action", ""))
    zh = lang == "zh"
    name = label("action." + action, lang)
    parts = [name]
    if action == "create":
        where = group_name(config, str(ev.get("group") or ""), lang)
        who = person_name(config, ev.get("assignee"))
        parts.append(f"→ {where}" + (f" / {who}" if who else ""))
        if ev.get("rule"):
            parts.append(("(规则: " if zh else "(rule: ") + str(ev["rule"]) + ")")
    if "from" in ev or "to" in ev:
        src, dst = ev.get("from"), ev.get("to")
        if action == "escalate":
            src, dst = level_name(config, src, lang), level_name(config, dst, lang)
        elif action == "route":
            src, dst = group_name(config, str(src or ""), lang), group_name(config, str(dst or ""), lang)
        parts.append(f"{src or '—'} → {dst or '—'}")
    if ev.get("assignee") and action != "create":
        parts.append(("处理人 " if zh else "assignee ") + person_name(config, ev.get("assignee")))
    for key, zh_label, en_label in (("result", "结果", "result"), ("reason", "原因", "reason"),
                                    ("resolution", "处理结果", "resolution"), ("note", "", ""),
                                    ("message", "", "")):
        value = ev.get(key)
        if value:
            text = " ".join(str(value).split())
            parts.append(f"{(zh_label if zh else en_label) + ': ' if (zh_label or en_label) else ''}{text}")
    return "  ".join(parts)


STATE_LABELS = {
    "running": ("计时中", "running"),
    "warning": ("即将超时", "warning"),
    "breached": ("已超时", "breached"),
    "paused": ("暂停", "paused"),
    "met": ("达标", "met"),
    "missed": ("超时完成", "missed"),
}


def clock_lines(clocks: list[Any], lang: str) -> list[str]:
    """One line per SLA clock: kind, state, due, and how far along it is."""
    zh = lang == "zh"
    lines = []
    for c in clocks:
        name = label("kind." + c.kind, lang)
        state = STATE_LABELS.get(c.state, (c.state, c.state))[0 if zh else 1]
        due = short_time(c.due.isoformat()) if c.due else "—"
        extra = ""
        if c.target is not None:
            extra = f"  {c.target}  {round(c.fraction * 100)}%"
        if c.kind == "resolution" and c.detail.get("cycles", 1) > 1:
            extra += ("  第 {} 轮".format(c.detail["cycles"]) if zh else f"  cycle {c.detail['cycles']}")
        if c.ever_breached and c.state not in ("breached", "missed"):
            extra += "  (曾超时)" if zh else "  (breached before)"
        lines.append(f"  {name}: {state}  {due}{extra}")
    return lines


def ticket_detail(ticket: Any, config: Config, lang: str, reveal: bool, clocks: list[Any] | None = None) -> str:
    """The ``show`` page: fields, description, details, follow-ups and the timeline."""
    zh = lang == "zh"
    lines: list[str] = []
    title = str(ticket.get("title") or "")
    lines.append(f"{ticket.get('id')}  {title}")
    lines.append("=" * min(max(render.width(lines[0]), 20), 80))
    cust = render.mask_customer(dict(ticket.get("customer") or {}), reveal)
    cust_text = " ".join(str(cust.get(k)) for k in ("name", "phone", "email") if cust.get(k))
    if cust.get("tier"):
        cust_text += f" ({label('tier', lang)} {cust['tier']})"
    if cust.get("id"):
        cust_text += f" [{cust['id']}]"
    rows = [
        ("status", label("status." + str(ticket.get("status")), lang)),
        ("type", type_name(config, str(ticket.get("type")), lang)),
        ("channel", channel_name(config, str(ticket.get("channel")), lang)),
        ("priority", ticket.get("priority")),
        ("severity", label("severity." + str(ticket.get("severity")), lang) if ticket.get("severity") else None),
        ("category", ticket.get("category")),
        ("customer", cust_text or None),
        ("group", group_name(config, str(ticket.get("group") or ""), lang)),
        ("assignee", person_name(config, ticket.get("assignee")) or label("unassigned", lang)),
        ("level", level_name(config, ticket.get("level"), lang)),
        ("created", short_time(str(ticket.get("created") or ""))),
        ("updated", short_time(str(ticket.get("updated") or ""))),
        ("due", short_time(str(ticket.get("due") or "")) or None),
    ]
    lw = max(render.width(label(k, lang)) for k, _ in rows)
    for key, value in rows:
        if value in (None, ""):
            continue
        name = label(key, lang)
        lines.append(f"{name}{' ' * (lw - render.width(name))}  {value}")
    links = ticket.get("links") or []
    if links:
        name = label("links", lang)
        lines.append(f"{name}{' ' * (lw - render.width(name))}  {', '.join(str(x) for x in links)}")
    sla = ticket.get("sla") or {}
    if sla or clocks:
        lines.append("")
        policy = f" ({sla.get('policy')})" if sla.get("policy") else ""
        lines.append(label("sla", lang) + policy + ":")
        lines.extend(clock_lines(clocks or [], lang))
    fields = ticket.get("fields") or {}
    if fields:
        lines.append("")
        lines.append(label("fields", lang) + ":")
        for key, value in fields.items():
            lines.append(f"  {key}: {value}")
    desc = str(ticket.get("description") or "").rstrip()
    if desc:
        lines.append("")
        lines.append(label("description", lang) + ":")
        lines.extend("  " + ln for ln in desc.splitlines())
    followups = ticket.get("followups") or []
    if followups:
        lines.append("")
        lines.append(label("followups", lang) + ":")
        for f in followups:
            state = f.get("result") or ("待回访" if zh else "due")
            lines.append(f"  {short_time(str(f.get('due') or ''))}  {f.get('kind', '')}  {state}"
                         + (f"  {f.get('note')}" if f.get("note") else ""))
    history = ticket.get("history") or []
    if history:
        lines.append("")
        lines.append(label("history", lang) + ":")
        for ev in history:
            who = person_name(config, ev.get("by"))
            lines.append(f"  {short_time(str(ev.get('at') or ''))}  {who}  {describe_event(ev, config, lang)}")
    return "\n".join(lines) + "\n"


def ticket_json(ticket: Any, reveal: bool) -> str:
    data = render.plain(ticket)
    if "customer" in data:
        data["customer"] = render.mask_customer(data["customer"], reveal)
    ordered = {k: data[k] for k in FIELD_ORDER if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return render.to_json(ordered) + "\n"
