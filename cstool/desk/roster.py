"""The desk's roster: adding, changing and removing people in ``cstool.yaml``, and reading a
team file for ``init --team``.

``cstool.yaml`` is changed through the round-trip YAML loader, so its comments and layout
stay; a new entry takes the style of the entries around it (one line a person when they
are so written). Each change is checked before anything is written (a valid email not yet
listed, a known role and groups, the config still valid afterwards, someone left who may
change the roster), needs the ``roster`` permission, and is one commit of ``cstool.yaml``.

Removing a person keeps their entry with the day they left (``left: 2026-11-20``): the
events they recorded and the tickets they closed stay by someone on the roster, while
they can no longer act, be assigned or be chosen by routing. Adding them again takes the
mark away. A person who still holds tickets being worked on is removed only with
``reassign``: a person to hand them to, or ``auto`` for each group's assignment rule; the
route events and the roster change are then one commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cstool.config.parse import parse_config
from cstool.config.schema import ROLES, Config, Group, Person, is_email
from cstool.desk import yamlio
from cstool.desk.paths import CONFIG_FILE
from cstool.domain import history, model, permissions, routing, states
from cstool.errors import InputError
from cstool.reports.render import plain, shown
from cstool.time.clock import stamp

if TYPE_CHECKING:
    from cstool.desk.store import Desk
    from cstool.git.repo import Commit


@dataclass
class Entry:
    """One person as a user gave them (checked by :func:`check_entry`)."""

    id: str
    name: str
    role: str
    groups: tuple[str, ...]


@dataclass
class Change:
    """What a roster command did: the person after it (None: removed), the tickets it reassigned."""

    person: Person
    removed: bool
    reassigned: list[str]
    config: Config


def group_key(groups: dict[str, Group], value: str) -> str | None:
    """A group named by its key, Chinese or English name (any case); None if none."""
    text = value.strip()
    for key, group in groups.items():
        if text.lower() in (key.lower(), group.name_en.lower()) or text == group.name:
            return key
    return None


def check_entry(groups: dict[str, Group], email: str, name: str, role: str, wanted: Any, where: str = "") -> Entry:
    """A person's fields checked (InputError with ``where`` in front, e.g. ``team.csv:3: ``);
    groups by key or name, the role in any case."""
    email = (email or "").strip()
    if not is_email(email):
        raise InputError("error.roster_not_email", where=where, what="email", value=shown(email))
    if not name or not name.strip() or model._bad_chars(name.strip(), False) or len(name.strip()) > model.MAX_TITLE:
        raise InputError("error.roster_name", where=where)
    role_key = (role or "").strip().lower()
    if role_key not in ROLES:
        raise InputError("error.roster_role", where=where, value=shown(role), choices=", ".join(ROLES))
    keys: list[str] = []
    for value in wanted:
        key = group_key(groups, value)
        if key is None:
            raise InputError("error.roster_group", where=where, value=shown(value), choices=", ".join(groups))
        if key not in keys:
            keys.append(key)
    return Entry(email, name.strip(), role_key, tuple(keys))


def entry_map(entry: Entry, flow: bool) -> CommentedMap:
    """A roster entry as cstool.yaml writes it (one line when flow)."""
    out = CommentedMap()
    out["id"], out["name"], out["role"] = entry.id, entry.name, entry.role
    groups = CommentedSeq(entry.groups)
    groups.fa.set_flow_style()
    out["groups"] = groups
    if flow:
        out.fa.set_flow_style()
    return out


def _set_entry(item: Any, entry: Entry) -> None:
    """Write a person's name, role and groups into their roster entry (other keys kept)."""
    item["name"], item["role"] = entry.name, entry.role
    seq = CommentedSeq(entry.groups)
    seq.fa.set_flow_style()
    item["groups"] = seq


def _flow(roster: Any) -> bool:
    """Whether the roster's entries are written one line a person (its last entry's style)."""
    return bool(roster) and isinstance(roster[-1], CommentedMap) and roster[-1].fa.flow_style()


def _find(roster: Any, person: Person) -> int:
    """The position of a person's entry in the roster as read under the lock."""
    for i, entry in enumerate(roster):
        if isinstance(entry, dict) and str(entry.get("id", "")).lower() == person.id.lower():
            return i
    raise InputError("error.roster_unknown", who=shown(person.id))  # taken off by another process meanwhile


def add(desk: Desk, actor: Person, entry: Entry, commit: Commit | None = None) -> Change:
    """Put a new person on the roster, or back on it when they had left."""
    known = desk.config.person(entry.id)
    if known is not None and known.active:
        raise InputError("error.roster_exists", id=known.id, name=known.name)

    def mutate(data: Any, config: Config) -> None:
        roster = data["roster"]
        if known is None:
            roster.append(entry_map(entry, _flow(roster)))
            return
        item = roster[_find(roster, known)]
        item.pop("left", None)
        _set_entry(item, entry)

    config = _change(desk, actor, mutate, f"roster add {entry.id}: {entry.role}", commit)
    return Change(_person(config, entry.id), False, [], config)


def edit(desk: Desk, actor: Person, who: str, *, name: str | None = None, role: str | None = None,
         groups: tuple[str, ...] | None = None, add_groups: tuple[str, ...] = (), drop_groups: tuple[str, ...] = (),
         commit: Commit | None = None) -> Change:
    """Change a person's name, role or groups (``groups`` replaces them; add/drop adjust)."""
    person = _person(desk.config, who)
    if name is None and role is None and groups is None and not add_groups and not drop_groups:
        raise InputError("error.roster_nothing")
    new_groups = list(person.groups if groups is None else groups)
    new_groups += [g for g in add_groups if g not in new_groups]
    entry = check_entry(desk.config.groups, person.id, person.name if name is None else name,
                        person.role if role is None else role, new_groups)
    dropped = {group_key(desk.config.groups, g) or g for g in drop_groups}
    for value in drop_groups:
        check_entry(desk.config.groups, person.id, entry.name, entry.role, [value])  # a known group
    entry.groups = tuple(g for g in entry.groups if g not in dropped)

    def mutate(data: Any, config: Config) -> None:
        _set_entry(data["roster"][_find(data["roster"], person)], entry)

    config = _change(desk, actor, mutate, f"roster edit {person.id}: {entry.role}", commit)
    return Change(_person(config, person.id), False, [], config)


def remove(desk: Desk, actor: Person, now: datetime, who: str, reassign: str | None = None,
           commit: Commit | None = None) -> Change:
    """Mark a person as having left (today); their tickets being worked on need ``reassign``."""
    person = _person(desk.config, who)
    if not person.active:
        raise InputError("error.roster_already_left", id=person.id, day=str(person.left))
    held = [s for s in desk.summaries() if s["assignee"] == person.id and s["status"] in states.WORKING]
    if held and reassign is None:
        listed = ", ".join(s["id"] for s in held[:5]) + (" …" if len(held) > 5 else "")
        raise InputError("error.roster_open_tickets", id=person.id, n=len(held), listed=listed)
    taker = None
    if held and reassign is not None and reassign.strip().lower() != "auto":
        taker = routing.active_person(desk.config, reassign, "--reassign")
        if taker.id == person.id:
            raise InputError("error.roster_reassign_self")
        permissions.require(desk.config, "route", actor)
    elif held:
        permissions.require(desk.config, "route", actor)
    moved: list[str] = []

    def mutate(data: Any, config: Config) -> None:
        item = data["roster"][_find(data["roster"], person)]
        item["left"] = now.date()

    def reroute(config: Config) -> list[tuple[Path, Any]]:
        return _reassign(desk, config, actor, now, held, taker, moved)

    config = _change(desk, actor, mutate, f"roster remove {person.id}", commit, reroute)
    return Change(_person(config, person.id), True, moved, config)


def _reassign(desk: Desk, config: Config, actor: Person, now: datetime, held: list[dict[str, Any]],
              taker: Person | None, moved: list[str]) -> list[tuple[Path, Any]]:
    """Each ticket the removed person held, routed to the taker or by its group's rule
    (under the lock; nothing saved yet)."""
    from cstool.domain import workflow

    files = desk.ticket_files()
    planned = []
    rows = desk.index().assignment_rows("")
    for summary in held:
        path = files[summary["id"]]
        ticket = desk.load_ticket(path)
        group = str(ticket.get("group") or "")
        level = int(ticket.get("level") or 1)
        who = taker.id if taker else (routing.choose_assignee(config, group, level, rows) if group in config.groups else None)
        ev = workflow.route_event(stamp(now), actor.id, group, group, who)
        workflow.mark_recorder(ev, actor)
        workflow.in_time_order(desk, ticket, [ev])
        history.apply(ticket, ev)
        rows.append({"id": summary["id"], "group": group, "assignee": who, "status": ticket.get("status"),
                     "created": str(ticket.get("created") or "")})
        moved.append(summary["id"])
        planned.append((path, ticket))
    return planned


def _person(config: Config, who: str) -> Person:
    person = config.person(who)
    if person is None:
        raise InputError("error.roster_unknown", who=shown(who))
    return person


def _change(desk: Desk, actor: Person, mutate: Callable[[Any, Config], None], message: str,
            commit: Commit | None, more: Callable[[Config], list[tuple[Path, Any]]] | None = None) -> Config:
    """Change the roster of cstool.yaml under the lock: check everything, write, then one commit."""
    permissions.require(desk.config, "roster", actor)
    path = desk.root / CONFIG_FILE
    with desk.lock():
        data = yamlio.load(path, CONFIG_FILE, root=desk.root)
        mutate(data, desk.config)
        config = parse_config(plain(data), path)  # the file as it will be: never written invalid
        if not any(permissions.may(config, "roster", p) for p in config.roster if p.active):
            raise InputError("error.roster_last_keeper", needed=permissions.needed(config, "roster"))
        writes = [(path, data), *(more(config) if more is not None else [])]
        if desk.before_write is not None:
            for target, _ in writes:  # every git check before the first file is written
                desk.before_write(target)
        try:
            for target, doc in writes:
                desk.save(target, doc)
            if commit:
                commit([target for target, _ in writes], f"{message} (by {actor.id})")
        except Exception:
            desk.put_back()
            raise
    return config


TEAM_KEYS = ("name", "email", "role", "groups")


def read_team(path: Path, groups: dict[str, Group]) -> list[Entry]:
    """The people of a team file for ``init --team``: CSV with the header
    ``name,email,role,groups`` (groups separated by ``;``, ``|``, ``、`` or spaces) or YAML (a
    list of mappings with those keys, ``id`` accepted for ``email``, or a mapping with such a
    list under ``roster``). Each row is checked as ``roster add`` checks a person."""
    try:
        text = yamlio.decode(yamlio.read_bytes(path, str(path)), str(path)).lstrip("\ufeff")
    except (OSError, Exception) as exc:  # noqa: BLE001 - any reason the file cannot be read is one refusal
        raise InputError("error.team_unreadable", path=str(path), reason=getattr(exc, "message", None) or str(exc)) from None
    rows = _csv_rows(text) if path.suffix.lower() == ".csv" or _looks_csv(text) else _yaml_rows(text, path)
    if rows is None:
        raise InputError("error.team_format", path=str(path))
    if not rows:
        raise InputError("error.team_empty", path=str(path))
    out: list[Entry] = []
    seen: set[str] = set()
    for line, row in rows:
        where = f"{path.name}:{line}: "
        for key in ("name", "email", "role"):
            if not str(row.get(key) or "").strip():
                raise InputError("error.team_missing", where=where, name=key)
        entry = check_entry(groups, str(row["email"]), str(row["name"]), str(row["role"]), _group_list(row.get("groups")), where)
        if entry.id.lower() in seen:
            raise InputError("error.roster_twice", where=where, id=entry.id)
        seen.add(entry.id.lower())
        out.append(entry)
    return out


def _looks_csv(text: str) -> bool:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return [c.strip().lower() for c in first.split(",")][:1] in (["name"], ["email"])


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any]]] | None:
    import csv

    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or not {"name", "email", "role"} <= {h.strip().lower() for h in header}:
        return None
    keys = [h.strip().lower() for h in header]
    return [(reader.line_num, dict(zip(keys, (c.strip() for c in cells), strict=False)))
            for cells in reader if any(c.strip() for c in cells)]


def _yaml_rows(text: str, path: Path) -> list[tuple[int, dict[str, Any]]] | None:
    try:
        data = yamlio.loads(text, path.name)
    except Exception:  # noqa: BLE001 - not YAML either: the format refusal says what is wanted
        return None
    if isinstance(data, dict) and "roster" in data:
        data = data["roster"]
    if not isinstance(data, list) or not all(isinstance(p, dict) for p in data):
        return None
    out = []
    for i, person in enumerate(data):
        row = {str(k).lower(): v for k, v in person.items()}
        row.setdefault("email", row.get("id"))
        line = person.lc.line + 1 if hasattr(person, "lc") else i + 1
        out.append((line, row))
    return out


def _group_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    import re

    return [g for g in re.split(r"[;|、,\s]+", str(value)) if g]


def init_roster(groups: dict[str, Group], team: list[Entry], founder: Entry) -> CommentedSeq:
    """A new desk's roster: the team, with the person creating the desk added first as its
    manager when the team does not list them (one line a person)."""
    people = list(team)
    if not any(e.id.lower() == founder.id.lower() for e in people):
        people.insert(0, founder)
    return CommentedSeq(entry_map(e, flow=True) for e in people)
