"""Shared test support: a temp desk with a realistic team, driven through the CLI.

Test modules import the fixtures they use (``from deskkit import desk, git_desk``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cstool.desk import yamlio
from cstool.cli import cli

NOW = "2026-11-20T10:00:00+08:00"  # a Friday

ROSTER = """roster:
  - {id: chen.jing@example.com, name: 陈静, role: manager, groups: [inquiry, complaint, followup, after_sales, tech]}
  - {id: sun.li@example.com, name: 孙丽, role: supervisor, groups: [inquiry, complaint, followup, after_sales, tech]}
  - {id: zhao.lei@example.com, name: 赵磊, role: lead, groups: [complaint, followup]}
  - {id: qian.hui@example.com, name: 钱慧, role: lead, groups: [inquiry, after_sales, tech]}
  - {id: wang.fang@example.com, name: 王芳, role: agent, groups: [complaint]}
  - {id: liu.yang@example.com, name: 刘洋, role: agent, groups: [complaint]}
  - {id: li.na@example.com, name: 李娜, role: agent, groups: [inquiry]}
  - {id: zhou.min@example.com, name: 周敏, role: agent, groups: [inquiry]}
  - {id: wu.qiang@example.com, name: 吴强, role: agent, groups: [after_sales]}
  - {id: zheng.tao@example.com, name: 郑涛, role: agent, groups: [tech]}
  - {id: he.xue@example.com, name: 何雪, role: agent, groups: [followup]}
  - {id: ma.jun@example.com, name: 马骏, role: agent, groups: [engineering]}
"""

LEAD = "zhao.lei@example.com"
SUPERVISOR = "sun.li@example.com"
MANAGER = "chen.jing@example.com"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


class Desk:
    """A desk in a temp folder and a way to run cstool on it."""

    def __init__(self, root: Path):
        self.root = root

    def run(self, *args: str, as_: str | None = LEAD, now: str | None = NOW, input: str | None = None,
            lang: str = "en") -> Result:
        argv = ["--store", str(self.root), "--lang", lang]
        if as_:
            argv += ["--as", as_]
        if now:
            argv += ["--now", now]
        runner = CliRunner()
        res = runner.invoke(cli, [*argv, *args], input=input)
        if res.exception and not isinstance(res.exception, SystemExit):
            raise res.exception
        return Result(res.exit_code, res.stdout, res.stderr)

    def ok(self, *args: str, **kw: Any) -> Result:
        res = self.run(*args, **kw)
        assert res.exit_code == 0, f"cstool {' '.join(args)} → {res.exit_code}: {res.stderr}{res.stdout}"
        return res

    def create(self, *args: str, **kw: Any) -> str:
        return self.ok("create", "-q", *args, **kw).stdout.strip()

    def path(self, ticket_id: str) -> Path:
        found = list((self.root / "tickets").glob(f"*/*/{ticket_id}.yaml"))
        assert len(found) == 1, found
        return found[0]

    def ticket(self, ticket_id: str) -> Any:
        return yamlio.load(self.path(ticket_id))

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the desk (except .git), path → bytes."""
        out = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            for name in filenames:
                p = Path(dirpath) / name
                if p.parent.name == ".cstool":
                    continue
                out[str(p.relative_to(self.root))] = p.read_bytes()
        return out

    def git(self, *args: str) -> str:
        identity = ["-c", "user.name=测试", "-c", "user.email=tester@example.com"]
        return subprocess.run(["git", *identity, *args], cwd=self.root, capture_output=True, text=True, check=True).stdout


def make_desk(root: Path, git: bool) -> Desk:
    runner = CliRunner()
    args = ["--as", MANAGER, "init", str(root), "--name", "测试中心", "--user-name", "陈静"]
    if not git:
        args.append("--no-git")
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    config = root / "cstool.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("roster:")
    end = text.index("\n\n", start)
    config.write_text(text[:start] + ROSTER.rstrip("\n") + text[end:], encoding="utf-8")
    desk = Desk(root)
    if git:
        desk.git("add", "cstool.yaml")
        desk.git("commit", "-q", "-m", "team roster")
    return desk


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path_factory):
    """No CSTOOL_* from the caller, and a git with no global identity (a fresh machine)."""
    for var in list(os.environ):
        if var.startswith("CSTOOL_"):
            monkeypatch.delenv(var)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def desk(tmp_path) -> Desk:
    """A desk without git."""
    return make_desk(tmp_path / "desk", git=False)


@pytest.fixture
def git_desk(tmp_path) -> Desk:
    """A desk that is a git repository (made by cstool init)."""
    return make_desk(tmp_path / "desk", git=True)


def cstool_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                   timeout: float = 60) -> subprocess.CompletedProcess:
    """cstool as a real process (python -m cstool)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cstool", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)
