"""Shared fixtures for the desk-foundation tests (issue 2).

- ``isolated_env`` (autouse): no ``CSTOOL_*`` variables from the caller, and a git with
  no system or global config (like a fresh machine without a git identity).
- ``desk``: a function-scoped desk made by ``cstool init --no-git`` with a team roster
  (init runs once per session; each test gets its own fresh copy of that desk).
- ``git_desk``: the same desk as a git repository (made by ``cstool init``), with the
  roster change committed.
- ``DeskEnv.run(*args, input=None)``: the CLI through click's ``CliRunner`` with the
  desk, the actor and a fixed clock; stdout and stderr are kept apart.
- ``DeskEnv.snapshot()``: every file and folder of the desk (path → bytes), so a test can
  assert that nothing was written.
- ``cstool_process``: cstool as a real process (``python -m cstool``).

Other test modules of this folder bring their own helpers (``deskkit.py``); a fixture
they import shadows the one of the same name here, so the two never clash.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cstool.cli import cli

NOW = "2026-11-20T10:00:00+08:00"  # a Friday, in working hours

MANAGER = "chen.jing@example.com"  # made by init, manager of every intake group
SUPERVISOR = "sun.li@example.com"
LEAD = "zhao.lei@example.com"  # lead of the complaint and follow-up groups
LEAD2 = "qian.hui@example.com"  # lead of inquiry, after-sales and tech
AGENTS = {
    "complaint": ["wang.fang@example.com", "liu.yang@example.com"],
    "inquiry": ["li.na@example.com", "zhou.min@example.com"],
    "after_sales": ["wu.qiang@example.com"],
    "tech": ["zheng.tao@example.com"],
    "followup": ["he.xue@example.com"],
}

# (id, name, role, groups) appended to the roster init writes (which holds the manager)
TEAM = [
    (SUPERVISOR, "孙丽", "supervisor", ["inquiry", "complaint", "followup", "after_sales", "tech"]),
    (LEAD, "赵磊", "lead", ["complaint", "followup"]),
    (LEAD2, "钱慧", "lead", ["inquiry", "after_sales", "tech"]),
    ("wang.fang@example.com", "王芳", "agent", ["complaint"]),
    ("liu.yang@example.com", "刘洋", "agent", ["complaint"]),
    ("li.na@example.com", "李娜", "agent", ["inquiry"]),
    ("zhou.min@example.com", "周敏", "agent", ["inquiry"]),
    ("wu.qiang@example.com", "吴强", "agent", ["after_sales"]),
    ("zheng.tao@example.com", "郑涛", "agent", ["tech"]),
    ("he.xue@example.com", "何雪", "agent", ["followup"]),
]
NAMES = {MANAGER: "陈静", **{pid: name for pid, name, _, _ in TEAM}}

GIT_IDENTITY = ["-c", "user.name=Test Runner", "-c", "user.email=runner@example.com"]


@dataclass
class Result:
    """What one cstool run gave: exit code, stdout and stderr apart."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def _rt_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_yaml(path: Path) -> Any:
    """A YAML file parsed with a safe loader independent of cstool's own."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


class DeskEnv:
    """A desk in a temp folder and a way to run cstool on it."""

    def __init__(self, root: Path):
        self.root = root

    # ------------------------------------------------------------------ running
    def run(self, *args: str, input: str | None = None, as_: str | None = LEAD, now: str | None = NOW,
            lang: str | None = "en", store: bool = True, env: dict[str, str] | None = None,
            catch_exceptions: bool = True) -> Result:
        """cstool in-process with --store, --as, --now and --lang unless told otherwise.

        An exception other than SystemExit is re-raised, so a test fails with the
        traceback a user would have seen instead of passing on an exit code.
        """
        argv: list[str] = []
        if store:
            argv += ["--store", str(self.root)]
        if lang:
            argv += ["--lang", lang]
        if as_:
            argv += ["--as", as_]
        if now:
            argv += ["--now", now]
        return invoke([*argv, *args], input=input, env=env, catch_exceptions=catch_exceptions)

    def ok(self, *args: str, **kw: Any) -> Result:
        res = self.run(*args, **kw)
        assert res.exit_code == 0, f"cstool {' '.join(args)} → {res.exit_code}: {res.stderr}{res.stdout}"
        return res

    def create(self, *args: str, **kw: Any) -> str:
        """Create a ticket (quiet) and return its ID."""
        return self.ok("create", "-q", *args, **kw).stdout.strip()

    # ------------------------------------------------------------------ files
    def ticket_files(self) -> list[Path]:
        return sorted((self.root / "tickets").glob("*/*/*.yaml"))

    def path(self, ticket_id: str) -> Path:
        found = list((self.root / "tickets").glob(f"*/*/{ticket_id}.yaml"))
        assert len(found) == 1, found
        return found[0]

    def ticket(self, ticket_id: str) -> Any:
        return load_yaml(self.path(ticket_id))

    def snapshot(self) -> dict[str, bytes | None]:
        """Every file (bytes) and folder (None) of the desk, except .git and the .cstool cache."""
        out: dict[str, bytes | None] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in (".git", ".cstool"))
            here = Path(dirpath)
            for d in dirnames:
                out[(here / d).relative_to(self.root).as_posix() + "/"] = None
            for name in filenames:
                p = here / name
                out[p.relative_to(self.root).as_posix()] = p.read_bytes()
        return out

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=self.root, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout


def invoke(argv: list[str], input: str | None = None, env: dict[str, str] | None = None,
           catch_exceptions: bool = True) -> Result:
    """The CLI through CliRunner; unexpected exceptions are re-raised."""
    runner = CliRunner()
    res = runner.invoke(cli, argv, input=input, env=env, catch_exceptions=catch_exceptions)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Result(res.exit_code, res.stdout, res.stderr, res.exception)


def add_team(config_path: Path) -> None:
    """Extend the roster init wrote with the test team (round-trip, keeps comments)."""
    yaml = _rt_yaml()
    data = yaml.load(config_path.read_text(encoding="utf-8"))
    roster = data["roster"]
    for pid, name, role, groups in TEAM:
        entry = CommentedMap()
        entry["id"], entry["name"], entry["role"] = pid, name, role
        seq = CommentedSeq(groups)
        seq.fa.set_flow_style()
        entry["groups"] = seq
        roster.append(entry)
    with config_path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)


def make_desk(root: Path, git: bool) -> DeskEnv:
    args = ["--as", MANAGER, "init", str(root), "--name", "测试客服中心", "--user-name", NAMES[MANAGER]]
    if not git:
        args.append("--no-git")
    res = invoke(args)
    assert res.exit_code == 0, res.stderr + res.stdout
    add_team(root / "cstool.yaml")
    desk = DeskEnv(root)
    if git:
        desk.git("add", "cstool.yaml")
        desk.git("commit", "-q", "-m", "team roster")
    return desk


def _clean(mp: pytest.MonkeyPatch, home: Path) -> None:
    for var in list(os.environ):
        if var.startswith("CSTOOL_"):
            mp.delenv(var)
    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                "GIT_DIR", "GIT_WORK_TREE", "EMAIL", "NO_COLOR"):
        mp.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path_factory):
    """No CSTOOL_* from the caller; git without system/global config (no identity)."""
    _clean(monkeypatch, tmp_path_factory.mktemp("home"))


def copy_desk(source: Path, target: Path) -> DeskEnv:
    """A copy of a desk (its git history included), without the derived .cstool cache."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".cstool"))
    return DeskEnv(target)


@contextlib.contextmanager
def clean_environment(home: Path) -> Iterator[None]:
    """For fixtures wider than a test (they run before the autouse ``isolated_env``)."""
    mp = pytest.MonkeyPatch()
    try:
        _clean(mp, home)
        yield
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def _pristine_desks(tmp_path_factory) -> dict[bool, Path]:
    """One desk of each kind made by ``cstool init`` per session; tests get fresh copies."""
    base = tmp_path_factory.mktemp("pristine")
    with clean_environment(base):
        return {False: make_desk(base / "desk", git=False).root, True: make_desk(base / "gitdesk", git=True).root}


@pytest.fixture
def desk(tmp_path, _pristine_desks) -> DeskEnv:
    """A desk without git (made by cstool init, copied fresh for each test), with the test team."""
    return copy_desk(_pristine_desks[False], tmp_path / "desk")


@pytest.fixture
def git_desk(tmp_path, _pristine_desks) -> DeskEnv:
    """A desk that is a git repository (made by cstool init, roster committed), fresh for each test."""
    return copy_desk(_pristine_desks[True], tmp_path / "gitdesk")


def cstool_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                   timeout: float = 60, **kw: Any) -> subprocess.CompletedProcess:
    """cstool as a real process (python -m cstool), with the test's environment."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cstool", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, **kw)


def assert_refusal(res: Any, code: int, *needles: str) -> str:
    """Exit code, one sentence on stderr naming what was wrong, no traceback, no stdout."""
    stderr = res.stderr
    exit_code = getattr(res, "exit_code", getattr(res, "returncode", None))
    assert exit_code == code, f"exit {exit_code}, expected {code}: {stderr!r} {res.stdout!r}"
    assert "Traceback" not in stderr
    assert stderr.startswith("cstool: "), stderr
    assert stderr.endswith("\n") and stderr.count("\n") == 1, f"not one line: {stderr!r}"
    for needle in needles:
        assert needle in stderr, f"{needle!r} not in {stderr!r}"
    return stderr
