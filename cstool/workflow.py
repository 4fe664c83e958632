"""Creating tickets and acting on them: the one place where a ticket changes.

Every change appends one history event and updates the current fields from it, so that
replaying the history always gives the current fields (see :mod:`cstool.replay`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from cstool import model, routing
from cstool.clock import stamp
from cstool.config import Config, Person
from cstool.errors import InputError
from cstool.store import Desk
from cstool.template import Template, field_values, load_template


@dataclass
class NewTicket:
    """What a user asked for in ``create``; None means "use the default"."""

    type: str | None
    title: str | None
    description: str | None = None
    channel: str | None = None
    customer: str | None = None
    phone: str | None = None
    email: str | None = None
    tier: str | None = None
    priority: str | None = None
    severity: str | None = None
    category: str | None = None
    group: str | None = None
    assignee: str | None = None
    template: str | None = None
    fields: dict[str, str] | None = None


def start_level(config: Config, ticket_type: str, severity: str) -> int:
    """Ladder level a new ticket starts at: a major complaint starts at the manager's."""
    if ticket_type == "complaint" and severity == "major" and "manager" in config.ladder:
        return config.ladder.index("manager") + 1
    return 1


def prepare_ticket(desk: Desk, req: NewTicket) -> tuple[dict[str, Any], Template | None]:
    """Validate a create request against the config and fill every default.

    Reads the desk (templates, customers, other tickets for assignment) but writes nothing.
    """
    config = desk.config
    template = None
    if req.template:
        template = load_template(desk.root, req.template, config)
        if template is None:
            raise InputError(f"--template: no template {req.template!r} in {desk.rel(desk.root / 'templates')}")
        if req.type and req.type != template.type:
            raise InputError(f"--template {req.template} is for type {template.type}, not {req.type}")
    ticket_type = req.type or (template.type if template else None)
    if not ticket_type:
        raise InputError("--type is required (e.g. --type complaint)")
    model.check_choice(ticket_type, list(config.types), "--type")
    title = model.check_title(req.title)
    if template is None:
        template = load_template(desk.root, config.types[ticket_type].template, config)
    defaults = template.defaults if template else {}
    values: dict[str, Any] = {
        "type": ticket_type,
        "title": title,
        "channel": req.channel or defaults.get("channel") or next(iter(config.channels)),
        "priority": req.priority or defaults.get("priority") or "B",
        "severity": req.severity or defaults.get("severity") or "general",
        "tier": req.tier,
        "group": req.group,
    }
    model.validate_field_values(values, config)
    if req.description is not None:
        values["description"] = model.check_text(req.description, "--description")
    else:
        values["description"] = template.description if template else ""
    category = req.category if req.category is not None else defaults.get("category")
    values["category"] = model.check_category(category, config)
    given_fields = dict(req.fields or {})
    values["fields"] = field_values(template, given_fields) or None

    values["customer"] = _customer(desk, req)
    if values["customer"].get("tier"):
        values["tier"] = values["customer"]["tier"]

    level = start_level(config, ticket_type, values["severity"])
    rule = None
    if values["group"] is None:
        # keywords match what the customer said, not the template's skeleton
        said = dict(values, description=req.description or "")
        values["group"], rule = routing.choose_group(config, said)
    group = values["group"]
    if req.assignee:
        person = config.person(req.assignee)
        if person is None:
            raise InputError(f"--assignee: {req.assignee!r} is not in the roster")
        if group not in person.groups:
            raise InputError(f"--assignee: {person.id} is not a member of group {group} ({config.groups[group].name})")
        values["assignee"] = person.id
    else:
        values["assignee"] = routing.choose_assignee(config, group, level, _summaries(desk))
    values["level"] = level
    values["_rule"] = rule
    return values, template


def _summaries(desk: Desk) -> list[dict[str, Any]]:
    return [
        {k: t.get(k) for k in ("id", "group", "assignee", "status", "created")}
        for _, t in desk.iter_tickets()
    ]


def _customer(desk: Desk, req: NewTicket) -> dict[str, Any]:
    """The customer block: from a customer record (--customer C-…) or typed details."""
    from cstool import ids

    out: dict[str, Any] = {}
    ref = (req.customer or "").strip()
    if ref and ids.CUSTOMER_ID_RE.match(ref.upper()):
        cid = ref.upper()
        if not desk.customer_path(cid).is_file():
            raise InputError(f"--customer: no customer record {cid} (see 'cstool customer list')")
        record = desk.load_customer(cid)
        out = {"id": cid, "name": record.get("name"), "phone": record.get("phone"), "email": record.get("email"), "tier": record.get("tier")}
    elif ref:
        out["name"] = model.check_title(ref) if ref else None
    if req.phone is not None:
        out["phone"] = model.check_phone(req.phone)
    if req.email is not None:
        out["email"] = model.check_email(req.email)
    if req.tier is not None:
        out["tier"] = req.tier
    return {k: v for k, v in out.items() if v not in (None, "")}


def build_ticket(ticket_id: str, values: dict[str, Any], actor: Person, now: datetime) -> Any:
    """The new ticket's mapping, with its creation event."""
    at = stamp(now)
    ev = model.event(
        at,
        actor.id,
        "create",
        status="open",
        group=values["group"],
        assignee=values.get("assignee"),
        level=values["level"],
        rule=_rule_text(values.get("_rule")),
    )
    data = {k: v for k, v in values.items() if not k.startswith("_") and k != "tier"}
    data.update(id=ticket_id, status="open", created=at, updated=at)
    return model.new_ticket(data, [ev])


def _rule_text(rule: Any) -> str | None:
    if rule is None:
        return None
    return ", ".join(f"{k}={'|'.join(v)}" for k, v in rule.when.items())


Committer = Callable[[list[Path], str], None]


def commit_message(ticket_id: str, action: str, actor: Person, detail: str = "") -> str:
    """SPEC §6 message: ``CS-2026-7KQ3MX9 escalate L1→L2: SLA breach (by li.si@example.com)``."""
    detail = " ".join(detail.split())
    if len(detail) > 60:
        detail = detail[:59] + "…"
    return f"{ticket_id} {action}{': ' + detail if detail else ''} (by {actor.id})"


def create_ticket(
    desk: Desk, req: NewTicket, actor: Person, now: datetime, commit: Committer | None = None
) -> tuple[str, Path, Any]:
    """Validate, mint an ID under the lock, write the new ticket file and commit it."""
    values, _ = prepare_ticket(desk, req)
    with desk.lock():
        ticket_id = desk.mint_ticket_id(now.year)
        path = desk.ticket_path(ticket_id, now.year, now.month)
        ticket = build_ticket(ticket_id, values, actor, now)
        desk.save(path, ticket)
        if commit:
            commit([path], commit_message(ticket_id, f"create {values['type']}", actor, values["title"]))
    return ticket_id, path, ticket
