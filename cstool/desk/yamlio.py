"""Safe YAML loading and atomic, round-trip saving of desk files.

Loading is capped (file size, nesting depth), refuses anchors/aliases (the
billion-laughs vector) and any tag outside YAML's core schema, so no file in a desk can
make cstool build objects or exhaust memory; a file's size is checked before it is read,
and no more than the limit is ever read. Saving keeps comments and key order of a loaded
document, writes UTF-8 with Chinese as is, keeps the byte-order mark and CRLF line ends of
a hand-made file, and replaces the file atomically.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cstool.desk import canonical, oneline
from cstool.desk.paths import check_inside
from cstool.errors import DeskError
from cstool.messages import Phrase

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32
TEMP_MARK = ".tmp-"
BOM = "\ufeff"

_CORE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
} | {"!", None}


class _Refused(Exception):
    def __init__(self, reason: Phrase, mark: Any):
        super().__init__(reason)
        self.reason = reason
        self.mark = mark


if TYPE_CHECKING:
    from ruamel.yaml import YAML


@functools.cache
def _guarded_classes() -> tuple[Any, Any]:
    """The composer and constructor of the guarded loader, built on first use: reading
    commands that go through the index never import ruamel.yaml."""
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.events import AliasEvent

    class _GuardedComposer(Composer):
        """A composer that refuses aliases, anchors, non-core tags and deep nesting."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                raise _Refused(Phrase("yaml.anchors"), event.start_mark)
            tag = getattr(event, "tag", None)
            tag = getattr(tag, "value", tag)
            if tag not in _CORE_TAGS:
                raise _Refused(Phrase("yaml.tag", tag=repr(tag)), event.start_mark)
            depth = getattr(self, "_cs_depth", 0) + 1
            if depth > MAX_DEPTH:
                raise _Refused(Phrase("yaml.deep", depth=MAX_DEPTH), event.start_mark)
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
                raise _Refused(Phrase("yaml.bad_time", value=repr(node.value), detail=exc), node.start_mark) from None

    _GuardedConstructor.add_constructor("tag:yaml.org,2002:timestamp", _GuardedConstructor.construct_yaml_timestamp)

    return _GuardedComposer, _GuardedConstructor


def _round_trip() -> YAML:
    from ruamel.yaml import YAML

    composer, constructor = _guarded_classes()
    yaml = YAML(typ="rt")
    yaml.Composer = composer
    yaml.Constructor = constructor
    yaml.allow_duplicate_keys = False
    yaml.width = 2**30  # never fold a long line: a folded quoted scalar can change on reading
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def _line_of(mark: Any) -> int | None:
    return None if mark is None else getattr(mark, "line", -1) + 1


def loads(text: str, name: str = "<text>") -> Any:
    """Parse YAML text safely (round-trip types); raise DeskError naming file and line."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise DeskError("error.file.too_big", name=name, mib=MAX_FILE_BYTES // (1024 * 1024))
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return _round_trip().load(text)
    except _Refused as exc:
        raise DeskError("error.at", where=f"{name}:{_line_of(exc.mark)}", error=exc.reason) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem: Any = (exc.problem or exc.context or "malformed YAML").strip()
        if "duplicate key" in problem or "found duplicate key" in str(exc):
            problem = Phrase("yaml.duplicate_key")
        where = f"{name}:{_line_of(mark)}" if mark is not None else name
        raise DeskError("error.yaml", where=where, problem=problem) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise DeskError("error.yaml", where=name, problem=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def read_bytes(path: Path, name: str | None = None) -> bytes:
    """A desk file's bytes, never read through a symbolic link (the file itself; see
    :func:`load` for the folders above it), its size checked before it is read: a file past
    the limit is refused after reading at most one byte more than the limit (it may grow
    meanwhile)."""
    label = name or str(path)
    too_big = DeskError("error.file.too_big", name=label, mib=MAX_FILE_BYTES // (1024 * 1024))
    try:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise DeskError("error.file.symlink", name=label) from None
            raise
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(path)
            if st.st_size > MAX_FILE_BYTES:
                raise too_big
            # asking for the size it has (not the limit) spares allocating the limit for every file
            data = fh.read(min(st.st_size, MAX_FILE_BYTES) + 1)
            if len(data) > st.st_size:  # it grew since: read on, up to one byte past the limit
                data += fh.read(MAX_FILE_BYTES + 1 - len(data))
    except FileNotFoundError:
        raise DeskError("error.file.missing", name=label) from None
    except IsADirectoryError:
        raise DeskError("error.file.folder", name=label) from None
    except PermissionError:
        raise DeskError("error.permission", what=label) from None
    if len(data) > MAX_FILE_BYTES:
        raise too_big
    return data


def decode(data: bytes, label: str) -> str:
    """UTF-8 text of a desk file (a leading byte-order mark is not part of the text)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DeskError("error.file.not_utf8", name=f"{label}:{line}", byte=exc.start) from None
    return text[1:] if text.startswith(BOM) else text


def read_text(path: Path, name: str | None = None) -> str:
    """A desk file's text, size-checked before reading and decoded as UTF-8."""
    label = name or str(path)
    return decode(read_bytes(path, label), label)


_SURROGATE_ESCAPE = re.compile(r"\\[uU]0{0,4}[dD][89a-fA-F][0-9a-fA-F]{2}")


def refuse_surrogates(data: Any, path: Path, name: str | None = None) -> None:
    """Refuse loaded data holding a lone surrogate (made by an escape such as ``"\\ud800"``):
    it is not text, and can be neither printed nor stored. The message names the line of
    the first such escape in the file."""
    import json

    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        raise DeskError("error.file.surrogate", name=f"{name or path}:{surrogate_line(path)}") from None


def surrogate_line(path: Path) -> int:
    """The line of the first escaped surrogate in a file (1 when none is found)."""
    try:
        text = read_text(path)
    except DeskError:
        return 1
    found = _SURROGATE_ESCAPE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def load(path: Path, name: str | None = None, root: Path | None = None) -> Any:
    """Read and safely parse one YAML file of the desk. The file itself is never read
    through a symbolic link; with root, no folder between root and it may be a link either."""
    label = name or str(path)
    if root is not None:
        check_inside(root, path)
    return loads(read_text(path, label), label)



# --------------------------------------------------------------------------- the fast read path

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")


# the first characters of a plain scalar that may read as something other than text (null,
# a bool, a number); any other plain scalar, field names included, is text as it stands
_MAYBE_NOT_TEXT = oneline.MAYBE_NOT_TEXT


class _Unsupported(Exception):
    """The fast path cannot take this file; the guarded loader decides."""


def _scalar(value: str) -> Any:
    """A plain scalar's value by YAML 1.2's core schema (quoted and block scalars are always text)."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value, 0) if value.lstrip("+-").startswith(("0o", "0x")) else int(value)
    if _FLOAT.match(value):
        return float(value.replace("inf", "Inf").replace(".Inf", "inf").replace("NaN", "nan").replace("NAN", "nan"))
    return value  # YAML 1.2 core schema: everything else, timestamps included, is text


def _from_events(text: str) -> Any:
    """Build plain values from the C parser's events for text; refuse anchors, aliases, tags,
    deep nesting, duplicate keys and extra documents (the guarded loader then gives the verdict).
    Events are taken from the parser one call each (``yaml.parse``'s generator costs about a
    tenth of a ticket's parse on top)."""
    import yaml

    scalar, mapping, sequence = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends, alias, document, stream_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent), yaml.AliasEvent, \
        yaml.DocumentStartEvent, yaml.StreamEndEvent
    stack: list[list[Any]] = []  # frames: [container, key] for maps, [container, _SEQ] for lists
    root: Any = None
    documents = 0
    parser = yaml.CSafeLoader(text)
    try:
        get_event: Any = parser.get_event
        while True:
            ev = get_event()
            kind = type(ev)
            if kind is scalar or kind is mapping or kind is sequence:
                if ev.anchor is not None or (ev.tag is not None and ev.tag != "!"):
                    raise _Unsupported
                if kind is scalar:
                    value: Any = ev.value
                    if not ev.style and (not value or value[0] in _MAYBE_NOT_TEXT):
                        value = _scalar(value)
                else:
                    value = {} if kind is mapping else []
                if not stack:
                    root = value
                else:
                    frame = stack[-1]
                    if frame[1] is _SEQ:
                        frame[0].append(value)
                    elif frame[1] is _NO_KEY:
                        if type(value) not in (str, int, bool) or value in frame[0]:
                            raise _Unsupported
                        frame[1] = value
                    else:
                        frame[0][frame[1]] = value
                        frame[1] = _NO_KEY
                if kind is not scalar:
                    if len(stack) >= MAX_DEPTH:
                        raise _Unsupported
                    stack.append([value, _NO_KEY if kind is mapping else _SEQ])
            elif kind in ends:
                stack.pop()
            elif kind is alias:
                raise _Unsupported
            elif kind is document:
                documents += 1
                if documents > 1:
                    raise _Unsupported
            elif kind is stream_end:
                return root
    finally:
        parser.dispose()


_SEQ = object()
_NO_KEY = object()


def load_plain(path: Path, name: str | None = None) -> Any:
    """Read a desk file as plain data as fast as possible (for the index).

    A file whose every value is on its key's line (texts double-quoted as JSON writes them,
    as many emitters do) is read by :func:`cstool.desk.oneline.parse`, in about half the time
    of PyYAML's parser; it tells most other files apart by their first lines. Until PyYAML is
    loaded, a file exactly as cstool writes it is read by :func:`canonical_data`, which needs
    no YAML library (so a command that re-indexes a ticket just edited does not load one).
    Any other file goes to PyYAML's C parser (and
    so, from then on, does every file cstool writes: on a desk written in another style,
    trying its reader first would double the cost of reading each file), whose events are
    turned into plain values by YAML 1.2 rules, refusing what the guarded loader refuses.
    Anything unusual (an alias, a tag, a duplicate key, a parse error) goes to :func:`load`,
    which gives the verdict and the error message with its line."""
    data = read_bytes(path, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _plain_of(load(path, name))
    if text.startswith(BOM):
        text = text[1:]
    fast: Any = oneline.parse(text, _scalar)  # tells another style apart by its first lines, cheaply
    if fast is not None:
        return fast
    if "yaml" not in sys.modules:  # once PyYAML is loaded, its C parser is as fast and fails no file first
        fast = canonical_data(text)
        if fast is not None:
            return fast
    try:
        import yaml

        loader = getattr(yaml, "CSafeLoader", None)
    except ImportError:
        loader = None
    if loader is None:
        return _plain_of(load(path, name))
    try:
        return _from_events(text)
    except (_Unsupported, yaml.YAMLError, ValueError, RecursionError):
        return _plain_of(load(path, name))


def canonical_data(text: str) -> dict[str, Any] | None:
    """A file's text as plain data when the text is exactly what :func:`fast_dumps` writes
    for that data (a file cstool wrote and nobody restyled by hand); else None, and the
    caller reads it with :func:`loads`, which keeps comments and styles. Editing such plain
    data and writing it with :func:`fast_dumps` gives the bytes the round-trip writer would,
    without the round-trip parser and emitter, which cost more than the rest of a small edit.

    The text is read by :func:`cstool.desk.canonical.parse`, which knows only the style
    :func:`fast_dumps` writes and imports no YAML library; writing its result again must
    give the text back, so the data is what any YAML reader reads."""
    if "\r" in text:
        return None
    data = canonical.parse(text, MAX_DEPTH)
    if data is None or fast_dumps(data) != text:
        return None
    return data


def loads_plain(data: bytes, name: str) -> Any:
    """:func:`load_plain` for a file's bytes held in memory (e.g. a blob of git history)."""
    if len(data) > MAX_FILE_BYTES:
        raise DeskError("error.file.too_big", name=name, mib=MAX_FILE_BYTES // (1024 * 1024))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DeskError("error.file.not_utf8", name=name, byte=exc.start) from None
    try:
        import yaml

        return _from_events(text)
    except (ImportError, AttributeError, _Unsupported, yaml.YAMLError, ValueError, RecursionError):
        return _plain_of(loads(text, name))


def _plain_of(value: Any) -> Any:
    from cstool.reports.render import plain

    return plain(value)


def prepare_strings(value: Any) -> Any:
    """Mark multi-line strings for literal block style, recursively (readable diffs)."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, dict):
        for key in list(value.keys()):
            value[key] = prepare_strings(value[key])
        return value
    if isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = prepare_strings(item)
        return value
    if isinstance(value, str) and "\n" in value and not isinstance(value, LiteralScalarString) and _literal_safe(value):
        return LiteralScalarString(value)
    return value


_NOT_IN_LITERAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029]")  # controls but newline; the three


def _literal_safe(text: str) -> bool:
    # Literal blocks cannot carry control characters, a leading space on the first line
    # of some emitters, or trailing spaces reliably; fall back to a quoted scalar then.
    if text.startswith((" ", "\t")) or text.endswith((" ", "\t")) or _NOT_IN_LITERAL.search(text):
        return False
    return " \n" not in text and "\t\n" not in text  # no line ends in a space or tab


def dumps(data: Any) -> str:
    """Serialise a document (plain or round-trip) as YAML text."""
    stream = io.StringIO()
    _round_trip().dump(prepare_strings(data), stream)
    return stream.getvalue()


def _style_of(path: Path) -> tuple[bool, bool]:
    """Whether an existing file starts with a byte-order mark and ends its lines with CRLF
    (judged by its first line), so that saving a hand-made file keeps both."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False, False
    bom = head.startswith(BOM.encode("utf-8"))
    first = head.find(b"\n")
    return bom, first > 0 and head[first - 1:first] == b"\r"


def atomic_write(path: Path, text: str, root: Path | None = None, private: bool = False) -> None:
    """Write text to path so that readers see the old file or the new one, never half.
    A file being replaced keeps its byte-order mark and CRLF line ends, if it had them.
    With root (the desk), refuse a path that passes through a symbolic link or leaves it.
    ``private``: the file holds raw customer contacts, so it is created readable and
    writable by its owner only (0600), whatever the umask."""
    if root is not None:
        check_inside(root, path)
    bom, crlf = _style_of(path)
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = (BOM if bom and not text.startswith(BOM) else "").encode("utf-8") + text.encode("utf-8")
    atomic_write_bytes(path, data, root, private)


def atomic_write_bytes(path: Path, data: bytes, root: Path | None = None, private: bool = False) -> None:
    """Write bytes to path so that readers see the old file or the new one, never half.
    With root (the desk), refuse a path that passes through a symbolic link or leaves it."""
    with atomic_writer(path, root, private) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path, root: Path | None = None, private: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write in pieces that replaces path, as :func:`atomic_write_bytes`
    does, when the block ends without an error (and is removed when it does not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if root is not None:
        check_inside(root, path)  # a folder made meanwhile by someone else is checked too
    tmp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a rename, a new or removed file) durable."""
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


# --------------------------------------------------------------------------- the fast write path for new files
#
# A new file (an import writes thousands at once) is written by a small emitter that gives
# the very bytes :func:`dumps` (ruamel's round-trip writer, the reference) would: block
# mappings and lists indented as the desk's files are, text plain when YAML reads it back as
# the same text, else single-quoted, multi-line text as a literal block. Anything it is not
# sure of (a double-quoted text, a float, a date object, a comment, a list in a list …)
# makes it hand the whole document to :func:`dumps`, so the two never differ.

# a character that keeps a text from being written plain or single-quoted (what is left
# out of YAML's printable set: controls, surrogates, the byte-order mark, U+FFFE and U+FFFF);
# a small class compiles much faster than the large printable one it is the complement of
_NOT_SIMPLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_RESOLVED: dict[str, bool] = {}  # text -> whether a plain scalar of it reads back as text
_RENDERED: dict[str, str] = {}  # text -> how it is written as a block value (simple text only)
_MEMO_LIMIT = 20_000  # the texts repeated from file to file come early; unique ones would only fill memory


class _Fallback(Exception):
    """The fast emitter leaves this document to ruamel."""


def _reads_as_text(text: str) -> bool:
    """Whether ruamel's resolver reads a plain scalar of the text back as text (not a number,
    a date, true, null …): :func:`cstool.desk.canonical.reads_as_text`, remembered."""
    found = _RESOLVED.get(text)
    if found is None:
        found = canonical.reads_as_text(text)
        if len(_RESOLVED) < _MEMO_LIMIT:
            _RESOLVED[text] = found
    return found


def _plain_allowed(text: str) -> bool:
    """ruamel's analysis of a one-line text of printable characters: may it stand plain in a block?"""
    if text[0] == " " or text[-1] == " " or text.startswith(("---", "...")) or text[0] in _FIRST_INDICATORS:
        return False
    if text[0] in "?:-" and (len(text) == 1 or text[1] == " "):
        return False
    return not (": " in text or text.endswith(":") or " #" in text)


def _scalar_text(text: str) -> str:
    """A one-line text as a block value, or _Fallback when ruamel would double-quote it."""
    done = _RENDERED.get(text)
    if done is not None:
        return done
    if _DIGITISH.fullmatch(text):
        return _digitish_text(text)
    if "\n" in text or "\x85" in text or "\u2028" in text or "\u2029" in text or _NOT_SIMPLE.search(text):
        raise _Fallback
    if text and _plain_allowed(text) and _reads_as_text(text):
        done = text
    elif "'" in text:
        raise _Fallback  # ruamel double-quotes it
    else:
        done = f"'{text}'"
    if len(_RENDERED) < _MEMO_LIMIT:
        _RENDERED[text] = done
    return done


# Texts of digits and + - : . T (times, phone numbers, amounts: mostly each written once) are
# decided by their shape: each digit stands for those that no implicit rule of the resolver
# tells apart (its patterns' classes are [0-1], [0-7] and [0-9]), and nothing else of the
# decision (plain allowed, single quotes) looks at which digit it is.
_DIGITISH = re.compile(r"[0-9+\-:.T]+")
_DIGIT_CLASS = str.maketrans("0123456789", "0122222288")
_SHAPES: dict[str, bool] = {}  # shape -> whether such a text is written plain (else single-quoted)


def _digitish_text(text: str) -> str:
    """A text of digits and + - : . T as a block value: plain, or single-quoted."""
    shape = text.translate(_DIGIT_CLASS)
    plain = _SHAPES.get(shape)
    if plain is None:
        plain = _plain_allowed(text) and _reads_as_text(text)
        if len(_SHAPES) < _MEMO_LIMIT:
            _SHAPES[shape] = plain
    return text if plain else f"'{text}'"


def _literal(text: str, indent: int) -> str:
    """A multi-line text as a literal block (after its key), lines indented by ``indent``."""
    if text.startswith("\n") or not _literal_safe(text) or _NOT_SIMPLE.search(text.replace("\n", "")) \
            or "\x85" in text:
        raise _Fallback
    if not text.endswith("\n"):
        head = "|-"
    elif len(text) == 1 or text[-2] == "\n":
        head = "|+"
    else:
        head = "|"
    pad = " " * indent
    body = text[:-1] if text.endswith("\n") else text
    return head + "\n" + "\n".join(pad + line if line else "" for line in body.split("\n"))


def _value(value: Any, indent: int) -> str:
    """What follows ``key:`` for a value whose key starts at column indent - 2."""
    kind = type(value)
    if kind is str:
        done = _RENDERED.get(value)  # the common case: a one-line text written before
        if done is not None:
            return " " + done
    if kind is str or kind is _LITERAL[0]:
        if "\n" in value:
            return " " + _literal(value, indent)
        return " " + _scalar_text(value)
    if kind is bool:
        return " true" if value else " false"
    if kind is int:
        return f" {value}"
    if value is None:
        return ""
    if isinstance(value, dict) and _plain_container(value):
        return "\n" + _mapping(value, indent) if value else " {}"
    if isinstance(value, list) and _plain_container(value):
        return "\n" + _sequence(value, indent) if value else " []"
    raise _Fallback


def _plain_container(value: Any) -> bool:
    """A dict or list with nothing of ruamel's own on it (comments, flow style, anchors)."""
    if type(value) is dict or type(value) is list:
        return True
    ca = getattr(value, "ca", None)
    if ca is not None and (ca.items or ca.comment or ca.end):
        return False
    fa = getattr(value, "fa", None)
    if fa is not None and fa.flow_style() is not None:
        return False
    anchor = getattr(value, "anchor", None)
    return anchor is None or anchor.value is None


def _key(key: Any) -> str:
    if type(key) is not str or not key:
        raise _Fallback
    if _RENDERED.get(key) == key:
        return key
    text = _scalar_text(key)
    if text != key:
        raise _Fallback
    return text


def _mapping(data: dict[Any, Any], indent: int, first_pad: str | None = None) -> str:
    pad = " " * indent
    rendered = _RENDERED  # the common case, a key and a one-line text written before, looked up here
    lines: list[str] = []
    add = lines.append
    for k, v in data.items():
        key = k if type(k) is str and rendered.get(k) == k else _key(k)
        done = rendered.get(v) if type(v) is str else None
        add(pad + key + ":" + (" " + done if done is not None else _value(v, indent + 2)))
    if first_pad is not None and lines:
        lines[0] = first_pad + lines[0][indent:]  # first_pad ("- " after the list's indent) is as long as pad
    return "\n".join(lines)


def _sequence(items: list[Any], indent: int) -> str:
    dash = " " * indent + "- "
    lines = []
    for item in items:
        if isinstance(item, dict) and item and _plain_container(item):
            lines.append(_mapping(item, indent + 2, first_pad=dash))
        elif type(item) in (str, _LITERAL[0], int, bool) and not (type(item) is not int
                                                                         and type(item) is not bool and "\n" in item):
            lines.append(dash + _value(item, indent + 2)[1:])
        else:
            raise _Fallback
    return "\n".join(lines)


def dumps_new(data: Any) -> str:
    """The text of a new file: the same bytes as :func:`dumps`, written many times faster for
    the plain documents cstool makes (imported tickets); anything else goes to :func:`dumps`."""
    fast = fast_dumps(data)
    return dumps(data) if fast is None else fast


_LITERAL: list[Any] = [None]  # ruamel's LiteralScalarString once ruamel.yaml is loaded


class _NoLiteral:
    """Stands for ruamel's LiteralScalarString while ruamel.yaml is not loaded: no value
    can be one then, and the fast emitter does not load it to find out."""


def fast_dumps(data: Any) -> str | None:
    """The fast emitter alone: the text, or None when it leaves the document to :func:`dumps`."""
    if _LITERAL[0] is None or _LITERAL[0] is _NoLiteral:
        scalarstring = sys.modules.get("ruamel.yaml.scalarstring")
        _LITERAL[0] = getattr(scalarstring, "LiteralScalarString", _NoLiteral)
    if not isinstance(data, dict) or not data or not _plain_container(data):
        return None
    if _ends_in_kept_breaks(data):
        return None  # ruamel closes such a document with an explicit end "..."
    try:
        return _mapping(data, 0) + "\n"
    except _Fallback:
        return None


def _ends_in_kept_breaks(data: Any) -> bool:
    """Whether the document's last value is a text ending in two line breaks (a ``|+`` block)."""
    while isinstance(data, (dict, list)) and data:
        data = list(data.values())[-1] if isinstance(data, dict) else data[-1]
    return isinstance(data, str) and (data == "\n" or data.endswith("\n\n"))
