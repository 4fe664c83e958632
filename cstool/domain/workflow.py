"""Creating tickets and acting on them: the one place where a ticket changes.

Every change appends one history event and updates the current fields from it, so that
replaying the history always gives the current fields (see :mod:`cstool.domain.history`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cstool.config.schema import Config, Person
from cstool.domain import history, model, permissions, routing, states
from cstool.errors import InputError
from cstool.messages import Phrase, label, stored_language
from cstool.reports.render import shown
from cstool.time.calendar import calendar_of
from cstool.time.clock import stamp

if TYPE_CHECKING:
    from cstool.desk.store import Desk
    from cstool.domain.templates import Template
    from cstool.git.repo import Commit


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
    due: str | None = None  # a work order's explicit due time (ISO 8601)


@dataclass
class Batch:
    """Many new tickets prepared at once (an import): each template and customer record
    read once, people assigned one after another from one :class:`routing.Tally`."""

    tally: routing.Tally
    created: str
    templates: dict[str, Any] = field(default_factory=dict)
    customers: dict[str, Any] = field(default_factory=dict)
    count: int = 0
    words: dict[tuple[str | None, ...], tuple[str | None, ...]] = field(default_factory=dict)  # typed -> keys


def new_batch(desk: Desk, now: datetime) -> Batch:
    """A batch for tickets created now, counting what the desk's tickets are assigned."""
    index = desk.index()
    rows = {r["id"]: r for group in desk.config.groups for r in index.assignment_rows(group)}
    return Batch(routing.Tally(rows.values()), stamp(now))


def start_level(config: Config, ticket_type: str, severity: str) -> int:
    """Ladder level a new ticket starts at: a major complaint starts at the manager's."""
    if ticket_type == "complaint" and severity == "major" and "manager" in config.ladder:
        return config.ladder.index("manager") + 1
    return 1


def prepare_ticket(desk: Desk, req: NewTicket, batch: Batch | None = None) -> tuple[dict[str, Any], Template | None]:
    """Validate a create request against the config and fill every default.

    Reads the desk (templates, customers, other tickets for assignment) but writes nothing;
    with a batch, what it read for the tickets before is used again."""
    config = desk.config
    req = _in_keys(config, req, batch)
    template = _chosen_template(desk, req)
    ticket_type = req.type or (template.type if template else None)
    if not ticket_type:
        raise InputError("error.create.type_required")
    model.check_choice(ticket_type, list(config.types), "--type")
    title = model.check_title(req.title)
    if template is None:
        template = _type_template(desk, config.types[ticket_type].template, batch)
    values = _described_values(config, req, ticket_type, title, template)
    values["customer"] = _customer(desk, req, batch)
    if values["customer"].get("tier"):
        values["tier"] = values["customer"]["tier"]
    _place_new(desk, req, values, batch)
    values["_said"] = req.description or ""  # keywords match what the customer said, not the template
    if req.due is not None and ticket_type != "work_order":
        raise InputError("error.create.due_for_work_orders")
    values["_due"] = req.due
    return values, template


def missing_for_create(desk: Desk, req: NewTicket) -> tuple[str | None, list[Any]]:
    """The ticket type a create request names (by --type or --template; None when neither)
    and everything it lacks, all at once: ``--type``, ``--title`` and the required fields
    of its type's template that have no default (as :class:`FieldSpec`). A type the desk
    does not know is left to :func:`prepare_ticket` to refuse."""
    from cstool.domain.templates import load_template, missing_fields

    req = _in_keys(desk.config, req)  # a type typed as 投诉 has the fields of complaint
    template = _chosen_template(desk, req)
    ticket_type = req.type or (template.type if template else None)
    missing: list[Any] = [] if ticket_type else ["--type"]
    if req.title is None:
        missing.append("--title")  # a blank one is refused as such by prepare_ticket
    if ticket_type in desk.config.types:
        if template is None:
            template = load_template(desk.root, desk.config.types[ticket_type].template, desk.config)
        missing += missing_fields(template, dict(req.fields or {}))
    return ticket_type, missing
_WORD_KINDS = ("type", "channel", "priority", "severity", "tier", "group")


def _in_keys(config: Config, req: NewTicket, batch: Batch | None = None) -> NewTicket:
    """The request with the words a user typed for type, channel, priority, severity, tier
    and group (a key, a Chinese or English name, any case) turned into the config's keys;
    a batch remembers the keys of the words it has seen (an import's rows repeat them)."""
    from dataclasses import replace

    from cstool.config.words import word

    typed = tuple(getattr(req, kind) for kind in _WORD_KINDS)
    keys = batch.words.get(typed) if batch is not None else None
    if keys is None:
        keys = tuple(word(config, kind, text, f"--{kind}") for kind, text in zip(_WORD_KINDS, typed, strict=True))
        if batch is not None:
            batch.words[typed] = keys
    kind, channel, priority, severity, tier, group = keys
    return replace(req, type=kind, channel=channel, priority=priority, severity=severity, tier=tier, group=group)
def _type_template(desk: Desk, name: str, batch: Batch | None) -> Template | None:
    from cstool.domain.templates import load_template

    if batch is None:
        return load_template(desk.root, name, desk.config)
    if name not in batch.templates:
        batch.templates[name] = load_template(desk.root, name, desk.config)
    return batch.templates[name]


def _chosen_template(desk: Desk, req: NewTicket) -> Template | None:
    """The template named by --template (None without one), checked against --type."""
    if not req.template:
        return None
    from cstool.domain.templates import load_template

    template = load_template(desk.root, req.template, desk.config)
    if template is None:
        raise InputError("error.template.none", name=repr(req.template), folder=desk.rel(desk.root / "templates"))
    if req.type and req.type != template.type:
        raise InputError("error.template.other_type", name=req.template, type=template.type, given=req.type)
    return template


def _described_values(config: Config, req: NewTicket, ticket_type: str, title: str,
                      template: Template | None) -> dict[str, Any]:
    """What the ticket says: the request's values, else the template's defaults, validated."""
    from cstool.domain.templates import field_values

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
    values["fields"] = field_values(template, dict(req.fields or {})) or None
    return values


def _place_new(desk: Desk, req: NewTicket, values: dict[str, Any], batch: Batch | None = None) -> None:
    """Fill the new ticket's group (the rules, unless --group), assignee (--assignee, else the
    group's method) and ladder level into values."""
    config = desk.config
    level = start_level(config, values["type"], values["severity"])
    rule = None
    if values["group"] is None:
        # keywords match what the customer said, not the template's skeleton
        values["group"], rule = routing.choose_group(config, dict(values, description=req.description or ""))
    group = values["group"]
    if req.assignee:
        from cstool.config.words import person

        values["assignee"] = routing.group_member(config, person(config, req.assignee), group).id
    elif batch is not None:
        values["assignee"] = batch.tally.choose(config, group, level)
    else:
        values["assignee"] = routing.choose_assignee(config, group, level, _assignment(desk, group))
        values["_chosen"] = True  # chosen by the group's method: chosen again if others wrote meanwhile
    values["level"] = level
    values["_rule"] = rule
    if batch is not None:
        batch.count += 1
        batch.tally.add(group, values["assignee"], batch.created, batch.count)


def _assignment(desk: Desk, group: str) -> list[dict[str, Any]]:
    """The tickets routing looks at to choose a person of the group."""
    return desk.index().assignment_rows(group)


def _customer(desk: Desk, req: NewTicket, batch: Batch | None = None) -> dict[str, Any]:
    """The customer block: from a customer record (--customer C-…) or typed details."""
    from cstool.domain import ids

    out: dict[str, Any] = {}
    ref = (req.customer or "").strip()
    if ref and ids.CUSTOMER_ID_RE.match(ref.upper()):
        cid = ref.upper()
        record = _customer_record(desk, cid, batch)
        out = {"id": cid, "name": record.get("name"), "phone": record.get("phone"),
               "email": record.get("email"), "tier": record.get("tier")}
    elif ref:
        out["name"] = model.check_title(ref) if ref else None
    if req.phone is not None:
        out["phone"] = model.check_phone(req.phone)
    if req.email is not None:
        out["email"] = model.check_email(req.email)
    if req.tier is not None:
        out["tier"] = req.tier
    return {k: v for k, v in out.items() if v not in (None, "")}


def _customer_record(desk: Desk, cid: str, batch: Batch | None) -> Any:
    """The customer record of an ID (read once a batch), refused when there is none."""
    if batch is not None and cid in batch.customers:
        return batch.customers[cid]
    if not desk.customer_path(cid).is_file():
        raise InputError("error.create.no_customer", cid=cid)
    record = desk.load_customer(cid)
    if batch is not None:
        batch.customers[cid] = record
    return record


def sla_block(config: Config, values: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """The SLA promise made at creation: the policy, its targets and the due times."""
    from cstool.time.sla import choose_policy

    policy = choose_policy(config, values)
    if policy is None or values["type"] == "work_order":
        return None
    cal = calendar_of(config)
    block: dict[str, Any] = {"policy": policy.name}
    if policy.first_response is not None:
        block["first_response_target"] = str(policy.first_response)
        block["first_response_due"] = stamp(cal.add(now, policy.first_response))
    if policy.resolution is not None:
        block["resolution_target"] = str(policy.resolution)
        block["resolution_due"] = stamp(cal.add(now, policy.resolution))
    return block


def work_order_due(config: Config, values: dict[str, Any], now: datetime) -> str | None:
    """A work order's due time: --due, else its urgency's (A/B/C) duration from now."""
    if values["type"] != "work_order":
        return None
    from cstool.time.typed import read_typed

    if values.get("_due"):
        typed = read_typed(values["_due"], config.tz, now, "--due")
        due = typed.at
        if not typed.has_time:  # a date alone: the end of that working day (or the next one's)
            due = calendar_of(config).end_of_working_day(due.date())
        if due <= now:
            raise InputError("error.create.due_before", due=shown(values["_due"]), now=stamp(now))
        return stamp(due)
    return stamp(calendar_of(config).add(now, config.work_order_due[values["priority"]]))


def build_ticket(ticket_id: str, values: dict[str, Any], actor: Person, now: datetime, config: Config,
                 plain: bool = False) -> Any:
    """The new ticket's mapping, with its creation event (of dicts and lists if ``plain``,
    see :func:`model.new_ticket`)."""
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
    mark_recorder(ev, actor)
    data = {k: v for k, v in values.items() if not k.startswith("_") and k != "tier"}
    data.update(id=ticket_id, status="open", created=at, updated=at)
    said = dict(values, description=values.get("_said", ""))
    data["sla"] = sla_block(config, said, now)
    data["due"] = work_order_due(config, values, now)
    return model.new_ticket(data, [ev], plain)


def mark_recorder(ev: Any, actor: Person) -> None:
    """A lead recording for another roster person is named on the event as ``recorded_by``."""
    if actor.recorded_by:
        ev["recorded_by"] = actor.recorded_by


def _rule_text(rule: Any) -> str | None:
    if rule is None:
        return None
    return ", ".join(f"{k}={'|'.join(v)}" for k, v in rule.when.items())




def commit_message(ticket_id: str, action: str, actor: Person, detail: str = "") -> str:
    """The commit message: ``CS-2026-7KQ3MX9 escalate L1→L2: SLA breach (by li.si@example.com)``.

    Phone numbers and e-mails in the action and its free-text detail are masked (git history is read by
    everyone with the repository and cannot be rewritten); the actor's own id is not."""
    from cstool.reports.render import mask_text

    detail = mask_text(" ".join(detail.split()))
    if len(detail) > 60:
        detail = detail[:59] + "…"
    return f"{ticket_id} {mask_text(action)}{': ' + detail if detail else ''} (by {actor.id})"


def create_ticket(
    desk: Desk, req: NewTicket, actor: Person, now: datetime, commit: Commit | None = None
) -> tuple[str, Path, Any]:
    """Validate, mint an ID under the lock, write the new ticket file and commit it."""
    permissions.require(desk.config, "create", actor)
    _check_backfill(desk, actor)
    values, _ = prepare_ticket(desk, req)
    work_order_due(desk.config, values, now)  # refuse a bad --due before taking the lock
    with desk.lock():
        if values.get("_chosen") and desk.written_since_opened():
            # another process wrote after this one looked: balance on what is there now
            values["assignee"] = routing.choose_assignee(desk.config, values["group"], values["level"],
                                                         _assignment(desk, values["group"]))
        ticket_id = desk.mint_ticket_id(now.year)
        path = desk.ticket_path(ticket_id, now.year, now.month)
        ticket = build_ticket(ticket_id, values, actor, now, desk.config)
        model.in_time_order([], ticket["history"], desk.config.tz, ticket_id, desk.backfill)
        desk.save(path, ticket)
        if commit:
            commit([path], commit_message(ticket_id, f"create {values['type']}", actor, values["title"]))
    return ticket_id, path, ticket


# --------------------------------------------------------------------------- actions


@dataclass
class Outcome:
    """What an action did: the ticket after it and the events it appended."""

    ticket_id: str
    ticket: Any
    events: list[Any]
    message: str


Builder = Callable[[Any], "tuple[list[Any], str]"]


def act(desk: Desk, query: str, actor: Person, action: str, build: Builder,
        commit: Commit | None = None, permission: str | None = None) -> Outcome:
    """Load a ticket under the lock, check status and permission, apply events, save, commit.

    ``build(ticket)`` returns the events to append and the commit message detail; it may
    refuse with InputError, in which case nothing is written.
    """
    ticket_id, path = desk.resolve(query)
    _check_backfill(desk, actor)
    with desk.lock():
        ticket = desk.load_ticket(path)
        states.check(action, str(ticket.get("status")), ticket_id)
        permissions.require(desk.config, permission or action, actor, ticket, ticket_id)
        events, detail = build(ticket)
        in_time_order(desk, ticket, events)
        for ev in events:
            mark_recorder(ev, actor)
            history.apply(ticket, ev)
            _carry_sla(desk.config, ticket, ev)
        desk.save(path, ticket)
        message = commit_message(ticket_id, detail, actor)
        if commit:
            commit([path], message)
    return Outcome(ticket_id, ticket, events, message)


def _check_backfill(desk: Desk, actor: Person) -> None:
    """A late entry (--backfill) may be recorded only by those the permissions allow."""
    if desk.backfill is not None:
        permissions.require(desk.config, "backfill", actor)


def in_time_order(desk: Desk, ticket: Any, events: list[Any]) -> None:
    """Refuse events earlier than the ticket's last one; mark them with --backfill's reason."""
    model.in_time_order(ticket.get("history") or [], events, desk.config.tz, str(ticket.get("id")), desk.backfill)


def _carry_sla(config: Config, ticket: Any, ev: Any) -> None:
    """After a pause ends or a cycle starts, record the new resolution due time and the
    paused minutes on the event and the ticket, so that the file shows the live promise."""
    action = ev.get("action")
    sla_data = ticket.get("sla") or {}
    if action not in ("resume", "reopen", "resolve", "close") or not sla_data.get("resolution_target"):
        return
    from cstool.time.clock import read_stamp
    from cstool.time.sla import resolution

    cal = calendar_of(config)
    at = read_stamp(ev.get("at"), cal.tz)
    assert at is not None  # the events act() applies are built with their time
    clock = resolution(ticket, cal, at, ())
    if clock is None:
        return
    paused = int(clock.detail.get("paused_minutes", 0))
    if action in ("resume", "reopen") and clock.due is not None:
        ev["resolution_due"] = stamp(clock.due)
    if paused or (action == "reopen" and "paused_minutes" in sla_data):
        ev["paused_minutes"] = paused
    history.carry(ticket, ev)


def route_event(at: str, by: str, old_group: Any, group: str, assignee: str | None, **fields: Any) -> Any:
    """A route event: from the old group (kept even when there was none) to group and assignee."""
    ev = model.event(at, by, "route")
    ev["from"] = old_group
    ev.update(model.event(at, by, "route", to=group, assignee=assignee, **fields))
    return ev


def escalate_event(at: str, by: str, level: int, target: int, reason: str, assignee: str | None) -> Any:
    """An escalate event from ladder level to target; ``skip`` when it passes levels (越级)."""
    ev = model.event(at, by, "escalate")
    ev["from"], ev["to"] = level, target
    ev.update(model.event(at, by, "escalate", reason=reason, assignee=assignee))
    if target > level + 1:
        ev["skip"] = True
    return ev


def route(desk: Desk, query: str, actor: Person, now: datetime, group: str, assignee: str | None,
          note: str | None, commit: Commit | None = None) -> Outcome:
    """Send a ticket to a group (and a member of it, or one chosen by the group's method)."""
    from cstool.config.words import person, word

    config = desk.config
    group = word(config, "group", group, "--group") or group
    note = model.check_text(note, "--note") or None if note is not None else None
    member = routing.group_member(config, person(config, assignee), group) if assignee else None

    def build(ticket: Any) -> tuple[list[Any], str]:
        who = member.id if member else routing.choose_assignee(config, group, int(ticket.get("level") or 1),
                                                               _assignment(desk, group))
        old = ticket.get("group")
        if old == group and ticket.get("assignee") == who:
            raise InputError("error.route.already", ticket=ticket["id"], group=group, who=f" / {who}" if who else "")
        ev = route_event(stamp(now), actor.id, old, group, who, note=note)
        return [ev], f"route {old}→{group}" + (f" ({who})" if who else "")

    return act(desk, query, actor, "route", build, commit)


def route_auto(desk: Desk, queries: list[str], actor: Person, now: datetime,
               commit: Commit | None = None) -> list[Outcome]:
    """Apply the routing rules to unrouted tickets (no assignee), or to the given ones."""
    config = desk.config
    permissions.require(config, "route", actor)
    _check_backfill(desk, actor)
    with desk.lock():
        if queries:
            targets = list(dict.fromkeys(desk.resolve(q) for q in queries))  # each ticket once
        else:
            files = desk.ticket_files()
            targets = [(s["id"], files[s["id"]]) for s in desk.summaries()
                       if s["status"] in states.WORKING and not s["assignee"] and s["id"] in files]
        outcomes: list[Outcome] = []
        summaries = desk.summaries()
        paths = []
        for ticket_id, path in targets:
            ticket = desk.load_ticket(path)
            if ticket.get("status") not in states.WORKING:
                if queries:
                    states.check("route", str(ticket.get("status")), ticket_id)
                continue
            if not queries and ticket.get("assignee"):
                continue
            values = {k: ticket.get(k) for k in ("type", "channel", "priority", "severity", "category", "title", "description")}
            values["tier"] = model.customer_of(ticket).get("tier")
            group, rule = routing.choose_group(config, values)
            who = routing.choose_assignee(config, group, int(ticket.get("level") or 1), summaries)
            if group == ticket.get("group") and who == ticket.get("assignee"):
                continue
            ev = route_event(stamp(now), actor.id, ticket.get("group"), group, who, rule=_rule_text(rule))
            mark_recorder(ev, actor)
            in_time_order(desk, ticket, [ev])  # all checked before the first file is written
            for s in summaries:
                if s["id"] == ticket_id:
                    s.update(group=group, assignee=who)
            paths.append(path)
            outcomes.append(Outcome(ticket_id, ticket, [ev], f"route {ev['from']}→{group}"))
        _apply_all(desk, paths, outcomes)
        commit_bulk(commit, paths, outcomes, actor, f"route --auto: {len(outcomes)} tickets routed")
    return outcomes


def _apply_all(desk: Desk, paths: list[Path], outcomes: list[Outcome]) -> None:
    """Apply each planned outcome's events to its ticket and save it (a bulk command's writes)."""
    desk.check_writes(paths)
    for path, outcome in zip(paths, outcomes, strict=True):
        for ev in outcome.events:
            history.apply(outcome.ticket, ev)
        desk.save(path, outcome.ticket)


def commit_bulk(commit: Commit | None, paths: list[Path], outcomes: list[Outcome], actor: Person, summary: str) -> None:
    """One commit for a command that changed several tickets (the ticket's own message when one)."""
    if not commit or not paths:
        return
    if len(outcomes) == 1:
        commit(paths, commit_message(outcomes[0].ticket_id, outcomes[0].message, actor))
    else:
        commit(paths, f"{summary} (by {actor.id})")


def target_level(config: Config, level: int, to_role: str | None) -> int:
    """The ladder level an escalation goes to; refuse past the top or downwards."""
    top = len(config.ladder)
    if to_role is None:
        if level >= top:
            raise InputError("error.escalate.top", top=Phrase("who.role." + config.ladder[-1], default=config.ladder[-1]))
        return level + 1
    from cstool.config.words import word

    to_role = word(config, "role", to_role, "--to") or to_role
    target = config.ladder.index(to_role) + 1
    if target <= level:
        raise InputError("error.escalate.not_up", role=to_role, level=level,
                         at=Phrase("who.role." + config.ladder[level - 1], default=config.ladder[level - 1]))
    return target


def escalate(desk: Desk, query: str, actor: Person, now: datetime, reason: str | None,
             to_role: str | None = None, commit: Commit | None = None) -> Outcome:
    """One level up the ladder (or to --to ROLE, skipping levels 越级), with a reason."""
    config = desk.config
    reason = model.check_text(reason, "--reason", required=True).strip()

    def build(ticket: Any) -> tuple[list[Any], str]:
        level = int(ticket.get("level") or 1)
        new = target_level(config, level, to_role)
        who = escalation_assignee(config, ticket, new, _assignment(desk, str(ticket.get("group"))))
        ev = escalate_event(stamp(now), actor.id, level, new, reason, who)
        return [ev], f"escalate L{level}→L{new}: {reason}"

    return act(desk, query, actor, "escalate", build, commit)


def simple(desk: Desk, query: str, actor: Person, now: datetime, action: str, *,
           commit: Commit | None = None, **fields: Any) -> Outcome:
    """reply, note, chase, pending, resume and reopen: one event with its fields."""
    detail_field = {"reply": None, "note": None, "chase": None, "ack": "note", "pending": "reason", "resume": None,
                    "reopen": "reason"}[action]

    def build(ticket: Any) -> tuple[list[Any], str]:
        ev = model.event(stamp(now), actor.id, action, **fields)
        detail = action
        if detail_field and fields.get(detail_field):
            detail += f": {fields[detail_field]}"
        return [ev], detail

    return act(desk, query, actor, action, build, commit)


def finish(desk: Desk, query: str, actor: Person, now: datetime, action: str, resolution: str | None,
           commit: Commit | None = None) -> Outcome:
    """resolve or close: record the result; schedule the follow-up call its type asks for."""
    config = desk.config
    if resolution is not None:
        resolution = model.check_text(resolution, "--resolution").strip() or None

    def build(ticket: Any) -> tuple[list[Any], str]:
        if not resolution and not ticket.get("resolution"):
            raise InputError("error.resolution_required", ticket=ticket["id"], action=Phrase(f"may.{action}", default=action))
        if ticket.get("type") == "complaint" and ticket.get("severity") == "major":
            permissions.require(config, "close_major", actor, ticket, str(ticket["id"]))
        ev = model.event(stamp(now), actor.id, action, resolution=resolution)
        due = followup_due(config, ticket, now)
        if due is not None:
            ev["followup_due"] = stamp(due)
            caller = followup_caller(desk)
            if caller:
                ev["followup_assignee"] = caller
        detail = action + (f": {resolution}" if resolution else "")
        return [ev], detail

    return act(desk, query, actor, action, build, commit)


def followup_due(config: Config, ticket: Any, now: datetime) -> datetime | None:
    """When the follow-up call of a ticket being resolved now falls due, if its type has one
    and none is already waiting."""
    ttype = config.types.get(str(ticket.get("type")))
    policy = config.followup_policies.get(str(ticket.get("type")))
    if ttype is None or not ttype.followup:
        return None
    if any(not f.get("done_at") for f in ticket.get("followups") or []):
        return None
    from cstool.time.durations import parse_duration

    after = policy.after if policy else parse_duration("2d")
    return calendar_of(config).add(now, after)


def followup_caller(desk: Desk) -> str | None:
    """The follow-up group's agent who makes a call being scheduled, by the group's
    assignment rule over the calls still open (from the index's deadlines: least_open counts
    them, round_robin goes on from the person of the latest-due one)."""
    config = desk.config
    group = config.followup_group
    if not group:
        return None
    people = routing.candidates(config, group, 1)
    if len(people) < 2:  # nobody to choose between: the index need not be read
        return people[0].id if people else None
    calls = [{"group": group, "assignee": assignee, "created": due, "id": ident, "status": "open"}
             for ident, _, due, _, _, assignee, _, _ in desk.index().deadlines(None, kinds=("followup",))
             if assignee]
    return routing.choose_assignee(config, group, 1, calls)


FOLLOWUP_RESULTS = ("satisfied", "unsatisfied", "unreachable")


def record_followup(desk: Desk, query: str, actor: Person, now: datetime, result: str, note: str | None,
                    commit: Commit | None = None) -> Outcome:
    """Record a follow-up call (回访). Unsatisfied reopens the ticket and escalates it one
    level (客户不满意继续督导); unreachable counts an attempt and keeps the call due until
    the policy's attempts are used up."""
    config = desk.config
    model.check_choice(result, FOLLOWUP_RESULTS, "--result")
    note = (model.check_text(note, "--note").strip() or None) if note is not None else None

    def build(ticket: Any) -> tuple[list[Any], str]:
        calls = list(ticket.get("followups") or [])
        waiting = [f for f in calls if not f.get("done_at")]
        callback = not waiting and bool(calls) and calls[-1].get("result") == "unreachable"
        if not waiting and not (callback and result != "unreachable"):
            raise InputError("error.followup.none_due", ticket=ticket["id"])
        if ticket.get("type") == "complaint" and ticket.get("assignee") == actor.id:
            # the handler does not grade their own work: the follow-up group calls (unless configured)
            permissions.require(config, "followup_own", actor, ticket, str(ticket["id"]))
        at = stamp(now)
        ev = model.event(at, actor.id, "followup", result=result, note=note)
        detail = f"followup {result}"
        if callback:
            ev["callback"] = True
            detail += " (call-back after the last unreachable attempt)"
        elif result == "unreachable":
            detail += _unreachable_attempt(config, ticket, waiting[0], ev, now)
        events = [ev]
        if result == "unsatisfied":
            reason = "回访不满意" + (f": {note}" if note else "")
            events.append(model.event(at, actor.id, "reopen", reason=reason))
            level = int(ticket.get("level") or 1)
            if level < len(config.ladder):
                group = str(ticket.get("group"))
                who = routing.choose_assignee(config, group, level + 1, _assignment(desk, group))
                events.append(escalate_event(at, actor.id, level, level + 1, reason, who))
                detail += f" → reopen, escalate L{level}→L{level + 1}"
            else:
                detail += " → reopen"
        return events, detail

    return act(desk, query, actor, "followup", build, commit)


def call_script(desk: Desk, query: str, caller: Person) -> str:
    """The follow-up call script (回访话术) of a ticket's template, filled with its values."""
    from cstool.domain.templates import fill_script, load_template

    _, path = desk.resolve(query)
    ticket = desk.load_ticket(path)
    config = desk.config
    ttype = config.types.get(str(ticket.get("type")))
    name = (ttype.template if ttype is not None and ttype.template else None) or str(ticket.get("type"))
    template = load_template(desk.root, name, config)
    if template is None or not template.followup_script.strip():
        raise InputError("error.followup.no_script", ticket=ticket["id"], name=name)
    resolved = str((ticket.get("sla") or {}).get("resolved_at") or "")
    values = {"ticket": str(ticket.get("id")), "customer": str((ticket.get("customer") or {}).get("name") or ""),
              "title": str(ticket.get("title") or ""), "created": str(ticket.get("created") or "")[:10],
              "resolved": resolved[:10], "resolution": str(ticket.get("resolution") or ""), "caller": caller.name}
    return fill_script(template.followup_script, values)


def _unreachable_attempt(config: Config, ticket: Any, call: Any, ev: Any, now: datetime) -> str:
    """Mark an unreachable attempt on the event: its number, and either final (the
    policy's attempts are used up) or the next attempt's due time (``retry_after`` on)."""
    policy = config.followup_policies.get(str(ticket.get("type")))
    limit = policy.attempts if policy else 3
    attempts = int(call.get("attempts") or 0) + 1
    ev["attempt"] = attempts
    if attempts >= limit:
        ev["final"] = True
        return f" (attempt {attempts} of {limit}, given up)"
    from cstool.time.durations import parse_duration

    retry = policy.retry_after if policy else parse_duration("1d")
    ev["next_due"] = stamp(calendar_of(config).add(now, retry))
    return f" (attempt {attempts} of {limit}, next by {ev['next_due']})"


def breach_level(config: Config, ticket: Any, now: datetime) -> tuple[int, datetime | None]:
    """The ladder level a ticket's overdue deadline warrants now, and its due moment.

    The running deadlines counted are the first response, the resolution (not while
    pending) and a work order's due time. Step *k* of ``sla.escalate_after`` is reached at
    exactly due + delay *k* (each delay in its own unit, business time unless marked
    ``calendar``); each step reached is one level above the level the ticket had before
    its due moment, never above the top. Escalations made at or after the due moment do
    not change that base, so running it again at the same moment changes nothing."""
    from cstool.time.clock import read_stamp
    from cstool.time.sla import first_response, resolution, work_order_clock

    cal = calendar_of(config)
    level = int(ticket.get("level") or 1)
    dues = []
    for clock in (first_response(ticket, cal, now, ()), resolution(ticket, cal, now, ()),
                  work_order_clock(ticket, cal, now)):
        if clock is not None and clock.stopped is None and clock.state != "paused" and clock.due is not None:
            dues.append(clock.due)
    if not dues or not config.escalate_after:
        return level, None
    due = min(dues)
    steps = sum(1 for delay in config.escalate_after if cal.add(due, delay) <= now)
    if not steps:
        return level, None
    base = 1
    for ev in ticket.get("history") or []:
        at = read_stamp(ev.get("at"), cal.tz)
        if at is None or at >= due:
            break
        if ev.get("action") == "create":
            base = int(ev.get("level") or 1)
        elif ev.get("action") == "escalate":
            base = int(ev.get("to") or base)
    return min(len(config.ladder), base + steps), due


def escalation_assignee(config: Config, ticket: Any, level: int, tickets: Any) -> str | None:
    """Who an escalated ticket goes to. A receiving department's work order stays in that
    department: the member holding the level's role, or its current assignee when the
    department has nobody in that role; other tickets go by the group's assignment rule.
    ``tickets``: the summaries the rule looks at, or a :class:`routing.Tally` of them."""
    group = str(ticket.get("group"))
    spec = config.groups.get(group)
    tally = tickets if isinstance(tickets, routing.Tally) else routing.Tally(tickets)
    if spec is not None and spec.department:
        role = config.ladder[min(max(level, 1), len(config.ladder)) - 1]
        if any(p.role == role for p in config.members(group)):
            return tally.choose(config, group, level)
        return ticket.get("assignee")
    return tally.choose(config, group, level)


BREACH_KINDS = ("first_response", "resolution", "work_order")  # the deadlines breach_level counts


def breached_ids(desk: Desk, now: datetime) -> list[str]:
    """The tickets whose breach warrants a higher level than they have at now, in path order.

    Only a ticket with a counted deadline due by now can be breached (each step of
    ``sla.escalate_after`` comes at or after its due moment), so the index's deadlines pick
    the tickets to look at. They are the same clocks (which run, and which stopped or are
    paused, is the file's, not the moment's) with the same due moments: a first response's
    and a work order's are in the file, and a resolution's is the moment its elapsed time
    reached the target when that is past, else later than any moment it was worked out at."""
    config = desk.config
    if not config.escalate_after:
        return []
    found = []
    for doc in desk.index().documents_due_by(now, BREACH_KINDS):
        target, breach = breach_level(config, doc, now)
        if breach is not None and target > int(doc.get("level") or 1):
            found.append(doc.get("id") or "")
    return found


def escalate_overdue(desk: Desk, actor: Person, now: datetime, commit: Commit | None = None) -> list[Outcome]:
    """Bring every breached ticket to the level its breach warrants; idempotent at a given time."""
    config = desk.config
    permissions.require(config, "escalate", actor)  # without a ticket only a role qualifies
    _check_backfill(desk, actor)
    outcomes: list[Outcome] = []
    with desk.lock():
        paths = []
        candidates = breached_ids(desk, now)
        files = desk.ticket_files() if candidates else {}
        candidates = [ticket_id for ticket_id in candidates if ticket_id in files]
        summaries = routing.Tally(desk.summaries() if candidates else [])  # counted once: the same for every ticket
        for ticket_id in candidates:
            path = files[ticket_id]
            ticket = desk.load_ticket(path)
            level = int(ticket.get("level") or 1)
            target, breach = breach_level(config, ticket, now)
            if breach is None or target <= level:
                continue
            who = escalation_assignee(config, ticket, target, summaries)
            reason = label("escalate.sla_breach", stored_language(config.language), at=stamp(breach))
            ev = escalate_event(stamp(now), actor.id, level, target, reason, who)
            mark_recorder(ev, actor)
            in_time_order(desk, ticket, [ev])  # all checked before the first file is written
            paths.append(path)
            outcomes.append(Outcome(ticket_id, ticket, [ev], f"escalate L{level}→L{target}: {reason}"))
        _apply_all(desk, paths, outcomes)
        commit_bulk(commit, paths, outcomes, actor, f"escalate --overdue: {len(outcomes)} breached tickets")
    return outcomes
