"""The bulk paths made fast give what the plain ways give: JSON output, due listings,
and the integrity check that reuses what it found for files that did not change."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.reports.render import plain, to_json

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
                    st.datetimes(timezones=st.just(timezone(timedelta(hours=8)))), st.dates())
KEYS = st.one_of(st.text(max_size=4), st.integers(-3, 3), st.booleans(), st.none(), st.dates())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                                                        st.dictionaries(KEYS, inner, max_size=3)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_json_output_is_what_the_standard_encoder_writes(value):
    assert to_json(value) == json.dumps(plain(value), ensure_ascii=False, indent=2)


def test_json_output_of_a_long_list_of_rows():
    rows = [{"id": f"CS-2026-{i:07d}", "due": datetime(2026, 11, 3, 10, i % 60).isoformat(), "overdue": i % 2 == 0,
             "group": None, "title": "空调不制冷\n\"急\"", "left_minutes": -i, "ratio": i / 7} for i in range(500)]
    rows.append({"nested": [{"a": date(2026, 1, 1)}, {}], "n": {}})
    assert to_json(rows) == json.dumps(plain(rows), ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- verify reuses clean files

HANDLER = "wang.fang@example.com"


def _reads(monkeypatch) -> list[str]:
    """The ticket files the check reads from now on (by the fast parser, as it reads them first)."""
    from cstool.desk import yamlio

    read: list[str] = []
    original = yamlio.load_plain

    def counting(path, name=None):
        if str(name or path).startswith("tickets/"):
            read.append(str(name))
        return original(path, name)

    monkeypatch.setattr(yamlio, "load_plain", counting)
    return read


def _past_this_second() -> None:
    """Wait into the next second: a file changed in the second a check begins is not kept
    in its record (a second change within the clock's tick could leave the same stat key)."""
    import time

    time.sleep(1.02 - time.time() % 1)


def test_a_second_check_reads_no_unchanged_file_and_a_changed_one_again(git_desk, monkeypatch):
    ids = [git_desk.create("--type", "inquiry", "--title", f"问询 {i}") for i in range(3)]
    _past_this_second()
    git_desk.ok("verify")
    read = _reads(monkeypatch)
    assert "3" in git_desk.ok("verify").stdout
    assert read == []
    path = git_desk.path(ids[1])
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: bogus"), encoding="utf-8")
    res = git_desk.run("verify", "--json")
    assert res.exit_code == 1
    assert [(f["ticket"], f["code"]) for f in res.json["findings"] if f["code"] == "schema"] == [(ids[1], "schema")]
    assert set(read) == {path.relative_to(git_desk.root).as_posix()}  # by the index, then by the check


def test_a_follow_up_call_that_falls_due_later_is_found_though_the_file_did_not_change(desk):
    tid = desk.create("--type", "complaint", "--title", "热水器漏水", "--assignee", HANDLER, now="2026-11-16T09:00:00+08:00")
    desk.ok("reply", tid, "-m", "已联系", as_=HANDLER, now="2026-11-16T09:10:00+08:00")
    desk.ok("close", tid, "--resolution", "更换密封圈", as_=HANDLER, now="2026-11-16T10:00:00+08:00")
    desk.ok("verify", now="2026-11-16T11:00:00+08:00")
    res = desk.run("verify", "--json", now="2026-12-20T11:00:00+08:00")
    assert res.exit_code == 1
    assert [f["code"] for f in res.json["findings"]] == ["complaint"]
    desk.ok("verify", now="2026-11-16T11:00:00+08:00")  # and before the call, clean again


def test_a_customer_record_removed_is_found_missing_by_the_unchanged_ticket(desk):
    cid = desk.ok("customer", "add", "--name", "客户甲", "--phone", "13812345678", "--tier", "A").stdout.strip().split()[0]
    tid = desk.create("--type", "inquiry", "--title", "问询", "--customer", cid)
    desk.ok("verify")
    (desk.root / "customers" / f"{cid}.yaml").unlink()
    res = desk.run("verify", "--json")
    assert res.exit_code == 1
    assert [(f["ticket"], f["code"]) for f in res.json["findings"]] == [(tid, "reference")]


def test_checking_some_files_keeps_what_was_known_of_the_others(git_desk, monkeypatch):
    ids = [git_desk.create("--type", "inquiry", "--title", f"问询 {i}") for i in range(3)]
    _past_this_second()
    git_desk.ok("verify")
    git_desk.ok("verify", str(git_desk.path(ids[0])))
    read = _reads(monkeypatch)
    git_desk.ok("verify")
    assert read == []


def test_findings_of_an_unchanged_file_are_kept_and_worded_in_the_language_of_the_run(git_desk, monkeypatch):
    """A file's findings are kept in the record by catalogue key and values: an unchanged
    file with findings is not read again, and its findings come in the words of each run."""
    ids = [git_desk.create("--type", "inquiry", "--title", f"问询 {i}") for i in range(2)]
    path = git_desk.path(ids[0])
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: bogus"), encoding="utf-8")
    _past_this_second()
    first = git_desk.run("verify", "--json")
    read = _reads(monkeypatch)
    again = git_desk.run("verify", "--json")
    assert again.exit_code == first.exit_code == 1
    assert again.json == first.json
    in_chinese = git_desk.run("verify", lang="zh")
    assert in_chinese.exit_code == 1 and "'bogus' 不是以下之一" in in_chinese.stdout
    assert read == []


def test_a_rebuild_on_every_core_indexes_every_ticket(desk, monkeypatch):
    """The rebuild parses chunks on worker processes; none may be lost (one was: the chunk
    after the first window of chunks in flight)."""
    import shutil

    from cstool.desk import index

    ids = {desk.create("--type", "inquiry", "--title", f"问询 {i}") for i in range(7)}
    shutil.rmtree(desk.root / ".cstool")
    monkeypatch.setattr(index, "PARALLEL_FROM", 1)
    monkeypatch.setattr(index, "CHUNK", 1)
    monkeypatch.setattr(index.os, "cpu_count", lambda: 2)
    listed = desk.ok("list", "--status", "all", "--limit", "0", "--json").json
    assert {t["id"] for t in listed} == ids


def test_a_link_to_a_ticket_that_does_not_exist_is_named_in_the_run_s_language(desk):
    tid = desk.create("--type", "inquiry", "--title", "问询")
    path = desk.path(tid)
    path.write_text(path.read_text(encoding="utf-8") + "links:\n- CS-2026-NOSUCH9\n", encoding="utf-8")
    zh = desk.run("verify", lang="zh")
    en = desk.run("verify", lang="en")
    assert zh.exit_code == en.exit_code == 1
    assert "关联的工单 CS-2026-NOSUCH9 不存在" in zh.stdout + zh.stderr
    assert "linked ticket CS-2026-NOSUCH9 does not exist" in en.stdout + en.stderr
