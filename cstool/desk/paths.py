"""Where a desk is, and what can be read of it before anything heavy is imported: the
desk folder, the paths the index watches, and the write token in the lock file."""

from __future__ import annotations

import os
import stat
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
            raise DeskError("error.not_a_desk", root=root, config=CONFIG_FILE)
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    fallback = here / "records"
    if (fallback / CONFIG_FILE).is_file():
        return fallback
    raise DeskError("error.no_desk", config=CONFIG_FILE, here=here)


def write_token(root: Path) -> str:
    """A token every locked write by any cstool process replaces (kept in the lock file):
    equal tokens mean no cstool process wrote to the desk in between."""
    try:
        fd = os.open(root / CACHE_DIR / LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return ""
    try:
        return os.read(fd, 64).decode("ascii", "replace")
    except OSError:
        return ""
    finally:
        os.close(fd)


def stat_key(st: os.stat_result) -> str:
    """What the index compares to see that a file changed: size, times and inode."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def check_inside(root: Path, path: Path) -> None:
    """Refuse (DeskError, exit 3) a desk path that is, or passes through, a symbolic link,
    or that lies outside the desk: cstool never follows a link out of a desk, so a link
    committed to the repository cannot make it read or write a file elsewhere. Parts that
    do not exist yet are fine (they are created as plain folders and files)."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        raise DeskError("error.outside_desk", path=path, root=root) from None
    if ".." in rel.parts:
        raise DeskError("error.outside_desk", path=path, root=root)
    here = Path(os.path.abspath(root))
    for part in rel.parts:
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            return
        except NotADirectoryError:
            return
        if stat.S_ISLNK(st.st_mode):
            raise DeskError("error.symlink", path=_rel(root, here))


def _rel(root: Path, path: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return str(path)


def cache_dir(root: Path, create: bool = True) -> Path:
    """The desk's ``.cstool`` folder, checked to be a real folder inside the desk (made
    when missing and create is set); DeskError when it is a link or not a folder."""
    folder = Path(root) / CACHE_DIR
    check_inside(root, folder)
    if create:
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return folder
    if not stat.S_ISDIR(st.st_mode):
        raise DeskError("error.cache_not_folder", path=CACHE_DIR)
    return folder
