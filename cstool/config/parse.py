"""Validation of ``cstool.yaml``: one parser per top-level section.

Validation refuses unknown keys, wrong types and references to unknown roles, groups,
types or channels, naming the key and its line.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cstool.config.schema import (
    ACTIONS,
    ASSIGN_METHODS,
    DEFAULT_HOURS,
    KEY_RE,
    MAX_EMAIL,
    PRIORITIES,
    RANGE_RE,
    ROLES,
    SEVERITIES,
    TIERS,
    WEEKDAYS,
    WHO,
    Calendar,
    Config,
    FollowupPolicy,
    Group,
    Label,
    Person,
    Policy,
    Rule,
    TicketType,
    is_email,
)
from cstool.domain.ids import PREFIX_RE
from cstool.errors import CstoolError, DeskError, InputError
from cstool.messages import Joined, Phrase
from cstool.time.durations import Duration, parse_duration

# --------------------------------------------------------------------------- validation


class _Validator:
    """Walks the parsed config, raising DeskError with file, line and key path."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node: Any, at: Any, message: str | CstoolError, /, **fields: Any) -> NoReturn:
        """Refuse the value at node[key]: message is a catalogue key (filled from fields)
        or a finer check's error, shown after the file and line."""
        line = _line(node, at)
        where = f"{self.path.name}:{line}" if line else self.path.name
        error = message if isinstance(message, CstoolError) else Phrase(message, **fields)
        raise DeskError("error.config.at", where=where, error=error)

    def mapping(self, node: Any, keypath: str, allowed: dict[str, bool], parent: Any = None, pkey: Any = None) -> dict:
        """Check node is a mapping with only allowed keys (value: required?)."""
        if not isinstance(node, dict):
            self.fail(parent, pkey, "error.config.not_mapping" if keypath else "error.config.file_not_mapping",
                      key=keypath)
        for key in node:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(node, key, "error.config.unknown_key", key=_join(keypath, key), known=known)
        for key, required in allowed.items():
            if required and key not in node:
                self.fail(parent if parent is not None else node, pkey, "error.config.required", key=_join(keypath, key))
        return node

    def string(self, node: Any, key: Any, keypath: str, *, allow_empty: bool = False) -> str:
        value = node[key]
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.fail(node, key, "error.config.text", key=keypath)
        return str(value).strip()

    def seq(self, node: Any, key: Any, keypath: str) -> list:
        value = node[key]
        if not isinstance(value, list):
            self.fail(node, key, "error.config.list", key=keypath)
        return value

    def duration(self, node: Any, key: Any, keypath: str) -> Duration:
        try:
            return parse_duration(node[key], keypath)
        except InputError as exc:
            self.fail(node, key, exc)
            raise  # unreachable

    def day(self, node: Any, key: Any, keypath: str) -> date:
        value = node[key]
        if isinstance(value, date):
            return value if not hasattr(value, "date") else value.date()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(node, key, "error.config.date", key=keypath, value=repr(value))
        raise AssertionError


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _line(node: Any, key: Any) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if isinstance(node, dict) and key is not None:
            return lc.key(key)[0] + 1
        if isinstance(node, list) and key is not None:
            return lc.item(key)[0] + 1
        return lc.line + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(lc, "line", -1) + 1 or None


NAME_KEYS = {"name": True, "name_en": False}


def _names(v: _Validator, node: Any, key: str, keypath: str) -> tuple[str, str]:
    """A label given as plain text (Chinese) or as {name, name_en}."""
    value = node[key]
    if isinstance(value, str) and value.strip():
        return value.strip(), str(key).replace("_", " ").capitalize()
    if isinstance(value, dict):
        v.mapping(value, keypath, NAME_KEYS, node, key)
        name = v.string(value, "name", f"{keypath}.name")
        name_en = v.string(value, "name_en", f"{keypath}.name_en") if "name_en" in value else name
        return name, name_en
    v.fail(node, key, "error.config.names", key=keypath)
    raise AssertionError


WHEN_KEYS = {k: False for k in ("type", "channel", "priority", "tier", "category", "keyword", "severity")}


def _when(v: _Validator, node: Any, key: str, keypath: str, known: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """A match condition: {type|channel|priority|tier|severity|category|keyword: value or list}."""
    cond = v.mapping(node[key], keypath, WHEN_KEYS, node, key)
    out: dict[str, tuple[str, ...]] = {}
    for ckey, raw in cond.items():
        values = raw if isinstance(raw, list) else [raw]
        if not values or not all(isinstance(x, str) and x.strip() for x in values):
            v.fail(cond, ckey, "error.config.texts", key=f"{keypath}.{ckey}")
        allowed = known.get(ckey)
        for x in values:
            if allowed is not None and x not in allowed:
                v.fail(cond, ckey, "error.config.unknown_value", key=f"{keypath}.{ckey}", what=ckey, value=x,
                       known=", ".join(allowed))
        out[str(ckey)] = tuple(str(x).strip() for x in values)
    return out


def _parse_hours(v: _Validator, node: Any, key: Any, keypath: str) -> tuple[tuple[int, int], ...]:
    ranges = node[key]
    if isinstance(ranges, str):
        ranges = [ranges]
    if not isinstance(ranges, list):
        v.fail(node, key, "error.config.hours_list", key=keypath)
    out = []
    for r in ranges:
        m = RANGE_RE.match(str(r).strip()) if isinstance(r, str) else None
        if not m:
            v.fail(node, key, "error.config.hours_range", key=keypath, value=repr(r))
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or end > 24 * 60 or end <= start:
            v.fail(node, key, "error.config.hours_invalid", key=keypath, value=repr(r))
        out.append((start, end))
    out.sort()
    for (s1, e1), (s2, e2) in zip(out, out[1:]):
        if s2 < e1:
            v.fail(node, key, "error.config.hours_overlap", key=keypath, first=f"{_hm(s1)}-{_hm(e1)}",
                   second=f"{_hm(s2)}-{_hm(e2)}")
    return tuple(out)


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


TOP_KEYS = {
    "desk": True,
    "roster": True,
    "groups": True,
    "ladder": False,
    "types": True,
    "channels": True,
    "categories": False,
    "routing": False,
    "calendar": False,
    "sla": False,
    "followups": False,
    "work_orders": False,
    "permissions": False,
    "history": False,
}


def parse_config(data: Any, path: Path) -> Config:
    """Validate a parsed ``cstool.yaml`` and return a Config."""
    v = _Validator(path)
    if data is None:
        raise DeskError("error.config.empty", file=path.name)
    root = v.mapping(data, "", TOP_KEYS)
    desk = _parse_desk(v, root)
    groups = _parse_groups(v, root)
    ladder = _parse_ladder(v, root)
    roster = _parse_roster(v, root, groups)
    channels = _parse_channels(v, root)
    types = _parse_types(v, root, groups)
    categories = _parse_categories(v, root)
    known = _known_values(types, channels, categories)
    routing = _parse_routing(v, root, groups, known)
    calendar = _parse_calendar(v, root)
    sla = _parse_sla(v, root, known)
    followups = _parse_followups(v, root, groups, types)
    work_order_due, late_unit = _parse_work_orders(v, root)
    permissions = _parse_permissions(v, root)
    backfill_tolerance = _parse_history(v, root)
    return Config(path=path, **desk, roster=roster, groups=groups, ladder=ladder, types=types, channels=channels,
                  categories=categories, routing=routing, calendar=calendar, **sla, **followups,
                  work_order_due=work_order_due, late_unit=late_unit, permissions=permissions,
                  backfill_tolerance=backfill_tolerance)


DESK_KEYS = {"name": True, "prefix": False, "timezone": False, "language": False}


def _parse_desk(v: _Validator, root: Any) -> dict[str, Any]:
    """``desk``: the Config fields name, prefix, timezone and language."""
    desk = v.mapping(root["desk"], "desk", DESK_KEYS, root, "desk")
    name = v.string(desk, "name", "desk.name")
    prefix = str(desk.get("prefix", "CS"))
    if not PREFIX_RE.match(prefix):
        v.fail(desk, "prefix", "error.config.prefix", value=repr(prefix))
    timezone = str(desk.get("timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        v.fail(desk, "timezone", "error.config.timezone", value=repr(timezone))
    language = desk.get("language")
    if language is not None and language not in ("zh", "en"):
        v.fail(desk, "language", "error.config.language", value=repr(language))
    return {"name": name, "prefix": prefix, "timezone": timezone, "language": language}


GROUP_KEYS = {"name": True, "name_en": False, "assign": False, "department": False}


def _parse_groups(v: _Validator, root: Any) -> dict[str, Group]:
    """``groups``: group key → a name, or a mapping of GROUP_KEYS."""
    groups_node = root["groups"]
    if not isinstance(groups_node, dict) or not groups_node:
        v.fail(root, "groups", "error.config.groups")
    groups: dict[str, Group] = {}
    for gkey, _gval in groups_node.items():
        if not isinstance(gkey, str) or not KEY_RE.match(gkey):
            v.fail(groups_node, gkey, "error.config.group_key", key=f"groups.{gkey}")
        groups[gkey] = _parse_group(v, groups_node, gkey)
    return groups


def _parse_group(v: _Validator, groups_node: Any, gkey: str) -> Group:
    gval = groups_node[gkey]
    if isinstance(gval, str):
        return Group(gkey, gval.strip(), gkey.replace("_", " ").capitalize())
    kp = f"groups.{gkey}"
    v.mapping(gval, kp, GROUP_KEYS, groups_node, gkey)
    gname = v.string(gval, "name", f"{kp}.name")
    assign = gval.get("assign", "round_robin")
    if assign not in ASSIGN_METHODS:
        v.fail(gval, "assign", "error.config.one_of", key=f"{kp}.assign", choices=", ".join(ASSIGN_METHODS),
               value=repr(assign))
    dept = gval.get("department", False)
    if not isinstance(dept, bool):
        v.fail(gval, "department", "error.config.bool", key=f"{kp}.department")
    name_en = v.string(gval, "name_en", f"{kp}.name_en") if "name_en" in gval else gname
    return Group(gkey, gname, name_en, assign, dept)


def _parse_ladder(v: _Validator, root: Any) -> tuple[str, ...]:
    """``ladder``: at least two different roles, lowest first (default: every role)."""
    if "ladder" not in root:
        return ROLES
    seq = v.seq(root, "ladder", "ladder")
    for i, role in enumerate(seq):
        if role not in ROLES:
            v.fail(seq, i, "error.config.unknown_role", key="ladder", value=repr(role), known=", ".join(ROLES))
    if len(set(seq)) != len(seq) or len(seq) < 2:
        v.fail(root, "ladder", "error.config.ladder_two")
    if list(seq) != sorted(seq, key=ROLES.index):
        v.fail(root, "ladder", "error.config.ladder_order", order=", ".join(r for r in ROLES if r in seq))
    return tuple(seq)


PERSON_KEYS = {"id": True, "name": True, "role": True, "groups": False, "signing_key": False, "left": False}
SIGNING_KEY_RE = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|"
                            r"sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+( .*)?$")


def _parse_roster(v: _Validator, root: Any, groups: dict[str, Group]) -> list[Person]:
    """``roster``: a list of people (PERSON_KEYS), each email listed once."""
    roster_node = v.seq(root, "roster", "roster")
    if not roster_node:
        v.fail(root, "roster", "error.config.roster_empty")
    seen: set[str] = set()
    return [_parse_person(v, roster_node, i, groups, seen) for i in range(len(roster_node))]


def _parse_person(v: _Validator, roster_node: list, i: int, groups: dict[str, Group], seen: set[str]) -> Person:
    """One roster entry; adds its email to ``seen``, refusing one already there."""
    kp, p = f"roster[{i}]", roster_node[i]
    v.mapping(p, kp, PERSON_KEYS, roster_node, i)
    pid = v.string(p, "id", f"{kp}.id")
    if len(pid) > MAX_EMAIL:
        v.fail(p, "id", "error.config.id_long", key=f"{kp}.id", n=len(pid), max=MAX_EMAIL)
    if not is_email(pid):
        v.fail(p, "id", "error.config.not_email", key=f"{kp}.id", value=repr(pid))
    if pid.lower() in seen:
        v.fail(p, "id", "error.config.twice", key=f"{kp}.id", value=pid)
    seen.add(pid.lower())
    pname = v.string(p, "name", f"{kp}.name")
    role = p["role"]
    if role not in ROLES:
        v.fail(p, "role", "error.config.unknown_role", key=f"{kp}.role", value=repr(role), known=", ".join(ROLES))
    pgroups = p.get("groups", [])
    if isinstance(pgroups, str):
        pgroups = [pgroups]
    if not isinstance(pgroups, list):
        v.fail(p, "groups", "error.config.group_list", key=f"{kp}.groups")
    for g in pgroups:
        if g not in groups:
            v.fail(p, "groups", "error.config.unknown_group", key=f"{kp}.groups", value=repr(g), known=", ".join(groups))
    key = None
    if "signing_key" in p:
        key = v.string(p, "signing_key", f"{kp}.signing_key").strip()
        if not SIGNING_KEY_RE.match(key):
            v.fail(p, "signing_key", "error.config.signing_key", key=f"{kp}.signing_key")
    left = v.day(p, "left", f"{kp}.left") if "left" in p else None
    return Person(pid, pname, role, tuple(pgroups), key, left)


def _parse_channels(v: _Validator, root: Any) -> dict[str, Label]:
    """``channels``: channel key → a name, or {name, name_en}."""
    chan_node = root["channels"]
    if not isinstance(chan_node, dict) or not chan_node:
        v.fail(root, "channels", "error.config.channels")
    channels = {}
    for ckey in chan_node:
        if not isinstance(ckey, str) or not KEY_RE.match(ckey):
            v.fail(chan_node, ckey, "error.config.channel_key", key=f"channels.{ckey}")
        n, ne = _names(v, chan_node, ckey, f"channels.{ckey}")
        channels[ckey] = Label(ckey, n, ne)
    return channels


TYPE_KEYS = {"name": True, "name_en": False, "group": True, "template": False, "followup": False}


def _parse_types(v: _Validator, root: Any, groups: dict[str, Group]) -> dict[str, TicketType]:
    """``types``: type key → a mapping of TYPE_KEYS."""
    types_node = root["types"]
    if not isinstance(types_node, dict) or not types_node:
        v.fail(root, "types", "error.config.types")
    types: dict[str, TicketType] = {}
    for tkey in types_node:
        if not isinstance(tkey, str) or not KEY_RE.match(tkey):
            v.fail(types_node, tkey, "error.config.type_key", key=f"types.{tkey}")
        types[tkey] = _parse_type(v, types_node, tkey, groups)
    return types


def _parse_type(v: _Validator, types_node: Any, tkey: str, groups: dict[str, Group]) -> TicketType:
    kp, tval = f"types.{tkey}", types_node[tkey]
    v.mapping(tval, kp, TYPE_KEYS, types_node, tkey)
    tname = v.string(tval, "name", f"{kp}.name")
    tgroup = tval["group"]
    if tgroup not in groups:
        v.fail(tval, "group", "error.config.unknown_group", key=f"{kp}.group", value=repr(tgroup), known=", ".join(groups))
    template = v.string(tval, "template", f"{kp}.template") if "template" in tval else tkey
    if not KEY_RE.match(template.replace("-", "_")):
        v.fail(tval, "template", "error.config.template", key=f"{kp}.template", value=repr(template))
    fu = tval.get("followup", False)
    if not isinstance(fu, bool):
        v.fail(tval, "followup", "error.config.bool", key=f"{kp}.followup")
    name_en = v.string(tval, "name_en", f"{kp}.name_en") if "name_en" in tval else tname
    return TicketType(tkey, tname, name_en, tgroup, template, fu)


def _parse_categories(v: _Validator, root: Any) -> tuple[str, ...]:
    """``categories``: a list of names (none by default)."""
    if "categories" not in root:
        return ()
    cats = v.seq(root, "categories", "categories")
    for i, c in enumerate(cats):
        if not isinstance(c, str) or not c.strip():
            v.fail(cats, i, "error.config.categories")
    return tuple(str(c).strip() for c in cats)


def _known_values(types: dict[str, TicketType], channels: dict[str, Label],
                  categories: tuple[str, ...]) -> dict[str, list[str] | None]:
    """What each WHEN_KEYS condition may name (None: anything)."""
    return {
        "type": list(types),
        "channel": list(channels),
        "priority": list(PRIORITIES),
        "tier": list(TIERS),
        "severity": list(SEVERITIES),
        "category": list(categories) or None,
        "keyword": None,
    }


ROUTING_RULE_KEYS = {"when": True, "group": True}


def _parse_routing(v: _Validator, root: Any, groups: dict[str, Group], known: dict[str, Any]) -> list[Rule]:
    """``routing``: a list of rules (ROUTING_RULE_KEYS) sending matching tickets to a group."""
    if "routing" not in root:
        return []
    routing: list[Rule] = []
    rnode = v.seq(root, "routing", "routing")
    for i, r in enumerate(rnode):
        kp = f"routing[{i}]"
        v.mapping(r, kp, ROUTING_RULE_KEYS, rnode, i)
        if r["group"] not in groups:
            v.fail(r, "group", "error.config.unknown_group", key=f"{kp}.group", value=repr(r["group"]),
                   known=", ".join(groups))
        routing.append(Rule(_when(v, r, "when", f"{kp}.when", known), r["group"]))
    return routing


CALENDAR_KEYS = {"hours": False, "holidays": False, "extra_workdays": False, "official": False}
OFFICIAL_SOURCES = ("cn", "none")
LATE_UNITS = ("working_day", "day")
CALENDAR_HOURS_KEYS = {d: False for d in WEEKDAYS}


def _parse_calendar(v: _Validator, root: Any) -> Calendar:
    """``calendar``: working hours per weekday, holidays and make-up workdays."""
    if "calendar" not in root:
        return Calendar({**DEFAULT_HOURS, "sat": (), "sun": ()}, frozenset(), frozenset(), DEFAULT_HOURS["mon"])
    cal = v.mapping(root["calendar"], "calendar", CALENDAR_KEYS, root, "calendar")
    hours: dict[str, tuple[tuple[int, int], ...]] = {d: () for d in WEEKDAYS}
    if "hours" in cal:
        hn = v.mapping(cal["hours"], "calendar.hours", CALENDAR_HOURS_KEYS, cal, "hours")
        for day in hn:
            hours[day] = _parse_hours(v, hn, day, f"calendar.hours.{day}")
    else:
        hours.update(DEFAULT_HOURS)
    if not any(hours.values()):
        v.fail(cal, "hours", "error.config.no_hours")

    def days(key: str) -> frozenset[date]:
        if key not in cal:
            return frozenset()
        seq = v.seq(cal, key, f"calendar.{key}")
        return frozenset(v.day(seq, i, f"calendar.{key}") for i in range(len(seq)))

    holidays, extra = days("holidays"), days("extra_workdays")
    both = sorted(holidays & extra)
    if both:
        v.fail(cal, "extra_workdays", "error.config.holiday_workday", day=both[0].isoformat())
    official = str(cal.get("official", "cn"))
    if official not in OFFICIAL_SOURCES:
        v.fail(cal, "official", "error.config.official", value=repr(cal["official"]))
    # a make-up workday (调休) keeps the hours of a normal Monday-to-Friday day
    weekday_hours = next((hours[d] for d in WEEKDAYS[:5] if hours[d]), DEFAULT_HOURS["mon"])
    return Calendar(hours, holidays, extra, weekday_hours, official)


SLA_KEYS = {"warn_at": False, "escalate_after": False, "policies": False}
SLA_POLICY_KEYS = {"name": True, "when": False, "first_response": False, "resolution": False}


def _parse_sla(v: _Validator, root: Any, known: dict[str, Any]) -> dict[str, Any]:
    """``sla``: the Config fields warn_at, escalate_after and sla_policies."""
    warn_at: tuple[float, ...] = (0.75,)
    escalate_after: tuple[Duration, ...] = (parse_duration("0m"), parse_duration("4h"), parse_duration("1d"))
    policies: list[Policy] = []
    if "sla" in root:
        sla = v.mapping(root["sla"], "sla", SLA_KEYS, root, "sla")
        if "warn_at" in sla:
            warn_at = _parse_warn_at(v, sla)
        if "escalate_after" in sla:
            seq = v.seq(sla, "escalate_after", "sla.escalate_after")
            escalate_after = tuple(v.duration(seq, i, "sla.escalate_after") for i in range(len(seq)))
        if "policies" in sla:
            pnode = v.seq(sla, "policies", "sla.policies")
            policies = [_parse_sla_policy(v, pnode, i, known) for i in range(len(pnode))]
    return {"warn_at": warn_at, "escalate_after": escalate_after, "sla_policies": policies}


def _parse_warn_at(v: _Validator, sla: Any) -> tuple[float, ...]:
    raw = sla["warn_at"] if isinstance(sla["warn_at"], list) else [sla["warn_at"]]
    for x in raw:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < float(x) < 1:
            v.fail(sla, "warn_at", "error.config.warn_at")
    return tuple(sorted(float(x) for x in raw))


def _parse_sla_policy(v: _Validator, pnode: list, i: int, known: dict[str, Any]) -> Policy:
    kp, p = f"sla.policies[{i}]", pnode[i]
    v.mapping(p, kp, SLA_POLICY_KEYS, pnode, i)
    pname = v.string(p, "name", f"{kp}.name")
    when = _when(v, p, "when", f"{kp}.when", known) if "when" in p else {}
    fr = v.duration(p, "first_response", f"{kp}.first_response") if "first_response" in p else None
    rs = v.duration(p, "resolution", f"{kp}.resolution") if "resolution" in p else None
    return Policy(pname, when, fr, rs)


FOLLOWUPS_KEYS = {"group": False, "policies": False, "periodic": False}
FOLLOWUP_POLICY_KEYS = {"after": True, "attempts": False, "retry_after": False}
FOLLOWUP_PERIODIC_KEYS = {t: False for t in TIERS}


def _parse_followups(v: _Validator, root: Any, groups: dict[str, Group],
                     types: dict[str, TicketType]) -> dict[str, Any]:
    """``followups``: the Config fields followup_group, followup_policies and periodic."""
    fpolicies: dict[str, FollowupPolicy] = {}
    periodic: dict[str, str] = {}
    followup_group = "followup" if "followup" in groups else None
    if "followups" in root:
        fu = v.mapping(root["followups"], "followups", FOLLOWUPS_KEYS, root, "followups")
        if "group" in fu:
            followup_group = fu["group"]
            if followup_group not in groups:
                v.fail(fu, "group", "error.config.unknown_group", key="followups.group", value=repr(followup_group),
                       known=", ".join(groups))
        if "policies" in fu:
            fpolicies = _parse_followup_policies(v, fu, types)
        if "periodic" in fu:
            periodic = _parse_periodic(v, fu)
    return {"followup_group": followup_group, "followup_policies": fpolicies, "periodic": periodic}


def _parse_followup_policies(v: _Validator, fu: Any, types: dict[str, TicketType]) -> dict[str, FollowupPolicy]:
    """``followups.policies``: type key → FOLLOWUP_POLICY_KEYS."""
    pn = v.mapping(fu["policies"], "followups.policies", {t: False for t in types}, fu, "policies")
    fpolicies: dict[str, FollowupPolicy] = {}
    for tkey, pol in pn.items():
        kp = f"followups.policies.{tkey}"
        v.mapping(pol, kp, FOLLOWUP_POLICY_KEYS, pn, tkey)
        attempts = pol.get("attempts", 3)
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            v.fail(pol, "attempts", "error.config.attempts", key=f"{kp}.attempts")
        retry = v.duration(pol, "retry_after", f"{kp}.retry_after") if "retry_after" in pol else parse_duration("1d")
        fpolicies[tkey] = FollowupPolicy(tkey, v.duration(pol, "after", f"{kp}.after"), attempts, retry)
    return fpolicies


def _parse_periodic(v: _Validator, fu: Any) -> dict[str, str]:
    """``followups.periodic``: customer tier → a recurrence rule (RRULE text)."""
    pn = v.mapping(fu["periodic"], "followups.periodic", FOLLOWUP_PERIODIC_KEYS, fu, "periodic")
    periodic: dict[str, str] = {}
    for tier in pn:
        rule = v.string(pn, tier, f"followups.periodic.{tier}")
        try:
            from dateutil.rrule import rrulestr

            parsed = rrulestr(rule, dtstart=datetime(2026, 1, 1))
        except (ValueError, TypeError) as exc:
            v.fail(pn, tier, "error.config.rrule", key=f"followups.periodic.{tier}", value=repr(rule), detail=str(exc))
        if not _daily_or_coarser(parsed):
            v.fail(pn, tier, "error.config.rrule_often", key=f"followups.periodic.{tier}", value=repr(rule))
        periodic[str(tier)] = rule
    return periodic


def _daily_or_coarser(rule: Any) -> bool:
    """A periodic visit rule gives at most one visit a day: a DAILY or coarser frequency and
    one time of day (finer rules would make every reading command walk millions of dates)."""
    from dateutil.rrule import DAILY

    if not hasattr(rule, "_freq") or rule._freq > DAILY:  # a rule set, or HOURLY, MINUTELY, SECONDLY
        return False
    return all(len(getattr(rule, attr, None) or ()) <= 1 for attr in ("_byhour", "_byminute", "_bysecond"))


WORK_ORDERS_KEYS = {"due": False, "late_unit": False}
WORK_ORDER_DUE_KEYS = {p: False for p in PRIORITIES}


def _parse_work_orders(v: _Validator, root: Any) -> tuple[dict[str, Duration], str]:
    """``work_orders``: the time a work order is due in, per priority, and the unit of its late days."""
    wo_due = {"A": parse_duration("1d"), "B": parse_duration("3d"), "C": parse_duration("5d")}
    late_unit = "working_day"
    if "work_orders" in root:
        wo = v.mapping(root["work_orders"], "work_orders", WORK_ORDERS_KEYS, root, "work_orders")
        if "due" in wo:
            dn = v.mapping(wo["due"], "work_orders.due", WORK_ORDER_DUE_KEYS, wo, "due")
            for pr in dn:
                wo_due[str(pr)] = v.duration(dn, pr, f"work_orders.due.{pr}")
        if "late_unit" in wo:
            late_unit = str(wo["late_unit"])
            if late_unit not in LATE_UNITS:
                v.fail(wo, "late_unit", "error.config.late_unit", choices=Joined(list(LATE_UNITS), "who.or"),
                       value=repr(wo["late_unit"]))
    return wo_due, late_unit


PERMISSION_KEYS = {a: False for a in ACTIONS}


def _parse_permissions(v: _Validator, root: Any) -> dict[str, tuple[str, ...]]:
    """``permissions: {action: [who]}``; who is assignee, group, or a role (and above)."""
    if "permissions" not in root:
        return {}
    pn = v.mapping(root["permissions"], "permissions", PERMISSION_KEYS, root, "permissions")
    out = {}
    for action, who in pn.items():
        who = who if isinstance(who, list) else [who]
        if not who and action != "followup_own":  # followup_own: [] means nobody (its default)
            v.fail(pn, action, "error.config.who_empty", key=f"permissions.{action}", choices=", ".join(WHO))
        for r in who:
            if r not in WHO:
                v.fail(pn, action, "error.config.who_unknown", key=f"permissions.{action}", value=repr(r), choices=", ".join(WHO))
        out[str(action)] = tuple(who)
    return out


HISTORY_KEYS = {"backfill_tolerance": False}


def _parse_history(v: _Validator, root: Any) -> Duration:
    """``history.backfill_tolerance``: how far an event's time may lie before its commit
    without a backfill reason (default 1h; days count as 24 hours here)."""
    if "history" not in root:
        return Duration(minutes=60, text="1h")
    hist = v.mapping(root["history"], "history", HISTORY_KEYS, root, "history")
    if "backfill_tolerance" not in hist:
        return Duration(minutes=60, text="1h")
    return v.duration(hist, "backfill_tolerance", "history.backfill_tolerance")
