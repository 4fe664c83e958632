"""What a changing command refuses before it writes, so that a ticket's history stays in
time order and nothing a person did is lost or folded into someone else's commit:

- a ``--now`` earlier than the ticket's (or customer's) last event: exit 2, nothing written;
  ``--backfill REASON`` (a lead or above) records a late entry that keeps its time and says so;
- an uncommitted hand edit of the ticket file, a merge or rebase in progress, a detached
  HEAD: exit 3, nothing written, the message says what to do;
- ``sync`` while ticket files are uncommitted: refused, naming them; ``verify`` lists them.
"""

from __future__ import annotations

import pytest

from tests.support.desk import NOW, assert_refusal, git
from tests.support.roster import AGENT, CALLER, LEAD, MANAGER

EARLIER = "2026-11-20T09:00:00+08:00"  # an hour before NOW, when the tickets are made
LATER = "2026-11-20T11:00:00+08:00"


def _complaint(d, now: str = NOW) -> str:
    return d.create("--type", "complaint", "--title", "空调漏水", "--assignee", AGENT, as_=MANAGER, now=now)


def _head(d) -> str:
    return git(d.root, "rev-parse", "HEAD").stdout.strip()


# ---------------------------------------------------------------------------------------------- time order

BACKDATED = {
    "note": ("note", "{tid}", "-m", "补一条备注"),
    "chase": ("note", "{tid}", "--chase", "-m", "跟催"),
    "reply": ("reply", "{tid}", "-m", "已答复客户"),
    "pending": ("pending", "{tid}", "--reason", "等待配件"),
    "route": ("route", "{tid}", "--group", "inquiry"),
    "escalate": ("escalate", "{tid}", "--reason", "客户要求"),
    "resolve": ("resolve", "{tid}", "--resolution", "已修好"),
    "close": ("close", "{tid}", "--resolution", "已修好"),
}


@pytest.mark.parametrize("command", list(BACKDATED))
def test_a_now_earlier_than_the_last_event_is_refused(desk, command):
    """A reply dated before the ticket was even made, say: exit 2, the file unchanged."""
    tid = _complaint(desk)
    before = desk.snapshot()
    args = [a.format(tid=tid) for a in BACKDATED[command]]
    res = desk.run(*args, as_=MANAGER, now=EARLIER)
    assert_refusal(res, 2, tid, "earlier than", "time order", "--backfill")
    assert desk.snapshot() == before


def test_a_backdated_follow_up_call_and_customer_visit_are_refused(desk):
    tid = _complaint(desk)
    desk.ok("close", tid, "--resolution", "已赔偿", as_=MANAGER, now=LATER)
    before = desk.snapshot()
    assert_refusal(desk.run("followup", tid, "--result", "satisfied", as_=CALLER, now=NOW), 2, "time order")
    cid = desk.ok("customer", "add", "--name", "张先生", "--tier", "A", as_=MANAGER).stdout.strip()
    desk.ok("customer", "visit", cid, "--result", "satisfied", as_=MANAGER, now=LATER)
    before = desk.snapshot()
    assert_refusal(desk.run("customer", "visit", cid, "--result", "satisfied", as_=MANAGER, now=NOW), 2, "time order")
    assert desk.snapshot() == before


def test_a_bulk_command_checks_every_ticket_before_writing_any(desk):
    """route --auto over two tickets, one of them made after the --now given: refused as a
    whole, and the first ticket is not written either."""
    early = desk.create("--type", "inquiry", "--title", "咨询", "--group", "tech", as_=MANAGER, now=EARLIER)
    late = desk.create("--type", "inquiry", "--title", "咨询", "--group", "tech", as_=MANAGER, now=LATER)
    before = desk.snapshot()
    assert_refusal(desk.run("route", "--auto", early, late, as_=MANAGER, now=NOW), 2, late, "time order")
    assert desk.snapshot() == before
    desk.ok("route", "--auto", early, late, as_=MANAGER, now=LATER)
    assert {desk.ticket(t)["group"] for t in (early, late)} == {"inquiry"}


def test_the_same_moment_as_the_last_event_is_accepted(desk):
    tid = _complaint(desk)
    desk.ok("note", tid, "-m", "同一时刻", as_=MANAGER, now=NOW)
    assert [ev["at"] for ev in desk.ticket(tid)["history"]] == [NOW, NOW]


def test_backfill_records_a_late_entry_with_its_time_and_reason(desk):
    """A lead types in yesterday's call after the phone system came back: the event keeps
    the time it happened and carries the reason, so nobody mistakes it for a live entry."""
    tid = _complaint(desk, now="2026-11-19T09:00:00+08:00")
    desk.ok("reply", tid, "-m", "已电话答复", "--backfill", "电话系统故障, 事后补录", as_=LEAD,
            now="2026-11-19T15:30:00+08:00")
    ev = desk.ticket(tid)["history"][-1]
    assert ev["action"] == "reply" and ev["at"] == "2026-11-19T15:30:00+08:00"
    assert ev["backfill"] == "电话系统故障, 事后补录" and ev["by"] == LEAD
    # the global option works before the command too, and create carries it as well
    new = desk.ok("--backfill", "纸质登记补录", "create", "-q", "--type", "inquiry", "--title", "来访登记",
                  as_=LEAD, now="2026-11-18T10:00:00+08:00").stdout.strip()
    assert desk.ticket(new)["history"][0]["backfill"] == "纸质登记补录"
    assert desk.run("verify", as_=MANAGER, now="2026-11-19T16:00:00+08:00").exit_code == 0


def test_backfill_still_keeps_events_in_time_order(desk):
    tid = _complaint(desk)
    before = desk.snapshot()
    res = desk.run("reply", tid, "-m", "补录", "--backfill", "事后补录", as_=LEAD, now=EARLIER)
    assert_refusal(res, 2, "earlier than", "also with --backfill")
    assert desk.snapshot() == before


def test_backfill_needs_a_lead_or_above(desk):
    tid = _complaint(desk)
    before = desk.snapshot()
    res = desk.run("reply", tid, "-m", "补录", "--backfill", "事后补录", as_=AGENT, now=LATER)
    assert_refusal(res, 2, AGENT, "may not record late entries", "lead")
    res = desk.run("create", "--type", "inquiry", "--title", "补录", "--backfill", "补录", as_=AGENT)
    assert_refusal(res, 2, "may not record late entries")
    assert_refusal(desk.run("reply", tid, "-m", "x", "--backfill", "  ", as_=LEAD, now=LATER), 2, "--backfill")
    assert desk.snapshot() == before


# ---------------------------------------------------------------------------------------------- git state

def test_an_uncommitted_hand_edit_is_not_folded_into_cstools_commit(git_desk):
    """Someone edits a ticket file by hand (a forged close, say) and does not commit it:
    the next cstool command on that ticket refuses instead of committing it under its name."""
    d = git_desk
    tid = _complaint(d)
    path = d.path(tid)
    forged = path.read_text(encoding="utf-8").replace("title: 空调漏水", "title: 已私下和解")
    path.write_text(forged, encoding="utf-8")
    head = _head(d)
    res = d.run("note", tid, "-m", "跟进", as_=AGENT)
    rel = path.relative_to(d.root).as_posix()
    assert_refusal(res, 3, rel, "not committed", "git checkout --", "nothing was written")
    assert path.read_text(encoding="utf-8") == forged and _head(d) == head
    git(d.root, "add", rel)  # staged but not committed: the same
    assert_refusal(d.run("note", tid, "-m", "跟进", as_=AGENT), 3, rel, "nothing was written")
    assert _head(d) == head
    git(d.root, "checkout", "HEAD", "--", rel)  # discarded: cstool goes on
    d.ok("note", tid, "-m", "跟进", as_=AGENT)
    assert git(d.root, "status", "--porcelain").stdout == ""


def test_commands_refuse_while_a_rebase_is_in_progress(git_desk):
    """An interrupted sync leaves a rebase stopped on a conflict (HEAD detached): a ticket
    committed now would be lost by following git's own advice; cstool refuses."""
    d = git_desk
    tid = _complaint(d)
    branch = git(d.root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    notes = d.root / "notes.txt"
    notes.write_text("base\n")
    git(d.root, "add", "notes.txt")
    git(d.root, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-m", "notes")
    git(d.root, "checkout", "-q", "-b", "other")
    notes.write_text("theirs\n")
    git(d.root, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-am", "theirs")
    git(d.root, "checkout", "-q", branch)
    notes.write_text("ours\n")
    git(d.root, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-am", "ours")
    rebase = git(d.root, "-c", "user.email=t@example.com", "-c", "user.name=T", "rebase", "other", check=False)
    assert rebase.returncode != 0
    before, head = d.snapshot(), _head(d)
    for args in (("note", tid, "-m", "变基中"), ("create", "--type", "inquiry", "--title", "变基中新单")):
        assert_refusal(d.run(*args, as_=AGENT), 3, "rebase is in progress", "git rebase --abort", "nothing was written")
    assert d.snapshot() == before and _head(d) == head


# ---------------------------------------------------------------------------------------------- sync, verify

def test_sync_refuses_to_push_while_ticket_files_are_uncommitted(git_desk):
    d = git_desk
    tid = d.create("--no-commit", "--type", "inquiry", "--title", "未提交", as_=AGENT)
    rel = d.path(tid).relative_to(d.root).as_posix()
    assert_refusal(d.run("sync", as_=AGENT), 3, rel, "not committed", "sync again")


def test_verify_lists_uncommitted_desk_files(git_desk):
    d = git_desk
    committed = _complaint(d)
    loose = d.create("--no-commit", "--type", "inquiry", "--title", "未提交", as_=AGENT)
    assert d.run("verify", "--json", as_=MANAGER).exit_code == 1
    findings = d.run("verify", "--json", as_=MANAGER).json["findings"]
    assert [(f["code"], f["file"]) for f in findings] == [("uncommitted", d.path(loose).relative_to(d.root).as_posix())]
    git(d.root, "add", "-A")
    git(d.root, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-m", "the loose ticket")
    assert d.run("verify", as_=MANAGER).exit_code == 0, committed
