"""Crash safety: kill -9 a changing cstool process at a random point.

100 runs in all of ``create``, ``close`` and ``route`` as real processes (``python -m
cstool``) on a git desk, each sent SIGKILL after a random delay between 0 and the
command's measured typical duration. After every kill each ticket file parses and has
the ticket shape; temp files a kill left are only in the folder the commands write, and
the next write there removes them; at the end ``verify`` finds no parse, schema,
replay or duplicate problem and no temp file is left.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cstool.desk import yamlio
from cstool.desk.store import Desk as StoreDesk
from cstool.domain import history
from tests.support.desk import NOW
from tests.support.roster import MANAGER

# every test here loops over real processes it kills: run with `pytest -m stress`
pytestmark = pytest.mark.stress

RUNS = 100
TEMP = yamlio.TEMP_MARK
SUMMARY: dict[str, Any] = {"runs": 0, "kills": 0, "finished_before_kill": 0, "changed_then_killed": 0,
                           "temp_files_left_by_kills": 0, "temp_files_at_end": 0, "corrupt": 0, "lost": 0}


def _argv(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cstool", "--store", str(root), "--lang", "en", "--as", MANAGER, "--now", NOW, *args]


def _spawn(root: Path, *args: str) -> subprocess.Popen:
    # its own process group, so the test can wait for a git child the kill orphaned
    return subprocess.Popen(_argv(root, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env=dict(os.environ))


def _wait_group_gone(pgid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        time.sleep(0.01)
    raise AssertionError(f"process group {pgid} still alive after {timeout} s")


def _temp_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [x for x in dirnames if x != ".git"]
        out += [Path(dirpath) / n for n in filenames if TEMP in n]
    return out


def _ticket_paths(root: Path) -> list[Path]:
    return sorted((root / "tickets").glob("*/*/*.yaml"))


_PARSED: dict[Path, tuple[tuple[int, int, int], Any]] = {}


def _check_every_file(root: Path, store: StoreDesk) -> dict[str, Any]:
    """Every ticket file parses with the safe loader and has the ticket shape; its
    history replays to its fields. Returns ID → parsed ticket. A file whose size, mtime
    and inode did not change since it was last checked is not parsed again."""
    tickets = {}
    for path in _ticket_paths(root):
        st = path.stat()
        sig = (st.st_size, st.st_mtime_ns, st.st_ino)
        cached = _PARSED.get(path)
        if cached is None or cached[0] != sig:
            data = store.load_ticket(path)  # the safe loader, shape and id/file-name check
            assert history.disagreements(data) == [], path
            _PARSED[path] = (sig, data)
        tickets[path.stem] = _PARSED[path][1]
    return tickets


def _measure(root: Path, tid: str) -> float:
    times = []
    for args in (("create", "-q", "--type", "inquiry", "--title", "测速"), ("route", tid, "--group", "after_sales"),
                 ("route", tid, "--group", "inquiry"), ("create", "-q", "--type", "complaint", "--title", "测速")):
        start = time.monotonic()
        proc = subprocess.run(_argv(root, *args), capture_output=True, text=True)
        times.append(time.monotonic() - start)
        assert proc.returncode == 0, proc.stderr
    return statistics.median(times)


def test_kill_minus_nine_at_random_points(new_desk):
    rng = random.Random(int(os.environ.get("CSTOOL_CRASH_SEED", "8")))
    d = new_desk(git=True)
    root = d.root
    store = StoreDesk.open(root)
    working = [d.create("--type", t, "--title", f"工单 {i}", as_=MANAGER)
               for i, t in enumerate(["complaint", "inquiry", "suggestion", "inquiry"] * 3)]
    typical = _measure(root, working[0])
    SUMMARY["typical_seconds"] = round(typical, 3)
    folder = root / "tickets" / NOW[:4] / NOW[5:7]
    groups = ["inquiry", "after_sales", "tech", "complaint"]

    seen_temps: set[Path] = set()
    for run in range(RUNS):
        before = _check_every_file(root, store)
        action = ("create", "close", "route")[run % 3]
        if action == "create":
            args = ("create", "-q", "--type", rng.choice(["complaint", "inquiry", "repair"]), "--title", f"崩溃测试 {run}",
                    "--description", "客户说:\n- 第一行\n- 第二行")
        else:
            live = [t for t in working if before.get(t, {}).get("status") not in ("closed", None)]
            if not live:
                live = [d.create("--type", "inquiry", "--title", f"补充 {run}", as_=MANAGER)]
                working.extend(live)
                before = _check_every_file(root, store)
            tid = rng.choice(live)
            if action == "close":
                args = ("close", tid, "--resolution", f"第 {run} 次处理结果")
            else:
                current = before[tid]["group"]
                args = ("route", tid, "--group", rng.choice([g for g in groups if g != current]))
        delay = rng.uniform(0, typical)
        proc = _spawn(root, *args)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            SUMMARY["kills"] += 1
        else:
            SUMMARY["finished_before_kill"] += 1
        proc.communicate()
        _wait_group_gone(proc.pid)
        SUMMARY["runs"] += 1

        try:
            after = _check_every_file(root, store)
        except Exception as exc:  # noqa: BLE001 - counted, then reported
            SUMMARY["corrupt"] += 1
            raise AssertionError(f"run {run} ({args[0]}, killed after {delay:.3f} s): {exc} [{SUMMARY}]") from exc
        # nothing that was there is lost; at most the one command's change was applied
        for tid, old in before.items():
            new = after.get(tid)
            if new is None or new["history"][:len(old["history"])] != old["history"]:
                SUMMARY["lost"] += 1
                raise AssertionError(f"run {run}: {tid} lost history [{SUMMARY}]")
        added = sum(len(after[t]["history"]) - len(before[t]["history"]) for t in before) + (len(after) - len(before))
        assert added <= 1, f"run {run}: {added} changes from one command [{SUMMARY}]"
        if added and proc.returncode == -signal.SIGKILL:
            SUMMARY["changed_then_killed"] += 1
        for new_tid in set(after) - set(before):
            working.append(new_tid)
        temps = _temp_files(root)
        SUMMARY["temp_files_left_by_kills"] += len(set(temps) - seen_temps)
        seen_temps.update(temps)
        # a leftover temp file can only be where the killed command was writing
        assert all(t.parent == folder for t in temps), f"run {run}: temp files outside {folder}: {temps}"

    # the next changing command into that folder sweeps what the kills left
    leftovers = _temp_files(root)
    SUMMARY["temp_files_at_end"] = len(leftovers)  # the rest were swept by later runs' writes
    final = subprocess.run(_argv(root, "create", "-q", "--type", "inquiry", "--title", "收尾"), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert _temp_files(root) == [], f"temp files remain after the next command [{SUMMARY}]"
    tickets = _check_every_file(root, store)

    check = subprocess.run(_argv(root, "verify", "--json"), capture_output=True, text=True, timeout=60)
    report = json.loads(check.stdout)
    bad = [f for f in report["findings"] if f["code"] in ("parse", "schema", "replay", "duplicate", "history", "layout")]
    assert bad == [], f"verify findings after the kills: {bad} [{SUMMARY}]"
    assert check.returncode in (0, 1) and (check.returncode == 0) == (report["findings"] == []), check.stderr
    assert len({t["id"] for t in tickets.values()}) == len(tickets)

    # git: nothing half committed: every commit touches exactly one ticket file, and the
    # working tree holds at most the changes whose commit a kill cut off
    names = d.git("log", "--format=%x00", "--name-only", "--", "tickets").split("\0")
    assert all(len([n for n in chunk.split() if n]) <= 1 for chunk in names), "a commit touched several tickets"
    SUMMARY["uncommitted_changes"] = len(d.git("status", "--porcelain", "--untracked-files=all", "--", "tickets")
                                          .splitlines())
    SUMMARY["tickets"] = len(tickets)
    print(f"\n[crash] {SUMMARY}")
    assert SUMMARY["runs"] == RUNS and SUMMARY["corrupt"] == 0 and SUMMARY["lost"] == 0
    assert SUMMARY["kills"] >= RUNS // 2, f"too few runs were still alive when killed [{SUMMARY}]"


# A cstool process that SIGKILLs itself at one chosen point of a write: the random kills
# above rarely land inside the few microseconds of a write, so these points are hit on purpose.
_KILLER = r'''
import os, signal, sys
point, argv = sys.argv[1], sys.argv[2:]
from cstool.git import repo
from cstool.desk import yamlio

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def desk_file(path):
    return str(path).endswith(".yaml") and ("/tickets/" in str(path) or "/customers/" in str(path))

real_replace, real_fsync_dir, real_run_git = os.replace, yamlio.fsync_dir, repo.run_git

def replace(src, dst):
    if desk_file(dst):
        if point == "half-written-temp":
            size = os.path.getsize(src)
            os.truncate(src, size // 2)
        if point in ("half-written-temp", "before-replace"):
            die()
    return real_replace(src, dst)

def fsync_dir(folder):
    real_fsync_dir(folder)
    if point == "after-replace":
        die()

def run_git(root, *args, **kw):
    if point == "before-commit" and "commit" in args:
        die()
    return real_run_git(root, *args, **kw)

os.replace = replace
yamlio.fsync_dir = fsync_dir
repo.run_git = run_git
from cstool.cli import main
main(argv)
'''

POINTS = ("half-written-temp", "before-replace", "after-replace", "before-commit")


def test_kill_at_the_worst_points(new_desk):
    """Each command killed at each point of its write: the old file or the new one, never
    half; a temp file left only where the command wrote, swept by the next write there
    (and not before: a write into another folder leaves it alone)."""
    d = new_desk(git=True)
    root = d.root
    store = StoreDesk.open(root)
    folder = root / "tickets" / NOW[:4] / NOW[5:7]
    customers = root / "customers"
    d.ok("customer", "add", "--name", "张先生", as_=MANAGER)
    figures = {"injected_runs": 0, "temp_files_left": 0, "swept": 0}
    for point in POINTS:
        for action in ("create", "close", "route", "customer add"):
            tid = d.create("--type", "inquiry", "--title", f"{point} {action}", as_=MANAGER)
            before = _check_every_file(root, store)
            args = {"create": ("create", "-q", "--type", "complaint", "--title", "注入"),
                    "close": ("close", tid, "--resolution", "注入结果"),
                    "route": ("route", tid, "--group", "tech"),
                    "customer add": ("customer", "add", "--name", "注入客户")}[action]
            argv = ["--store", str(root), "--lang", "en", "--as", MANAGER, "--now", NOW, *args]
            proc = subprocess.run([sys.executable, "-c", _KILLER, point, *argv], capture_output=True, text=True,
                                  timeout=60)
            figures["injected_runs"] += 1
            assert proc.returncode == -signal.SIGKILL, (point, action, proc.returncode, proc.stderr)
            after = _check_every_file(root, store)
            changed = [t for t in after if t not in before or after[t]["history"] != before[t]["history"]]
            if point in ("half-written-temp", "before-replace"):
                assert changed == [], (point, action, changed)  # the old file, whole
            elif action != "customer add":
                assert len(changed) == 1, (point, action, changed)  # the new file, whole
            temps = _temp_files(root)
            written = customers if action == "customer add" else folder
            if point in ("half-written-temp", "before-replace"):
                assert temps and all(t.parent == written for t in temps), (point, action, temps)
                figures["temp_files_left"] += len(temps)
                if action == "customer add":
                    # a write into another folder does not sweep customers/ ...
                    d.create("--type", "inquiry", "--title", "别的文件夹", as_=MANAGER)
                    assert _temp_files(root) == temps
                    # ... the next write there does
                    d.ok("customer", "add", "--name", "下一位", as_=MANAGER)
                else:
                    d.create("--type", "inquiry", "--title", "下一次写入", as_=MANAGER)
                assert _temp_files(root) == [], (point, action)
                figures["swept"] += len(temps)
            else:
                assert temps == [], (point, action, temps)
            # the next command works (no stale lock), and commits only its own file
            nxt = d.create("--type", "inquiry", "--title", "之后", as_=MANAGER)
            assert d.git("show", "--name-only", "--format=", "HEAD").split() == [d.path(nxt).relative_to(root).as_posix()]
    check = subprocess.run(_argv(root, "verify", "--json"), capture_output=True, text=True, timeout=60)
    report = json.loads(check.stdout)
    bad = [f for f in report["findings"] if f["code"] in ("parse", "schema", "replay", "duplicate", "history", "layout")]
    assert bad == [], bad
    print(f"\n[crash] injected kill points: {figures}")
