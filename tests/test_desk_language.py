"""What cstool prints and writes by itself is in the desk's language: customer tables, sync,
handover, follow-up results, and the reason automatic escalation stores in a ticket."""

from __future__ import annotations

import re

from tests.support.desk import closed_complaint, shared_remote
from tests.support.roster import MANAGER

CALLER = "he.xue@example.com"  # the follow-up group's agent
ENGLISH_WORD = re.compile(r"\b(next_visit|visit|ticket|satisfied|unsatisfied|unreachable|callback|first_response|"
                          r"followup|work_order|resolution|pulled|pushed|SLA breach)\b")


def _customer(desk) -> str:
    cid = desk.ok("customer", "add", "--name", "陈建国", "--tier", "A", "--phone", "13800138000",
                  "--since", "2026-01-05").stdout.strip()
    desk.ok("customer", "visit", cid, "--result", "satisfied")
    desk.create("--type", "inquiry", "--title", "咨询", "--customer", cid)
    return cid


def test_customer_list_show_and_visit_speak_chinese(desk):
    cid = _customer(desk)
    listed = desk.ok("customer", "list", lang="zh").stdout
    assert "客户编号" in listed and "下次回访" in listed
    shown = desk.ok("customer", "show", cid, lang="zh").stdout
    assert "客户等级" in shown and "满意" in shown and "待处理" in shown
    visit = desk.ok("customer", "visit", cid, "--result", "unreachable", lang="zh").stdout
    assert "联系不上" in visit
    for out in (listed, shown, visit):
        assert not ENGLISH_WORD.search(out), out


def test_customer_tables_keep_their_english_words_in_english(desk):
    cid = _customer(desk)
    assert desk.ok("customer", "list").stdout.split()[:2] == ["id", "name"]
    shown = desk.ok("customer", "show", cid).stdout
    assert re.search(r"^next_visit +2026-", shown, re.M) and re.search(r"^visit +.* satisfied", shown, re.M)


def test_show_gives_the_follow_up_kind_and_result_in_chinese(desk):
    tid = closed_complaint(desk)
    desk.ok("followup", tid, "--result", "unreachable", as_=CALLER, now="2026-11-18T09:00:00+08:00")
    shown = desk.ok("show", tid, lang="zh", now="2026-11-18T10:00:00+08:00").stdout
    assert "结果: 联系不上" in shown
    assert not ENGLISH_WORD.search(shown), shown
    english = desk.ok("show", tid, now="2026-11-18T10:00:00+08:00").stdout
    assert "result: unreachable" in english and "callback" in english


def test_handover_names_deadline_kinds_in_chinese(desk):
    desk.create("--type", "complaint", "--title", "漏水", now="2026-11-16T09:00:00+08:00")
    out = desk.ok("handover", "--since", "2026-11-16T08:30:00+08:00", "--next", "2d", lang="zh",
                  now="2026-11-16T10:00:00+08:00").stdout
    assert "首次响应" in out
    assert not ENGLISH_WORD.search(out), out


def test_automatic_escalation_stores_its_reason_in_the_desk_language(desk):
    tid = desk.create("--type", "inquiry", "--title", "解决时限", now="2026-12-01T09:00:00+08:00")
    desk.ok("reply", tid, "-m", "收到", as_=MANAGER, now="2026-12-01T09:10:00+08:00")
    desk.ok("escalate", "--overdue", now="2026-12-08T13:00:00+08:00")  # the desk's language is zh
    reasons = [ev.get("reason") for ev in desk.ticket(tid)["history"] if ev.get("action") == "escalate"]
    assert reasons and all("已超过办结时限" in r and "SLA breach" not in r for r in reasons)
    shown = desk.ok("show", tid, lang="zh", now="2026-12-08T13:00:00+08:00").stdout
    assert "原因: 2026-12-08" in shown


def test_sync_reports_in_the_language_of_the_run(tmp_path, new_desk):
    first = new_desk("first", git=True)
    clone = shared_remote(first, tmp_path / "origin.git")(tmp_path / "a")
    first.create("--type", "inquiry", "--title", "问询", as_=MANAGER)
    first.ok("sync", as_=MANAGER)
    out = clone.ok("sync", as_=MANAGER, lang="zh").stdout
    assert "已拉取 origin/main" in out and "已推送到 origin/main" in out
    assert "pulled" not in out and "pushed" not in out


def test_files_that_cannot_be_read_are_named_in_the_language_of_the_run(desk):
    """A skipped file's reason and verify's finding were English in a Chinese run ("malformed
    YAML", "holds a lone surrogate", "a value of the wrong kind"), and stayed so in the index."""
    from tests.test_help_language import english_runs

    folder = desk.root / "tickets" / "2026" / "11"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "CS-2026-BROKEN1.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "CS-2026-BROKEN2.yaml").write_text('id: CS-2026-BROKEN2\ntitle: "\\ud800"\n', encoding="utf-8")
    for _ in range(2):  # as first found, then as the index keeps it
        listed = desk.run("list", lang="zh")
        assert listed.exit_code == 0
        skipped = [line for line in listed.stderr.splitlines() if "BROKEN" in line]
        assert len(skipped) == 2 and all("已跳过无法读取的文件" in line for line in skipped)
        assert "YAML 格式错误" in skipped[0] and "代理字符" in skipped[1]
        checked = desk.run("verify", lang="zh")
        found = [line for line in checked.stdout.splitlines() if "BROKEN1.yaml:2:" in line or "BROKEN2.yaml:2:" in line]
        assert len(found) == 2 and "YAML 格式错误" in found[0] and "代理字符" in found[1]
        for line in skipped + found:  # the parser's own words ("expected ',' or ']'") are quoted as they are
            assert [run for run in english_runs(line.split(": expected")[0]) if "BROKEN" not in run] == [], line
    english = desk.run("list", lang="en").stderr
    assert "malformed YAML" in english and "holds a lone surrogate" in english
