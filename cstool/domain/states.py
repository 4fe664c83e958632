"""The one state machine of a ticket (SPEC §3).

Statuses: ``open`` (new or routed), ``in_progress``, ``pending`` (waiting on the customer
or another department; SLA clocks pause), ``resolved`` (a result is recorded),
``closed``, and ``void`` (作废: registered by mistake; kept in the history and in git, but
left out of lists, deadlines, statistics, exports and samples). ``edit`` corrects what a
ticket says (priority, severity, title, customer contact, template fields …) in any status
but void; ``void`` may be taken from any status and is final. Each action names the
statuses it may start from and the status it leads to (None: unchanged, or as :func:`next_status` says).
"""

from __future__ import annotations

from cstool.errors import InputError
from cstool.messages import Joined, Phrase

STATUSES = ("open", "in_progress", "pending", "resolved", "closed", "void")
# every status a ticket that counts can have: all but void (what export and --status all… count)
COUNTED = STATUSES[:-1]
# still being worked on: SLA clocks run, routing counts them as load, audits call them backlog
WORKING = ("open", "in_progress", "pending")
# not yet closed: what ``list`` shows by default
NOT_CLOSED = WORKING + ("resolved",)

# action -> (allowed from, resulting status or None for "depends/unchanged")
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "route": (WORKING, None),
    "escalate": (WORKING, None),
    "reply": (WORKING + ("resolved",), None),  # open → in_progress, others unchanged
    "note": (WORKING + ("resolved",), None),
    "chase": (WORKING, None),
    "pending": (("open", "in_progress"), "pending"),
    "resume": (("pending",), "in_progress"),
    "resolve": (WORKING, "resolved"),
    "close": (WORKING + ("resolved",), "closed"),
    "reopen": (("resolved", "closed"), "open"),
    "followup": (("resolved", "closed"), None),
    "ack": (STATUSES, None),  # a person has reviewed a merge conflict
    "edit": (COUNTED, None),  # a correction of what the ticket says; no status change
    "void": (COUNTED, "void"),  # 作废: registered by mistake; final
}


def allowed_actions(status: str) -> list[str]:
    """The actions a ticket in this status accepts."""
    return [a for a, (sources, _) in TRANSITIONS.items() if status in sources]


def check(action: str, status: str, ticket_id: str) -> None:
    """Refuse an action the current status does not allow, naming what is allowed."""
    sources, _ = TRANSITIONS[action]
    if status not in sources:
        allowed = [Phrase(f"may.{a}") for a in allowed_actions(status) if a != "ack"] or [Phrase("none")]
        raise InputError("error.state", ticket=ticket_id, status=Phrase(f"status.{status}", default=status),
                         action=Phrase(f"may.{action}"), allowed=Joined(allowed, "join.comma"))


def next_status(action: str, status: str) -> str:
    """The status after the action (the action must be allowed)."""
    target = TRANSITIONS[action][1]
    if target is not None:
        return target
    if action == "reply" and status == "open":
        return "in_progress"
    return status
