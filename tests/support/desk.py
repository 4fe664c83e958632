"""A desk in a temp folder with the sample team, and ways to run cstool on it.

- ``make_desk(root, git)``: a desk made by ``cstool init`` (with git or ``--no-git``)
  whose roster is the sample team's (``tests/support/roster.py``).
- ``CliDesk.run(*args, input=None)``: the CLI through click's ``CliRunner`` with the desk,
  the actor and a fixed clock; stdout and stderr are kept apart.
- ``CliDesk.snapshot()``: every file and folder of the desk (path → bytes), so a test can
  assert that nothing was written.
- ``cstool_process``: cstool as a real process (``python -m cstool``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from ruamel.yaml import YAML

from cstool.cli import cli
from tests.support.roster import AGENT, LEAD, MANAGER, NAMES, roster_block

NOW = "2026-11-20T10:00:00+08:00"  # a Friday, in working hours
DESK_NAME = "测试客服中心"

# the identity for the commits a test makes itself (cstool commits as the acting person)
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


def load_yaml(path: Path) -> Any:
    """A YAML file parsed with a safe loader independent of cstool's own."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def invoke(argv: list[str], input: str | None = None, env: dict[str, str] | None = None,
           catch_exceptions: bool = True) -> Result:
    """The CLI through CliRunner; unexpected exceptions are re-raised."""
    runner = CliRunner()
    res = runner.invoke(cli, argv, input=input, env=env, catch_exceptions=catch_exceptions)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Result(res.exit_code, res.stdout, res.stderr, res.exception)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """git with the test identity; fails the test on a non-zero exit unless check=False."""
    proc = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc


class CliDesk:
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
        return git(self.root, *args).stdout


def put_roster(config_path: Path) -> None:
    """Replace the roster ``cstool init`` wrote (the manager alone) with the sample team's."""
    text = config_path.read_text(encoding="utf-8")
    start = text.index("roster:")
    end = text.index("\n\n", start)
    config_path.write_text(text[:start] + roster_block() + text[end:], encoding="utf-8")


def make_desk(root: Path, git: bool) -> CliDesk:
    """A desk made by ``cstool init`` with the sample team; with git, the roster committed."""
    args = ["--as", MANAGER, "init", str(root), "--name", DESK_NAME, "--user-name", NAMES[MANAGER]]
    if not git:
        args.append("--no-git")
    res = invoke(args)
    assert res.exit_code == 0, res.stderr + res.stdout
    put_roster(root / "cstool.yaml")
    desk = CliDesk(root)
    if git:
        desk.git("add", "cstool.yaml")
        desk.git("commit", "-q", "-m", "team roster")
    return desk


def shared_remote(first: CliDesk, origin: Path) -> Callable[[Path], CliDesk]:
    """A bare remote at origin holding first's history (pushed as main), and a function that
    makes a clone of it at a path, with the merge driver registered, as each agent's clone is."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    first.git("branch", "-M", "main")
    first.git("remote", "add", "origin", str(origin))
    first.git("push", "-q", "-u", "origin", "main")

    def clone(path: Path) -> CliDesk:
        subprocess.run(["git", "clone", "-q", str(origin), str(path)], check=True, capture_output=True)
        made = CliDesk(path)
        made.ok("setup-git", as_=MANAGER)
        return made

    return clone


def copy_desk(source: Path, target: Path) -> CliDesk:
    """A copy of a desk (its git history included), without the derived .cstool cache."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".cstool"))
    return CliDesk(target)


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


def closed_complaint(desk: CliDesk) -> str:
    """A complaint handled by AGENT on 2026-11-16 (answered at 09:10, closed at 10:00): its
    follow-up call (回访) falls due later; returns its ID."""
    tid = desk.create("--type", "complaint", "--title", "热水器漏水", "--customer", "张伟", "--phone", "13800000000",
                      "--assignee", AGENT, now="2026-11-16T09:00:00+08:00")
    desk.ok("reply", tid, "-m", "已联系", as_=AGENT, now="2026-11-16T09:10:00+08:00")
    desk.ok("close", tid, "--resolution", "更换密封圈", as_=AGENT, now="2026-11-16T10:00:00+08:00")
    return tid
