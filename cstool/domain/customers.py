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

from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cstool.config.schema import Config, Person
from cstool.config.words import person, word
from cstool.domain import ids, model, permissions
from cstool.errors import CstoolError, InputError
from cstool.reports.render import shown
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
    return person(config, owner, "--owner").id


def _since(config: Config, value: str | None, now: datetime) -> str:
    """--since: a date as people type it (2026-12-01, 2026/12/01, 12月1日, 昨天 …)."""
    from cstool.time.typed import read_date

    if value is None:
        return now.date().isoformat()
    return read_date(value, config.tz, now, "--since").isoformat()


def clean_values(config: Config, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Validate customer fields given on the command line (None: not given)."""
    out: dict[str, Any] = {}
    if values.get("name") is not None:
        name = values["name"].strip()
        if not name:
            raise InputError("error.customer.name_empty")
        out["name"] = model.check_title(name)
    if values.get("tier") is not None:
        out["tier"] = word(config, "tier", values["tier"], "--tier")
    if values.get("phone") is not None:
        out["phone"] = model.check_phone(values["phone"])
    if values.get("email") is not None:
        out["email"] = model.check_email(values["email"])
    if values.get("owner") is not None:
        out["owner"] = _owner(config, values["owner"])
    if values.get("since") is not None:
        out["since"] = _since(config, values["since"], now)
    if values.get("note") is not None:
        out["note"] = model.check_text(values["note"], "--note").strip()
    return out


def add_customer(desk: Desk, values: dict[str, Any], actor: Person, now: datetime,
                 commit: Commit | None = None) -> tuple[str, Any]:
    """Create a customer record; name and tier are required."""
    from ruamel.yaml.comments import CommentedSeq

    permissions.require(desk.config, "customer", actor)
    data = clean_values(desk.config, values, now)
    if not data.get("name"):
        raise InputError("error.customer.name_required")
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


Chooser = Callable[[list[dict[str, Any]]], str]  # picks one of several customer records (plain data): its ID


def resolve_customer(desk: Desk, query: str, choose: Chooser | None = None) -> tuple[str, Path]:
    """The customer a user named: by ID (any case), unambiguous ID ending, phone number or
    name. Several records → ``choose(candidates)`` picks one (asking on a terminal), else
    InputError listing them with masked phones; none → InputError."""
    matches = find_customers(desk, query)
    if not matches:
        raise InputError("error.no_customer", query=shown(query), example="C-7KQ3MX")
    cid = only_or_chosen(query, matches, choose)
    return cid, desk.customer_path(cid)


def only_or_chosen(query: str, matches: list[dict[str, Any]], choose: Chooser | None) -> str:
    """The ID of the one match, or of the one ``choose`` picks; InputError listing them without it."""
    if len(matches) == 1:
        return str(matches[0]["id"])
    if choose is None:
        listed = "; ".join(describe(m) for m in matches[:10]) + ("; …" if len(matches) > 10 else "")
        raise InputError("error.ambiguous_customer", query=shown(query), n=len(matches), listed=listed)
    return choose(matches)


def describe(record: dict[str, Any]) -> str:
    """``C-7KQ3MX 陈建国 138****5678 A``: a candidate as a refusal or a prompt lists it (phone masked)."""
    from cstool.reports.render import escape_controls, mask_phone

    parts = [record.get("id"), record.get("name"), mask_phone(record.get("phone")), record.get("tier")]
    return escape_controls(" ".join(str(p) for p in parts if p))


def find_customers(desk: Desk, query: str) -> list[dict[str, Any]]:
    """Customer records (plain data) a user named: a customer ID or its unambiguous ending
    wins (found by file name, without the index); otherwise those whose phone number or
    name (any case, full-width or not) is query (from the index)."""
    from cstool.reports.render import plain

    query = (query or "").strip()
    by_id = _by_id(query, list(customer_files(desk)))
    if by_id:
        return [plain(desk.load_customer(cid)) if len(by_id) > 1 else {"id": cid} for cid in by_id[:10]] + \
            [{"id": cid} for cid in by_id[10:]]
    found = [r for r in desk.index().customer_documents()
             if query and (_same_phone(query, r.get("phone")) or _same_name(query, r.get("name")))]
    return sorted(found, key=lambda r: str(r.get("id")))


def same_customer(desk: Desk, name: str | None, phone: str | None) -> list[dict[str, Any]]:
    """The records a new ticket's customer details describe: the same name (when given) and
    the same phone number (when given); none when neither is given."""
    if not (name or "").strip() and not (phone or "").strip():
        return []
    found = [r for r in desk.index().customer_documents()
             if (not name or _same_name(name, r.get("name"))) and (not phone or _same_phone(phone, r.get("phone")))]
    return sorted(found, key=lambda r: str(r.get("id")))


def _by_id(query: str, known: list[str]) -> list[str]:
    """The customer IDs a query names as an ID (any case) or an ID's ending of two or more characters."""
    q = query.upper()
    if not q or not q.isascii() or not all(ch.isalnum() or ch == "-" for ch in q) or q.isdigit():
        return []
    if q in known:
        return [q]
    return sorted(cid for cid in known if cid.endswith(q) and len(q) >= 2)


def _digits(phone: Any) -> str:
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    for country in ("0086", "86"):  # +86 138… and 138… are one number
        if digits.startswith(country) and len(digits) - len(country) == 11:
            return digits[len(country):]
    return digits


def _same_phone(typed: str, phone: Any) -> bool:
    from cstool.domain.model import PHONE_RE

    return bool(phone) and PHONE_RE.match(typed.strip()) is not None and _digits(typed) == _digits(phone)


def _same_name(typed: str, name: Any) -> bool:
    from cstool.config.words import normalize

    return bool(name) and normalize(typed) == normalize(str(name))


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
            desk.skipped[rel] = exc
    return out


def edit_customer(desk: Desk, query: str, values: dict[str, Any], actor: Person, now: datetime,
                  commit: Commit | None = None) -> tuple[str, Any]:
    permissions.require(desk.config, "customer", actor)
    data = clean_values(desk.config, values, now)
    if not data:
        raise InputError("error.customer.nothing_to_change")
    cid, path = resolve_customer(desk, query)
    with desk.lock():
        record = desk.load_customer(cid)
        changed = [k for k, v in data.items() if record.get(k) != v]
        if not changed:
            raise InputError("error.customer.same", cid=cid)
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
