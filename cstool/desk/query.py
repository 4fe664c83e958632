"""Ticket summaries, filters and sorting for the reading commands.

A summary is the flat dict of what ``list`` and friends need from one ticket; the same
shape comes from the files or, at scale, from the index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cstool.domain.model import customer_of
from cstool.domain.states import NOT_CLOSED, STATUSES
from cstool.reports.render import shown

SUMMARY_KEYS = (
    "id", "type", "title", "status", "priority", "severity", "category", "channel", "group",
    "assignee", "level", "created", "updated", "customer", "tier", "phone", "email",
)
SORT_KEYS = ("created", "updated", "priority", "status", "id", "type", "group", "assignee", "due")


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
        "_text": " ".join(_s(x) for x in (ticket.get("title"), ticket.get("description"),
                                          cust.get("name"), ticket.get("category"))).lower(),
    }
    return out


def _s(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# The filters of ``list`` and ``export``, as (summary key, Filters attribute): a summary
# passes when its value (a missing one counts as "") is one of the wanted values.
FILTER_FIELDS = (
    ("status", "statuses"), ("type", "types"), ("group", "groups"), ("assignee", "assignees"),
    ("channel", "channels"), ("priority", "priorities"), ("tier", "tiers"),
)
# --text: every word, in lower case, must appear in one of these summary values, as
# (key, lower the value first): the searchable text is already kept in lower case
TEXT_KEYS = (("_text", False), ("id", True))


@dataclass
class Filters:
    """What ``list`` and ``export`` narrow by; empty tuples mean "any".

    :data:`FILTER_FIELDS` and :data:`TEXT_KEYS` define what each filter means; the index
    applies them in SQL (:meth:`sql`), ``export`` to summaries in Python (:meth:`match`)."""

    statuses: tuple[str, ...] = NOT_CLOSED
    types: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    text: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def wanted(self) -> list[tuple[str, tuple[str, ...]]]:
        """(summary key, wanted values) of every field filter in use."""
        return [(key, getattr(self, attr)) for key, attr in FILTER_FIELDS if getattr(self, attr)]

    def words(self) -> list[str]:
        return self.text.lower().split()

    def match(self, s: dict[str, Any]) -> bool:
        """Whether a summary (:func:`summarize`) passes every filter."""
        if any((s.get(key) or "") not in values for key, values in self.wanted()):
            return False
        words = self.words()
        if not words:
            return True
        texts = [str(s.get(key) or "").lower() if lower else str(s.get(key) or "") for key, lower in TEXT_KEYS]
        return all(any(w in text for text in texts) for w in words)

    def sql(self, column: Callable[[str], str]) -> tuple[str, list[str]]:
        """The same filters as an SQL ``WHERE`` clause ("" when nothing narrows) and its
        parameters, for a table with a column per summary key (named by ``column(key)``)."""
        where: list[str] = []
        args: list[str] = []
        for key, values in self.wanted():
            where.append(f"coalesce({column(key)}, '') IN ({', '.join('?' for _ in values)})")
            args.extend(values)
        texts = [f"lower({column(key)})" if lower else column(key) for key, lower in TEXT_KEYS]
        for word in self.words():
            where.append("(" + " OR ".join(f"instr({text}, ?) > 0" for text in texts) + ")")
            args.extend([word] * len(texts))
        return (" WHERE " + " AND ".join(where)) if where else "", args


def build_filters(config: Any, *, statuses=(), types=(), groups=(), assignees=(), channels=(),
                  priorities=(), tiers=(), text: str = "", me: str | None = None) -> Filters:
    """Filters from user input, each value checked against the config (InputError if unknown)."""
    from cstool.config.schema import PRIORITIES, TIERS
    from cstool.domain.routing import roster_person
    from cstool.errors import InputError

    def check(values: tuple[str, ...], known: Any, what: str) -> tuple[str, ...]:
        for v in values:
            if v not in known:
                raise InputError(f"--{what}: unknown value {shown(v)} (choose from {', '.join(known)})")
        return tuple(values)

    if statuses and "all" in statuses:
        status_filter: tuple[str, ...] = ()
    elif statuses:
        status_filter = check(statuses, STATUSES, "status")
    else:
        status_filter = NOT_CLOSED
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
        people.append(roster_person(config, a).id)
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
