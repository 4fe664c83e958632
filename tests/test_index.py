"""The index is only a cache: results with and without it are identical, it sees every
change, and a corrupt or missing index is rebuilt silently."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest

from benchmarks.make_desk import generate
from cstool.desk import query
from cstool.desk.store import Desk as StoreDesk
from cstool.domain.workflow import calendar_of
from cstool.reports.render import plain
from cstool.time import due
from tests.support.desk import CliDesk

NOW = "2026-11-22T18:00:00+08:00"

# a ticket file's content (with its name and the desk's time zone) → the ticket as plain values
_PARSED: dict[tuple[str, bytes, str], dict] = {}


def live_tickets(desk: StoreDesk) -> list[dict]:
    """Every ticket straight from its YAML file, as ``desk.iter_tickets()`` gives them, in
    plain values, without the index. Parsing the same bytes gives the same ticket, so a
    file is parsed once per content (never judged unchanged by its size or mtime)."""
    out = []
    for _, path in sorted(desk.ticket_files().items()):
        key = (path.name, path.read_bytes(), str(desk.config.tz))
        if key not in _PARSED:
            _PARSED[key] = plain(desk.load_ticket(path))
        out.append(copy.deepcopy(_PARSED[key]))
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen") / "desk"
    generate(root, 400, seed=7)
    return root


def live_due(root: Path, now_text: str, within: str = "1w") -> list[dict]:
    """`due --within W` computed straight from the YAML files, without the index."""
    from cstool.domain.customers import load_all
    from cstool.time.clock import parse_time
    from cstool.time.durations import parse_duration

    desk = StoreDesk.open(root)
    config = desk.config
    cal = calendar_of(config)
    now = parse_time(now_text, config.tz)
    tickets = live_tickets(desk)
    items = due.collect(tickets, load_all(desk), config, cal, now)
    items = due.select(items, horizon=cal.add(now, parse_duration(within)), overdue_only=False, assignees=(), groups=(), kinds=())
    return [i.as_json() for i in items]


def compare(root: Path) -> None:
    d = CliDesk(root)
    for now in (NOW, "2026-11-10T09:00:00+08:00", "2027-01-04T09:00:00+08:00"):
        indexed = d.ok("due", "--json", "--within", "1w", now=now).json
        key = lambda i: (i["due"], i["id"], i["kind"])  # noqa: E731
        assert sorted(indexed, key=key) == sorted(live_due(root, now), key=key)
    listed = d.ok("list", "--status", "all", "--json", "--limit", "0", now=NOW).json
    desk = StoreDesk.open(root)
    live = [{k: v for k, v in query.summarize(t).items() if not k.startswith("_")} for t in live_tickets(desk)]
    # masked contacts, and the due time list adds from the deadlines (those are checked against `due`)
    mask = lambda rows: sorted(({k: v for k, v in r.items() if k not in ("phone", "email", "due")} for r in rows), key=lambda r: r["id"])  # noqa: E731,E501
    assert mask(listed) == mask(live)
    audit = d.ok("audit", "--period", "2026-10", "--json", now=NOW).json
    from cstool.reports import audit as audit_mod
    from cstool.time.clock import parse_time

    config = desk.config
    period = audit_mod.parse_period("2026-10", None, None, config.tz, parse_time(NOW, config.tz))
    expected = audit_mod.report(live_tickets(desk), config, calendar_of(config), period,
                                parse_time(NOW, config.tz))
    assert audit == plain(expected)


def test_results_with_and_without_the_index_are_identical(generated, tmp_path):
    root = tmp_path / "desk"
    shutil.copytree(generated, root)
    compare(root)  # cold: the index is built
    d = CliDesk(root)
    files = sorted((root / "tickets").glob("*/*/*.yaml"))
    # a hand edit in place (same size: only the content changes)
    text = files[0].read_text(encoding="utf-8")
    text = text.replace('priority: A', 'priority: C').replace('priority: B', 'priority: C')
    files[0].write_text(text, encoding="utf-8")
    # a deletion, a new ticket, an action and a customer visit
    files[1].unlink()
    d.ok("create", "--type", "complaint", "--title", "新工单", now=NOW)
    open_one = next(r["id"] for r in d.ok("list", "--json", now=NOW).json)
    d.ok("escalate", open_one, "--reason", "测试", as_="chen.jing@example.com", now=NOW)
    cid = sorted((root / "customers").glob("*.yaml"))[0].stem
    d.ok("customer", "visit", cid, "--result", "satisfied", as_="he.xue@example.com", now=NOW)
    compare(root)  # warm: only the changed files were read again


def test_a_corrupt_or_old_index_is_rebuilt_silently(generated, tmp_path):
    root = tmp_path / "desk"
    shutil.copytree(generated, root)
    d = CliDesk(root)
    first = d.ok("list", "--json", now=NOW).json
    (root / ".cstool" / "index.sqlite").write_bytes(b"this is not a database")
    for suffix in ("-wal", "-shm"):
        (root / ".cstool" / f"index.sqlite{suffix}").unlink(missing_ok=True)
    assert d.ok("list", "--json", now=NOW).json == first
    import sqlite3

    conn = sqlite3.connect(root / ".cstool" / "index.sqlite")
    conn.execute("PRAGMA user_version=1")
    conn.close()
    assert d.ok("list", "--json", now=NOW).json == first
    shutil.rmtree(root / ".cstool")
    assert d.ok("list", "--json", now=NOW).json == first


def test_a_config_change_recomputes_the_deadlines(tmp_path, generated):
    root = tmp_path / "desk"
    shutil.copytree(generated, root)
    d = CliDesk(root)
    before = d.ok("due", "--json", "--within", "2w", now="2026-11-20T09:00:00+08:00").json
    config = root / "cstool.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  holidays: [", "  holidays: [2026-11-23, 2026-11-24, ", 1),
                      encoding="utf-8")
    after = d.ok("due", "--json", "--within", "2w", now="2026-11-20T09:00:00+08:00").json
    assert after != before
    key = lambda i: (i["due"], i["id"], i["kind"])  # noqa: E731
    assert sorted(after, key=key) == sorted(live_due(root, "2026-11-20T09:00:00+08:00", "2w"), key=key)


def listed_matches_files(root: Path) -> None:
    """`list` through the index shows exactly what the files hold now."""
    listed = CliDesk(root).ok("list", "--status", "all", "--json", "--limit", "0", now=NOW).json
    live = [{k: v for k, v in query.summarize(t).items() if not k.startswith("_")}
            for t in live_tickets(StoreDesk.open(root))]
    # masked contacts, and the due time list adds from the deadlines (those are checked against `due`)
    mask = lambda rows: sorted(({k: v for k, v in r.items() if k not in ("phone", "email", "due")} for r in rows), key=lambda r: r["id"])  # noqa: E731,E501
    assert mask(listed) == mask(live)


@pytest.mark.parametrize("watch_limit", [5000, 20])
def test_a_git_desk_sees_every_checkout_pull_stash_and_revert(tmp_path, monkeypatch, watch_limit):
    """In a git desk the index stats only what git reports; every change is still seen.
    With a low watch limit the rebuild settles the watch itself (as at 100,000 tickets)."""
    from cstool.desk import index

    monkeypatch.setattr(index, "WATCH_LIMIT", watch_limit)
    root = tmp_path / "desk"
    generate(root, 120, seed=11, git=True)
    d = CliDesk(root)
    files = sorted((root / "tickets").glob("*/*/*.yaml"))
    listed_matches_files(root)  # cold
    listed_matches_files(root)  # warm: the files parsed at the rebuild leave the watch
    import sqlite3

    conn = sqlite3.connect(root / ".cstool" / "index.sqlite")
    assert conn.execute("SELECT count(*) FROM watch").fetchone()[0] == 0
    conn.close()

    def edit(path: Path, old: str, new: str, keep_mtime: bool = False) -> None:
        st = path.stat()
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        if keep_mtime:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    # an in-place edit of the same size with the old mtime, then reverted with git
    edit(files[0], 'status: ', 'status: x', keep_mtime=False)
    edit(files[0], 'status: x', 'status: ', keep_mtime=True)
    listed_matches_files(root)
    edit(files[0], 'title: ', 'title: 改', keep_mtime=True)
    listed_matches_files(root)
    d.git("checkout", "--", files[0].relative_to(root).as_posix())
    listed_matches_files(root)

    # a branch with a committed edit and a deletion; switching back and forth
    d.git("checkout", "-q", "-b", "other")
    edit(files[1], 'title: ', 'title: 分支')
    files[2].unlink()
    d.git("commit", "-q", "-am", "on a branch")
    listed_matches_files(root)
    d.git("checkout", "-q", "-")
    listed_matches_files(root)
    d.git("checkout", "-q", "other")
    listed_matches_files(root)
    d.git("checkout", "-q", "-")

    # a stash takes an edit away and brings it back
    edit(files[3], 'title: ', 'title: 暂存')
    listed_matches_files(root)
    d.git("stash", "-q")
    listed_matches_files(root)
    d.git("stash", "pop", "-q")
    listed_matches_files(root)
    d.git("checkout", "--", ".")

    # a deleted file restored; an uncommitted new ticket removed by hand
    files[4].unlink()
    listed_matches_files(root)
    d.git("checkout", "--", files[4].relative_to(root).as_posix())
    listed_matches_files(root)
    new_id = d.create("--type", "inquiry", "--title", "未提交", "--no-commit")
    listed_matches_files(root)
    d.path(new_id).unlink()
    listed_matches_files(root)

    # a pull, as git sees it: HEAD moves to a commit with other content
    open_one = next(r["id"] for r in d.ok("list", "--json", now=NOW).json)
    d.ok("escalate", open_one, "--reason", "升级", as_="chen.jing@example.com", now=NOW)
    listed_matches_files(root)
    d.git("reset", "-q", "--hard", "HEAD~1")
    listed_matches_files(root)
    d.git("merge", "-q", "--ff-only", "other")
    listed_matches_files(root)

    # an indexed commit that no longer exists: every file is statted again
    conn = sqlite3.connect(root / ".cstool" / "index.sqlite")
    conn.execute("UPDATE meta SET value = '0123456789abcdef0123456789abcdef01234567' WHERE key = 'git_head'")
    conn.commit()
    conn.close()
    edit(files[6], 'title: ', 'title: 无头')
    d.git("commit", "-q", "-am", "edit")
    listed_matches_files(root)
    compare(root)


def live_audit(root: Path, period: str, now_text: str) -> dict:
    from cstool.reports import audit as audit_mod
    from cstool.time.clock import parse_time

    desk = StoreDesk.open(root)
    config = desk.config
    now = parse_time(now_text, config.tz)
    per = audit_mod.parse_period(period, None, None, config.tz, now)
    return plain(audit_mod.report(live_tickets(desk), config, calendar_of(config), per, now))


@pytest.mark.parametrize("parallel_from", [2000, 10])
def test_audit_through_the_index_follows_every_change(generated, tmp_path, monkeypatch, parallel_from):
    """The audit reads what the index keeps of each ticket; after hand edits it still
    equals the report worked out from the files. With a low threshold the index is
    built by worker processes."""
    from cstool.desk import index

    monkeypatch.setattr(index, "PARALLEL_FROM", parallel_from)
    root = tmp_path / "desk"
    shutil.copytree(generated, root)
    d = CliDesk(root)
    first = d.ok("audit", "--period", "2026-10", "--json", now=NOW).json
    assert first == live_audit(root, "2026-10", NOW)
    # October complaints: one deleted, one re-categorised by hand
    october = [p for p in sorted((root / "tickets" / "2026" / "10").glob("*.yaml"))
               if 'type: complaint' in p.read_text(encoding="utf-8")]
    october[0].unlink()
    text = october[1].read_text(encoding="utf-8")
    october[1].write_text(text.replace("category: ", 'category: "改过的分类"\nx_old_category: ', 1), encoding="utf-8")
    again = d.ok("audit", "--period", "2026-10", "--json", now=NOW).json
    assert again != first
    assert again == live_audit(root, "2026-10", NOW)
    for period, now in (("2026-11", NOW), ("2026-W45", NOW), ("2025-12", "2026-01-05T09:00:00+08:00")):
        assert d.ok("audit", "--period", period, "--json", now=now).json == live_audit(root, period, now)


def test_a_desk_in_a_subfolder_of_a_repository(tmp_path, new_desk):
    """A desk kept in a folder of a larger repository (as records/ is here): git's paths
    are relative to the repository's top, the index's to the desk."""
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    d = new_desk(repo / "service" / "desk")
    ids = [d.create("--type", "inquiry", "--title", f"子目录 {i}") for i in range(3)]
    (repo / ".gitignore").write_text(".cstool/\n", encoding="utf-8")
    d.git("add", "-A", str(repo))
    d.git("commit", "-q", "-m", "desk")
    listed_matches_files(d.root)
    listed_matches_files(d.root)
    path = d.path(ids[0])
    before = path.read_text(encoding="utf-8")
    path.write_text(before.replace("子目录 0", "子目录 改", 1), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != before
    listed_matches_files(d.root)
    d.git("checkout", "--", str(path))
    listed_matches_files(d.root)
    d.git("rm", "-q", str(d.path(ids[1])))
    d.git("commit", "-q", "-m", "gone")
    listed_matches_files(d.root)
    listed_matches_files(d.root)  # the file removed last time is checked once more, then left alone
    import sqlite3

    conn = sqlite3.connect(d.root / ".cstool" / "index.sqlite")
    assert conn.execute("SELECT value FROM meta WHERE key = 'git_head'").fetchone()[0] == d.git("rev-parse", "HEAD").strip()
    assert conn.execute("SELECT count(*) FROM watch").fetchone()[0] == 0
    conn.close()


def test_the_installed_command_sees_an_edit_made_after_the_index_was_built(tmp_path):
    """`cstool` as a process starts git's check before it loads the command; what it then
    lists is still what the files hold, whichever place the global options are in."""
    import json as json_mod
    import subprocess
    import sys

    root = tmp_path / "desk"
    generate(root, 30, seed=5, git=True)
    base = [sys.executable, "-m", "cstool"]
    env = {**os.environ, "CSTOOL_NOW": NOW, "CSTOOL_USER": "zhao.lei@example.com", "CSTOOL_LANG": "en"}

    def listed(*argv: str) -> dict[str, str]:
        proc = subprocess.run([*base, *argv], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return {r["id"]: r["title"] for r in json_mod.loads(proc.stdout)}

    before = listed("--store", str(root), "list", "--status", "all", "--json", "--limit", "0")
    path = sorted((root / "tickets").glob("*/*/*.yaml"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace('title: ', 'title: 改', 1), encoding="utf-8")
    after = listed("list", "--status", "all", "--json", "--limit", "0", "--store", str(root))
    assert after[path.stem] == "改" + before[path.stem]
    env["CSTOOL_STORE"] = str(root)
    assert listed("--lang", "en", "list", "--status", "all", "--json", "--limit", "0") == after


def test_making_the_index_private_keeps_sqlites_locks(tmp_path):
    """Closing any descriptor of a file drops every POSIX lock the process holds on it,
    SQLite's included. Checking the index file's mode while a connection of this process
    has it open must not open the file: else the next process to close its connection
    believes itself the last one and deletes the WAL under the open connection (which
    corrupted the index when one process ran many commands, as concurrent creates do)."""
    import sqlite3
    import subprocess
    import sys

    from cstool.desk.index import _private

    db = tmp_path / "index.sqlite"
    _private(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x)")
    holder.execute("INSERT INTO t VALUES (1)")
    _private(db)
    probe = ("import sqlite3, sys\n"
             "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "c.execute('SELECT * FROM t').fetchall()\n"
             "c.close()\n")
    subprocess.run([sys.executable, "-c", probe, str(db)], check=True)
    assert (tmp_path / "index.sqlite-wal").exists(), "the WAL was deleted under an open connection"
    holder.close()
    assert db.stat().st_mode & 0o777 == 0o600


def _index_content(root: Path) -> dict[str, object]:
    """Every row of every table of a desk's index (audit keys left out: they number the
    tickets in the order they were stored) and the definitions of its indexes."""
    import sqlite3

    conn = sqlite3.connect(root / ".cstool" / "index.sqlite")
    content: dict[str, object] = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"):
        cols = [row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] != "t"]
        content[table] = sorted(map(repr, conn.execute(f"SELECT {', '.join(repr(c) for c in cols)} FROM {table}")))
    made = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    content["indexes"] = sorted(sql for (sql,) in made)
    conn.close()
    return content


def test_a_cold_build_stores_what_file_by_file_building_stores(generated, tmp_path, monkeypatch):
    """A first build of many files fills the tables without their indexes and stores the
    audit moments in key order at the end; the index must come out as one built a file at a
    time, with the same indexes, and go on taking changes."""
    from cstool.desk import index

    bulk, single = tmp_path / "bulk", tmp_path / "single"
    shutil.copytree(generated, bulk)
    shutil.copytree(generated, single)
    loads = []
    bulk_load = index.Index._bulk_load
    monkeypatch.setattr(index.Index, "_bulk_load", lambda self: loads.append(self) or bulk_load(self))
    monkeypatch.setattr(index, "PARALLEL_FROM", 50)
    CliDesk(bulk).ok("list", "--limit", "1", now=NOW)
    assert len(loads) == 1
    monkeypatch.setattr(index, "PARALLEL_FROM", 10 ** 9)
    CliDesk(single).ok("list", "--limit", "1", now=NOW)
    assert len(loads) == 1
    assert _index_content(bulk) == _index_content(single)
    assert len(_index_content(bulk)["moments"]) > 1000
    for root in (bulk, single):  # a later change goes through the indexes made at the end
        path = sorted((root / "tickets").rglob("*.yaml"))[0]
        path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 改 ", 1), encoding="utf-8")
        CliDesk(root).ok("list", "--limit", "1", now=NOW)
    assert _index_content(bulk) == _index_content(single)


def test_an_index_held_by_another_process_too_long_is_a_clear_refusal(desk, monkeypatch):
    """A reader that waited its whole time for another process's lock on the index (one
    rebuilding it, say) said 意外错误: OperationalError: database is locked."""
    import sqlite3

    from cstool.desk import index
    from tests.support.desk import assert_refusal

    tid = desk.create("--type", "inquiry", "--title", "问询")
    desk.ok("list")
    path = desk.path(tid)
    path.write_text(path.read_text(encoding="utf-8").replace("问询", "改过的问询"), encoding="utf-8")
    holder = sqlite3.connect(desk.root / ".cstool" / "index.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(index, "BUSY_TIMEOUT", 0.2)
    try:
        for lang, words in (("zh", "正被另一个 cstool 进程占用"), ("en", "held by another cstool process")):
            assert_refusal(desk.run("list", lang=lang), 3, words)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "改过的问询" in desk.ok("list").stdout


# --------------------------------------------------------------------------- reading while git works

@pytest.fixture
def git_still_working(monkeypatch):
    """As on a large desk: the git status a reading command starts is still running when the
    command is ready to read the index."""
    from cstool.git import repo

    monkeypatch.setattr(repo, "tree_state_running", lambda root, pathspec: True)


def _titles(index) -> list[str]:
    return sorted(title for (title,) in index.conn.execute("SELECT title FROM files"))


def _counting(calls: list[int], fail_first: bool = False):
    def reader(index):
        calls.append(1)
        if fail_first and len(calls) == 1:
            raise ValueError("not on this index")
        return _titles(index)
    return reader


def test_a_reader_of_an_index_that_stands_runs_once_while_git_works(git_desk, git_still_working):
    git_desk.create("--type", "inquiry", "--title", "一")
    git_desk.ok("list")  # the index refreshed since the last write
    calls: list[int] = []
    assert StoreDesk.open(git_desk.root).read_index(_counting(calls)) == ["一"]
    assert len(calls) == 1


@pytest.mark.parametrize("change", ["edited by hand", "committed with git", "edited with cstool"])
def test_a_reader_gives_what_the_refreshed_index_holds_when_the_files_changed(git_desk, git_still_working, change):
    """What a reader gave on the index as it stood is dropped when the refresh then changes
    the index (a file edited by hand or brought by git); after a cstool write the reader
    waits for the refresh (the index does not stand)."""
    tid = git_desk.create("--type", "inquiry", "--title", "一")
    git_desk.ok("list")
    if change == "edited with cstool":
        git_desk.ok("edit", tid, "--title", "二", "-m", "改标题")
    else:
        path = git_desk.path(tid)
        path.write_text(path.read_text(encoding="utf-8").replace("title: 一", "title: 二"), encoding="utf-8")
        if change == "committed with git":
            git_desk.git("commit", "-q", "-am", "改标题")
    calls: list[int] = []
    assert StoreDesk.open(git_desk.root).read_index(_counting(calls)) == ["二"]
    assert len(calls) == (1 if change == "edited with cstool" else 2)
    assert [r["title"] for r in git_desk.ok("list", "--json").json] == ["二"]


def test_a_reader_that_fails_on_the_index_as_it_stood_runs_again_on_the_refreshed_one(git_desk, git_still_working):
    git_desk.create("--type", "inquiry", "--title", "一")
    git_desk.ok("list")
    calls: list[int] = []
    assert StoreDesk.open(git_desk.root).read_index(_counting(calls, fail_first=True)) == ["一"]
    assert len(calls) == 2


def _kind_by_parts(rel: str) -> str | None:
    """The rule of a desk file's path spelt out part by part (what index._kind decides)."""
    parts = rel.split("/")
    if not parts[-1].endswith(".yaml") or any(p.startswith(".") or not p for p in parts):
        return None
    if len(parts) == 4 and parts[0] == "tickets":
        return "ticket"
    if len(parts) == 2 and parts[0] == "customers":
        return "customer"
    return None


def test_a_path_is_a_ticket_or_a_customer_file_by_the_rule_of_its_parts():
    """Which paths git reports are desk files is decided by one pattern; it agrees with the
    rule spelt out part by part on generated paths (hidden parts, empty parts, other names,
    too few or too many folders, names that only end like .yaml)."""
    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    from cstool.desk.index import _kind

    part = st.sampled_from(["tickets", "customers", "2026", "11", "CS-2026-7KQ3MX9.yaml", ".yaml", "a.yaml", ".git",
                            "", "x.yml", "a.yaml.bak", "a\n.yaml", "tickets.yaml", "中.yaml", " .yaml", "..", "."])
    paths = st.lists(part, min_size=1, max_size=5).map("/".join)

    @settings(max_examples=2000, deadline=None)
    @given(rel=paths | st.text(st.sampled_from("tickets/customers.yaml\n"), max_size=40))
    @example(rel="tickets/2026/11/CS-2026-7KQ3MX9.yaml")
    @example(rel="customers/C-1.yaml")
    @example(rel="tickets/2026/.11/a.yaml")
    def check(rel):
        assert _kind(rel) == _kind_by_parts(rel)

    check()


def test_a_reader_gives_what_another_process_brought_into_the_index_while_it_read(git_desk, git_still_working):
    """Another process refreshes the index (with a file edited by hand) while this one reads
    it early: this refresh then finds nothing left to do, yet what was read is stale."""
    tid = git_desk.create("--type", "inquiry", "--title", "一")
    git_desk.ok("list")
    path = git_desk.path(tid)
    path.write_text(path.read_text(encoding="utf-8").replace("title: 一", "title: 二"), encoding="utf-8")
    calls: list[int] = []

    def reader(index):
        calls.append(1)
        titles = _titles(index)
        if len(calls) == 1:
            StoreDesk.open(git_desk.root).index()  # the other process, on a connection of its own
        return titles

    assert StoreDesk.open(git_desk.root).read_index(reader) == ["二"]
    assert len(calls) == 2
