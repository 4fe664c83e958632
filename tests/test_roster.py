"""``cstool roster add/list/edit/remove``, ``init --team``, and the hints that send people to
them: a person not on the roster, a group with nobody to assign, cstool.yaml edited by hand
and not committed."""

from __future__ import annotations

import os
import subprocess
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.desk import CliDesk, assert_refusal, invoke, load_yaml, make_desk
from tests.support.roster import AGENT, AGENTS, LEAD, MANAGER, NAMES, PEOPLE, SUPERVISOR

NEW = "xu.ming@example.com"
AGENT2 = AGENTS["complaint"][1]


def roster_of(d: CliDesk) -> dict[str, dict]:
    return {p["id"]: p for p in load_yaml(d.root / "cstool.yaml")["roster"]}


# ----------------------------------------------------------------------------- add / list / edit


def test_add_writes_one_commit_of_cstool_yaml_keeping_its_comments(git_desk):
    d = git_desk
    before = (d.root / "cstool.yaml").read_text(encoding="utf-8")
    res = d.ok("roster", "add", NEW, "--name", "徐明", "--role", "agent", "--group", "投诉受理组,inquiry", as_=MANAGER)
    assert NEW in res.stdout
    after = (d.root / "cstool.yaml").read_text(encoding="utf-8")
    comments = [ln for ln in before.splitlines() if ln.lstrip().startswith("#")]
    assert comments and all(c in after.splitlines() for c in comments)
    assert after.startswith(before[:before.index("roster:")])  # everything above the roster as it was
    assert roster_of(d)[NEW] == {"id": NEW, "name": "徐明", "role": "agent", "groups": ["complaint", "inquiry"]}
    assert f"  - {{id: {NEW}, name: 徐明, role: agent, groups: [complaint, inquiry]}}" in after.splitlines()  # one line
    assert [ln for ln in d.git("show", "--name-only", "--format=%s|%ae", "HEAD").splitlines() if ln] == [
        f"roster add {NEW}: agent (by {MANAGER})|{MANAGER}", "cstool.yaml"]
    assert d.git("status", "--porcelain") == ""
    # the new person can work at once, and the roster change passes verify --history
    tid = d.create("--type", "complaint", "--title", "新人登记", "--assignee", NEW, as_=NEW)
    assert d.ticket(tid)["assignee"] == NEW
    listed = d.ok("roster", "list", "--json").json
    assert [p["id"] for p in listed] == [p["id"] for p in PEOPLE] + [NEW]


@pytest.mark.parametrize("args, needle", [
    (("not-an-email", "--name", "某人"), "not an email"),
    ((NEW, "--name", "某人", "--role", "boss"), "unknown role"),
    ((NEW, "--name", "某人", "--group", "nosuch"), "unknown group"),
    ((NEW, "--name", " "), "name"),
    ((AGENT, "--name", "王芳"), "already on the roster"),
])
def test_bad_additions_are_refused_and_write_nothing(git_desk, args, needle):
    before, head = git_desk.snapshot(), git_desk.git("rev-parse", "HEAD")
    assert_refusal(git_desk.run("roster", "add", *args, as_=MANAGER), 2, needle)
    assert git_desk.snapshot() == before and git_desk.git("rev-parse", "HEAD") == head


@pytest.mark.parametrize("who", [LEAD, SUPERVISOR, AGENT])
def test_only_the_manager_may_change_the_roster(desk, who):
    before = desk.snapshot()
    for args in (("add", NEW, "--name", "徐明"), ("edit", AGENT, "--role", "lead"), ("remove", AGENT2)):
        assert_refusal(desk.run("roster", *args, as_=who), 2, "may not change the roster", "manager")
    assert desk.snapshot() == before


def test_the_roster_permission_can_be_given_to_supervisors(desk):
    config = desk.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\npermissions:\n  roster: [supervisor]\n", encoding="utf-8")
    desk.ok("roster", "add", NEW, "--name", "徐明", "--group", "complaint", as_=SUPERVISOR)
    assert NEW in roster_of(desk)


def test_edit_changes_role_and_groups(desk):
    desk.ok("roster", "edit", AGENT, "--role", "lead", "--add-group", "followup", as_=MANAGER)
    assert roster_of(desk)[AGENT] == {"id": AGENT, "name": NAMES[AGENT], "role": "lead",
                                      "groups": ["complaint", "followup"]}
    desk.ok("roster", "edit", AGENT, "--remove-group", "complaint", "--name", "王芳芳", as_=MANAGER)
    assert (roster_of(desk)[AGENT]["groups"], roster_of(desk)[AGENT]["name"]) == (["followup"], "王芳芳")
    desk.ok("roster", "edit", "王芳芳", "--group", "inquiry", as_=MANAGER)  # by name; --group replaces
    assert roster_of(desk)[AGENT]["groups"] == ["inquiry"]
    before = desk.snapshot()
    assert_refusal(desk.run("roster", "edit", AGENT, as_=MANAGER), 2, "nothing to change")
    assert_refusal(desk.run("roster", "edit", "nobody@example.com", "--role", "lead", as_=MANAGER), 2, "not on the roster")
    assert_refusal(desk.run("roster", "edit", AGENT, "--add-group", "nosuch", as_=MANAGER), 2, "unknown group")
    assert desk.snapshot() == before


def test_nobody_may_be_left_able_to_change_the_roster(desk):
    before = desk.snapshot()
    assert_refusal(desk.run("roster", "edit", MANAGER, "--role", "supervisor", as_=MANAGER), 2, "nobody could change")
    assert desk.snapshot() == before


# ----------------------------------------------------------------------------- remove


def test_remove_is_refused_while_the_person_holds_open_tickets(git_desk):
    d = git_desk
    tid = d.create("--type", "complaint", "--title", "漏水", "--assignee", AGENT)
    before, head = d.snapshot(), d.git("rev-parse", "HEAD")
    err = assert_refusal(d.run("roster", "remove", AGENT, as_=MANAGER), 2, "1 open tickets", tid, "--reassign")
    assert "--reassign auto" in err
    assert d.snapshot() == before and d.git("rev-parse", "HEAD") == head


def test_remove_with_reassign_hands_the_tickets_over_in_one_commit(git_desk):
    d = git_desk
    tids = [d.create("--type", "complaint", "--title", f"漏水{i}", "--assignee", AGENT) for i in range(2)]
    closed = d.create("--type", "complaint", "--title", "已结", "--assignee", AGENT)
    d.ok("close", closed, "--resolution", "已处理")
    res = d.ok("roster", "remove", AGENT, "--reassign", AGENT2, as_=MANAGER)
    assert "2 open tickets reassigned" in res.stdout
    assert roster_of(d)[AGENT]["left"] == date(2026, 11, 20)
    assert "groups: [complaint], left: 2026-11-20}" in (d.root / "cstool.yaml").read_text(encoding="utf-8")
    for tid in tids:
        t = d.ticket(tid)
        assert t["assignee"] == AGENT2
        assert (t["history"][-1]["action"], t["history"][-1]["by"]) == ("route", MANAGER)
    assert d.ticket(closed)["assignee"] == AGENT  # history stays as it was
    files = d.git("show", "--name-only", "--format=", "HEAD").split()
    assert "cstool.yaml" in files and len(files) == 3
    d.ok("audit", "--check")


def test_remove_with_reassign_auto_lets_the_group_rule_choose(desk):
    tid = desk.create("--type", "complaint", "--title", "漏水", "--assignee", AGENT)
    desk.ok("roster", "remove", AGENT, "--reassign", "auto", as_=MANAGER)
    assert desk.ticket(tid)["assignee"] == AGENT2  # the complaint group's other agent


def test_remove_refuses_to_hand_tickets_to_the_person_removed_or_a_stranger(desk):
    desk.create("--type", "complaint", "--title", "漏水", "--assignee", AGENT)
    before = desk.snapshot()
    assert_refusal(desk.run("roster", "remove", AGENT, "--reassign", AGENT, as_=MANAGER), 2, "--reassign")
    assert_refusal(desk.run("roster", "remove", AGENT, "--reassign", "x@example.com", as_=MANAGER), 2,
                   "cstool roster add x@example.com")
    assert desk.snapshot() == before


# ----------------------------------------------------------------------------- warnings and hints


def test_a_group_left_without_an_agent_is_warned_about_and_create_says_why(desk):
    desk.ok("roster", "remove", AGENT, as_=MANAGER)
    res = desk.ok("roster", "remove", AGENT2, as_=MANAGER)
    assert "Complaint intake receives tickets but has no agent" in res.stderr
    assert "cstool roster add EMAIL --name NAME --role agent --group complaint" in res.stderr
    assert "Complaint intake" in desk.ok("roster", "list").stderr
    out = desk.ok("create", "--type", "complaint", "--title", "漏水")
    assert "Complaint intake / unassigned" in out.stdout
    assert "hint: nobody in Complaint intake holds the agent role" in out.stderr
    assert "--group complaint" in out.stderr
    zh = desk.ok("create", "--type", "complaint", "--title", "漏水", lang="zh")
    assert "投诉受理组 / 未分派" in zh.stdout and "提示: 投诉受理组 没有可分派的客服专员" in zh.stderr
    staffed = desk.ok("create", "--type", "inquiry", "--title", "咨询")
    assert staffed.stderr == ""


def test_a_person_not_on_the_roster_is_told_the_command_that_adds_them(desk):
    before = desk.snapshot()
    err = assert_refusal(desk.run("create", "--type", "inquiry", "--title", "x", as_="new.hire@example.com"), 2,
                         "not on the desk's roster", "cstool roster add new.hire@example.com --name")
    assert "--as" in err
    assert_refusal(desk.run("note", "CS-2026-0000000", "-m", "x", as_="小李"), 2, "cstool roster add EMAIL --name '小李'")
    assert_refusal(desk.run("create", "--type", "inquiry", "--title", "x", "--assignee", "nobody@example.com"), 2,
                   "--assignee", "cstool roster add nobody@example.com")
    zh = desk.run("create", "--type", "inquiry", "--title", "x", as_="new.hire@example.com", lang="zh")
    assert_refusal(zh, 2, "不在本中心的人员名单中", "cstool roster add new.hire@example.com")
    assert desk.snapshot() == before


def test_a_near_miss_is_suggested_with_the_command_that_adds_the_person_typed(desk):
    from tests.test_help_language import english_runs

    before = desk.snapshot()
    typo = AGENT.replace("@", "x@")
    args = ("create", "--type", "inquiry", "--title", "x", "--assignee", typo)
    assert_refusal(desk.run(*args), 2, "--assignee", f"did you mean {AGENT}?", f"cstool roster add {typo} --name NAME")
    zh = assert_refusal(desk.run(*args, lang="zh"), 2, f"您是不是要输入 {AGENT}", f"cstool roster add {typo}")
    assert not english_runs(zh)
    assert desk.snapshot() == before


def test_uncommitted_cstool_yaml_is_warned_about_with_the_command_that_commits_it(git_desk):
    d = git_desk
    config = d.root / "cstool.yaml"
    tid = d.create("--type", "inquiry", "--title", "咨询")
    config.write_text(config.read_text(encoding="utf-8").replace(f"name: {NAMES[AGENT]}", "name: 王芳(组长)"),
                      encoding="utf-8")
    res = d.ok("note", tid, "-m", "备注")
    assert "cstool.yaml has edits git has not committed" in res.stderr and "sync" in res.stderr
    command = res.stderr.split("commit them: ", 1)[1].strip()
    assert command == f"cd {d.root} && git add cstool.yaml && git commit -m 'cstool.yaml: roster' -- cstool.yaml"
    assert "cstool.yaml" in d.ok("create", "--type", "inquiry", "--title", "又一个").stderr
    # a roster command refuses instead (its commit would take the hand edit in), naming the same fix
    assert_refusal(d.run("roster", "add", NEW, "--name", "徐明", as_=MANAGER), 3, "git commit cstool.yaml")
    env = {"GIT_AUTHOR_NAME": "m", "GIT_AUTHOR_EMAIL": MANAGER, "GIT_COMMITTER_NAME": "m", "GIT_COMMITTER_EMAIL": MANAGER,
           "PATH": os.environ["PATH"], "HOME": str(d.root.parent)}
    subprocess.run(command, shell=True, check=True, env=env, capture_output=True)
    assert d.git("status", "--porcelain") == ""
    assert d.ok("note", tid, "-m", "再备注").stderr == ""


def test_no_warning_without_git_or_when_committed(desk, git_desk):
    assert desk.ok("create", "--type", "inquiry", "--title", "咨询").stderr == ""
    assert git_desk.ok("create", "--type", "inquiry", "--title", "咨询").stderr == ""


# ----------------------------------------------------------------------------- init --team


TEAM_CSV = """name,email,role,groups
王芳,wang.fang@example.com,agent,complaint
赵磊,zhao.lei@example.com,lead,投诉受理组;回访调查组
何雪,he.xue@example.com,Agent,followup
"""


@pytest.mark.parametrize("suffix, text", [
    ("csv", TEAM_CSV),
    ("yaml", "- {name: 王芳, email: wang.fang@example.com, role: agent, groups: [complaint]}\n"
             "- {name: 赵磊, id: zhao.lei@example.com, role: lead, groups: [complaint, followup]}\n"
             "- {name: 何雪, email: he.xue@example.com, role: agent, groups: followup}\n"),
])
def test_init_team_starts_the_desk_with_the_team(tmp_path, suffix, text):
    team = tmp_path / f"team.{suffix}"
    team.write_text(text, encoding="utf-8")
    root = tmp_path / "desk"
    res = invoke(["--as", MANAGER, "init", str(root), "--user-name", "陈静", "--team", str(team)])
    assert res.exit_code == 0, res.stderr
    d = CliDesk(root)
    people = roster_of(d)
    assert list(people) == [MANAGER, AGENT, "zhao.lei@example.com", "he.xue@example.com"]
    assert people[MANAGER]["role"] == "manager"
    assert people["zhao.lei@example.com"]["groups"] == ["complaint", "followup"]
    assert people["he.xue@example.com"]["role"] == "agent"
    assert d.git("status", "--porcelain") == "" and len(d.git("log", "--format=%h").split()) == 1
    tid = d.create("--type", "complaint", "--title", "漏水", as_=AGENT)
    assert d.ticket(tid)["assignee"] == AGENT


@pytest.mark.parametrize("text, needle", [
    ("name,email,role,groups\n王芳,wang.fang,agent,complaint\n", "team.csv:2: email"),
    ("name,email,role,groups\n王芳,wang.fang@example.com,chief,complaint\n", "team.csv:2: role"),
    ("name,email,role,groups\n王芳,wang.fang@example.com,agent,complaint\n赵磊,zhao.lei@example.com,lead,nosuch\n",
     "team.csv:3: groups"),
    ("name,email,role,groups\n,wang.fang@example.com,agent,complaint\n", "team.csv:2: name is missing"),
    ("name,email,role,groups\n王芳,wang.fang@example.com,agent,\n王芳,WANG.FANG@example.com,agent,\n", "listed twice"),
    ("name,email,role,groups\n", "lists nobody"),
    ("just some words\n", "must be CSV"),
])
def test_a_bad_team_file_creates_no_desk(tmp_path, text, needle):
    team = tmp_path / "team.csv"
    team.write_text(text, encoding="utf-8")
    root = tmp_path / "desk"
    assert_refusal(invoke(["--lang", "en", "--as", MANAGER, "init", str(root), "--team", str(team)]), 2, needle)
    assert not root.exists()


def test_a_missing_team_file_creates_no_desk(tmp_path):
    root = tmp_path / "desk"
    assert_refusal(invoke(["--as", MANAGER, "init", str(root), "--team", str(tmp_path / "none.csv")]), 2, "none.csv")
    assert not root.exists()


# ----------------------------------------------------------------------------- verify --history


def test_roster_commands_pass_verify_history_and_a_lead_s_hand_edit_does_not(git_desk):
    from tests.test_history_verify import codes_at, commit_as, head, ok, verify

    d = git_desk
    base = head(d)
    ok(d, "2026-11-20T09:00:00+08:00", "roster", "add", NEW, "--name", "徐明", "--group", "complaint", as_=MANAGER)
    ok(d, "2026-11-20T09:10:00+08:00", "roster", "edit", NEW, "--role", "lead", as_=MANAGER)
    assert verify(d, f"{base}..HEAD") == (0, [])
    config = d.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("role: agent, groups: [complaint]}",
                                                                 "role: lead, groups: [complaint]}", 1), encoding="utf-8")
    forged = commit_as(d, LEAD, "2026-11-20T09:20:00+08:00", "promote")
    code, findings = verify(d, f"{base}..HEAD")
    assert code == 1 and codes_at(findings, forged) == {"config-change"}
    assert any("roster" in f["message"] and "manager" in f["message"] for f in findings)


def test_a_person_who_left_stays_for_the_history_but_no_longer_acts(desk):
    tid = desk.create("--type", "complaint", "--title", "漏水", "--assignee", AGENT)
    desk.ok("reply", tid, "-m", "已致歉", as_=AGENT)
    desk.ok("close", tid, "--resolution", "已处理", as_=AGENT)
    out = desk.ok("roster", "remove", AGENT, as_=MANAGER, now="2026-11-21T09:00:00+08:00").stdout
    assert f"marked {NAMES[AGENT]} ({AGENT}) as having left on 2026-11-21" in out
    # the closed ticket and its events are still by someone on the roster: no finding, the name still shown
    desk.ok("audit", "--check")
    assert NAMES[AGENT] in desk.ok("show", tid).stdout
    # no longer listed, acting, assigned or chosen
    assert AGENT not in desk.ok("roster", "list").stdout
    listed = {p["id"]: p for p in desk.ok("roster", "list", "--all", "--json").json}
    assert listed[AGENT]["left"] == "2026-11-21"
    before = desk.snapshot()
    assert_refusal(desk.run("create", "--type", "inquiry", "--title", "x", as_=AGENT), 2,
                   "left the desk on 2026-11-21", f"cstool roster add {AGENT}")
    assert_refusal(desk.run("create", "--type", "complaint", "--title", "x", "--assignee", AGENT), 2, "left the desk")
    assert_refusal(desk.run("roster", "remove", AGENT, as_=MANAGER), 2, "already left")
    assert desk.snapshot() == before
    chosen = {desk.ticket(desk.create("--type", "complaint", "--title", f"漏水{i}"))["assignee"] for i in range(3)}
    assert chosen == {AGENT2}
    # back on the roster: the mark goes, the person works again
    desk.ok("roster", "add", AGENT, "--name", NAMES[AGENT], "--group", "complaint", as_=MANAGER)
    assert "left" not in roster_of(desk)[AGENT]
    desk.create("--type", "inquiry", "--title", "y", as_=AGENT)


def test_an_open_ticket_left_with_someone_who_left_is_a_finding(desk):
    tid = desk.create("--type", "complaint", "--title", "漏水", "--assignee", AGENT)
    config = desk.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "role: agent, groups: [complaint]}", "role: agent, groups: [complaint], left: 2026-11-19}", 1), encoding="utf-8")
    res = desk.run("audit", "--check")
    assert res.exit_code == 1 and tid in res.stdout and "left the desk on 2026-11-19" in res.stdout


def test_a_roster_change_keeps_the_index_while_a_calendar_change_rebuilds_it(git_desk):
    from cstool.desk.index import open_index
    from cstool.desk.store import Desk

    d = git_desk
    for i in range(3):
        d.create("--type", "inquiry", "--title", f"咨询{i}")
    d.ok("list")  # the index holds the three tickets

    def parsed() -> int:
        index = open_index(Desk.open(d.root))
        try:
            return index.refresh()
        finally:
            index.close()

    assert parsed() == 0
    d.ok("roster", "add", NEW, "--name", "徐明", "--group", "inquiry", as_=MANAGER)
    d.ok("roster", "remove", NEW, as_=MANAGER)
    assert parsed() == 0
    config = d.root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("warn_at: [0.75]", "warn_at: [0.5]"), encoding="utf-8")
    assert parsed() == 3
    assert parsed() == 0


# ----------------------------------------------------------------------------- open-ended names

NAME_BITS = ["", " ", ":", ": ", "#", " #x", "{a: b}", "[x]", ",", "}", "]", "'", '"', "&a", "*a", "!x", "%", "@", "`",
             "|", ">", "- ", "? ", "null", "~", "yes", "no", "1e3", "2026-11-20", "\t", "\n", "\x1b", "\u2028", "\ufeff",
             "\u3000", "王", "芳", "😀", "\\", "--", "a" * 120]
names = st.lists(st.one_of(st.sampled_from(NAME_BITS), st.text(max_size=6)), max_size=6).map("".join)
_NAME_DESK: list[CliDesk] = []


def _name_rule(raw: str) -> str | None:
    """What a roster name is stored as, or None when refused: one line of 1-200 characters
    without control characters, spaces around it dropped."""
    import unicodedata

    text = raw.strip()
    if not text or len(text) > 200 or any(unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u2028\u2029\ufeff"
                                          for ch in text):
        return None
    return text


@settings(deadline=None, max_examples=40, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=names)
def test_any_name_is_stored_exactly_or_refused_with_nothing_written(raw, tmp_path_factory):
    if not _NAME_DESK:
        _NAME_DESK.append(make_desk(tmp_path_factory.mktemp("names") / "desk", git=False))
    d = _NAME_DESK[0]
    email = f"p{len(roster_of(d))}@example.com"
    before = d.snapshot()
    res = d.run("roster", "add", email, f"--name={raw}", "--group", "complaint", as_=MANAGER)
    want = _name_rule(raw)
    if want is None:
        assert_refusal(res, 2, "name")
        assert d.snapshot() == before
        return
    assert res.exit_code == 0, res.stderr
    assert roster_of(d)[email]["name"] == want
    assert {p["id"]: p["name"] for p in d.ok("roster", "list", "--json").json}[email] == want


def test_a_team_file_that_would_leave_nobody_to_change_the_roster_creates_no_desk(tmp_path):
    team = tmp_path / "team.csv"
    team.write_text(f"name,email,role,groups\n陈静,{MANAGER},agent,complaint\n", encoding="utf-8")
    root = tmp_path / "desk"
    assert_refusal(invoke(["--lang", "en", "--as", MANAGER, "init", str(root), "--team", str(team)]), 2,
                   "nobody could change the roster")
    assert not root.exists()
