"""``cstool verify --history``: the forgery catalogue and an honest team's history.

Each forgery is made the way a person would make it: with cstool where cstool lets them,
else by editing the file and committing it with git under their own identity. Every
commit carries a committer date matching the clock the test gives cstool (``--now``), as
a real commit made at that moment would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cstool.desk import yamlio
from tests.support.desk import CliDesk, Result, assert_refusal, shared_remote
from tests.support.roster import AGENT, AGENTS, CALLER, LEAD, MANAGER, NAMES, SUPERVISOR

T0 = "2026-11-20T09:00:00+08:00"
T1 = "2026-11-20T09:30:00+08:00"
T2 = "2026-11-20T10:00:00+08:00"
T3 = "2026-11-20T11:00:00+08:00"
T4 = "2026-11-20T14:00:00+08:00"
NEXT_DAY = "2026-11-21T10:00:00+08:00"
AGENT2 = AGENTS["complaint"][1]


def run(d: CliDesk, when: str, *args: str, as_: str | None = LEAD, **kw: Any) -> Result:
    """cstool at the moment ``when``: its --now and the commit's committer date."""
    return d.run(*args, as_=as_, now=when, env={"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}, **kw)


def ok(d: CliDesk, when: str, *args: str, **kw: Any) -> Result:
    res = run(d, when, *args, **kw)
    assert res.exit_code == 0, f"cstool {' '.join(args)} → {res.exit_code}: {res.stderr}{res.stdout}"
    return res


def create(d: CliDesk, when: str, *args: str, **kw: Any) -> str:
    return ok(d, when, "create", "-q", *args, **kw).stdout.strip()


def commit_as(d: CliDesk, who: str, when: str, message: str = "hand edit") -> str:
    """Commit every change of the work tree with git as ``who`` at ``when``; the new commit."""
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    ident = ["-c", f"user.email={who}", "-c", f"user.name={NAMES.get(who, who)}"]
    for args in (["add", "-A", "."], ["commit", "-q", "-m", message]):
        proc = subprocess.run(["git", *ident, *args], cwd=d.root, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    return head(d)


def head(d: CliDesk) -> str:
    return d.git("rev-parse", "HEAD").strip()


def edit_ticket(d: CliDesk, tid: str, change: Any) -> None:
    """Change the ticket file by hand, as a text editor would (cstool's own YAML writer)."""
    path = d.path(tid)
    data = yamlio.load(path)
    change(data)
    path.write_text(yamlio.dumps(data), encoding="utf-8")


def verify(d: CliDesk, rev_range: str, *extra: str) -> tuple[int, list[dict]]:
    res = d.run("verify", "--history", rev_range, "--json", *extra, as_=None, now=None)
    assert res.exit_code in (0, 1), res.stderr
    return res.exit_code, res.json["findings"]


def codes_at(findings: list[dict], commit: str) -> set[str]:
    return {f["code"] for f in findings if f["commit"] == commit}


def major_complaint(d: CliDesk, severity: str = "major") -> str:
    return create(d, T0, "--type", "complaint", "--title", "投诉", "--severity", severity, "--assignee", AGENT)


# --------------------------------------------------------------------------- the forgery catalogue


def test_impersonation_with_as_is_refused_and_a_forged_commit_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    d.git("config", "user.email", AGENT)
    before = d.snapshot()
    res = run(d, T1, "close", tid, "--resolution", "已赔偿", as_=MANAGER)
    assert_refusal(res, 2, "--as chen.jing@example.com", "lead or above")
    assert d.snapshot() == before
    # the agent writes the close without cstool's commit, then commits it as themself
    d.git("config", "--unset", "user.email")
    ok(d, T1, "--no-commit", "close", tid, "--resolution", "已赔偿", as_=MANAGER)
    forged = commit_as(d, AGENT, T1)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1
    assert "impersonation" in codes_at(findings, forged)
    assert all(f["ticket"] == tid and f["file"].endswith(f"{tid}.yaml") for f in findings)


def test_a_deleted_escalation_with_level_and_assignee_set_back_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d, "general")
    ok(d, T1, "escalate", tid, "--reason", "客户要求赔偿")
    first = d.ticket(tid)["history"][0]

    def undo(t):
        t["history"].pop()
        t["level"], t["assignee"], t["updated"] = first["level"], first["assignee"], first["at"]

    edit_ticket(d, tid, undo)
    forged = commit_as(d, AGENT, T2)
    assert d.run("verify").exit_code == 0  # the file alone looks fine
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, forged) == {"rewritten"}
    assert "escalate" in next(f["message"] for f in findings if f["commit"] == forged)


def test_an_added_close_event_by_the_manager_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)

    def close(t):
        t["history"].append({"at": T2, "by": MANAGER, "action": "close", "resolution": "已处理"})
        t["status"], t["resolution"] = "closed", "已处理"

    edit_ticket(d, tid, close)
    forged = commit_as(d, AGENT, T2)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and "impersonation" in codes_at(findings, forged)


@pytest.mark.parametrize("field, value", [("by", AGENT2), ("at", "2026-11-20T08:00:00+08:00")])
def test_a_rewritten_by_or_at_is_found(git_desk, field, value):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    ok(d, T1, "note", tid, "-m", "已联系客户", as_=AGENT)
    edit_ticket(d, tid, lambda t: t["history"][-1].__setitem__(field, value))
    forged = commit_as(d, AGENT, T2)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and "rewritten" in codes_at(findings, forged)


def test_deleted_notes_and_chases_are_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    ok(d, T1, "note", tid, "-m", "客户情绪激动", as_=AGENT)
    ok(d, T2, "note", tid, "--chase", "-m", "跟催处理进度", as_=AGENT)
    edit_ticket(d, tid, lambda t: t.update(history=t["history"][:1], updated=t["history"][0]["at"]))
    forged = commit_as(d, LEAD, T3)
    assert d.run("verify").exit_code == 0  # the file alone looks fine
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, forged) == {"rewritten"}


def _edit_person(d: CliDesk, who: str, old: str, new: str) -> None:
    """Change the roster line of one person in cstool.yaml (one flow mapping per line)."""
    path = d.root / "cstool.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if f"id: {who}," in line)
    assert old in lines[at]
    lines[at] = lines[at].replace(old, new)
    path.write_text("\n".join(lines), encoding="utf-8")


def _promote(d: CliDesk, who: str, role: str) -> None:
    _edit_person(d, who, "role: agent", f"role: {role}")


def test_self_promotion_then_acting_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    _promote(d, AGENT, "manager")
    promoted = commit_as(d, AGENT, T1, "roster")
    ok(d, T2, "close", tid, "--resolution", "已处理", as_=AGENT)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, promoted) == {"config-change"}


def test_self_promotion_and_acting_in_one_commit_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    _promote(d, AGENT, "manager")
    ok(d, T1, "--no-commit", "close", tid, "--resolution", "已处理", as_=AGENT)
    forged = commit_as(d, AGENT, T1)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, forged) == {"config-change", "permission"}
    assert any("close_major" in f["message"] for f in findings)


def _invented_ticket(d: CliDesk, tmp_path: Path) -> Path:
    """A whole ticket with an invented history: created by the supervisor, closed by the manager."""
    tid = major_complaint(d)
    exported = tmp_path / "one.json"
    ok(d, T1, "export", "--format", "json", "-o", str(exported))
    d.git("rm", "-q", "-r", "tickets")
    d.git("commit", "-q", "-m", "start over")
    text = exported.read_text(encoding="utf-8").replace(LEAD, SUPERVISOR)
    invented = text.replace('"status": "open"', '"status": "closed"')
    exported.write_text(invented, encoding="utf-8")
    assert tid in invented
    return exported


def test_an_invented_ticket_imported_by_an_agent_is_refused_or_found(git_desk, tmp_path):
    d = git_desk
    rows = _invented_ticket(d, tmp_path)
    base = head(d)
    assert_refusal(run(d, T2, "import", str(rows), as_=AGENT), 2, "may not import whole tickets")
    # the agent writes it with a supervisor's name and commits it as themself
    ok(d, T2, "--no-commit", "import", str(rows), as_=SUPERVISOR)
    forged = commit_as(d, AGENT, T2)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and "impersonation" in codes_at(findings, forged)


def test_an_invented_ticket_added_by_hand_is_found(git_desk, tmp_path):
    d = git_desk
    rows = _invented_ticket(d, tmp_path)
    base = head(d)
    ok(d, T2, "--no-commit", "import", str(rows), as_=SUPERVISOR)
    d.path(rows.read_text().split('"id": "')[1].split('"')[0])  # the file is there
    for path in d.ticket_files():
        data = yamlio.load(path)
        data["history"].pop()  # no import event: it poses as tickets made here
        path.write_text(yamlio.dumps(data), encoding="utf-8")
    forged = commit_as(d, AGENT, T2)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and "impersonation" in codes_at(findings, forged)


def test_an_import_by_a_supervisor_is_recorded_and_passes(git_desk, tmp_path):
    d = git_desk
    rows = _invented_ticket(d, tmp_path)
    base = head(d)
    ok(d, T2, "import", str(rows), as_=SUPERVISOR)
    [path] = d.ticket_files()
    last = yamlio.load(path)["history"][-1]
    assert (last["action"], last["by"]) == ("import", SUPERVISOR)
    assert verify(d, f"{base}..HEAD") == (0, [])


def test_a_backdated_event_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    # a late reply typed in the next day, dated before its deadline
    res = d.run("reply", tid, "-m", "已答复", as_=AGENT, now=T1, env={"GIT_COMMITTER_DATE": NEXT_DAY})
    assert res.exit_code == 0
    backdated = head(d)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, backdated) == {"backdated"}


def test_an_event_out_of_time_order_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    ok(d, T2, "note", tid, "-m", "先记", as_=AGENT)
    edit_ticket(d, tid, lambda t: t["history"].append({"at": T1, "by": AGENT, "action": "note", "note": "后补"}))
    forged = commit_as(d, AGENT, T2)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and "time-order" in codes_at(findings, forged)


def test_a_backfill_needs_a_lead(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    late = {"at": T1, "by": AGENT, "action": "reply", "note": "电话已答复", "backfill": "系统故障,补录"}
    edit_ticket(d, tid, lambda t: t["history"].append(late))
    edit_ticket(d, tid, lambda t: t.__setitem__("status", "in_progress"))
    by_agent = commit_as(d, AGENT, NEXT_DAY)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and "backfill" in codes_at(findings, by_agent)


def test_a_file_deleted_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    d.path(tid).unlink()
    forged = commit_as(d, AGENT, T2)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, forged) == {"deleted"}


def test_a_merge_event_outside_a_merge_is_found(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    conflict = {"at": T1, "by": "cstool-merge", "action": "merge-conflict", "note": "x"}
    edit_ticket(d, tid, lambda t: t["history"].append(conflict))
    forged = commit_as(d, AGENT, T1)
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and "merge-event" in codes_at(findings, forged)


# --------------------------------------------------------------------------- acting for, exit codes, text


def test_a_lead_records_for_an_agent(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    d.git("config", "user.email", LEAD)
    ok(d, T1, "note", tid, "-m", "代为记录", as_=AGENT)
    last = d.ticket(tid)["history"][-1]
    assert (last["by"], last["recorded_by"]) == (AGENT, LEAD)
    assert d.git("log", "-1", "--format=%ae %ce").split() == [AGENT, LEAD]
    assert verify(d, f"{base}..HEAD") == (0, [])


def test_exit_3_when_the_history_cannot_be_read(desk, git_desk):
    assert_refusal(desk.run("verify", "--history"), 3, "not a git repository")
    assert_refusal(git_desk.run("verify", "--history", "nosuch..HEAD"), 3, "nosuch..HEAD")
    assert_refusal(git_desk.run("verify", "--history", "a", "b"), 2, "one revision range")
    assert_refusal(git_desk.run("verify", "--require-signed"), 2, "--require-signed goes with --history")


def test_text_output_names_the_commit(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    d.path(tid).unlink()
    forged = commit_as(d, AGENT, T2)
    res = d.run("verify", "--history", f"{base}..HEAD")
    assert res.exit_code == 1
    assert forged[:10] in res.stdout and tid in res.stdout and "1 findings" in res.stdout


# --------------------------------------------------------------------------- an honest team


def _clones(tmp_path: Path, new_desk: Any) -> tuple[CliDesk, CliDesk, str]:
    """Two clones of one remote, merge driver registered; and the commit they start from."""
    first = new_desk("first", git=True)
    clone = shared_remote(first, tmp_path / "origin.git")
    return clone(tmp_path / "a"), clone(tmp_path / "b"), head(first)


def test_two_clones_offline_with_backfills_and_a_roster_change_pass(tmp_path, new_desk):
    a, b, base = _clones(tmp_path, new_desk)
    tid = create(a, T0, "--type", "complaint", "--title", "空调漏水", "--assignee", AGENT)
    other = create(a, T0, "--type", "inquiry", "--title", "问询")
    ok(a, T0, "sync")
    ok(b, T0, "sync")
    # a day offline on both sides, on the same tickets
    ok(a, T1, "note", tid, "-m", "已联系客户", as_=AGENT)
    ok(a, T2, "reply", tid, "-m", "上门检修", as_=AGENT)
    ok(b, T1, "escalate", tid, "--reason", "客户要求赔偿")
    ok(b, T2, "note", other, "-m", "转技术", as_=LEAD)
    # a backfill: the call of 09:45 typed in at 14:00 by the lead, with its reason
    ok(b, T4, "--no-commit", "note", tid, "-m", "电话回复客户", as_=LEAD)
    edit_ticket(b, tid, lambda t: t["history"][-1].update(at="2026-11-20T09:45:00+08:00", backfill="系统停机,补录"))
    edit_ticket(b, tid, lambda t: t.update(updated="2026-11-20T09:45:00+08:00"))
    commit_as(b, LEAD, T4, "backfill")
    # the manager adds a person to the roster
    config = b.root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    hire = "  - {id: new.hire@example.com, name: 新人, role: agent, groups: [complaint]}\n"
    config.write_text(text.replace("roster:\n", "roster:\n" + hire, 1), encoding="utf-8")
    commit_as(b, MANAGER, T3, "roster: new hire")
    ok(a, NEXT_DAY, "sync")
    ok(b, NEXT_DAY, "sync")
    ok(a, NEXT_DAY, "sync")
    assert a.ticket(tid) == b.ticket(tid)
    assert len(a.git("log", "--merges", "--format=%H").split()) >= 1
    code, found = verify(a, f"{base}..HEAD")
    assert (code, found) == (0, []), [f["message"] for f in found]
    assert verify(b, f"{base}..HEAD") == (0, [])


def test_tickets_created_offline_in_both_clones_pass_after_sync(tmp_path, new_desk):
    a, b, base = _clones(tmp_path, new_desk)
    for i in range(3):
        create(a, T1, "--type", "inquiry", "--title", f"甲{i}")
        create(b, T1, "--type", "inquiry", "--title", f"乙{i}")
    ok(a, T2, "sync")
    ok(b, T2, "sync")
    code, findings = verify(b, f"{base}..HEAD")
    assert (code, findings) == (0, [])


# --------------------------------------------------------------------------- signatures


def test_require_signed_accepts_the_roster_key_and_finds_unsigned_commits(git_desk, tmp_path):
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed, so no SSH signing key can be made for this test")
    d = git_desk
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lead", "-f", str(key)], check=True)
    public = (tmp_path / "id_ed25519.pub").read_text(encoding="utf-8").strip()
    _edit_person(d, LEAD, "}", f', signing_key: "{public}"}}')
    commit_as(d, MANAGER, T0, "roster: the lead's signing key")
    base = head(d)
    for setting in (("gpg.format", "ssh"), ("user.signingkey", str(key)), ("commit.gpgsign", "true")):
        d.git("config", *setting)
    tid = create(d, T1, "--type", "inquiry", "--title", "签名")
    ok(d, T2, "note", tid, "-m", "已签名")
    assert verify(d, f"{base}..HEAD", "--require-signed") == (0, [])
    d.git("config", "commit.gpgsign", "false")
    ok(d, T3, "note", tid, "-m", "未签名")
    unsigned = head(d)
    code, findings = verify(d, f"{base}..HEAD", "--require-signed")
    assert code == 1 and codes_at(findings, unsigned) == {"signature"}
    assert verify(d, f"{base}..HEAD") == (0, [])


def test_an_unsatisfied_follow_up_call_reopens_and_escalates_under_the_callers_permission(git_desk):
    """The reopen and escalation that an unsatisfied call causes are the caller's, allowed by followup."""
    d = git_desk
    base = head(d)
    tid = major_complaint(d, "general")
    ok(d, T1, "close", tid, "--resolution", "已更换", as_=AGENT)
    ok(d, T3, "followup", tid, "--result", "unsatisfied", as_=CALLER)
    assert [ev["action"] for ev in d.ticket(tid)["history"]][-3:] == ["followup", "reopen", "escalate"]
    assert verify(d, f"{base}..HEAD") == (0, [])


def test_a_desk_in_a_subfolder_of_a_repository_is_checked(tmp_path, new_desk):
    outer = tmp_path / "仓库"
    subprocess.run(["git", "init", "-q", str(outer)], check=True)
    (outer / "README").write_text("其他资料\n", encoding="utf-8")
    commit_as(CliDesk(outer), "someone@example.com", T0, "before the desk")
    d = new_desk(outer / "华东客服台")
    commit_as(d, MANAGER, T0, "the desk, added to the repository later")
    tid = major_complaint(d)
    d.path(tid).unlink()
    forged = commit_as(d, AGENT, T2)
    code, findings = verify(d, "HEAD")
    assert code == 1 and {f["commit"] for f in findings} == {forged} and codes_at(findings, forged) == {"deleted"}


def test_the_whole_history_of_an_honest_desk_has_no_finding(tmp_path):
    """From cstool init on, the first commit being the desk's own (no parent config)."""
    d = CliDesk(tmp_path / "desk")
    res = d.run("init", str(d.root), "--name", "客服中心", "--user-name", NAMES[MANAGER], as_=MANAGER, store=False,
                now=T0, env={"GIT_COMMITTER_DATE": T0})
    assert res.exit_code == 0, res.stderr
    tid = create(d, T1, "--type", "complaint", "--title", "投诉", as_=MANAGER)
    ok(d, T2, "close", tid, "--resolution", "已处理", as_=MANAGER)
    code, findings = verify(d, "HEAD")
    assert (code, findings) == (0, [])
    assert d.run("verify", "--history", as_=None, now=None).exit_code == 0


def test_history_findings_are_worded_in_the_run_language_and_json_stays_english(git_desk):
    d = git_desk
    base = head(d)
    tid = major_complaint(d)
    ok(d, T1, "--no-commit", "close", tid, "--resolution", "已赔偿", as_=MANAGER)
    forged = commit_as(d, AGENT, T1)
    zh = d.run("verify", "--history", f"{base}..HEAD", lang="zh")
    assert zh.exit_code == 1
    line = next(x for x in zh.stdout.splitlines() if x.startswith(forged[:10]))
    assert f"名下,但提交人是 {AGENT}" in zh.stdout and "第 " in line, zh.stdout
    assert "committer" not in zh.stdout and "event " not in zh.stdout, zh.stdout
    en = d.run("verify", "--history", f"{base}..HEAD", lang="en")
    assert f"but the commit's committer is {AGENT}" in en.stdout, en.stdout
    _, findings = verify(d, f"{base}..HEAD")
    assert any(f"but the commit's committer is {AGENT}" in f["message"] for f in findings)
