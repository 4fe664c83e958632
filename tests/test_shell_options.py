"""One spelling for free text and for limits: ``-m/--message`` on every command that takes
words from the user (today's option names kept as aliases), ``-n/--limit`` on every
command that limits rows."""

from __future__ import annotations

import pytest

from tests.support.desk import assert_refusal
from tests.support.roster import MANAGER

CALLER = "he.xue@example.com"  # the follow-up group's agent
HANDLER = "wang.fang@example.com"
T0 = "2026-11-16T09:00:00+08:00"


def _at(minute: int) -> str:
    return f"2026-11-16T{9 + minute // 60:02d}:{minute % 60:02d}:00+08:00"


@pytest.mark.parametrize("flag", ["-m", "--message"])
def test_every_free_text_takes_dash_m(desk, flag):
    tid = desk.create("--type", "complaint", "--title", "热水器漏水", "--assignee", HANDLER, now=T0)
    steps = [("reply", "已联系客户"), ("note", "内部说明"), ("pending", "等待客户确认"), ("resume", None),
             ("escalate", "客户要求赔偿"), ("resolve", "更换密封圈"), ("close", "已办结"), ("reopen", "客户再次来电"),
             ("close", "再次办结")]
    for n, (command, text) in enumerate(steps, start=1):
        args = (command, tid) + ((flag, text) if text else ())
        desk.ok(*args, as_=MANAGER, now=_at(n * 5))
    history = desk.ticket(tid)["history"]
    said = [str(ev.get("message") or ev.get("note") or ev.get("reason") or ev.get("resolution") or "") for ev in history]
    for _, text in steps:
        if text:
            assert text in said, text


def test_followup_takes_dash_m(desk):
    tid = desk.create("--type", "complaint", "--title", "热水器漏水", "--assignee", HANDLER, now=T0)
    desk.ok("reply", tid, "-m", "已联系", as_=HANDLER, now=_at(10))
    desk.ok("close", tid, "-m", "更换密封圈", as_=HANDLER, now=_at(60))
    desk.ok("followup", tid, "--result", "satisfied", "-m", "客户满意", as_=CALLER, now="2026-11-18T10:00:00+08:00")
    call = desk.ticket(tid)["followups"][-1]
    assert call["note"] == "客户满意" and call["result"] == "satisfied"


def test_the_old_option_names_still_work(desk):
    tid = desk.create("--type", "complaint", "--title", "旧写法", "--assignee", HANDLER, now=T0)
    desk.ok("pending", tid, "--reason", "等资料", as_=MANAGER, now=_at(5))
    desk.ok("resume", tid, as_=MANAGER, now=_at(10))
    desk.ok("escalate", tid, "--reason", "升级", as_=MANAGER, now=_at(15))
    desk.ok("close", tid, "--resolution", "已处理", as_=MANAGER, now=_at(20))
    desk.ok("reopen", tid, "--reason", "再次来电", as_=MANAGER, now=_at(25))
    actions = [ev["action"] for ev in desk.ticket(tid)["history"]]
    assert actions[-5:] == ["pending", "resume", "escalate", "close", "reopen"]


def test_dash_reads_the_text_from_standard_input(desk):
    tid = desk.create("--type", "inquiry", "--title", "长说明", now=T0)
    desk.ok("pending", tid, "-m", "-", input="等待客户\n提供发票\n", as_=MANAGER, now=_at(5))
    assert "提供发票" in desk.ticket(tid)["history"][-1]["reason"]


def test_escalate_without_a_reason_names_dash_m(desk):
    tid = desk.create("--type", "complaint", "--title", "无原因", now=T0)
    before = desk.snapshot()
    assert_refusal(desk.run("escalate", tid, as_=MANAGER, now=_at(5)), 2, "-m/--message")
    assert desk.snapshot() == before


@pytest.mark.parametrize("args", [("list", "-n", "1"), ("due", "-n", "1", "--within", "30d"), ("sample", "--limit", "1"),
                                  ("list", "--limit", "1"), ("due", "--limit", "1", "--within", "30d"), ("sample", "-n", "1")])
def test_limits_are_dash_n_and_limit_everywhere(desk, args):
    for n in range(3):
        tid = desk.create("--type", "inquiry", "--title", f"问询 {n}", now=_at(n))
        if args[0] == "sample":
            desk.ok("close", tid, "--resolution", "已答复", as_=MANAGER, now=_at(30 + n))
    res = desk.ok(*args, "--json", now="2026-11-20T10:00:00+08:00")
    data = res.json
    shown = data["tickets"] if args[0] == "sample" else data
    assert len(shown) == 1 or args[0] == "due"  # due --json lists everything; its table is limited
    if args[0] == "due":
        table = desk.ok(*args, now="2026-11-20T10:00:00+08:00").stdout
        assert sum(" CS-" in line for line in table.splitlines()) == 1


def test_log_takes_dash_n_and_limit(git_desk):
    tid = git_desk.create("--type", "inquiry", "--title", "日志", now=T0)
    git_desk.ok("reply", tid, "-m", "收到", as_=MANAGER, now=_at(5))
    for flag in ("-n", "--limit"):
        assert len(git_desk.ok("log", tid, flag, "1", "--json").json) == 1
