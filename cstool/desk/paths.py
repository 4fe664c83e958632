"""Where a desk is, and what can be read of it before anything heavy is imported: the
desk folder, the paths the index watches, and the write token in the lock file."""

from __future__ import annotations

import os
from pathlib import Path

from cstool.errors import DeskError

CONFIG_FILE = "cstool.yaml"
CACHE_DIR = ".cstool"
LOCK_FILE = "lock"
PATHSPEC = ("tickets", "customers")  # the folders of desk files (what the index reads)

# write tokens read when a command started (see cstool.cli.main), by desk folder
EARLY_TOKENS: dict[str, str] = {}


def find_desk(store: str | None, cwd: Path | None = None) -> Path:
    """--store / CSTOOL_STORE, else the nearest ancestor holding cstool.yaml, else ./records."""
    if store:
        root = Path(store).expanduser()
        if not (root / CONFIG_FILE).is_file():
            raise DeskError(f"{root}: not a desk (no {CONFIG_FILE}); run 'cstool init {root}' to create one")
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    fallback = here / "records"
    if (fallback / CONFIG_FILE).is_file():
        return fallback
    raise DeskError(
        f"no desk found: no {CONFIG_FILE} in {here} or its parents, nor in ./records; "
        "pass --store PATH, set CSTOOL_STORE, or run 'cstool init'"
    )


def write_token(root: Path) -> str:
    """A token every locked write by any cstool process replaces (kept in the lock file):
    equal tokens mean no cstool process wrote to the desk in between."""
    try:
        return (root / CACHE_DIR / LOCK_FILE).read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""


def stat_key(st: os.stat_result) -> str:
    """What the index compares to see that a file changed: size, times and inode."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
