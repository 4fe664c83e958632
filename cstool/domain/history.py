"""History events and the current fields they imply.

:func:`apply` is the only code that changes a ticket's current fields: every action
builds one event, and applying it appends it to ``history`` and updates the fields.
:func:`replay` applies a ticket's whole history to a blank state, so a check can compare
the result with the file (``audit --check``) and a merge can rebuild a ticket from the
union of two histories.
"""

from __future__ import annotations

from typing import Any

from cstool.domain import states
from cstool.domain.model import CUSTOMER_ORDER, FIELD_ORDER, FOLLOWUP_ORDER, SLA_ORDER, containers, ordered, put_field
from cstool.messages import Phrase

DERIVED = ("status", "group", "assignee", "level", "resolution", "updated")
DERIVED_SLA = ("first_response_at", "resolved_at")
# computed when the event happened (they need the calendar) and carried by the event
CARRIED_SLA = ("resolution_due", "paused_minutes")


# fields of the ticket an ``edit`` event may change (``fields.KEY``: a template field too)
EDITABLE = ("title", "description", "priority", "severity", "category", "customer.name", "customer.phone",
            "customer.email", "due", "sla.policy", "sla.first_response_target", "sla.first_response_due",
            "sla.resolution_target", "sla.resolution_due")
# what a state replayed through edits carries besides the derived fields (read by the checks of
# verify --history: a complaint found major needs a supervisor to close)
EDIT_STATE = ("type", "severity")


def changes(ev: Any) -> list[tuple[str, Any, Any]]:
    """An ``edit`` event's changes as (field path, old value, new value); [] for any other
    event or a change that is not a mapping with a ``field``."""
    if not isinstance(ev, dict) or ev.get("action") != "edit":
        return []
    out = []
    for change in ev.get("changes") or []:
        if isinstance(change, dict) and isinstance(change.get("field"), str):
            out.append((change["field"], change.get("from"), change.get("to")))
    return out


def editable(path: str) -> bool:
    """Whether an ``edit`` event may change this field path."""
    return path in EDITABLE or (path.startswith("fields.") and len(path) > len("fields."))


def set_path(ticket: Any, path: str, value: Any) -> None:
    """Set (None: remove) a field path such as ``priority``, ``customer.phone`` or
    ``fields.order_no`` in a ticket, keeping file order."""
    head, _, rest = path.partition(".")
    if not rest:
        if value is None:
            ticket.pop(head, None)
        else:
            put_field(ticket, head, value, FIELD_ORDER)
        return
    inner = ticket.get(head)
    if not isinstance(inner, dict):
        if value is None:
            return
        inner = containers(ticket)[0]()
        put_field(ticket, head, inner, FIELD_ORDER)
    if value is None:
        inner.pop(rest, None)
        if not inner:
            ticket.pop(head, None)
    else:
        put_field(inner, rest, value, {"customer": CUSTOMER_ORDER, "sla": SLA_ORDER}.get(head, ()))


def get_path(ticket: Any, path: str) -> Any:
    """The value at a field path (None when absent)."""
    head, _, rest = path.partition(".")
    value = ticket.get(head) if isinstance(ticket, dict) else None
    if not rest:
        return value
    return value.get(rest) if isinstance(value, dict) else None


def event_problem(ev: Any) -> str | None:
    """What is wrong with an ``edit`` or ``void`` event's own fields (None: nothing, or
    another action): an edit lists its changes as ``{field, from, to}`` of fields edit may
    change; a void gives its reason."""
    action = ev.get("action") if isinstance(ev, dict) else None
    if action == "void" and not str(ev.get("reason") or "").strip():
        return "a void event must give its reason"
    if action != "edit":
        return None
    listed = ev.get("changes")
    if not isinstance(listed, list) or not listed or len(changes(ev)) != len(listed):
        return "an edit event must list its changes as {field, from, to}"
    wrong = [path for path, _, _ in changes(ev) if not editable(path)]
    return f"an edit event may not change {', '.join(wrong)}" if wrong else None


def before_edits(ticket: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """The values the fields had before the history's first ``edit`` of each (the file's
    value when none changed it): where a replay of the events starts from."""
    out = {key: get_path(ticket, key) for key in keys}
    seen: set[str] = set()
    for ev in ticket.get("history") or []:
        for path, old, _ in changes(ev):
            if path in out and path not in seen:
                out[path] = old
                seen.add(path)
    return out


def apply_changes(ticket: Any, ev: Any) -> None:
    """Set the fields an ``edit`` event changes to their new values."""
    for path, _, new in changes(ev):
        if editable(path):
            set_path(ticket, path, new)


def blank_state() -> dict[str, Any]:
    return {"status": None, "group": None, "assignee": None, "level": None, "resolution": None,
            "updated": None, "first_response_at": None, "resolved_at": None, "followups": []}


def step(state: dict[str, Any], ev: Any) -> None:
    """Fold one event into a plain state dict (the rules of every action)."""
    action = ev.get("action")
    at = ev.get("at")
    status = state["status"]
    if action == "create":
        state["status"] = ev.get("status", "open")
        state["group"] = ev.get("group")
        state["assignee"] = ev.get("assignee")
        state["level"] = ev.get("level", 1)
    elif action == "route":
        state["group"] = ev.get("to")
        state["assignee"] = ev.get("assignee")
    elif action == "escalate":
        state["level"] = ev.get("to")
        state["assignee"] = ev.get("assignee")
    elif action == "reply":
        if not state["first_response_at"]:
            state["first_response_at"] = at
        state["status"] = states.next_status("reply", status)
    elif action in ("pending", "resume"):
        state["status"] = states.TRANSITIONS[action][1]
    elif action in ("resolve", "close"):
        _step_resolve(state, ev, at)
    elif action == "reopen":
        state["status"] = "open"
        state["resolution"] = None
        state["resolved_at"] = None
    elif action == "followup":
        _step_followup(state, ev, at)
    elif action == "void":
        state["status"] = "void"
    elif action == "edit":
        for path, _, new in changes(ev):
            if path in EDIT_STATE:  # what permission and level checks read as the history goes
                state[path] = new
    # note, chase, merge-conflict and unknown actions change no current field
    if at:
        state["updated"] = at


def _step_resolve(state: dict[str, Any], ev: Any, at: Any) -> None:
    """resolve or close: the status, the resolution, when first resolved, and a follow-up call to make."""
    state["status"] = "resolved" if ev.get("action") == "resolve" else "closed"
    if ev.get("resolution"):
        state["resolution"] = ev.get("resolution")
    if not state["resolved_at"]:
        state["resolved_at"] = at
    if ev.get("followup_due"):
        entry = {"kind": ev.get("followup_kind", "callback"), "due": ev["followup_due"]}
        if ev.get("followup_assignee"):
            entry["assignee"] = ev["followup_assignee"]
        state["followups"].append(entry)


def _step_followup(state: dict[str, Any], ev: Any, at: Any) -> None:
    """followup: an attempt at the first open follow-up call, done unless unreachable (and
    not final); an unreachable attempt moves the call to its next attempt's due time
    (``next_due``). A call-back (``callback``) after the last unreachable attempt records
    what the customer said on that call, which keeps its done time."""
    open_calls = [f for f in state["followups"] if not f.get("done_at")]
    if open_calls:
        f = open_calls[0]
    elif ev.get("callback") and state["followups"] and state["followups"][-1].get("result") == "unreachable":
        f = state["followups"][-1]
    else:
        return
    f["attempts"] = int(f.get("attempts") or 0) + 1
    f["by"] = ev.get("by")
    if ev.get("note"):
        f["note"] = ev.get("note")
    f["result"] = ev.get("result")
    if f.get("done_at"):
        return
    if ev.get("result") != "unreachable" or ev.get("final"):
        f["done_at"] = at
    elif ev.get("next_due"):
        f["due"] = ev["next_due"]


def replay(history: Any) -> dict[str, Any]:
    """The current fields implied by a list of events."""
    state = blank_state()
    for ev in history or []:
        step(state, ev)
    return state


def current(ticket: Any) -> dict[str, Any]:
    """The same fields read from the ticket as it is in its file."""
    sla = ticket.get("sla") or {}
    return {
        **{k: ticket.get(k) for k in DERIVED},
        "first_response_at": sla.get("first_response_at"),
        "resolved_at": sla.get("resolved_at"),
        "followups": [dict(f) for f in (ticket.get("followups") or [])],
    }


def write_state(ticket: Any, state: dict[str, Any]) -> None:
    """Store a state's fields into the ticket mapping, keeping file order."""
    mapping, seq = containers(ticket)
    for key in DERIVED:
        value = state[key]
        if value is None:
            ticket.pop(key, None)
        else:
            put_field(ticket, key, value, FIELD_ORDER)
    sla = ticket.get("sla")
    if sla is None and (state["first_response_at"] or state["resolved_at"]):
        sla = mapping()
        put_field(ticket, "sla", sla, FIELD_ORDER)
    if sla is not None:
        for key in DERIVED_SLA:
            if state[key]:
                put_field(sla, key, state[key], SLA_ORDER)
            else:
                sla.pop(key, None)
    followups = seq(ordered(dict(f), FOLLOWUP_ORDER, mapping is dict) for f in state["followups"])
    existing = ticket.get("followups")
    if existing is None and not followups:
        return
    if existing is None or [dict(f) for f in existing] != [dict(f) for f in followups]:
        put_field(ticket, "followups", followups, FIELD_ORDER)


def apply(ticket: Any, ev: Any) -> None:
    """Append the event to the ticket's history and update its current fields."""
    state = current(ticket)
    step(state, ev)
    history = ticket.get("history")
    if history is None:
        history = containers(ticket)[1]()
        put_field(ticket, "history", history, ("history",))
    history.append(ev)
    write_state(ticket, state)
    carry(ticket, ev)
    apply_changes(ticket, ev)


def carry(ticket: Any, ev: Any) -> None:
    """Copy the SLA values an event carries (new due time, paused minutes) into the ticket."""
    carried = {k: ev[k] for k in CARRIED_SLA if k in ev}
    if carried:
        sla = ticket.get("sla")
        if sla is None:
            sla = containers(ticket)[0]()
            put_field(ticket, "sla", sla, FIELD_ORDER)
        for key, value in carried.items():
            put_field(sla, key, value, SLA_ORDER)


def disagreements(ticket: Any) -> list[Phrase]:
    """Fields whose value in the file differs from replaying the history, as phrases of
    the catalogue (put into words in the language they are shown in)."""
    want = replay(ticket.get("history") or [])
    have = current(ticket)
    out = []
    for key in (*DERIVED, *DERIVED_SLA):
        if _norm(want[key]) != _norm(have[key]):
            out.append(Phrase("replay.differs", field=key, have=repr(have[key]), want=repr(want[key])))
    if [_norm_f(f) for f in want["followups"]] != [_norm_f(f) for f in have["followups"]]:
        out.append(Phrase("replay.followups"))
    return out


def _norm(value: Any) -> Any:
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, int) else str(value)


def _norm_f(f: dict[str, Any]) -> dict[str, Any]:
    return {k: _norm(v) for k, v in f.items() if _norm(v) is not None}

