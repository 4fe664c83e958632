"""The desk config as the rest of cstool reads it: plain frozen values and the fixed
vocabularies (roles, priorities, tiers, weekdays, permission actions).

``cstool.config.parse`` builds a :class:`Config` from ``cstool.yaml``; every key is
documented in ``docs/config.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from cstool.time.durations import Duration

ROLES = ("agent", "lead", "supervisor", "manager")
PRIORITIES = ("A", "B", "C")
SEVERITIES = ("general", "major")
TIERS = ("A", "B", "C")
ASSIGN_METHODS = ("round_robin", "least_open")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# name@domain.tld; the bounded local part and top-level domain keep matching linear in the length
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{1,63}$")
MAX_EMAIL = 254  # the longest address mail can carry; longer text is refused before any pattern runs


def is_email(text: str) -> bool:
    """Whether text is an email address (at most MAX_EMAIL characters: linear time on any input)."""
    return len(text) <= MAX_EMAIL and EMAIL_RE.match(text) is not None
RANGE_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    groups: tuple[str, ...]
    signing_key: str | None = None  # an SSH public key ("ssh-ed25519 AAAA…") for verify --history --require-signed
    left: date | None = None  # the day they left the desk (roster remove): kept for the history, never acting again
    recorded_by: str | None = field(default=None, compare=False)  # the committer when a lead acts for this person

    @property
    def active(self) -> bool:
        """Whether the person still works at the desk (has not left)."""
        return self.left is None

    def in_group(self, group: str | None) -> bool:
        """Whether this person is a member of the group (None: no group, so never)."""
        return group is not None and group in self.groups


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    name_en: str
    assign: str = "round_robin"
    department: bool = False


@dataclass(frozen=True)
class Label:
    key: str
    name: str
    name_en: str


@dataclass(frozen=True)
class TicketType:
    key: str
    name: str
    name_en: str
    group: str
    template: str
    followup: bool


@dataclass(frozen=True)
class Rule:
    when: dict[str, tuple[str, ...]]
    group: str


@dataclass(frozen=True)
class Policy:
    name: str
    when: dict[str, tuple[str, ...]]
    first_response: Duration | None
    resolution: Duration | None


@dataclass(frozen=True)
class Calendar:
    hours: dict[str, tuple[tuple[int, int], ...]]  # weekday -> ((start_minute, end_minute), ...)
    holidays: frozenset[date]
    extra_workdays: frozenset[date]
    extra_workday_hours: tuple[tuple[int, int], ...]
    official: str = "cn"  # where holidays and make-up workdays come from besides the lists: cn (China) or none


@dataclass(frozen=True)
class FollowupPolicy:
    type: str
    after: Duration
    attempts: int
    retry_after: Duration = Duration(days=1, text="1d")  # from an unreachable attempt to the next


@dataclass
class Config:
    path: Path
    name: str
    prefix: str
    timezone: str
    language: str | None
    roster: list[Person]
    groups: dict[str, Group]
    ladder: tuple[str, ...]
    types: dict[str, TicketType]
    channels: dict[str, Label]
    categories: tuple[str, ...]
    routing: list[Rule]
    calendar: Calendar
    warn_at: tuple[float, ...]
    escalate_after: tuple[Duration, ...]
    sla_policies: list[Policy]
    followup_policies: dict[str, FollowupPolicy]
    periodic: dict[str, str]
    followup_group: str | None
    work_order_due: dict[str, Duration]
    late_unit: str = "working_day"  # work_orders.late_unit: what a late day is (working_day or day)
    permissions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    backfill_tolerance: Duration = field(default_factory=lambda: Duration(minutes=60, text="1h"))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def person(self, who: str) -> Person | None:
        """A roster entry by email (any case) or exact name."""
        low = who.strip().lower()
        for p in self.roster:
            if p.id.lower() == low or p.name == who.strip():
                return p
        return None

    def members(self, group: str) -> list[Person]:
        """The people of a group who still work at the desk."""
        return [p for p in self.roster if p.in_group(group) and p.active]


DEFAULT_HOURS = {d: ((8 * 60 + 30, 17 * 60 + 30),) for d in WEEKDAYS[:5]}

ACTIONS = ("create", "route", "escalate", "reply", "note", "chase", "pending", "resume", "resolve", "close",
           "close_major", "reopen", "followup", "followup_own", "ack", "backfill", "customer", "import", "config",
           "roster", "edit", "void")
WHO = ("assignee", "group", "followup_group") + ROLES
