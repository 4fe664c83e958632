"""Ticket summaries, filters and sorting for the reading commands.

A summary is the flat dict of what ``list`` and friends need from one ticket; the same
shape comes from the files or, at scale, from the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cstool.domain.model import ACTIVE_STATUSES, STATUSES, customer_of

SUMMARY_KEYS = (
    "id", "type", "title", "status", "priority", "severity", "category", "channel", "group",
    "assignee", "level", "created", "updated", "customer", "tier", "phone", "email",
)
SORT_KEYS = ("created", "updated", "priority", "status", "id", "type", "group", "assignee")


def summarize(ticket: Any) -> dict[str, Any]:
    """The flat view of a ticket used for listing and filtering."""
    cust = customer_of(ticket)
    out = {
        "id": str(ticket.get("id") or ""),
        "type": _s(ticket.get("type")),
        "title": _s(ticket.get("title")),
        "status": _s(ticket.get("status")),
        "priority": _s(ticket.get("priority")),
        "severity": _s(ticket.get("severity")),
        "category": _s(ticket.get("category")),
        "channel": _s(ticket.get("channel")),
        "group": _s(ticket.get("group")),
        "assignee": _s(ticket.get("assignee")),
        "level": ticket.get("level"),
        "created": _s(ticket.get("created")),
        "updated": _s(ticket.get("updated")),
        "customer": _s(cust.get("name")),
        "customer_id": _s(cust.get("id")),
        "tier": _s(cust.get("tier")),
        "phone": _s(cust.get("phone")),
        "email": _s(cust.get("email")),
        "_text": " ".join(_s(x) for x in (ticket.get("title"), ticket.get("description"), cust.get("name"), ticket.get("category"))).lower(),
    }
    return out


def _s(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class Filters:
    """What ``list`` narrows by; empty tuples mean "any"."""

    statuses: tuple[str, ...] = ACTIVE_STATUSES
    types: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    text: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def match(self, s: dict[str, Any]) -> bool:
        if self.statuses and s["status"] not in self.statuses:
            return False
        for key, wanted in (("type", self.types), ("group", self.groups), ("assignee", self.assignees),
                            ("channel", self.channels), ("priority", self.priorities), ("tier", self.tiers)):
            if wanted and s[key] not in wanted:
                return False
        if self.text:
            words = self.text.lower().split()
            return all(w in s["_text"] or w in s["id"].lower() for w in words)
        return True


def build_filters(config: Any, *, statuses=(), types=(), groups=(), assignees=(), channels=(),
                  priorities=(), tiers=(), text: str = "", me: str | None = None) -> Filters:
    """Filters from user input, each value checked against the config (InputError if unknown)."""
    from cstool.config.schema import PRIORITIES, TIERS
    from cstool.errors import InputError

    def check(values: tuple[str, ...], known: Any, what: str) -> tuple[str, ...]:
        for v in values:
            if v not in known:
                raise InputError(f"--{what}: unknown value {v!r} (choose from {', '.join(known)})")
        return tuple(values)

    if statuses and "all" in statuses:
        status_filter: tuple[str, ...] = ()
    elif statuses:
        status_filter = check(statuses, STATUSES, "status")
    else:
        status_filter = ACTIVE_STATUSES
    people = []
    for a in assignees:
        if a == "me":
            if me is None:
                raise InputError("--assignee me: who are you? pass --as or set CSTOOL_USER")
            people.append(me)
            continue
        if a in ("none", "-"):
            people.append("")
            continue
        person = config.person(a)
        if person is None:
            raise InputError(f"--assignee: {a!r} is not in the roster")
        people.append(person.id)
    return Filters(
        statuses=status_filter,
        types=check(types, list(config.types), "type"),
        groups=check(groups, list(config.groups), "group"),
        assignees=tuple(people),
        channels=check(channels, list(config.channels), "channel"),
        priorities=check(priorities, PRIORITIES, "priority"),
        tiers=check(tiers, TIERS, "tier"),
        text=text.strip(),
    )


def check_sort(sort: str) -> str:
    from cstool.errors import InputError

    if sort.lstrip("-") not in SORT_KEYS:
        raise InputError(f"--sort: unknown key {sort!r} (choose from {', '.join(SORT_KEYS)}; '-' in front for descending)")
    return sort
