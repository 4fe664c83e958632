"""The ticket: its fields, their fixed order in a file, and validation of user input.

A ticket file is a YAML mapping whose keys always appear in :data:`FIELD_ORDER`
(documented in ``docs/tickets.md``), so that diffs stay small and reviewers find each
field in the same place. Current fields are kept in agreement with ``history``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from cstool.config.schema import PRIORITIES, SEVERITIES, TIERS, Config, is_email
from cstool.errors import DeskError, InputError
from cstool.messages import Phrase
from cstool.reports.render import shown

FIELD_ORDER = (
    "id",
    "type",
    "title",
    "description",
    "channel",
    "customer",
    "priority",
    "severity",
    "category",
    "status",
    "group",
    "assignee",
    "level",
    "resolution",
    "created",
    "updated",
    "due",
    "fields",
    "sla",
    "followups",
    "links",
    "history",
)
CUSTOMER_ORDER = ("id", "name", "phone", "email", "tier")
SLA_ORDER = (
    "policy",
    "first_response_target",
    "first_response_due",
    "resolution_target",
    "resolution_due",
    "first_response_at",
    "resolved_at",
    "paused_minutes",
)
FOLLOWUP_ORDER = ("kind", "due", "assignee", "done_at", "result", "by", "note", "attempts")
EVENT_HEAD = ("at", "by", "action")

MAX_TITLE = 200
MAX_TEXT = 200_000  # characters of a description, note or resolution (a file stays under 4 MiB)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}[0-9]$")
CATEGORY_MAX = 40


_MAYBE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff]")  # Cc, Cs and the three


def _bad_chars(text: str, allow_newlines: bool) -> str | None:
    if not _MAYBE_BAD.search(text):  # most texts: one scan in C
        return None
    for ch in text:
        if ch in "\n\t" and allow_newlines:
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc" or cat == "Cs" or ch in "\u2028\u2029\ufeff":
            return f"U+{ord(ch):04X}"
    return None


def check_title(title: str | None, what: str | Phrase = "--title") -> str:
    """A title (or a name: ``what`` says which) is one line of 1-200 characters with no
    control characters."""
    noun = Phrase("noun.title" if what == "--title" else "noun.name")
    text = (title or "").strip()
    if not text:
        raise InputError("error.title.empty", what=what, noun=noun)
    if "\n" in text or "\r" in text:
        raise InputError("error.title.one_line", what=what, noun=noun)
    bad = _bad_chars(text, allow_newlines=False)
    if bad:
        raise InputError("error.title.control", what=what, noun=noun, bad=bad)
    if len(text) > MAX_TITLE:
        raise InputError("error.title.long", what=what, noun=noun, n=len(text), limit=MAX_TITLE)
    return text


def check_text(text: str | None, what: str | Phrase, *, required: bool = False) -> str:
    """Free text (description, note, reason): tabs and newlines allowed, no other controls."""
    value = (text or "").replace("\r\n", "\n")
    if required and not value.strip():
        raise InputError("error.text.empty", what=what)
    if "\r" in value:
        raise InputError("error.text.bare_cr", what=what)
    bad = _bad_chars(value, allow_newlines=True)
    if bad:
        raise InputError("error.text.control", what=what, bad=bad)
    if len(value) > MAX_TEXT:
        raise InputError("error.text.long", what=what, n=len(value), limit=MAX_TEXT)
    return value


def check_choice(value: str | None, choices: Any, what: str | Phrase) -> str | None:
    """One of the allowed values; the refusal names the choices, and shows the value
    given only masked (a phone number typed in the wrong column must not be echoed)."""
    if value is None:
        return None
    if value not in choices:
        raise InputError("error.unknown_value", what=what, value=shown(value), choices=", ".join(choices))
    return value


MASK_CHAR = "*"


def check_phone(phone: str | None) -> str | None:
    """A phone number: digits, spaces, dashes, an optional leading +; a masked one
    (``135****5555``, from an export made without --reveal) is refused."""
    if phone is None or phone == "":
        return None
    phone = str(phone).strip()
    if MASK_CHAR in phone:
        raise InputError("error.phone.masked")
    if not PHONE_RE.match(phone):
        raise InputError("error.phone.bad")
    return phone


def check_email(email: str | None) -> str | None:
    """An e-mail address (name@domain); a masked one (``z***@example.com``) is refused."""
    if email is None or email == "":
        return None
    email = str(email).strip()
    if MASK_CHAR * 3 in email.partition("@")[0]:
        raise InputError("error.email.masked")
    if not is_email(email) or _bad_chars(email, False):
        raise InputError("error.email.bad")
    return email


MAX_DEPTH = 16  # nesting of mappings and lists in one imported ticket (a ticket needs 4)


def check_strings(value: Any, what: str, depth: int = 0) -> None:
    """Every text anywhere in value (keys included) free of control characters other than
    tab, newline and CR (a CR only before a newline) and of lone surrogates; nesting
    bounded by :data:`MAX_DEPTH`. For data that did not come through the options of
    ``create`` (an imported row), before the field-by-field checks. Value that passes
    :func:`strings_pass` (one quick scan of all its texts) is not walked again; the
    rest is walked text by text, and the first refused text is named."""
    if depth == 0 and strings_pass(value):
        return
    _check_strings(value, what, depth)


# what check_strings refuses in a text: Cc but tab, newline and CR; a CR not before a newline; Cs; the three
_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff]|\r(?!\n)")


def strings_pass(value: Any) -> bool:
    """Whether :func:`check_strings` accepts value: its texts (keys included) gathered in one
    walk without recursion, nesting bounded, then searched at once (joined by spaces,
    so that no CR at a text's end is taken for one before a newline)."""
    texts: list[str] = []
    add = texts.append
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            add(item)
            continue
        if depth > MAX_DEPTH:
            return False
        is_dict = isinstance(item, dict)
        if not (is_dict or isinstance(item, list)):
            continue
        if item and depth + 1 > MAX_DEPTH:
            return False
        for sub in (item.values() if is_dict else item):
            if isinstance(sub, str):
                add(sub)
            elif isinstance(sub, (dict, list)):
                stack.append((sub, depth + 1))
        if is_dict:
            texts.extend(key for key in item if isinstance(key, str))
    return not _HOSTILE.search(" ".join(texts))


def _check_strings(value: Any, what: str, depth: int) -> None:
    """check_strings, every text checked one by one (naming where the first refused one is)."""
    if depth > MAX_DEPTH:
        raise InputError("error.nested", what=what, depth=MAX_DEPTH)
    if isinstance(value, str):
        bad = _bad_chars(value.replace("\r\n", "\n"), allow_newlines=True)
        if bad:
            raise InputError("error.text.control", what=what, bad=bad)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, what, depth + 1)
            _check_strings(item, f"{what}.{key}" if isinstance(key, str) and key.isidentifier() else what, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item, what, depth + 1)


def check_category(category: str | None, config: Config) -> str | None:
    if category is None:
        return None
    category = category.strip()
    if config.categories and category not in config.categories:
        raise InputError("error.category.unknown", value=shown(category), choices=", ".join(config.categories))
    if not category or len(category) > CATEGORY_MAX or _bad_chars(category, False):
        raise InputError("error.category.bad", value=shown(category), limit=CATEGORY_MAX)
    return category


def validate_field_values(values: dict[str, Any], config: Config) -> None:
    """Check type, channel, group, priority, severity and tier against the config."""
    check_choice(values.get("type"), list(config.types), "--type")
    check_choice(values.get("channel"), list(config.channels), "--channel")
    check_choice(values.get("priority"), PRIORITIES, "--priority")
    check_choice(values.get("severity"), SEVERITIES, "--severity")
    check_choice(values.get("tier"), TIERS, "--tier")
    check_choice(values.get("group"), list(config.groups), "--group")


def ordered(data: dict[str, Any], order: tuple[str, ...], plain: bool = False) -> Any:
    """A CommentedMap (a dict if ``plain``) with the known keys in order, then any others as they came."""
    out = containers_for(plain)[0]()
    for key in order:
        if key in data:
            out[key] = data[key]
    for key, value in data.items():
        if key not in out:
            out[key] = value
    return out


def put_field(mapping: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set key, inserting a new key at its place in order (round-trip maps keep comments)."""
    if key in mapping:
        if mapping[key] != value:
            mapping[key] = value
        return
    position = 0
    rank = order.index(key) if key in order else len(order)
    for i, existing in enumerate(mapping):
        if existing in order and order.index(existing) < rank:
            position = i + 1
    if hasattr(mapping, "insert"):
        mapping.insert(position, key, value)
        return
    items = list(mapping.items())  # a plain dict: the same order, rebuilt
    items.insert(position, (key, value))
    mapping.clear()
    mapping.update(items)


def event(at: str, by: str, action: str, **fields: Any) -> dict[str, Any]:
    """One history event: at, by, action, then the action's fields (None left out). A plain
    dict, whatever the ticket: the round-trip writer writes it as it writes its own maps."""
    return _filled({}, at, by, action, fields)


def containers(ticket: Any) -> tuple[type, type]:
    """The mapping and list types of what a change adds to a ticket: dict and list when the
    ticket is plain data (a file as cstool writes it, edited without ruamel.yaml), else
    ruamel's round-trip types, like those the ticket was read into."""
    return containers_for(type(ticket) is dict)


def containers_for(plain: bool) -> tuple[type, type]:
    """dict and list when ``plain``, else ruamel's round-trip mapping and list types."""
    if plain:
        return dict, list
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return CommentedMap, CommentedSeq


def _filled(ev: Any, at: str, by: str, action: str, fields: dict[str, Any]) -> Any:
    ev["at"], ev["by"], ev["action"] = at, by, action
    for key, value in fields.items():
        if value is not None:
            ev[key] = value
    return ev


def new_ticket(values: dict[str, Any], history: list[Any], plain: bool = False) -> Any:
    """Build a ticket mapping in file order from plain values (None and {} left out): of
    round-trip types, or with ``plain`` of dicts and lists (written by the same bytes,
    made many times faster: an import makes thousands, only to write them)."""
    mapping, seq = containers_for(plain)
    data: dict[str, Any] = {}
    for key in FIELD_ORDER:
        value = values.get(key)
        if key == "customer" and value:
            value = ordered({k: v for k, v in value.items() if v not in (None, "")}, CUSTOMER_ORDER, plain)
        elif key == "sla" and value:
            value = ordered(value, SLA_ORDER, plain)
        elif key in ("followups", "links"):
            value = seq(value) if value else None
        elif key == "fields" and value:
            value = mapping(value)
        elif key == "history":
            value = seq(history)
        if value is None or (isinstance(value, dict) and not value and key != "history"):
            continue
        if key == "description" and value == "":
            continue
        data[key] = value
    return ordered(data, FIELD_ORDER, plain)


def text_of(ticket: Any, key: str, default: str = "") -> str:
    value = ticket.get(key) if isinstance(ticket, dict) else None
    return default if value is None else str(value)


def customer_of(ticket: Any) -> dict[str, Any]:
    value = ticket.get("customer") if isinstance(ticket, dict) else None
    return value if isinstance(value, dict) else {}


SHAPES = {"customer": dict, "sla": dict, "fields": dict, "history": list, "followups": list, "links": list}
TIMESTAMP_FIELDS = ("created", "updated", "due")


def shape_problem(data: Any, tz: Any) -> tuple[str, Phrase] | None:
    """The first field of a loaded ticket whose type is wrong, as (key, reason), or None.

    Files edited by hand can hold any YAML; commands refuse a malformed ticket with its
    file and line instead of failing somewhere inside."""
    from cstool.errors import CstoolError
    from cstool.time.clock import read_stamp

    for key, kind in SHAPES.items():
        value = data.get(key)
        if value is not None and not isinstance(value, kind):
            return key, Phrase("error.shape.mapping" if kind is dict else "error.shape.list", key=key)
    for key in ("history", "followups"):
        for item in data.get(key) or []:
            if not isinstance(item, dict):
                return key, Phrase("error.shape.entries", key=key)
    level = data.get("level")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int)):
        return "level", Phrase("error.shape.whole_number", key="level")
    for key in ("id", "type", "title", "status", "group", "assignee", "channel", "priority"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            return key, Phrase("error.shape.text", key=key)
    for key in TIMESTAMP_FIELDS:
        if data.get(key) is not None:
            try:
                read_stamp(data.get(key), tz)
            except CstoolError:
                return key, Phrase("error.shape.timestamp", key=key, value=repr(data.get(key)))
    return None


def check_shape(data: Any, rel: str, tz: Any) -> None:
    """Refuse a ticket whose fields have the wrong types, naming the file and line."""
    problem = shape_problem(data, tz)
    if problem is not None:
        key, reason = problem
        raise DeskError("error.shape.at", where=f"{rel}:{key_line(data, key)}", error=reason)


def key_line(data: Any, key: str) -> int:
    """The 1-based line of a key in a round-trip loaded mapping (1 when unknown)."""
    try:
        return data.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return 1


def in_time_order(past: list[Any], new: list[Any], tz: Any, ident: str, backfill: str | None) -> None:
    """Refuse new entries (events, visits) earlier than the last of the past ones
    (InputError, so nothing is written): a history stays in time order, so a late reply
    cannot be dated before its deadline. With a backfill reason (--backfill, a late entry
    recorded honestly) each new entry carries it as ``backfill``."""
    from cstool.time.clock import read_stamp, stamp

    known = [t for t in (read_stamp(ev.get("at"), tz) for ev in past) if t is not None]
    last = max(known) if known else None
    for ev in new:
        at = read_stamp(ev.get("at"), tz)
        if last is not None and at is not None and at < last:
            hint = Phrase("error.time_order.backfill" if backfill is not None else "error.time_order.hint")
            raise InputError("error.time_order", ident=ident, at=stamp(at), last=stamp(last), hint=hint)
        if backfill is not None:
            ev["backfill"] = backfill
