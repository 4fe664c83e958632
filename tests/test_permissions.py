"""Every changing command × every role, against the configured rules.

The expected outcome of each cell is computed from the rules (``cstool.domain.permissions.may``
over ``DEFAULTS`` or the desk's ``permissions``) AND, for the defaults, checked against a
table written out by hand from the module's docstring, so the test is not circular.
A refusal exits 2, says "may not" and "needs", and writes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from cstool.desk.store import Desk as StoreDesk
from cstool.domain import permissions
from tests.support.roster import LEAD, MANAGER, SUPERVISOR

ASSIGNEE = "wang.fang@example.com"  # agent of the complaint group, the ticket's assignee
GROUP_AGENT = "liu.yang@example.com"  # agent of the complaint group, not the assignee
OUTSIDER = "li.na@example.com"  # agent of the inquiry group
FOLLOWUP_AGENT = "he.xue@example.com"  # agent of the follow-up group only
LEAD_OUTSIDE = "qian.hui@example.com"  # lead of inquiry/after_sales/tech, not complaint

ROLES = {
    "agent-assignee": ASSIGNEE,
    "agent-in-group": GROUP_AGENT,
    "agent-outside": OUTSIDER,
    "agent-followup-group": FOLLOWUP_AGENT,
    "lead": LEAD,
    "lead-outside-group": LEAD_OUTSIDE,
    "supervisor": SUPERVISOR,
    "manager": MANAGER,
}

# command → (state the ticket needs, the permission rules that apply, argv after the ID)
COMMANDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "create": (None, ("create",)),
    "route": ("open", ("route",)),
    "escalate": ("open", ("escalate",)),
    "reply": ("open", ("reply",)),
    "note": ("open", ("note",)),
    "note --chase": ("open", ("chase",)),
    "note --ack-conflict": ("open", ("ack",)),
    "note --backfill": ("open", ("note", "backfill")),
    "pending": ("open", ("pending",)),
    "resume": ("pending", ("resume",)),
    "resolve": ("open", ("resolve",)),
    "close": ("open", ("close",)),
    "close major complaint": ("major", ("close", "close_major")),
    "reopen": ("closed", ("reopen",)),
    "followup": ("closed", ("followup", "followup_own?")),  # ?: only for the complaint's own assignee
    "customer add": (None, ("customer",)),
    "customer edit": ("customer", ("customer",)),
    "customer visit": ("customer", ("customer",)),
    "import whole tickets": ("exported", ("create", "import")),
    "edit": ("open", ("edit",)),
    "void": ("open", ("void",)),
    "roster add": (None, ("roster",)),
}

Y, N = True, False
# Written out by hand from the permissions docstring: "any member of the group may reply
# and note; the assignee pends, resumes, resolves and closes; leads and above may route
# and escalate anyone's tickets; only a supervisor or manager may close a major complaint",
# follow-up calls by the follow-up group, the assignee or a lead, but never by the
# complaint's own assignee; any agent creates; merge conflicts are acknowledged and late
# entries (--backfill) recorded by a lead or above; the assignee or a lead and above
# corrects a ticket (edit), a lead and above voids one, only the manager changes the roster.
#                        assignee in-group outside fup-grp lead lead-out sup  mgr
HAND = {
    "create":                (Y, Y, Y, Y, Y, Y, Y, Y),
    "route":                 (N, N, N, N, Y, Y, Y, Y),
    "escalate":              (Y, N, N, N, Y, Y, Y, Y),
    "reply":                 (Y, Y, N, N, Y, Y, Y, Y),
    "note":                  (Y, Y, N, N, Y, Y, Y, Y),
    "note --chase":          (Y, Y, N, N, Y, Y, Y, Y),
    "note --ack-conflict":   (N, N, N, N, Y, Y, Y, Y),
    "note --backfill":       (N, N, N, N, Y, Y, Y, Y),
    "pending":               (Y, N, N, N, Y, Y, Y, Y),
    "resume":                (Y, N, N, N, Y, Y, Y, Y),
    "resolve":               (Y, N, N, N, Y, Y, Y, Y),
    "close":                 (Y, N, N, N, Y, Y, Y, Y),
    "close major complaint": (N, N, N, N, N, N, Y, Y),
    "reopen":                (Y, N, N, N, Y, Y, Y, Y),
    "followup":              (N, N, N, Y, Y, Y, Y, Y),
    "customer add":          (Y, Y, Y, Y, Y, Y, Y, Y),
    "customer edit":         (Y, Y, Y, Y, Y, Y, Y, Y),
    "customer visit":        (Y, Y, Y, Y, Y, Y, Y, Y),
    "import whole tickets":  (N, N, N, N, N, N, Y, Y),
    "edit":                  (Y, N, N, N, Y, Y, Y, Y),
    "void":                  (N, N, N, N, Y, Y, Y, Y),
    "roster add":            (N, N, N, N, N, N, N, Y),
}

SUMMARY: dict[str, int] = {"cells": 0, "allowed": 0, "refused": 0}


def _setup(d: Any, state: str | None) -> str | None:
    """A subject in the state the command needs (made by the manager); its ID."""
    if state is None:
        return None
    if state == "customer":
        return d.ok("customer", "add", "--name", "张先生", "--tier", "B", as_=MANAGER).stdout.strip()
    if state == "exported":  # whole tickets exported, then gone from the desk: a file to import
        _setup(d, "open")
        out = d.root.parent / "exported.json"
        d.ok("export", "--format", "json", "-o", str(out), as_=MANAGER)
        for path in d.ticket_files():
            path.unlink()
        return str(out)
    severity = "major" if state == "major" else "general"
    tid = d.create("--type", "complaint", "--title", "空调漏水", "--severity", severity, "--assignee", ASSIGNEE,
                   as_=MANAGER)
    if state == "pending":
        d.ok("pending", tid, "--reason", "等待客户", as_=MANAGER)
    elif state == "closed":
        d.ok("close", tid, "--resolution", "已处理", as_=MANAGER)
    return tid


def _argv(command: str, subject: str | None) -> list[str]:
    return {
        "create": ["create", "-q", "--type", "complaint", "--title", "新投诉"],
        "route": ["route", str(subject), "--group", "inquiry"],
        "escalate": ["escalate", str(subject), "--reason", "客户要求"],
        "reply": ["reply", str(subject), "-m", "已回复"],
        "note": ["note", str(subject), "-m", "内部备注"],
        "note --chase": ["note", str(subject), "--chase", "-m", "跟催"],
        "note --ack-conflict": ["note", str(subject), "--ack-conflict", "-m", "已核对冲突"],
        "note --backfill": ["note", str(subject), "-m", "昨日来电补录", "--backfill", "电话系统故障, 事后补录"],
        "pending": ["pending", str(subject), "--reason", "等待配件"],
        "resume": ["resume", str(subject)],
        "resolve": ["resolve", str(subject), "--resolution", "已解决"],
        "close": ["close", str(subject), "--resolution", "已解决"],
        "close major complaint": ["close", str(subject), "--resolution", "赔偿 300 元"],
        "reopen": ["reopen", str(subject), "--reason", "客户又来电"],
        "followup": ["followup", str(subject), "--result", "satisfied"],
        "customer add": ["customer", "add", "--name", "李四"],
        "customer edit": ["customer", "edit", str(subject), "--tier", "A"],
        "customer visit": ["customer", "visit", str(subject), "--result", "satisfied"],
        "import whole tickets": ["import", str(subject)],
        "edit": ["edit", str(subject), "--priority", "A"],
        "void": ["void", str(subject), "--reason", "重复登记"],
        "roster add": ["roster", "add", "new.person@example.com", "--name", "新人", "--group", "complaint"],
    }[command]


def _expected(d: Any, rules: tuple[str, ...], who: str, subject: str | None) -> bool:
    store = StoreDesk.open(d.root)
    person = store.config.person(who)
    ticket = d.ticket(subject) if subject and subject.startswith("CS-") else None
    own = ticket is not None and ticket.get("type") == "complaint" and ticket.get("assignee") == who
    return all(permissions.may(store.config, rule.rstrip("?"), person, ticket) for rule in rules
               if own or not rule.endswith("?"))


def _check_cell(d: Any, command: str, role: str, who: str, expected: bool) -> None:
    """Set up the subject, check the rules give the expected (hand-written) outcome, run."""
    state, rules = COMMANDS[command]
    subject = _setup(d, state)
    computed = _expected(d, rules, who, subject)
    assert computed == expected, f"{command} as {role}: rules say {computed}, the table says {expected}"
    before = d.snapshot()
    res = d.run(*_argv(command, subject), as_=who)
    SUMMARY["cells"] += 1
    where = f"{command} as {role} ({who}): exit {res.exit_code}: {res.stderr.strip()} [{SUMMARY}]"
    if expected:
        SUMMARY["allowed"] += 1
        assert res.exit_code == 0, "should be allowed — " + where
        assert d.snapshot() != before, "allowed but nothing written — " + where
    else:
        SUMMARY["refused"] += 1
        assert res.exit_code == 2, "should be refused with exit 2 — " + where
        assert "may not" in res.stderr and "needs" in res.stderr, where
        assert who in res.stderr, where
        assert "Traceback" not in res.stderr and res.stdout == "", where
        assert d.snapshot() == before, "refused but something was written — " + where


def test_hand_table_matches_the_configured_defaults(new_desk):
    """The hand-written table and permissions.may over DEFAULTS agree on every cell."""
    d = new_desk()
    disagreements = []
    for command, (state, rules) in COMMANDS.items():
        subject = _setup(d, state)
        for (role, who), hand in zip(ROLES.items(), HAND[command]):
            if _expected(d, rules, who, subject) != hand:
                disagreements.append((command, role))
    assert disagreements == [], f"rules and the docstring table disagree: {disagreements}"
    assert set(HAND) == set(COMMANDS)
    # config (changing the roster or permissions) is checked on the git history: tests/test_history_verify.py
    assert {r.rstrip("?") for _, rules in COMMANDS.values() for r in rules} == set(permissions.DEFAULTS) - {"config"}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_permission_matrix_default_rules(command, new_desk):
    """One command as every role: allowed ones succeed, the others are refused (exit 2,
    "may not … needs …", nothing written). The expectation is both computed and hand-written."""
    d = new_desk()
    for (role, who), hand in zip(ROLES.items(), HAND[command]):
        _check_cell(d, command, role, who, hand)
    print(f"\n[permissions] {command}: {SUMMARY}")


def test_permission_matrix_with_configured_rules(new_desk):
    """Rules from cstool.yaml override the defaults: the matrix follows them."""
    d = new_desk()
    config = d.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8").rstrip("\n")
                      + "\n\npermissions:\n  reply: [assignee]\n  customer: [lead]\n  route: [supervisor]\n"
                      + "  close: [manager]\n  followup_own: [agent]\n", encoding="utf-8")
    store = StoreDesk.open(d.root)
    assert store.config.permissions["reply"] == ("assignee",)
    # hand-written: only the assignee replies; leads+ change customers; supervisors+ route; only a manager closes
    hand = {
        "reply": {ASSIGNEE: Y, GROUP_AGENT: N, LEAD: N, SUPERVISOR: N, MANAGER: N},
        "customer add": {ASSIGNEE: N, GROUP_AGENT: N, LEAD: Y, SUPERVISOR: Y, MANAGER: Y},
        "route": {ASSIGNEE: N, LEAD: N, SUPERVISOR: Y, MANAGER: Y},
        "close": {ASSIGNEE: N, LEAD: N, SUPERVISOR: N, MANAGER: Y},
        "note": {ASSIGNEE: Y, GROUP_AGENT: Y, OUTSIDER: N, LEAD: Y},  # still the default
        "followup": {ASSIGNEE: Y, GROUP_AGENT: N},  # followup_own: [agent] lets the assignee call back again
    }
    role_of = {who: role for role, who in ROLES.items()}
    for command, cells in hand.items():
        state, rules = COMMANDS[command]
        for who, expected in cells.items():
            _check_cell(d, command, role_of[who], who, expected)
    print(f"\n[permissions] configured rules: {SUMMARY}")


def test_unknown_actor_is_refused_for_every_changing_command(new_desk):
    """Someone not on the roster changes nothing (exit 2, names the roster)."""
    d = new_desk()
    for command, (state, _) in COMMANDS.items():
        subject = _setup(d, state)
        before = d.snapshot()
        res = d.run(*_argv(command, subject), as_="stranger@example.com")
        assert res.exit_code == 2, (command, res.stderr)
        assert "roster" in res.stderr, (command, res.stderr)
        assert d.snapshot() == before, command


def test_followup_own_may_be_empty_but_other_actions_may_not(new_desk):
    """``followup_own: []`` (nobody, the default) is valid; an empty list elsewhere is refused
    with its key, since it would lock everyone out of that action."""
    d = new_desk()
    config = d.root / "cstool.yaml"
    base = config.read_text(encoding="utf-8").rstrip("\n")
    config.write_text(base + "\n\npermissions:\n  followup_own: []\n", encoding="utf-8")
    assert StoreDesk.open(d.root).config.permissions["followup_own"] == ()
    config.write_text(base + "\n\npermissions:\n  close: []\n", encoding="utf-8")
    res = d.run("list", as_=MANAGER)
    assert res.exit_code == 3 and "permissions.close" in res.stderr, res.stderr
