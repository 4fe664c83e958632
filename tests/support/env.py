"""A clean environment for cstool under test: no ``CSTOOL_*`` variables from the caller,
and a git with no system or global config (like a fresh machine without a git identity)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# variables that would let the caller's git identity or setup leak into a test
GIT_VARIABLES = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                 "GIT_DIR", "GIT_WORK_TREE", "EMAIL", "NO_COLOR")
# the terminal's size (pytest-xdist's workers set COLUMNS=80): tables are fitted to COLUMNS when it is set
TERMINAL_VARIABLES = ("COLUMNS", "LINES")


def clean(mp: pytest.MonkeyPatch, home: Path) -> None:
    """Through ``mp``: drop CSTOOL_*, the git identity and the terminal size variables, HOME is ``home``."""
    for var in list(os.environ):
        if var.startswith("CSTOOL_"):
            mp.delenv(var)
    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in GIT_VARIABLES + TERMINAL_VARIABLES:
        mp.delenv(var, raising=False)


@contextlib.contextmanager
def clean_environment(home: Path) -> Iterator[None]:
    """For fixtures wider than a test (they run before the autouse per-test cleaner)."""
    mp = pytest.MonkeyPatch()
    try:
        clean(mp, home)
        yield
    finally:
        mp.undo()
