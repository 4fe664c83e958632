"""Loading ``cstool.yaml`` (with a parsed-content cache) and the default config text."""

from __future__ import annotations

from pathlib import Path

from cstool.config.parse import parse_config
from cstool.config.schema import Config
from cstool.desk import yamlio
from cstool.desk.paths import CONFIG_FILE, check_inside
from cstool.errors import DeskError

CACHE_NAME = "config.json"


def config_key(desk: Path) -> str | None:
    """What identifies this version of cstool.yaml: size, times and inode (and the versions of
    cstool and of the official calendar's package, whose holidays deadlines depend on)."""
    from cstool import __version__
    from cstool.time.calendar import official_version

    try:
        st = (desk / CONFIG_FILE).stat()
    except OSError:
        return None
    return f"{__version__}:{official_version()}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def load_config(desk: Path) -> Config:
    """Load and validate ``<desk>/cstool.yaml``.

    Parsing YAML costs more than the rest of a small command, so the parsed (and already
    validated) content is kept as JSON in ``.cstool/config.json``, keyed by the file's
    size, times and inode; any change to the file is parsed and validated afresh."""
    import json

    from cstool.reports.render import plain

    path = desk / CONFIG_FILE
    cache = desk / ".cstool" / CACHE_NAME
    key = config_key(desk)
    if key is not None:
        check_inside(desk, cache)  # a .cstool or cache that is a link: refused, nothing read through it
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
            if cached.get("key") == key:
                return parse_config(cached["data"], path)
        except (OSError, ValueError, KeyError, TypeError, DeskError):
            pass
    data = yamlio.load(path, CONFIG_FILE)
    config = parse_config(data, path)
    if key is not None:
        try:
            cache.parent.mkdir(exist_ok=True)
            yamlio.atomic_write(cache, json.dumps({"key": key, "data": plain(data)}, ensure_ascii=False), root=desk, private=True)
        except OSError:
            pass  # a read-only desk simply goes without the cache
    return config


def default_config_text() -> str:
    """The commented default ``cstool.yaml`` written by ``cstool init``."""
    from importlib.resources import files

    return (files("cstool.config") / "default_config.yaml").read_text(encoding="utf-8")
