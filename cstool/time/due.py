"""What is due or overdue: first responses, resolutions, follow-up calls, work orders and
periodic customer visits, soonest first (the ``due`` command and CI checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import compress
from typing import Any

from cstool.config.schema import Config
from cstool.domain.customers import next_visit
from cstool.domain.states import WORKING
from cstool.time import sla
from cstool.time.calendar import BusinessCalendar
from cstool.time.durations import span_label

KINDS = ("first_response", "resolution", "followup", "work_order", "visit")


@dataclass
class Item:
    """One deadline: a ticket's clock or a customer's visit."""

    id: str
    kind: str
    due: datetime
    overdue: bool
    assignee: str
    group: str
    title: str
    state: str
    left_minutes: float  # minutes until due in the deadline's own time (negative when late)
    calendar: bool = False  # calendar time (wall clock), else business time (working minutes)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "assignee": self.assignee or None,
            "group": self.group or None,
            "title": self.title,
            "state": self.state,
            "left_minutes": round(self.left_minutes),
            "time": "calendar" if self.calendar else "business",
        }


def deadlines(ticket: Any, config: Config, cal: BusinessCalendar,
              now: datetime) -> list[tuple[str, datetime, float | None, bool, str, str]]:
    """A ticket's running deadlines: (kind, due, target minutes, calendar time?, assignee, group);
    none for a void ticket.

    The due moments do not depend on ``now`` (a paused clock has none), so the index can
    keep them; ``now`` only has to be at or after the ticket's last event."""
    from cstool.time.clock import read_stamp

    latest = now
    for ev in ticket.get("history") or []:
        at = read_stamp(ev.get("at"), cal.tz) if isinstance(ev, dict) else None
        if at is not None and at > latest:
            latest = at
    status = ticket.get("status")
    if status == "void":  # 作废: nothing of it is due any more
        return []
    out = []
    # only a ticket being worked on has SLA or work-order deadlines running; any may have a call due
    working = status in WORKING
    clocks = sla.ticket_clocks(ticket, config, cal, latest) if working else sla.followup_clocks(ticket, cal, latest)
    for clock in clocks:
        due = clock.due
        if due is None:  # a paused resolution clock has none; a follow-up clock always has one
            continue
        if clock.kind == "followup":
            if clock.stopped is not None:
                continue
            group = config.followup_group or str(ticket.get("group") or "")
            assignee = str(clock.detail.get("assignee") or "")
        else:
            if not working or clock.stopped is not None or clock.state == "paused":
                continue
            group, assignee = str(ticket.get("group") or ""), str(ticket.get("assignee") or "")
        target = clock.target_minutes or None
        out.append((clock.kind, due, target, bool(clock.target and clock.target.calendar), assignee, group))
    return out


def make_item(ident: str, kind: str, due: datetime, target: float | None, calendar: bool, assignee: str, group: str,
              title: str, config: Config, cal: BusinessCalendar, now: datetime,
              timing: tuple[float, bool] | None = None) -> Item:
    """A deadline as seen at ``now``: overdue, warning (past the first warn_at fraction) or
    running, with the time left (or late) counted in the deadline's own time: wall-clock
    minutes for calendar time, working minutes for business time. ``timing``: the
    :func:`_timing` of this due moment, when the caller has it already."""
    left, overdue = timing or _timing(due, calendar, cal, now)
    return Item(ident, kind, due, overdue, assignee, group, title, _state(left, overdue, target, config.warn_at),
                left, calendar)


def _state(left: float, overdue: bool, target: float | None, warn_at: tuple[float, ...]) -> str:
    """breached, warning (less left than the first warn_at fraction of the target leaves) or running."""
    if overdue:
        return "breached"
    if target and warn_at and left <= target * (1 - warn_at[0]):
        return "warning"
    return "running"


def _timing(due: datetime, calendar: bool, cal: BusinessCalendar, now: datetime) -> tuple[float, bool]:
    """Minutes left until due (in the deadline's own time) and whether it is overdue at now."""
    left = (due - now).total_seconds() / 60 if calendar else cal.between(now, due)
    return left, overdue_at(due, calendar, cal, now)


def overdue_at(due: datetime, calendar: bool, cal: BusinessCalendar, now: datetime) -> bool:
    """Whether a deadline is overdue at ``now``: past its last on-time moment, which for
    business time is the start of the next working range when the due moment ends one (a
    resolution due Friday 17:30 is not overdue that evening: no working time has passed)."""
    if not sla.late(due, now):
        return False
    return calendar or sla.late(sla.late_after(cal, due, sla.BUSINESS), now)


def ticket_items(ticket: Any, config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    """The running deadlines of one ticket, as seen at now."""
    return [make_item(str(ticket.get("id")), kind, due, target, calendar, assignee, group,
                      str(ticket.get("title") or ""), config, cal, now)
            for kind, due, target, calendar, assignee, group in deadlines(ticket, config, cal, now)]


def customer_items(record: Any, config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    due = next_visit(config, record)
    if due is None:
        return []
    return [make_item(str(record.get("id")), "visit", due, None, True, str(record.get("owner") or ""),
                      config.followup_group or "", visit_title(record), config, cal, now)]


def visit_title(record: Any) -> str:
    return f"{record.get('name') or ''} ({record.get('tier') or '?'})"


def collect(tickets: Iterable[Any], customers: Iterable[Any], config: Config, cal: BusinessCalendar,
            now: datetime) -> list[Item]:
    items: list[Item] = []
    for t in tickets:
        items.extend(ticket_items(t, config, cal, now))
    for c in customers:
        items.extend(customer_items(c, config, cal, now))
    items.sort(key=lambda i: (i.due, i.id, KINDS.index(i.kind)))
    return items


def select(items: list[Item], *, horizon: datetime | None, overdue_only: bool, assignees: tuple[str, ...],
           groups: tuple[str, ...], kinds: tuple[str, ...]) -> list[Item]:
    """Filter: overdue ones always, others due before the horizon (None: any time)."""
    out = []
    for item in items:
        if overdue_only and not item.overdue:
            continue
        if not item.overdue and horizon is not None and item.due > horizon:
            continue
        if assignees and item.assignee not in assignees:
            continue
        if groups and item.group not in groups:
            continue
        if kinds and item.kind not in kinds:
            continue
        out.append(item)
    return out


def left_text(item: Item, day_minutes: int, lang: str) -> str:
    """剩余 1小时 / 超时 2天22小时 / 剩余 1个工作日2小时(工作时间): an item's time left or
    late in its own time."""
    return span_label(item.left_minutes, item.overdue, item.calendar, day_minutes, lang)


def horizon(cal: BusinessCalendar, now: datetime, within: Any, overdue_only: bool) -> datetime:
    """The last due moment ``due`` lists: ``within`` business time after now, or now itself
    when it lists only what is overdue."""
    return now if overdue_only else cal.add(now, within)


def due_rows(index: Any, cal: BusinessCalendar, now: datetime, *, within: Any, overdue_only: bool,
             kinds: tuple[str, ...], groups: tuple[str, ...], assignees: tuple[str, ...]) -> list[tuple[tuple, datetime]]:
    """The index's deadline rows due within ``within`` business time of now (overdue ones
    always; only those if ``overdue_only``), each with its due moment, soonest first."""
    rows = index.deadlines(horizon(cal, now, within, overdue_only), kinds=kinds, groups=groups, assignees=assignees)
    moments: dict[str, datetime] = {}  # a backlog has many deadlines at the same minute
    dated = [(row, moments.get(row[2]) or moments.setdefault(row[2], datetime.fromisoformat(row[2]))) for row in rows]
    if overdue_only:
        dated = list(compress(dated, overdue_flags(dated, cal, now)))
    return dated


def in_calendar_time(kind: str, calendar: Any) -> bool:
    """Whether an index deadline row counts calendar time (wall-clock minutes): its target
    says so, or it is a customer's periodic visit; else business time."""
    return bool(calendar) or kind == "visit"


def overdue_flags(dated: list[tuple[tuple, datetime]], cal: BusinessCalendar, now: datetime) -> list[bool]:
    """:func:`overdue_at` of each dated index row, in its own time; the rows due at the same
    moment (a backlog holds many) are judged once."""
    judged: dict[tuple[datetime, bool], bool] = {}
    flags = []
    for (_, kind, _, _, calendar, *_), when in dated:
        key = (when, in_calendar_time(kind, calendar))
        flag = judged.get(key)
        if flag is None:
            flag = judged[key] = overdue_at(when, key[1], cal, now)
        flags.append(flag)
    return flags


def count_overdue(dated: list[tuple[tuple, datetime]], cal: BusinessCalendar, now: datetime) -> int:
    """How many of the dated index rows are overdue at now (:func:`overdue_at`)."""
    return sum(overdue_flags(dated, cal, now))


def row_item(row: tuple, when: datetime, config: Config, cal: BusinessCalendar, now: datetime) -> Item:
    """An index deadline row (id, kind, due, target, calendar, assignee, group, title) as an Item."""
    return row_items([(row, when)], config, cal, now)[0]


def row_items(dated: list[tuple[tuple, datetime]], config: Config, cal: BusinessCalendar, now: datetime) -> list[Item]:
    """:func:`row_item` of every row; deadlines falling due at the same moment (a backlog
    holds many) are timed once."""
    timings: dict[tuple[datetime, bool], tuple[float, bool]] = {}
    items = []
    for (ident, kind, _, target, calendar, assignee, group, title), when in dated:
        own_time = in_calendar_time(kind, calendar)
        timing = timings.get((when, own_time))
        if timing is None:
            timing = timings[(when, own_time)] = _timing(when, own_time, cal, now)
        items.append(make_item(ident, kind, when, target, own_time, assignee or "", group or "", title or "",
                               config, cal, now, timing))
    return items


def by_assignee(dated: list[tuple[tuple, datetime]]) -> list[tuple[tuple, datetime]]:
    """Grouped by assignee; groups ordered by their soonest item, items soonest first."""
    order: dict[str, int] = {}
    for i, (row, _) in enumerate(dated):
        order.setdefault(row[5] or "", i)
    return sorted(dated, key=lambda d: (order[d[0][5] or ""], d[1]))


JSON_FIELDS = ("id", "kind", "due", "overdue", "assignee", "group", "title", "state", "left_minutes", "time")


class JsonRecords:
    """Index deadline rows (``Index.deadline_batches``: id, title, assignee, group, kind, due,
    calendar, target) as the records of ``due --json``: the text of each row's
    :func:`row_item` ``.as_json()`` as ``render.write_json_list`` writes it, made with little
    work per row. Apart from its id and title, a record says what its kind, due moment,
    time and target decide and who and which group it is for, which a backlog's deadlines
    share: each of those is worked out and written once.
    ``overdue``: how many of the rows given so far are overdue (:func:`overdue_at`)."""

    def __init__(self, config: Config, cal: BusinessCalendar, now: datetime, overdue_only: bool = False):
        from cstool.reports.render import json_item_layout

        self.config, self.cal, self.now, self.overdue_only = config, cal, now, overdue_only
        self.overdue = 0
        self._layout = json_item_layout(JSON_FIELDS)
        self._moments: dict[tuple[str, bool], tuple[str, str, float, bool]] = {}
        self._clocks: dict[tuple, tuple[str, str, bool]] = {}
        self._people: dict[tuple, str] = {}
        self._words: dict[tuple[int, str], str] = {}

    def texts(self, rows: list[tuple]) -> list[str]:
        """The records of a batch of rows, in their order (only the overdue ones if overdue_only)."""
        from json.encoder import encode_basestring as text

        start, clocks, people = self._layout[0], self._clocks, self._people
        out = []
        late = 0
        for row in rows:
            head, tail, overdue = clocks.get(row[4:8]) or self._clock(row[4:8])
            if overdue:
                late += 1
            elif self.overdue_only:
                continue
            out.append(f"{start}{text(row[0])}{head}{people.get(row[2:4]) or self._person(row[2:4])}{text(row[1])}{tail}")
        self.overdue += late
        return out

    def _clock(self, key: tuple) -> tuple[str, str, bool]:
        """For a kind, due moment, calendar flag and target: a record's text from its kind to
        its assignee and from its state to its end, and whether it is overdue."""
        kind, due, calendar, target = key
        head, tail, left, overdue = self._moment(due, in_calendar_time(kind, calendar))
        state = _state(left, overdue, target, self.config.warn_at)
        words = self._words
        found = self._clocks[key] = ((words.get((1, kind)) or self._word(1, kind)) + head,
                                     (words.get((7, state)) or self._word(7, state)) + tail, overdue)
        return found

    def _moment(self, due: str, own_time: bool) -> tuple[str, str, float, bool]:
        """A due moment as the index keeps it, in the deadline's own time (calendar or
        business time): a record's text from the due moment to its assignee and from its
        time left to its end; the minutes left and whether it is overdue (:func:`_timing`)."""
        from cstool.reports.render import json_value as v

        found = self._moments.get((due, own_time))
        if found is None:
            when = datetime.fromisoformat(due)
            left, overdue = _timing(when, own_time, self.cal, self.now)
            lay = self._layout
            found = self._moments[(due, own_time)] = (
                f"{lay[2]}{v(when.isoformat())}{lay[3]}{v(overdue)}{lay[4]}",
                f"{lay[8]}{v(round(left))}{lay[9]}{v('calendar' if own_time else 'business')}{lay[10]}",
                left, overdue)
        return found

    def _word(self, field: int, value: str) -> str:
        """The text before the value of the ``field``-th field of a record, and that value (kept)."""
        from cstool.reports.render import json_value

        found = self._words[(field, value)] = self._layout[field] + json_value(value)
        return found

    def _person(self, key: tuple) -> str:
        """A record's assignee and group, with the texts after them up to its title."""
        from cstool.reports.render import json_value

        assignee, group = key
        lay = self._layout
        text = self._people[key] = f"{json_value(assignee or None)}{lay[5]}{json_value(group or None)}{lay[6]}"
        return text
