"""Merging two clones' edits of the same ticket or customer file (the git merge driver).

Rules (also in docs/teams.md):

1. Two files whose creation events differ are two different tickets that happen to
   share an ID: they are never joined; the merge stops with a conflict naming the ID.
2. History events are united by identity, as multisets: an event is the same event
   when all its fields are equal *and* it is the same occurrence of them on its side (the
   second of two identical chases made in one minute is a second event), so nothing is
   lost and nothing is doubled; they are ordered by
   time, and where both sides have events at the same second, the order within each
   side is kept and the sides are interleaved by a fixed rule (smaller event text
   first), so the result is the same whichever side merges.
3. The current fields (status, group, assignee, level, resolution, follow-ups, SLA
   stops) are replayed from the united history.
4. Other fields (title, description, customer, priority, category, …) merge field by
   field against the common ancestor: a change on one side wins over no change; when
   both sides changed a field differently, the side with the later ``updated`` time
   wins (ties: the smaller value), and a ``merge-conflict`` event records what was
   dropped. A field that an ``edit`` event new on either side changed (``cstool edit``)
   takes the value of the latest such event in the united history, so the file agrees
   with its history; when both sides edited it to different values, the
   ``merge-conflict`` event names the value dropped.
5. When the united history holds an action that the state reached by then does not
   allow (e.g. one clone escalated a ticket the other had closed), the event is kept and
   replayed as recorded, and a ``merge-conflict`` event names it for a person to review.
   ``audit --check`` and ``show`` list merge conflicts until someone records a note with
   ``cstool note ID --ack-conflict``.

The result is a clean YAML file: never conflict markers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cstool.domain import states
from cstool.domain.history import blank_state, changes, replay, set_path, step, write_state
from cstool.domain.model import FIELD_ORDER, ordered
from cstool.messages import Phrase, label, stored_language
from cstool.reports.render import mask_text, plain

MERGE_ACTOR = "cstool-merge"
DERIVED_KEYS = ("status", "group", "assignee", "level", "resolution", "updated", "followups")


# a note about the merge: the field it concerns (None: an event), its catalogue key and fields
Note = tuple[str | None, str, dict[str, Any]]


class NotSameRecord(Exception):
    """The two sides are different records sharing one ID."""


def canonical(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _at(ev: Any) -> str:
    """Events' times as sortable UTC text (the offsets in one desk may differ after edits)."""

    from dateutil.parser import isoparse

    raw = ev.get("at") if isinstance(ev, dict) else None
    try:
        moment = raw if isinstance(raw, datetime) else isoparse(str(raw))
        if moment.tzinfo is None:
            return moment.isoformat()
        return moment.astimezone(UTC).isoformat()
    except (ValueError, TypeError):
        return str(raw)


def occurrence_keys(events: list[Any]) -> list[str]:
    """Each event's identity within its side: its canonical text and how many equal events
    came before it on that side (so two identical chases stay two events)."""
    counts: dict[str, int] = {}
    keys = []
    for ev in events:
        text = canonical(ev)
        counts[text] = counts.get(text, 0) + 1
        keys.append(f"{counts[text]}#{text}")
    return keys


def unite(ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Both histories as one: each event as many times as the side that has it most often
    holds it (a multiset union), in time order, sides' own order kept."""
    out: list[Any] = []
    seen: set[str] = set()
    keys_a, keys_b = occurrence_keys(ours), occurrence_keys(theirs)
    i = j = 0
    while i < len(ours) or j < len(theirs):
        a = ours[i] if i < len(ours) else None
        b = theirs[j] if j < len(theirs) else None
        ka = keys_a[i] if a is not None else None
        kb = keys_b[j] if b is not None else None
        if ka is not None and ka in seen:
            i += 1
            continue
        if kb is not None and kb in seen:
            j += 1
            continue
        if ka is not None and ka == kb:
            out.append(a)
            seen.add(ka)
            i += 1
            j += 1
            continue
        if b is None or (a is not None and (_at(a), ka) <= (_at(b), kb)):
            out.append(a)
            if ka is not None:
                seen.add(ka)
            i += 1
        else:
            out.append(b)
            if kb is not None:
                seen.add(kb)
            j += 1
    return out


def _same_record(a: Any, b: Any) -> bool:
    ha, hb = a.get("history") or [], b.get("history") or []
    if not ha or not hb:
        return a.get("id") == b.get("id") and a.get("created") == b.get("created")
    return canonical(ha[0]) == canonical(hb[0])


def invalid_steps(history: list[Any]) -> list[tuple[Any, str]]:
    """Events the state machine would not have allowed where the united history puts them."""
    problems = []
    state = blank_state()
    for ev in history:
        before = state["status"]
        rule = states.TRANSITIONS.get(str(ev.get("action")))
        if rule is not None and before is not None and before not in rule[0]:
            problems.append((ev, before))
        step(state, ev)
    return problems


def _pick(base: Any, a: Any, b: Any, a_updated: str, b_updated: str) -> tuple[Any, Any | None]:
    """Three-way choice of one field; returns (value, dropped value or None)."""
    ca, cb, co = canonical(a), canonical(b), canonical(base)
    if ca == cb:
        return a, None
    if ca == co:
        return b, None
    if cb == co:
        return a, None
    if (a_updated, ca) >= (b_updated, cb):
        return a, b
    return b, a


def merge_ticket(base: Any | None, ours: Any, theirs: Any, lang: str | None = None) -> CommentedMap:
    """The merged ticket document (see the module's rules); the ``merge-conflict`` note is
    written in lang, the desk's language (``stored_language``: Chinese when unknown)."""
    if not _same_record(ours, theirs):
        raise NotSameRecord(str(ours.get("id")))
    base = base if isinstance(base, dict) else {}
    history = unite(list(ours.get("history") or []), list(theirs.get("history") or []))
    a_up, b_up = _at({"at": ours.get("updated")}), _at({"at": theirs.get("updated")})
    notes: list[Note] = []
    merged = _merge_fields(base, ours, theirs, a_up, b_up, notes)
    sla = _merge_sla(base, ours, theirs, a_up, b_up, history, notes)
    edited = _edited(base, ours, theirs, history, notes)
    for ev, status in invalid_steps(history):
        action = str(ev.get("action"))
        notes.append((None, "merge.note.late_step", {
            "action": Phrase("action." + action, default=action), "at": ev.get("at"), "by": ev.get("by"),
            "status": Phrase("status." + str(status), default=str(status))}))
    if notes:
        _record_conflict(history, notes, stored_language(lang))
    doc = ordered(merged, FIELD_ORDER)
    if sla:
        from cstool.domain.model import SLA_ORDER

        doc["sla"] = ordered(sla, SLA_ORDER)
    for path, value in edited.items():
        set_path(doc, path, value)
    doc["history"] = CommentedSeq(history)
    state = replay(history)
    write_state(doc, state)
    return ordered(dict(doc), FIELD_ORDER)


def _edited(base: Any, ours: Any, theirs: Any, history: list[Any], notes: list[Note]) -> dict[str, Any]:
    """The fields ``edit`` events new on either side changed, each with the latest such
    event's value; a field edited to different values on the two sides is noted (and the
    field-by-field note about it, which the edits decide, dropped)."""
    old = set(occurrence_keys(list(base.get("history") or [])))
    sides = {}
    for name, side in (("ours", ours), ("theirs", theirs)):
        events = list(side.get("history") or [])
        sides[name] = {path: new for ev, key in zip(events, occurrence_keys(events), strict=True) if key not in old
                       for path, _, new in changes(ev)}
    latest = {path: new for ev in history for path, _, new in changes(ev) if path in sides["ours"] or path in sides["theirs"]}
    heads = {path.split(".", 1)[0] for path in latest} | ({"sla"} if any(p.startswith("sla.") for p in latest) else set())
    notes[:] = [n for n in notes if n[0] is None or n[0].split(".", 1)[0] not in heads]
    for path, value in latest.items():
        mine, other = sides["ours"].get(path, value), sides["theirs"].get(path, value)
        if path in sides["ours"] and path in sides["theirs"] and canonical(mine) != canonical(other):
            dropped = other if canonical(mine) == canonical(value) else mine
            notes.append(_dropped(path, value, dropped))
    return latest


def _merge_fields(base: Any, ours: Any, theirs: Any, a_up: str, b_up: str, notes: list[Note]) -> dict[str, Any]:
    """The fields other than history, sla and the derived ones, three-way; a dropped value is noted."""
    merged: dict[str, Any] = {}
    keys = [k for k in FIELD_ORDER if k in ours or k in theirs]
    keys += sorted(k for k in {*ours, *theirs} if k not in FIELD_ORDER)
    for key in keys:
        if key in DERIVED_KEYS or key == "history":
            continue
        if key == "sla":
            continue
        value, dropped = _pick(base.get(key), ours.get(key), theirs.get(key), a_up, b_up)
        if dropped is not None:
            notes.append(_dropped(key, value, dropped))
        if value is not None:
            merged[key] = value
    return merged


def _merge_sla(base: Any, ours: Any, theirs: Any, a_up: str, b_up: str, history: list[Any],
               notes: list[Note]) -> dict[str, Any]:
    """SLA: the promise fields merge like other fields; the stop times come from the history."""
    sla_a, sla_b, sla_o = dict(ours.get("sla") or {}), dict(theirs.get("sla") or {}), dict(base.get("sla") or {})
    sla: dict[str, Any] = {}
    for key in sorted({*sla_a, *sla_b}):
        value, dropped = _pick(sla_o.get(key), sla_a.get(key), sla_b.get(key), a_up, b_up)
        if key in ("resolution_due", "paused_minutes") and dropped is not None:
            value = _latest_carried(history, key, value)
            dropped = None
        if dropped is not None:
            notes.append(_dropped(f"sla.{key}", value, dropped))
        if value is not None:
            sla[key] = value
    return sla


def _dropped(field: str, kept: Any, dropped: Any) -> Note:
    """The note that both sides changed field: kept wins, dropped is lost."""
    return field, "merge.note.dropped", {"field": field, "kept": _short(kept), "dropped": _short(dropped)}


def _record_conflict(history: list[Any], notes: list[Note], lang: str) -> None:
    """Append a merge-conflict event with the notes in lang, at the latest event's time (once)."""
    last = max((_at(ev), ev.get("at")) for ev in history)[1] if history else None
    note_ev = CommentedMap()
    note_ev["at"] = last
    note_ev["by"] = MERGE_ACTOR
    note_ev["action"] = "merge-conflict"
    text = label("join.semicolon", lang).join(label(key, lang, **fmt) for _, key, fmt in notes)
    note_ev["note"] = mask_text(text)  # the dropped values may be a customer's phone or e-mail
    if canonical(note_ev) not in {canonical(ev) for ev in history}:
        history.append(note_ev)


def _latest_carried(history: list[Any], key: str, fallback: Any) -> Any:
    for ev in reversed(history):
        if key in ev:
            return ev[key]
    return fallback


def _short(value: Any) -> str:
    text = canonical(value)
    return text if len(text) <= 40 else text[:39] + "…"


def merge_customer(base: Any | None, ours: Any, theirs: Any) -> CommentedMap:
    """Customer records: visits united like history; other fields three-way."""
    from cstool.domain.customers import CUSTOMER_FIELDS

    if ours.get("id") != theirs.get("id") or ours.get("created") != theirs.get("created"):
        raise NotSameRecord(str(ours.get("id")))
    base = base if isinstance(base, dict) else {}
    a_up, b_up = _at({"at": ours.get("updated")}), _at({"at": theirs.get("updated")})
    out: dict[str, Any] = {}
    for key in [*CUSTOMER_FIELDS, *sorted(k for k in {*ours, *theirs} if k not in CUSTOMER_FIELDS)]:
        if key == "visits":
            visits = unite(list(ours.get("visits") or []), list(theirs.get("visits") or []))
            if visits:
                out["visits"] = CommentedSeq(visits)
            continue
        if key not in ours and key not in theirs:
            continue
        value, _ = _pick(base.get(key), ours.get(key), theirs.get(key), a_up, b_up)
        if key == "updated":
            value = max(str(ours.get("updated") or ""), str(theirs.get("updated") or "")) or None
        if value is not None:
            out[key] = value
    return ordered(out, CUSTOMER_FIELDS)
