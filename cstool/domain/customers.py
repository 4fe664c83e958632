"""Customer records (客户档案), graded A/B/C, and their periodic visits (定期回访).

One file per customer, ``customers/<ID>.yaml``. Periodic visits are derived from the
tier's recurrence rule (``followups.periodic`` in the config, python-dateutil ``rrule``)
and the customer's last recorded visit: they are computed on every read, never written
as files, so clones cannot duplicate them.

The schedule starts when the record was added (``created``), or when its tier last
changed (``tier_since``, set by ``customer edit --tier``): the first visit is one
period after that, never counted from the older ``since`` (customer since). A monthly or
yearly rule keeps the day of the month and clamps it at a month's end (from the 31st:
30 September, 28 February …), and a visit that falls on a day without working time
(weekend, holiday) moves to the next working day.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cstool.config.schema import TIERS, Config, Person
from cstool.domain import ids, model, permissions
from cstool.domain.routing import roster_person
from cstool.errors import CstoolError, InputError
from cstool.time.clock import read_stamp, stamp

if TYPE_CHECKING:
    from cstool.desk.store import Desk
    from cstool.git.repo import Commit

CUSTOMER_FIELDS = ("id", "name", "tier", "tier_since", "phone", "email", "owner", "since", "note", "created", "updated", "visits")
VISIT_ORDER = ("at", "by", "result", "note")
VISIT_RESULTS = ("satisfied", "unsatisfied", "unreachable")



def _owner(config: Config, owner: str | None) -> str | None:
    if owner is None:
        return None
    return roster_person(config, owner, "--owner").id


def _since(value: str | None, today: date) -> str:
    if value is None:
        return today.isoformat()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InputError(f"--since: {value!r} is not a date (YYYY-MM-DD)") from None


def clean_values(config: Config, values: dict[str, Any], today: date) -> dict[str, Any]:
    """Validate customer fields given on the command line (None: not given)."""
    out: dict[str, Any] = {}
    if values.get("name") is not None:
        name = values["name"].strip()
        if not name:
            raise InputError("--name: the customer's name is empty")
        out["name"] = model.check_title(name)
    if values.get("tier") is not None:
        out["tier"] = model.check_choice(values["tier"], TIERS, "--tier")
    if values.get("phone") is not None:
        out["phone"] = model.check_phone(values["phone"])
    if values.get("email") is not None:
        out["email"] = model.check_email(values["email"])
    if values.get("owner") is not None:
        out["owner"] = _owner(config, values["owner"])
    if values.get("since") is not None:
        out["since"] = _since(values["since"], today)
    if values.get("note") is not None:
        out["note"] = model.check_text(values["note"], "--note").strip()
    return out


def add_customer(desk: Desk, values: dict[str, Any], actor: Person, now: datetime,
                 commit: Commit | None = None) -> tuple[str, Any]:
    """Create a customer record; name and tier are required."""
    from ruamel.yaml.comments import CommentedSeq

    permissions.require(desk.config, "customer", actor)
    data = clean_values(desk.config, values, now.date())
    if not data.get("name"):
        raise InputError("--name is required")
    data.setdefault("tier", "C")
    data.setdefault("since", now.date().isoformat())
    with desk.lock():
        for _ in range(100):
            cid = ids.mint_customer_id()
            if not desk.customer_path(cid).exists():
                break
        record = model.ordered({"id": cid, **data, "created": stamp(now), "updated": stamp(now), "visits": CommentedSeq()},
                               CUSTOMER_FIELDS)
        path = desk.customer_path(cid)
        desk.save(path, record)
        if commit:
            commit([path], f"{cid} customer add: tier {data['tier']} (by {actor.id})")
    return cid, record


def resolve_customer(desk: Desk, query: str) -> tuple[str, Path]:
    """A customer by ID (any case) or unambiguous ID suffix."""
    q = (query or "").strip().upper()
    if not q or not all(ch.isalnum() or ch == "-" for ch in q) or not q.isascii():
        raise InputError(f"{query!r} is not a customer ID (e.g. C-7KQ3MX)")
    files = customer_files(desk)
    matches = [cid for cid in files if cid == q] or sorted(cid for cid in files if cid.endswith(q))
    if not matches:
        raise InputError(f"no customer matches {query!r}")
    if len(matches) > 1:
        raise InputError(f"{query!r} is ambiguous: it matches {', '.join(matches[:10])}")
    return matches[0], files[matches[0]]


def customer_files(desk: Desk) -> dict[str, Path]:
    folder = desk.customers_dir
    if not folder.is_dir():
        return {}
    return {p.name[:-5]: p for p in sorted(folder.glob("C-*.yaml")) if ids.CUSTOMER_ID_RE.match(p.name[:-5])}


def load_all(desk: Desk) -> list[Any]:
    """Every customer record that can be read; the others are noted in ``desk.skipped``
    (as the index found them, or as loading them here fails) for the command to name."""
    desk.index()
    out = []
    for cid, path in customer_files(desk).items():
        rel = desk.rel(path)
        if rel in desk.skipped:
            continue
        try:
            out.append(desk.load_customer(cid))
        except CstoolError as exc:
            desk.skipped[rel] = exc.message
    return out


def edit_customer(desk: Desk, query: str, values: dict[str, Any], actor: Person, now: datetime,
                  commit: Commit | None = None) -> tuple[str, Any]:
    permissions.require(desk.config, "customer", actor)
    data = clean_values(desk.config, values, now.date())
    if not data:
        raise InputError("nothing to change: give --name, --tier, --phone, --email, --owner, --since or --note")
    cid, path = resolve_customer(desk, query)
    with desk.lock():
        record = desk.load_customer(cid)
        changed = [k for k, v in data.items() if record.get(k) != v]
        if not changed:
            raise InputError(f"{cid} already has those values")
        for key in changed:
            _set(record, key, data[key])
        if "tier" in changed:
            _set(record, "tier_since", stamp(now))  # the new tier's visits count from now
        _set(record, "updated", stamp(now))
        desk.save(path, record)
        if commit:
            detail = ", ".join(f"tier {record.get('tier')}" if k == "tier" else k for k in changed)
            commit([path], f"{cid} customer edit: {detail} (by {actor.id})")
    return cid, record


def record_visit(desk: Desk, query: str, result: str, note: str | None, actor: Person, now: datetime,
                 commit: Commit | None = None) -> tuple[str, Any]:
    """Record a periodic visit or call to a customer (定期回访)."""
    from ruamel.yaml.comments import CommentedSeq

    permissions.require(desk.config, "customer", actor)
    if desk.backfill is not None:
        permissions.require(desk.config, "backfill", actor)
    model.check_choice(result, VISIT_RESULTS, "--result")
    note = (model.check_text(note, "--note").strip() or None) if note is not None else None
    cid, path = resolve_customer(desk, query)
    with desk.lock():
        record = desk.load_customer(cid)
        visits = record.get("visits")
        if visits is None:
            visits = CommentedSeq()
            _set(record, "visits", visits)
        visit = model.ordered({"at": stamp(now), "by": actor.id, "result": result, **({"note": note} if note else {})},
                              VISIT_ORDER)
        if actor.recorded_by:  # a lead recording for another roster person
            visit["recorded_by"] = actor.recorded_by
        model.in_time_order(list(visits), [visit], desk.config.tz, cid, desk.backfill)
        visits.append(visit)
        _set(record, "updated", stamp(now))
        desk.save(path, record)
        if commit:
            commit([path], f"{cid} customer visit: {result} (by {actor.id})")
    return cid, record


def _set(record: Any, key: str, value: Any) -> None:
    model.put_field(record, key, value, CUSTOMER_FIELDS)


def last_visit(record: Any, tz: Any) -> datetime | None:
    """The latest visit that reached the customer (unreachable calls do not count)."""
    stamps = [read_stamp(v.get("at"), tz) for v in record.get("visits") or [] if v.get("result") != "unreachable"]
    times = [t for t in stamps if t is not None]
    return max(times) if times else None


def next_visit(config: Config, record: Any) -> datetime | None:
    """When the customer's next periodic visit falls due, from the tier's rule."""
    rule = config.periodic.get(str(record.get("tier") or ""))
    if not rule:
        return None
    tz = config.tz
    started = _schedule_start(record, tz)
    if started is None:
        return None
    start = datetime.combine(started.date(), time(9, 0))  # visits fall due at 09:00 local time
    after = last_visit(record, tz)
    anchor = start
    if after is not None:
        anchor = max(start, after.astimezone(tz).replace(tzinfo=None))
    nxt = _occurrence_after(rule, start, anchor)
    if nxt is None:
        return None
    return _on_a_working_day(config, nxt.replace(tzinfo=tz))


def _schedule_start(record: Any, tz: Any) -> datetime | None:
    """When the current schedule began: the tier's change, else the record's creation (else since)."""
    for key in ("tier_since", "created", "since"):
        raw = record.get(key)
        if raw:
            moment = read_stamp(raw, tz)
            if moment is not None:
                return moment
    return None


def _occurrence_after(rule: str, start: datetime, anchor: datetime) -> datetime | None:
    """The rule's first occurrence after anchor; a plain monthly or yearly rule clamps month ends."""
    from dateutil.relativedelta import relativedelta
    from dateutil.rrule import rrulestr

    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    if set(parts) <= {"FREQ", "INTERVAL"} and parts.get("FREQ") in ("MONTHLY", "YEARLY"):
        step = int(parts.get("INTERVAL", "1") or 1) * (12 if parts["FREQ"] == "YEARLY" else 1)
        # whole periods already passed, then the first one after the anchor (each counted from start)
        k = max(1, ((anchor.year - start.year) * 12 + anchor.month - start.month) // step)
        while True:
            candidate = start + relativedelta(months=(k - 1) * step)
            if candidate > anchor:
                return candidate
            k += 1
    return rrulestr(rule, dtstart=start).after(anchor, inc=False)


_CALENDARS: dict[tuple[int, str], Any] = {}


def _on_a_working_day(config: Config, moment: datetime) -> datetime:
    """The moment, or the same time on the next working day when its day has no working time."""
    from datetime import timedelta

    from cstool.time.calendar import BusinessCalendar

    key = (id(config.calendar), config.timezone)
    cal = _CALENDARS.get(key)
    if cal is None or cal.cal is not config.calendar:
        cal = _CALENDARS[key] = BusinessCalendar(config.calendar, config.tz)
    day = moment.date()
    for _ in range(366):
        if cal.ranges(day):
            break
        day += timedelta(days=1)
    return moment.replace(year=day.year, month=day.month, day=day.day)
