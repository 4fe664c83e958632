"""Safe YAML loading and atomic, round-trip saving of desk files.

Loading is capped (file size, nesting depth), refuses anchors/aliases (the
billion-laughs vector) and any tag outside YAML's core schema, so no file in a desk can
make cstool build objects or exhaust memory. Saving keeps comments and key order of a
loaded document, writes UTF-8 with Chinese as is, and replaces the file atomically.
"""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.scalarstring import LiteralScalarString

from cstool.errors import DeskError

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
TEMP_MARK = ".tmp-"

_CORE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
} | {"!", None}


class _GuardedComposer(Composer):
    """A composer that refuses aliases, anchors, non-core tags and deep nesting."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("anchors and aliases are not allowed", event.start_mark)
        tag = getattr(event, "tag", None)
        tag = getattr(tag, "value", tag)
        if tag not in _CORE_TAGS:
            raise _Refused(f"the tag {tag!r} is not allowed", event.start_mark)
        depth = getattr(self, "_cs_depth", 0) + 1
        if depth > MAX_DEPTH:
            raise _Refused(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
        self._cs_depth = depth
        try:
            return super().compose_node(parent, index)
        finally:
            self._cs_depth = depth - 1


class _GuardedConstructor(RoundTripConstructor):
    """Round-trip constructor that reports an impossible date with its line."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as exc:
            raise _Refused(f"{node.value!r} is not a valid date or time ({exc})", node.start_mark) from None


_GuardedConstructor.add_constructor("tag:yaml.org,2002:timestamp", _GuardedConstructor.construct_yaml_timestamp)


class _Refused(Exception):
    def __init__(self, reason: str, mark: Any):
        super().__init__(reason)
        self.reason = reason
        self.mark = mark


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Composer = _GuardedComposer
    yaml.Constructor = _GuardedConstructor
    yaml.allow_duplicate_keys = False
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def _line_of(mark: Any) -> int | None:
    return None if mark is None else getattr(mark, "line", -1) + 1


def loads(text: str, name: str = "<text>") -> Any:
    """Parse YAML text safely (round-trip types); raise DeskError naming file and line."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise DeskError(f"{name}: file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; refusing to read it")
    try:
        return _round_trip().load(text)
    except _Refused as exc:
        raise DeskError(f"{name}:{_line_of(exc.mark)}: {exc.reason}") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        if "duplicate key" in problem or "found duplicate key" in str(exc):
            problem = "duplicate key"
        where = f"{name}:{_line_of(mark)}" if mark is not None else name
        raise DeskError(f"{where}: malformed YAML: {problem}") from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise DeskError(f"{name}: malformed YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def load(path: Path, name: str | None = None) -> Any:
    """Read and safely parse one YAML file of the desk."""
    label = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DeskError(f"{label}: file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; refusing to read it")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeskError(f"{label}: file not found") from None
    except IsADirectoryError:
        raise DeskError(f"{label}: is a folder, not a file") from None
    except PermissionError:
        raise DeskError(f"{label}: permission denied") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DeskError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    return loads(text, label)


def prepare_strings(value: Any) -> Any:
    """Mark multi-line strings for literal block style, recursively (readable diffs)."""
    if isinstance(value, dict):
        for key in list(value.keys()):
            value[key] = prepare_strings(value[key])
        return value
    if isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = prepare_strings(item)
        return value
    if isinstance(value, str) and "\n" in value and not isinstance(value, LiteralScalarString):
        if _literal_safe(value):
            return LiteralScalarString(value)
    return value


def _literal_safe(text: str) -> bool:
    # Literal blocks cannot carry control characters, a leading space on the first line
    # of some emitters, or trailing spaces reliably; fall back to a quoted scalar then.
    if text.startswith((" ", "\t")) or text.endswith((" ", "\t")):
        return False
    for ch in text:
        if ch != "\n" and (ord(ch) < 32 or ord(ch) == 0x7F or 0x80 <= ord(ch) < 0xA0 or ch in "\ufeff\u2028\u2029"):
            return False
    return not any(line.endswith((" ", "\t")) for line in text.split("\n"))


def dumps(data: Any) -> str:
    """Serialise a document (plain or round-trip) as YAML text."""
    stream = io.StringIO()
    _round_trip().dump(prepare_strings(data), stream)
    return stream.getvalue()


def atomic_write(path: Path, text: str) -> None:
    """Write text to path so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")
    data = text.encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep_temp_files(folder: Path) -> int:
    """Remove temp files a killed writer left in folder; call only under the desk lock."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name.startswith(".") and TEMP_MARK in entry.name and entry.is_file():
            try:
                os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                pass
    return removed
