"""Correcting and voiding tickets (``cstool edit``, ``cstool void``).

An ``edit`` event records each change as ``{field, from, to}`` (a field path such as
``priority``, ``customer.phone`` or ``fields.order_no``); applying it sets the fields, so
the file and the history agree and ``show``/``log`` tell who changed what. Rules:

- A severity change moves the ticket to the level its rules require: a complaint found to
  be major (重大投诉) while it is still being worked on goes up to the level a major
  complaint starts at (the manager's), with an ``escalate`` event in the same commit and
  to the person escalation would choose. Going back to general moves nothing (escalation
  only goes up); a resolved or closed ticket is not moved.
- A change of priority, severity or category can change which SLA policy applies. When it
  does, the edit event also records the new policy, its targets and due times: the first
  response is due the new target after creation, the resolution the new target after the
  start of the current cycle (creation or the latest reopen), paused time not counting.
  Whether a finished ticket met its deadlines is then judged against the new targets, as if
  the priority had been right from the start.
- A work order's urgency (priority) change moves its due time to the new urgency's span
  after creation, unless the due time was set by hand (``create --due``), which is kept.

``void`` (作废) marks a ticket registered by mistake: its status becomes ``void`` from any
other status, for good; the file and its history stay in the desk and in git.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cstool.config.schema import PRIORITIES, SEVERITIES, Config, Person
from cstool.domain import history, model, states, workflow
from cstool.domain.templates import load_template
from cstool.errors import InputError
from cstool.reports.render import plain, shown
from cstool.time.clock import read_stamp, stamp

if TYPE_CHECKING:
    from cstool.desk.store import Desk
    from cstool.git.repo import Commit

# the plain fields edit changes, by the option that names them
OPTION_OF = {"title": "--title", "description": "--description", "priority": "--priority",
             "severity": "--severity", "category": "--category", "customer.name": "--customer",
             "customer.phone": "--phone", "customer.email": "--email"}
# changes that can make another SLA policy apply
POLICY_INPUTS = ("priority", "severity", "category", "title", "description")


def check_value(config: Config, path: str, value: str) -> Any:
    """A requested new value, validated (InputError naming the option); "" clears an
    optional field (None)."""
    option = OPTION_OF.get(path, "--field")
    if path == "title":
        return model.check_title(value)
    if path == "customer.name":
        return model.check_title(value, "--customer")
    if path == "priority":
        return model.check_choice(value, PRIORITIES, option)
    if path == "severity":
        return model.check_choice(value, SEVERITIES, option)
    if value.strip() == "":
        return None
    if path == "description":
        return model.check_text(value, option)
    if path == "category":
        return model.check_category(value, config)
    if path == "customer.phone":
        return model.check_phone(value)
    if path == "customer.email":
        return model.check_email(value)
    return value


def check_request(config: Config, values: dict[str, str]) -> dict[str, Any]:
    """Every requested change validated before the ticket is read; refuse an empty request."""
    if not values:
        raise InputError("error.edit_nothing_asked")
    return {path: check_value(config, path, value) for path, value in values.items()}


def _check_fields(desk: Desk, ticket: Any, wanted: dict[str, Any]) -> None:
    """Template fields: a key of the ticket's template (or one the ticket already has), a
    value among its choices, and a required one never cleared."""
    config = desk.config
    ttype = config.types.get(str(ticket.get("type")))
    template = load_template(desk.root, ttype.template, config) if ttype else None
    specs = template.fields if template else {}
    have = ticket.get("fields") or {}
    for path, value in wanted.items():
        if not path.startswith("fields."):
            continue
        key = path[len("fields."):]
        spec = specs.get(key)
        if spec is None and key not in have:
            raise InputError("error.edit_unknown_field", name=shown(key), known=", ".join(specs) or "-")
        if spec is not None and value is None and spec.required:
            raise InputError("error.edit_required_field", name=shown(key))
        if spec is not None and value is not None and spec.choices and value not in spec.choices:
            raise InputError("error.edit_field_choice", name=shown(key), value=shown(value),
                             choices=", ".join(spec.choices))


def _change(path: str, old: Any, new: Any) -> CommentedMap:
    change = CommentedMap()
    change["field"], change["from"], change["to"] = path, old, new
    return change


def _sla_changes(config: Config, before: Any, after: dict[str, Any], now: datetime) -> list[CommentedMap]:
    """The SLA promise of the edited ticket when another policy applies now (see the module)."""
    from cstool.time.sla import choose_policy, resolution

    sla = after.get("sla") or {}
    if after.get("type") == "work_order" or not sla:
        return []
    values = {k: after.get(k) for k in ("type", "channel", "priority", "severity", "category", "title", "description")}
    values["tier"] = model.customer_of(after).get("tier")
    policy = choose_policy(config, values)
    if policy is None or policy.name == sla.get("policy"):
        return []
    cal = workflow.calendar_of(config)
    created = read_stamp(after.get("created"), cal.tz)
    new: dict[str, Any] = {"sla.policy": policy.name}
    new["sla.first_response_target"] = str(policy.first_response) if policy.first_response else None
    new["sla.first_response_due"] = (stamp(cal.add(created, policy.first_response))
                                     if policy.first_response and created else None)
    new["sla.resolution_target"] = str(policy.resolution) if policy.resolution else None
    trial = dict(after, sla=dict(sla, resolution_target=new["sla.resolution_target"]))
    clock = resolution(trial, cal, now, ()) if policy.resolution else None
    new["sla.resolution_due"] = stamp(clock.due) if clock is not None and clock.due is not None else None
    return [_change(path, history.get_path(before, path), value) for path, value in new.items()
            if plain(history.get_path(before, path)) != value]


def _work_order_due(config: Config, before: Any, after: dict[str, Any]) -> list[CommentedMap]:
    """A work order's due time follows a new urgency unless it was set by hand."""
    old, new = str(before.get("priority")), str(after.get("priority"))
    if after.get("type") != "work_order" or old == new or old not in config.work_order_due:
        return []
    cal = workflow.calendar_of(config)
    created = read_stamp(before.get("created"), cal.tz)
    due = read_stamp(before.get("due"), cal.tz)
    if created is None or due is None or due != cal.add(created, config.work_order_due[old]):
        return []
    return [_change("due", plain(before.get("due")), stamp(cal.add(created, config.work_order_due[new])))]


def _level_move(desk: Desk, ticket: dict[str, Any], actor: Person, at: str) -> list[Any]:
    """An escalate event when the edited ticket (as plain data) now needs a higher level (a
    major complaint)."""
    config = desk.config
    level = int(ticket.get("level") or 1)
    need = workflow.start_level(config, str(ticket.get("type")), str(ticket.get("severity")))
    if need <= level or ticket.get("status") not in states.WORKING:
        return []
    from cstool.messages import label

    reason = label("edit.major_reason", config.language or "en")
    rows = desk.index().assignment_rows(str(ticket.get("group")))
    who = workflow.escalation_assignee(config, ticket, need, rows)
    return [workflow.escalate_event(at, actor.id, level, need, reason, who)]


def edit_ticket(desk: Desk, query: str, actor: Person, now: datetime, values: dict[str, str],
                reason: str | None = None, commit: Commit | None = None) -> workflow.Outcome:
    """Correct what a ticket says: one ``edit`` event (and an escalation a new severity needs)."""
    config = desk.config
    wanted = check_request(config, values)
    reason = (model.check_text(reason, "--reason").strip() or None) if reason is not None else None

    def build(ticket: Any) -> tuple[list[Any], str]:
        _check_fields(desk, ticket, wanted)
        changes = [_change(p, plain(history.get_path(ticket, p)), v) for p, v in wanted.items()
                   if plain(history.get_path(ticket, p)) != v]
        if not changes:
            raise InputError("error.edit_no_change", id=str(ticket.get("id")))
        after = plain(ticket)
        for change in changes:
            history.set_path(after, change["field"], change["to"])
        extra = _work_order_due(config, ticket, after)
        if any(c["field"] in POLICY_INPUTS for c in changes):
            extra += _sla_changes(config, ticket, after, now)
        ev = model.event(stamp(now), actor.id, "edit", changes=CommentedSeq(changes + extra), reason=reason)
        moves = _level_move(desk, after, actor, stamp(now))
        detail = "edit " + ", ".join(f"{c['field']} {_short(c['from'])}→{_short(c['to'])}" for c in changes)
        return [ev, *moves], detail

    return workflow.act(desk, query, actor, "edit", build, commit)


def _short(value: Any) -> str:
    text = "-" if value is None else " ".join(str(value).split())
    return text if len(text) <= 20 else text[:19] + "…"


def void_ticket(desk: Desk, query: str, actor: Person, now: datetime, reason: str | None,
                commit: Commit | None = None) -> workflow.Outcome:
    """作废: the ticket's status becomes void, for good, with the reason in its history."""
    reason = model.check_text(reason, "--reason", required=True).strip()

    def build(ticket: Any) -> tuple[list[Any], str]:
        return [model.event(stamp(now), actor.id, "void", reason=reason)], f"void: {reason}"

    return workflow.act(desk, query, actor, "void", build, commit)
