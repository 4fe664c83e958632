"""Teams across clones: the merge driver, sync and IDs, with real git and real clones."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cstool.desk import yamlio
from cstool.domain import history, merge
from tests.support.desk import CliDesk, shared_remote
from tests.support.desk import git as run_git
from tests.support.roster import AGENT, MANAGER


def git(cwd: Path, *args: str) -> str:
    return run_git(cwd, *args).stdout


@pytest.fixture
def team(tmp_path, new_desk):
    """A bare remote and a function that makes clones of it, merge driver registered."""
    make = shared_remote(new_desk("first", git=True), tmp_path / "origin.git")
    counter = iter(range(100))

    def clone() -> CliDesk:
        return make(tmp_path / f"clone{next(counter)}")

    return clone


def file_of(d: CliDesk, tid: str) -> str:
    return d.path(tid).read_text(encoding="utf-8")


def test_ids_minted_offline_in_two_clones_never_collide(team):
    a, b = team(), team()
    ids_a = {a.create("--type", "inquiry", "--title", f"甲{i}") for i in range(15)}
    ids_b = {b.create("--type", "inquiry", "--title", f"乙{i}") for i in range(15)}
    a.ok("sync")
    b.ok("sync")
    a.ok("sync")
    assert ids_a.isdisjoint(ids_b)
    assert {r["id"] for r in a.ok("list", "--json", "--limit", "0").json} == ids_a | ids_b
    assert a.run("audit", "--check").exit_code == 0


@pytest.mark.parametrize("left, right", [
    (("note", "-m", "内部备注"), ("reply", "-m", "已答复客户")),
    (("route", "--group", "complaint", "--assignee", "liu.yang@example.com"), ("escalate", "--reason", "客户要求赔偿")),
    (("close", "--resolution", "已处理"), ("escalate", "--reason", "升级处理")),
])
def test_two_clones_edit_the_same_ticket_and_merge_either_way(team, left, right):
    a, b = team(), team()
    tid = a.create("--type", "complaint", "--title", "合并", "--assignee", AGENT, now="2026-11-20T09:00+08:00")
    a.ok("sync")
    b.ok("sync")
    a.ok(left[0], tid, *left[1:], as_=MANAGER, now="2026-11-20T10:00+08:00")
    b.ok(right[0], tid, *right[1:], as_=MANAGER, now="2026-11-20T10:05+08:00")
    # merge one way in one pair of clones ...
    a.ok("sync")
    b.ok("sync")
    a.ok("sync")
    assert file_of(a, tid) == file_of(b, tid)
    merged = a.ticket(tid)
    actions = [ev["action"] for ev in merged["history"]]
    assert left[0] in actions and right[0] in actions
    assert history.disagreements(merged) == []
    assert "<<<<<<<" not in file_of(a, tid)
    check = a.run("audit", "--check", "--json")
    codes = {f["code"] for f in check.json["findings"]}
    assert codes <= {"merge-conflict"}
    if left[0] == "close":
        # escalating a ticket the other clone had closed is kept and flagged for review
        assert codes == {"merge-conflict"} and merged["history"][-1]["action"] == "merge-conflict"
        assert "merge conflict" in a.ok("show", tid).stdout
        a.ok("note", tid, "-m", "已核对:维持关闭", "--ack-conflict", as_=MANAGER, now="2026-11-20T10:30+08:00")
        assert a.run("audit", "--check").exit_code == 0
    else:
        assert codes == set()


def test_the_merge_is_the_same_whichever_side_merges(new_desk):
    d = new_desk("d")
    tid = d.create("--type", "complaint", "--title", "对称", "--assignee", AGENT, now="2026-11-20T09:00+08:00")
    base = d.path(tid).read_text(encoding="utf-8")
    d.ok("reply", tid, "-m", "甲", as_=MANAGER, now="2026-11-20T10:00+08:00")
    d.ok("close", tid, "--resolution", "甲结", as_=MANAGER, now="2026-11-20T11:00+08:00")
    ours = d.path(tid).read_text(encoding="utf-8")
    d.path(tid).write_text(base, encoding="utf-8")
    d.ok("escalate", tid, "--reason", "乙", as_=MANAGER, now="2026-11-20T10:00+08:00")
    d.ok("note", tid, "-m", "乙注", as_=MANAGER, now="2026-11-20T11:00+08:00")
    theirs = d.path(tid).read_text(encoding="utf-8")
    load = lambda text: yamlio.loads(text, "x")  # noqa: E731
    ab = yamlio.dumps(merge.merge_ticket(load(base), load(ours), load(theirs), "en"))
    ba = yamlio.dumps(merge.merge_ticket(load(base), load(theirs), load(ours), "en"))
    assert ab == ba
    result = load(ab)
    # same-second events from the two sides are ordered by a fixed rule (smaller event text first);
    # a note after the close on the other side is kept and flagged for review
    assert [ev["action"] for ev in result["history"]] == ["create", "escalate", "reply", "close", "note", "merge-conflict"]
    assert result["status"] == "closed" and result["level"] == 2
    assert "note at 2026-11-20T11:00:00+08:00" in result["history"][-1]["note"]


def test_a_hand_edit_merges_with_an_action_in_another_clone(team):
    a, b = team(), team()
    tid = a.create("--type", "complaint", "--title", "原标题", "--assignee", AGENT, now="2026-11-20T09:00+08:00")
    a.ok("sync")
    b.ok("sync")
    p = a.path(tid)
    p.write_text(p.read_text(encoding="utf-8").replace("title: 原标题", "title: 客户更正后的标题").replace(
        "priority: B", "priority: A"), encoding="utf-8")
    git(a.root, "commit", "-q", "-am", "hand edit")
    b.ok("reply", tid, "-m", "已答复", as_=AGENT, now="2026-11-20T10:00+08:00")
    a.ok("sync")
    b.ok("sync")
    t = b.ticket(tid)
    assert t["title"] == "客户更正后的标题" and t["priority"] == "A" and t["status"] == "in_progress"
    assert file_of(a, tid) != "" and b.run("audit", "--check").exit_code == 0


def test_two_different_tickets_with_one_id_are_never_joined(new_desk):
    d = new_desk("d")
    one = d.create("--type", "inquiry", "--title", "一", now="2026-11-20T09:00+08:00")
    data = d.ticket(one)
    other = yamlio.loads(yamlio.dumps(data), "x")
    other["history"][0]["at"] = "2026-11-20T09:30:00+08:00"
    other["title"] = "二"
    with pytest.raises(merge.NotSameRecord):
        merge.merge_ticket(None, data, other)


def test_a_forced_duplicate_id_is_reported(new_desk):
    d = new_desk("d")
    tid = d.create("--type", "inquiry", "--title", "一", now="2026-11-20T09:00+08:00")
    copy = d.root / "tickets/2026/10" / f"{tid}.yaml"
    copy.parent.mkdir(parents=True)
    copy.write_text(d.path(tid).read_text(encoding="utf-8"), encoding="utf-8")
    res = d.run("audit", "--check", "--json")
    assert res.exit_code == 1 and "duplicate" in {f["code"] for f in res.json["findings"]}


@pytest.mark.stress
def test_three_clones_random_actions_converge(team):
    """Three clones, 200 random actions each, synced in random order, converge to the same files."""
    rng = random.Random(20261122)
    clones = [team(), team(), team()]
    seed_ids = [clones[0].create("--type", "complaint", "--title", f"共享{i}", "--assignee", AGENT,
                                 now="2026-11-02T09:00+08:00") for i in range(4)]
    clones[0].ok("sync")
    for c in clones[1:]:
        c.ok("sync")
    actions = [("reply", "-m", "答复"), ("note", "-m", "备注"), ("pending", "--reason", "等"), ("resume",),
               ("escalate", "--reason", "上报"), ("close", "--resolution", "结"), ("reopen", "--reason", "重开"),
               ("note", "-m", "跟催", "--chase")]
    minute = 0
    for round_ in range(200):
        for ci, c in enumerate(clones):
            minute += 1
            day, rest = divmod(minute, 400)
            when = f"2026-11-{3 + day:02d}T{8 + rest // 60:02d}:{rest % 60:02d}+08:00"
            if rng.random() < 0.05:
                seed_ids.append(c.create("--type", "inquiry", "--title", f"新{ci}-{round_}", now=when))
                continue
            tid = rng.choice(seed_ids)
            if not any(c.root.glob(f"tickets/*/*/{tid}.yaml")):
                continue
            act = rng.choice(actions)
            c.run(act[0], tid, *act[1:], as_=MANAGER, now=when)  # refused actions are fine
        if round_ % 25 == 24:
            for c in rng.sample(clones, 3):
                c.ok("sync")
    for _ in range(2):
        for c in clones:
            c.ok("sync")
    snapshots = []
    for c in clones:
        snapshots.append({str(p.relative_to(c.root)): p.read_bytes() for p in c.root.glob("tickets/*/*/*.yaml")})
    assert snapshots[0] == snapshots[1] == snapshots[2]
    check = clones[0].run("audit", "--check", "--json")
    # nothing structural: no parse, schema, replay, duplicate or roster finding (closed complaints
    # still waiting for their follow-up call are the desk's business, not the merge's)
    assert {f["code"] for f in check.json["findings"]} <= {"merge-conflict", "complaint"}
    for p in clones[0].root.glob("tickets/*/*/*.yaml"):
        assert history.disagreements(yamlio.load(p)) == []


def test_sync_says_what_to_do_when_the_remote_is_gone(team, tmp_path):
    a = team()
    git(a.root, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    tid = a.create("--type", "inquiry", "--title", "离线")
    res = a.run("sync")
    assert res.exit_code == 3 and "could not reach origin" in res.stderr and "safe" in res.stderr
    assert tid in git(a.root, "log", "-1", "--format=%s")


@pytest.mark.parametrize("language, words, foreign", [
    ("zh", ("“上报”发生时,工单已是“已关闭”状态",), "came when the ticket was already"),
    ("en", ("escalated at", "came when the ticket was already closed"), "发生时"),
])
def test_the_merge_driver_writes_its_note_in_the_desk_language(team, language, words, foreign):
    """Two clones close and escalate one ticket: the merge-conflict note the driver writes
    into the history is in the desk's ``desk.language``, whoever runs the sync."""
    a = team()
    config = a.root / "cstool.yaml"
    assert "language: zh" in config.read_text(encoding="utf-8")
    if language != "zh":
        config.write_text(config.read_text(encoding="utf-8").replace("language: zh", f"language: {language}"),
                          encoding="utf-8")
        git(a.root, "commit", "-q", "-am", "desk language")
        a.ok("sync")
    b = team()
    tid = a.create("--type", "complaint", "--title", "语言", "--assignee", AGENT, now="2026-11-20T09:00+08:00")
    a.ok("sync")
    b.ok("sync")
    a.ok("close", tid, "--resolution", "已处理", as_=MANAGER, now="2026-11-20T10:00+08:00")
    b.ok("escalate", tid, "--reason", "升级处理", as_=MANAGER, now="2026-11-20T10:05+08:00")
    a.ok("sync")
    b.ok("sync", lang="en" if language == "zh" else "zh")
    note = b.ticket(tid)["history"][-1]
    assert note["action"] == "merge-conflict"
    assert all(w in note["note"] for w in words) and foreign not in note["note"], note["note"]
