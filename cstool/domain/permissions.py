"""Who may do what (SPEC §1, configurable under ``permissions`` in cstool.yaml).

Each action lists who may take it: ``assignee`` (the ticket's current assignee),
``group`` (any member of the ticket's group), ``followup_group`` (any member of the
desk's follow-up group, ``followups.group``), or a role, meaning that role and every
role above it (agent < lead < supervisor < manager). The defaults follow the seeds: any
member of the group may reply and note; the assignee pends, resumes, resolves and closes;
leads and above may route and escalate anyone's tickets; only a supervisor or manager
may close a major (重大) complaint. The assignee or a lead and above may correct a ticket
(``edit``); a lead and above may void one (``void``, 作废); the manager changes the roster
(``roster``) and the permissions (``config``).
"""

from __future__ import annotations

from typing import Any

from cstool.config.schema import ROLES, Config, Person
from cstool.errors import InputError
from cstool.messages import LABELS, Joined, Phrase

DEFAULTS: dict[str, tuple[str, ...]] = {
    "create": ("agent",),
    "route": ("lead",),
    "escalate": ("assignee", "lead"),
    "reply": ("group", "assignee", "lead"),
    "note": ("group", "assignee", "lead"),
    "chase": ("group", "assignee", "lead"),
    "pending": ("assignee", "lead"),
    "resume": ("assignee", "lead"),
    "resolve": ("assignee", "lead"),
    "close": ("assignee", "lead"),
    "close_major": ("supervisor",),
    "reopen": ("assignee", "lead"),
    "followup": ("followup_group", "assignee", "lead"),
    "followup_own": (),
    "ack": ("lead",),
    "backfill": ("lead",),
    "customer": ("agent",),
    "import": ("supervisor",),  # import whole tickets with their history
    "config": ("manager",),  # change cstool.yaml's permissions and history rules (checked by verify --history)
    "roster": ("manager",),  # add, change and remove people on the roster (roster add/edit/remove)
    "edit": ("assignee", "lead"),  # correct what a ticket says (cstool edit)
    "void": ("lead",),  # 作废 a ticket registered by mistake (cstool void)
}


def rules(config: Config, action: str) -> tuple[str, ...]:
    return config.permissions.get(action, DEFAULTS[action])


def may(config: Config, action: str, person: Person, ticket: Any | None = None) -> bool:
    """Whether person may take the action on the ticket."""
    rank = ROLES.index(person.role)
    for who in rules(config, action):
        if who == "assignee":
            if ticket is not None and ticket.get("assignee") == person.id:
                return True
        elif who == "group":
            if ticket is not None and person.in_group(ticket.get("group")):
                return True
        elif who == "followup_group":
            if ticket is not None and person.in_group(config.followup_group):
                return True
        elif rank >= ROLES.index(who):
            return True
    return False


def needed(config: Config, action: str) -> Phrase | Joined:
    """Who may take the action, as words put into the language of the refusal."""
    parts: list[Any] = []
    if not rules(config, action):
        return Phrase("who.someone_else" if action == "followup_own" else "who.a_rule")
    for who in rules(config, action):
        if who not in ROLES:  # assignee, group, followup_group
            parts.append(Phrase("who." + who))
        elif who == ROLES[-1]:
            parts.append(Phrase("who.role", role=Phrase("who.role." + who)))
        else:
            parts.append(Phrase("who.role_or_above", role=Phrase("who.role." + who)))
    return Joined(parts, "who.or")


def require(config: Config, action: str, person: Person, ticket: Any | None = None, ticket_id: str = "") -> None:
    """Refuse with a message naming the role the action needs."""
    if may(config, action, person, ticket):
        return
    what = Phrase(f"may.{action}") if f"may.{action}" in LABELS else action
    target = f" {ticket_id}" if ticket_id else ""
    raise InputError("error.may_not", person=person.id, role=Phrase("who.role." + person.role), what=what,
                     target=target, needed=needed(config, action))
