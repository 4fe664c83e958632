"""The fixtures of the test suite (the plain helpers they use live in ``tests/support``).

- ``isolated_env`` (autouse): no ``CSTOOL_*`` variables from the caller, and a git with
  no system or global config (like a fresh machine without a git identity).
- ``desk``: a function-scoped desk made by ``cstool init --no-git`` with the sample team
  (init runs once per session; each test gets its own fresh copy of that desk).
- ``git_desk``: the same desk as a git repository (made by ``cstool init``), with the
  roster change committed.
- ``new_desk(where, git=False)``: more such desks in one test, each a fresh copy.

The default run spreads the tests over one pytest-xdist worker per core; a run that
includes the tests marked ``stress`` (``pytest -m stress``) stays in one process, one
test after another: each loops over real processes and times what they do, which a
stress test running beside it would disturb.

Property tests draw new examples on every run, so a run on a laptop keeps exploring. CI sets
``HYPOTHESIS_PROFILE=ci``: the examples are derived from each test itself, so the gate gives
the same answer for the same code (a case found elsewhere becomes an ``@example``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.desk import CliDesk, copy_desk, make_desk
from tests.support.env import clean, clean_environment

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _selects_stress(markexpr: str) -> bool:
    """Whether ``-m markexpr`` lets tests marked stress (and no other mark) through."""
    if not markexpr.strip():
        return True
    try:
        from _pytest.mark.expression import Expression

        return Expression.compile(markexpr).evaluate(lambda name, /, **kw: name == "stress")
    except Exception:  # noqa: BLE001 - pytest's private API moved: judge by the words
        return "stress" in markexpr and "not stress" not in markexpr


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (in addopts) is one worker per core, except for a run that may include
    stress tests: that runs in this process, one test after another (0 workers)."""
    return 0 if _selects_stress(config.getoption("markexpr") or "") else None


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path_factory):
    """No CSTOOL_* from the caller; git without system/global config (no identity)."""
    clean(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
def _pristine_desks(tmp_path_factory) -> dict[bool, Path]:
    """One desk of each kind made by ``cstool init`` per session; tests get fresh copies."""
    base = tmp_path_factory.mktemp("pristine")
    with clean_environment(base):
        return {False: make_desk(base / "desk", git=False).root, True: make_desk(base / "gitdesk", git=True).root}


@pytest.fixture
def desk(tmp_path, _pristine_desks) -> CliDesk:
    """A desk without git (made by cstool init, copied fresh for each test), with the sample team."""
    return copy_desk(_pristine_desks[False], tmp_path / "desk")


@pytest.fixture
def git_desk(tmp_path, _pristine_desks) -> CliDesk:
    """A desk that is a git repository (made by cstool init, roster committed), fresh for each test."""
    return copy_desk(_pristine_desks[True], tmp_path / "gitdesk")


@pytest.fixture
def new_desk(tmp_path, _pristine_desks) -> Callable[..., CliDesk]:
    """``new_desk(where="desk", git=False)``: one more fresh desk, as ``desk`` or ``git_desk``
    is, at ``tmp_path / where`` (or at ``where`` itself when it is a Path)."""

    def make(where: str | Path = "desk", git: bool = False) -> CliDesk:
        return copy_desk(_pristine_desks[git], where if isinstance(where, Path) else tmp_path / where)

    return make
