"""The record of a check (``.cstool/verified.json``): an unchanged file is not read again,
its findings are worded in the language of each run, and whatever a finding depends on
(the file's content, the clock) checks the file again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cstool.desk import lined, verify, verify_cache, yamlio
from cstool.desk.paths import stat_key
from cstool.messages import Both, Joined, Phrase
from tests.support.desk import closed_complaint

CALL_DUE = "2026-11-18T10:00:00+08:00"  # a complaint closed on 2026-11-16 10:00: its call after 2d


def _next_second() -> None:
    """Wait until the clock passes into the next second: a file changed in the second a
    check begins is not kept, so a test that wants it kept waits."""
    time.sleep(1.02 - time.time() % 1)


def _reads(patch) -> list[str]:
    """The ticket files verify reads from now on (by any of its loaders)."""
    read: list[str] = []
    for module, name in ((yamlio, "load_plain"), (yamlio, "load"), (verify, "load_lined")):
        original = getattr(module, name)

        def counting(path, label=None, *args, _original=original, **kw):
            if "tickets" in Path(path).parts:
                read.append(Path(path).name)
            return _original(path, label, *args, **kw)

        patch.setattr(module, name, counting)
    return read


def _forget(desk) -> None:
    (desk.root / ".cstool" / verify_cache.CACHE_NAME).unlink(missing_ok=True)


def test_kept_findings_are_worded_in_the_language_of_each_run_without_reading_the_file(git_desk, monkeypatch):
    d = git_desk
    tid = closed_complaint(d)
    path = d.path(tid)
    path.write_text(path.read_text(encoding="utf-8").replace("priority: ", "priority: Z", 1), encoding="utf-8")
    d.git("commit", "-qam", "hand edit")
    after_call = "2026-11-20T10:00:00+08:00"
    _next_second()
    zh = d.run("verify", lang="zh", now=after_call)
    assert zh.exit_code == 1 and "回访" in zh.stdout and "priority" in zh.stdout
    with monkeypatch.context() as patch:
        read = _reads(patch)
        en = d.run("verify", lang="en", now=after_call)
        zh_again = d.run("verify", lang="zh", now=after_call)
        json_kept = d.run("verify", "--json", now=after_call)
    assert read == []  # every file answered from the record, in either language
    _forget(d)
    assert (en.exit_code, en.stdout) == (1, d.run("verify", lang="en", now=after_call).stdout)
    assert "follow-up" in en.stdout and "回访" not in en.stdout
    assert zh_again.stdout == zh.stdout
    _forget(d)
    assert json_kept.json == d.run("verify", "--json", now=after_call).json


def test_a_hand_edit_keeping_size_and_times_after_a_check_is_found(git_desk):
    d = git_desk
    tid = d.create("--type", "inquiry", "--title", "查询进度")
    path = d.path(tid)
    _next_second()
    assert d.run("verify").exit_code == 0
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: open", "status: xxxx", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -d` would put it back
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns
    res = d.run("verify", "--json")
    assert res.exit_code == 1
    assert [(f["file"], f["code"]) for f in res.json["findings"] if f["ticket"] == tid][:1] == \
        [(path.relative_to(d.root).as_posix(), "schema")]


def test_a_hand_edit_outside_git_after_a_check_is_found(desk):
    tid = desk.create("--type", "inquiry", "--title", "查询进度")
    path = desk.path(tid)
    _next_second()
    assert desk.run("verify").exit_code == 0
    before = os.stat(path)
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: xxxx", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert desk.run("verify").exit_code == 1


def test_a_follow_up_finding_appears_once_now_passes_its_due_time_and_goes_when_now_goes_back(desk, monkeypatch):
    tid = closed_complaint(desk)
    assert desk.ticket(tid)["followups"][0]["due"] == CALL_DUE
    _next_second()
    before_due, after_due = "2026-11-18T09:59:00+08:00", "2026-11-18T10:01:00+08:00"
    assert desk.run("verify", now=before_due).exit_code == 0
    with monkeypatch.context() as patch:
        read = _reads(patch)
        assert desk.run("verify", now=before_due).exit_code == 0
    assert read == []  # kept, while now stays before the call
    late = desk.run("verify", "--json", now=after_due)
    assert late.exit_code == 1
    assert [f["code"] for f in late.json["findings"]] == ["complaint"] and CALL_DUE in late.json["findings"][0]["message"]
    assert desk.run("verify", now=after_due).exit_code == 1  # kept with its finding
    assert desk.run("verify", now=before_due).exit_code == 0  # and gone again before the call


def test_a_customer_records_findings_are_kept_and_a_change_to_it_is_found(desk, monkeypatch):
    path = desk.root / "customers" / "C-00H2QS.yaml"
    path.write_text('id: "C-00H2QS"\nname: "陈军商贸有限公司"\ntier: "Q"\n', encoding="utf-8")
    _next_second()
    zh = desk.run("verify", lang="zh")
    assert zh.exit_code == 1 and "C-00H2QS.yaml:3" in zh.stdout
    with monkeypatch.context() as patch:
        read: list[str] = []
        original = yamlio.load_plain
        patch.setattr(yamlio, "load_plain", lambda p, *a, **kw: read.append(str(p)) or original(p, *a, **kw))
        en = desk.run("verify", lang="en")
    assert read == []
    _forget(desk)
    assert en.stdout == desk.run("verify", lang="en").stdout and en.stdout != zh.stdout
    assert desk.run("verify", lang="zh").stdout == zh.stdout
    path.write_text('id: "C-00H2QS"\nname: "陈军商贸有限公司"\ntier: "A"\n', encoding="utf-8")
    assert desk.run("verify").exit_code == 0


def test_files_read_on_several_cores_give_the_findings_of_one(git_desk, monkeypatch):
    d = git_desk
    ids = [d.create("--type", "inquiry", "--title", f"查询{i}") for i in range(5)]
    closed_complaint(d)
    for tid in ids[:2]:  # a hand edit, and the same ID twice
        path = d.path(tid)
        path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: nope", 1), encoding="utf-8")
    (d.path(ids[3]).parent / "CS-2026-ZZZZZZZ.yaml").write_bytes(d.path(ids[4]).read_bytes())
    one = d.run("verify", "--json", now="2026-11-25T10:00:00+08:00")
    monkeypatch.setattr(verify, "PARALLEL_FROM", 1)
    monkeypatch.setattr(verify, "CHUNK", 2)
    _forget(d)
    several = d.run("verify", "--json", now="2026-11-25T10:00:00+08:00")
    assert one.exit_code == several.exit_code == 1
    assert {f["code"] for f in one.json["findings"]} >= {"schema", "duplicate", "complaint", "uncommitted"}
    assert several.json == one.json


def test_a_file_changed_in_the_second_the_check_began_is_not_kept(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("id: x\n", encoding="utf-8")
    key = stat_key(os.lstat(path))
    cache = verify_cache.CheckCache(tmp_path, "config", {"tickets/t.yaml": key})
    cache.keep("tickets/t.yaml", ["CS-1", [], [], None, None, []])
    assert cache.kept == {}
    cache.started += 2_000_000_000  # the same file, as seen by a check two seconds later
    cache.keep("tickets/t.yaml", ["CS-1", [], [], None, None, []])
    assert cache.kept == {"tickets/t.yaml": [key, "CS-1", [], [], None, None, []]}


def test_findings_are_kept_free_of_language_and_given_back_as_they_were():
    note = Phrase("finding.conflict", note=Phrase("finding.conflict_default"), id="CS-2026-AAAAAAA")
    joined = Joined([Phrase("who.assignee"), "x", 3], "join.or")
    for value in (note, joined, Phrase("finding.event_problem", n=2, problem=Both("甲", "a")), "text", 5, 1.5, None,
                  Phrase("finding.missing", key={"a": [1, "b"], 2: None})):
        back = verify_cache.decode(verify_cache.encode(value))
        for lang in ("zh", "en"):
            assert (back.text(lang) if hasattr(back, "text") else back) == \
                (value.text(lang) if hasattr(value, "text") else value)
    with pytest.raises(TypeError):
        verify_cache.encode(Phrase("finding.missing", key=(1, 2)))


# ------------------------------------------------------------------ lines without the round-trip loader

_words = st.text(alphabet="abcxz中文", min_size=1, max_size=6)
_scalars = st.one_of(st.integers(min_value=0, max_value=10**6), _words,
                     st.text(alphabet="ab :#'\"\\\n-1é", max_size=8).map(lambda t: ("q", t)))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(_words, inner, max_size=3)), max_leaves=12)


def _yaml(value, indent=0) -> str:
    """Block YAML of a value: mappings and lists one item a line, quoted text where asked."""
    pad = " " * indent
    if isinstance(value, dict):
        return "".join(f"{pad}{k}:" + (f"\n{_yaml(v, indent + 2)}" if isinstance(v, (dict, list)) and v
                                       else f" {_scalar(v)}\n") for k, v in value.items()) or f"{pad}{{}}\n"
    if isinstance(value, list):
        return "".join(f"{pad}-" + (f"\n{_yaml(v, indent + 2)}" if isinstance(v, (dict, list)) and v
                                    else f" {_scalar(v)}\n") for v in value) or f"{pad}[]\n"
    return f"{pad}{_scalar(value)}\n"


def _scalar(value) -> str:
    if isinstance(value, tuple):
        return '"' + value[1].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if value == {}:
        return "{}"
    if value == []:
        return "[]"
    return str(value)


def _lines(value) -> object:
    """Every key's and item's line, as the round-trip loader's ``lc`` gives them."""
    if isinstance(value, dict):
        return {k: (value.lc.key(k)[0], _lines(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [(value.lc.item(i)[0], _lines(v)) for i, v in enumerate(value)]
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.dictionaries(_words, _values, min_size=1, max_size=4))
def test_the_fast_reader_gives_the_values_and_lines_of_the_round_trip_loader(doc, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(_yaml(doc), encoding="utf-8")
    fast, slow = lined.load_lined(path, "t.yaml"), yamlio.load(path, "t.yaml")
    assert isinstance(fast, lined.LinedDict)  # the fast reader took it
    assert fast == slow and _lines(fast) == _lines(slow)


@pytest.mark.parametrize("text", ["a: 2026-11-18\n", "a: 1.5\n", "a: yes\n", "a: |\n  x\n", "a: &x 1\nb: *x\n",
                                  "a: 0x1F\n", "a: ~\n", "a: -1\n"])
def test_a_value_the_loaders_might_read_otherwise_goes_to_the_round_trip_loader(text, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        expected = yamlio.load(path, "t.yaml")
    except Exception as exc:  # the same refusal, word for word
        with pytest.raises(type(exc)) as info:
            lined.load_lined(path, "t.yaml")
        assert str(info.value) == str(exc)
        return
    got = lined.load_lined(path, "t.yaml")
    assert not isinstance(got, lined.LinedDict) and got == expected
