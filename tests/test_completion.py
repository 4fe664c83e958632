"""Shell completion: ``cstool completion bash|zsh|fish`` prints the script, and the shell's
requests (click's protocol: ``_CSTOOL_COMPLETE=bash_complete COMP_WORDS=… COMP_CWORD=…``)
are answered with commands, options, ticket IDs (open ones first), groups, people, types,
channels and statuses of the desk."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cstool.cli import cli
from tests.support.desk import cstool_process
from tests.support.roster import AGENT, MANAGER, PEOPLE


def complete(desk, line: str, shell: str = "bash", env: dict[str, str] | None = None) -> list[str]:
    """What cstool offers for the last word of line (a trailing space: a new, empty word)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    result = CliRunner().invoke(cli, [], prog_name="cstool", env={
        "_CSTOOL_COMPLETE": f"{shell}_complete", "COMP_WORDS": line, "COMP_CWORD": str(cword),
        "CSTOOL_STORE": str(desk.root), **(env or {})})
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln]  # nothing offered: an empty line
    if shell == "bash":
        assert all("," in ln for ln in lines), lines
        return [ln.split(",", 1)[1] for ln in lines]
    return lines


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_for_each_shell(desk, shell):
    script = desk.ok("completion", shell, store=False).stdout
    assert "_CSTOOL_COMPLETE" in script and f"{shell}_complete" in script


def test_completion_refuses_other_shells(desk):
    res = desk.run("completion", "powershell", store=False)
    assert res.exit_code == 2


def test_commands_and_options_complete(desk):
    assert complete(desk, "cstool sh") == ["show"]
    assert "completion" in complete(desk, "cstool comp")
    assert complete(desk, "cstool list --st") == ["--status"]
    assert "--message" in complete(desk, "cstool followup X --m")


def test_ticket_ids_complete_open_ones_first(desk):
    old_open = desk.create("--type", "inquiry", "--title", "较早的未结工单", now="2026-11-16T09:00:00+08:00")
    closed = desk.create("--type", "inquiry", "--title", "已关闭", now="2026-11-17T09:00:00+08:00")
    desk.ok("close", closed, "-m", "已答复", as_=MANAGER, now="2026-11-17T10:00:00+08:00")
    new_open = desk.create("--type", "complaint", "--title", "新的投诉", now="2026-11-18T09:00:00+08:00")
    offered = complete(desk, "cstool show ")
    assert offered == [new_open, old_open, closed]
    assert complete(desk, f"cstool reply {closed[:-3].lower()}") == [closed]  # a prefix, any case
    assert complete(desk, f"cstool note {closed[-4:].lower()}") == [closed]  # an ID's ending, as cstool accepts it
    assert complete(desk, "cstool log ZZZZZZ") == []


def test_a_ticket_created_a_moment_ago_is_offered(desk):
    first = desk.create("--type", "inquiry", "--title", "一")
    assert complete(desk, "cstool show ") == [first]
    second = desk.create("--type", "inquiry", "--title", "二", now="2026-11-20T10:05:00+08:00")
    assert set(complete(desk, "cstool show ")) == {first, second}


def test_ids_carry_their_status_and_title_for_zsh(desk):
    tid = desk.create("--type", "inquiry", "--title", "标题  在这里")
    lines = complete(desk, "cstool show ", shell="zsh", env={"CSTOOL_LANG": "zh"})
    assert lines[:3] == ["plain", tid, "待处理  标题 在这里"]


def test_groups_people_types_channels_and_statuses_complete(desk):
    assert "complaint" in complete(desk, "cstool list --group ")
    assert complete(desk, "cstool list --group comp") == ["complaint"]
    people = complete(desk, "cstool list --assignee ")
    assert people[0] == "me" and {p["id"] for p in PEOPLE} <= set(people)
    assert complete(desk, f"cstool due --assignee {AGENT[:5]}") == [AGENT]
    assert {"complaint", "inquiry", "work_order"} <= set(complete(desk, "cstool create --type "))
    assert "phone" in complete(desk, "cstool create --channel ")
    assert complete(desk, "cstool list --status ") == ["open", "in_progress", "pending", "resolved", "closed", "void", "all"]
    assert complete(desk, "cstool list --status open,pe") == ["open,pending"]
    assert complete(desk, "cstool list --priority ") == ["A", "B", "C"]
    assert complete(desk, "cstool escalate X --to man") == ["manager"]
    assert "due" in complete(desk, "cstool list --sort ")
    assert "visit" in complete(desk, "cstool due --kind ")


def test_a_value_matches_by_its_name_when_no_key_does(desk):
    assert complete(desk, "cstool list --type 投", env={"CSTOOL_LANG": "zh"}) == ["complaint"]


def test_outside_a_desk_completion_offers_nothing_and_does_not_fail(tmp_path, desk):
    class Nowhere:
        root = tmp_path / "nowhere"

    assert complete(Nowhere, "cstool show ") == []
    assert complete(Nowhere, "cstool list --status ") == ["open", "in_progress", "pending", "resolved", "closed", "void", "all"]


def test_completion_through_a_real_process(desk):
    tid = desk.create("--type", "inquiry", "--title", "真实进程")
    proc = cstool_process(env={"_CSTOOL_COMPLETE": "bash_complete", "COMP_WORDS": f"cstool show {tid[-4:]}",
                               "COMP_CWORD": "2", "CSTOOL_STORE": str(desk.root)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"plain,{tid}"]
