"""Routing: rules choose a group, the group's method chooses a person.

Rules (``routing`` in the config) are tried in order; the first whose every condition
matches wins (``keyword`` matches any of its words in the title or description). When
none matches, the type's default group is used. Within the group, the person is chosen
among the members holding the ticket's ladder role:

- ``round_robin``: the member after the one who got the group's latest ticket, in roster
  order;
- ``least_open``: the member with the fewest active tickets, ties broken by roster order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cstool.config.schema import Config, Person, Rule
from cstool.domain.states import WORKING
from cstool.errors import InputError


def roster_person(config: Config, who: str, option: str = "--assignee") -> Person:
    """The roster person a user named (email or name), or InputError naming the option and
    the command that adds them."""
    person = config.person(who)
    if person is None:
        raise not_on_roster(option, who)
    return person


def add_command(who: str, group: str = "GROUP") -> str:
    """The command that puts a person a user named (an email or a name) on the roster (as an
    agent, the default role of ``roster add``)."""
    from cstool.config.schema import is_email
    from cstool.reports.render import shown

    if is_email(who.strip()):
        return f"cstool roster add {who.strip()} --name NAME --group {group}"
    return f"cstool roster add EMAIL --name {shown(who.strip())} --group {group}"


def not_on_roster(source: str, who: str) -> InputError:
    """The refusal for a person who is not on the roster, naming the command that adds them."""
    from cstool.reports.render import shown

    return InputError("error.not_on_roster", source=source, who=shown(who), add=add_command(who))


def receiving_groups(config: Config) -> list[str]:
    """The groups tickets are sent to without a person choosing: those of the routing rules,
    the types' default groups and the follow-up group, in config order."""
    wanted = {rule.group for rule in config.routing} | {t.group for t in config.types.values()}
    if config.followup_group:
        wanted.add(config.followup_group)
    return [key for key in config.groups if key in wanted]


def unstaffed_groups(config: Config) -> list[str]:
    """Receiving groups with nobody holding the ladder's first role: their new tickets stay unassigned."""
    return [key for key in receiving_groups(config) if not candidates(config, key, 1)]


def active_person(config: Config, who: str, option: str = "--assignee") -> Person:
    """The roster person a user named, who must still work at the desk (not left)."""
    person = roster_person(config, who, option)
    if not person.active:
        raise InputError("error.person_left", source=option, id=person.id, day=str(person.left))
    return person


def group_member(config: Config, person: Person, group: str) -> Person:
    """The roster person a user named as the assignee of a ticket in group (resolved by
    :func:`cstool.config.words.person`), who must still work at the desk and be a member."""
    if not person.active:
        raise InputError("error.person_left", source="--assignee", id=person.id, day=str(person.left))
    if not person.in_group(group):
        raise InputError("error.not_in_group", who=person.id, group=group, name=config.groups[group].name)
    return person


def rule_matches(when: dict[str, tuple[str, ...]], values: dict[str, Any]) -> bool:
    for key, wanted in when.items():
        if key == "keyword":
            text = f"{values.get('title') or ''}\n{values.get('description') or ''}".lower()
            if not any(word.lower() in text for word in wanted):
                return False
        elif str(values.get(key) or "") not in wanted:
            return False
    return True


def choose_group(config: Config, values: dict[str, Any]) -> tuple[str, Rule | None]:
    """The group for a ticket, and the rule that chose it (None: the type's default)."""
    for rule in config.routing:
        if rule_matches(rule.when, values):
            return rule.group, rule
    return config.types[values["type"]].group, None


def candidates(config: Config, group: str, level: int) -> list[Person]:
    """Members of the group holding the role of the given ladder level (1 = lowest).

    A ticket escalated above the group's own people goes to whoever holds that role on the
    roster (a supervisor or manager usually covers several groups); at the first level the
    ticket stays within its group, unassigned if the group has nobody at that level."""
    level = min(max(level, 1), len(config.ladder))
    role = config.ladder[level - 1]
    members = [p for p in config.members(group) if p.role == role]
    if members or level == 1:
        return members
    return [p for p in config.roster if p.role == role and p.active]


def choose_assignee(config: Config, group: str, level: int, tickets: Iterable[dict[str, Any]]) -> str | None:
    """Pick a person of the group by its method; None when nobody qualifies."""
    return Tally(tickets).choose(config, group, level)


class Tally:
    """What the assignment methods look at, counted once: each person's active tickets
    (least open) and, by group, the creation of each person's latest ticket (round robin).
    Many new tickets (an import) are assigned one after another with :meth:`choose` and
    :meth:`add`, each seeing those assigned before it."""

    def __init__(self, tickets: Iterable[dict[str, Any]]):
        self.load: dict[str, int] = {}
        self.latest: dict[str, dict[str, tuple[str, str]]] = {}
        for t in tickets:
            self._count(t.get("group"), t.get("assignee"), t.get("status"),
                        (str(t.get("created") or ""), str(t.get("id") or "")))

    def _count(self, group: Any, assignee: Any, status: Any, key: tuple[str, str]) -> None:
        if not assignee:
            return
        if status in WORKING:
            self.load[assignee] = self.load.get(assignee, 0) + 1
        mine = self.latest.setdefault(str(group), {})
        if assignee not in mine or key > mine[assignee]:
            mine[assignee] = key

    def choose(self, config: Config, group: str, level: int) -> str | None:
        """The person the group's method picks now; None when nobody qualifies."""
        ids = [p.id for p in candidates(config, group, level)]
        if not ids:
            return None
        if config.groups[group].assign == "least_open":
            return min(ids, key=lambda i: (self.load.get(i, 0), ids.index(i)))
        mine = self.latest.get(group, {})
        known = [(mine[i], i) for i in ids if i in mine]
        if not known:
            return ids[0]
        return ids[(ids.index(max(known)[1]) + 1) % len(ids)]

    def add(self, group: str, assignee: str | None, created: str, order: int) -> None:
        """Count a new open ticket (the ``order``-th of a batch created at ``created``)."""
        self._count(group, assignee, "open", (created, f"~{order:012d}"))
