"""The YAML that cstool itself writes, read and judged without a YAML library.

A ticket file as cstool writes it (:func:`cstool.desk.yamlio.fast_dumps`) uses a small part
of YAML: block mappings indented by two, lists indented by two under their key, keys and
one-line texts plain or single-quoted, multi-line texts as literal blocks (``|``, ``|-``,
``|+``), whole numbers, ``true``, ``false``, empty values, ``{}`` and ``[]``.

:func:`parse` reads exactly that part. Its caller keeps the result only when writing it
again gives the very same text, so a text it reads wrongly is never used: such a file goes
to the full YAML reader, as does every file in another style. An edit of a ticket file thus
needs neither PyYAML nor ruamel.yaml, whose imports cost more than the rest of the edit.

:func:`reads_as_text` holds the rules by which YAML 1.2, as ruamel.yaml's round-trip reader
applies them, reads a plain scalar as something other than text (true, null, a number, a
date …), so that the writer knows when a text must be quoted.
"""

from __future__ import annotations

import re
from typing import Any

# ruamel.yaml's implicit resolvers for YAML 1.2, in its order: (first characters a plain
# scalar must start with for the rule to apply, verbose pattern). "" stands for the empty text.
_IMPLICIT_RULES = (
    ("tTfF", r"""^(?:true|True|TRUE|false|False|FALSE)$"""),  # bool
    ("-+0123456789.", r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$"""),  # float
    ("-+0123456789", r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$"""),  # int
    ("<", r"^(?:<<)$"),  # merge
    ("~nN", r"""^(?: ~
        |null|Null|NULL
        | )$"""),  # null (also the empty text, below)
    ("0123456789", r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"""),  # timestamp
    ("=", r"^(?:=)$"),  # value
    ("!&*", r"^(?:!|&|\*)$"),  # yaml
)


def _by_first() -> dict[str, list[int]]:
    """First character ("" for the empty text) -> the rules that apply, by their place above."""
    found: dict[str, list[int]] = {"": [4]}  # the empty text reads as null
    for n, (chars, _pattern) in enumerate(_IMPLICIT_RULES):
        for ch in chars:
            found.setdefault(ch, []).append(n)
    return found


_BY_FIRST = _by_first()
_COMPILED: dict[int, re.Pattern[str]] = {}  # compiled when first needed: most texts need none


def reads_as_text(text: str) -> bool:
    """Whether YAML 1.2 (ruamel.yaml's round-trip reader) reads a plain scalar of text as
    text: it matches none of the implicit rules for its first character."""
    for n in _BY_FIRST.get(text[:1], ()):
        rule = _COMPILED.get(n)
        if rule is None:
            rule = _COMPILED[n] = re.compile(_IMPLICIT_RULES[n][1], re.X)
        if rule.match(text):
            return False
    return True


class _NotOurs(Exception):
    """The text is not in the style cstool writes."""


_WHOLE = re.compile(r"-?(?:0|[1-9][0-9]*)")


def parse(text: str, max_depth: int) -> dict[str, Any] | None:
    """The mapping a text in cstool's own style holds, or None when it is not in that style
    or nests deeper than max_depth (counting every value, as the guarded loader does). The
    caller must still check that writing the result gives the text back: only then is it
    what a YAML reader reads."""
    if not text.endswith("\n"):
        return None
    lines = text[:-1].split("\n")
    try:
        data, end = _mapping(lines, 0, 0, None, max_depth - 2)
    except (_NotOurs, ValueError, IndexError, RecursionError):
        return None
    return data if end == len(lines) and data else None


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _mapping(lines: list[str], i: int, indent: int, first: str | None, room: int) -> tuple[dict[str, Any], int]:
    """The block mapping whose keys start at column indent, from line i (first: that line as
    it reads with a list's "- " blanked out); room: how many levels may still nest in it."""
    if room < 0:
        raise _NotOurs
    data: dict[str, Any] = {}
    while i < len(lines):
        line = lines[i] if first is None else first
        first = None
        depth = _indent_of(line)
        if depth < indent:
            break
        if depth > indent:
            raise _NotOurs
        key, after = _split_key(line[indent:])
        if key in data:
            raise _NotOurs
        data[key], i = _value(lines, i, indent, after, room)
    return data, i


def _split_key(rest: str) -> tuple[str, str]:
    """A key line's plain key and what follows its ``: `` (empty after a bare ``key:``)."""
    sep = rest.find(": ")
    if sep > 0:
        return rest[:sep], rest[sep + 2:]
    if sep == -1 and len(rest) > 1 and rest.endswith(":"):
        return rest[:-1], ""
    raise _NotOurs


def _value(lines: list[str], i: int, indent: int, after: str, room: int) -> tuple[Any, int]:
    """The value after the key on line i (key at column indent) and the line after it."""
    if after == "":
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if _indent_of(below) < indent + 2:
            return None, i + 1
        if below.startswith("- ", indent + 2):
            return _sequence(lines, i + 1, indent + 2, room - 1)
        return _mapping(lines, i + 1, indent + 2, None, room - 1)
    if after in ("|", "|-", "|+"):
        return _literal(lines, i + 1, indent + 2, after)
    if after == "{}":
        return {}, i + 1
    if after == "[]":
        return [], i + 1
    return _scalar(after), i + 1


def _sequence(lines: list[str], i: int, indent: int, room: int) -> tuple[list[Any], int]:
    """The block list whose dashes stand at column indent, from line i."""
    if room < 0:
        raise _NotOurs
    items: list[Any] = []
    while i < len(lines):
        line = lines[i]
        depth = _indent_of(line)
        if depth < indent:
            break
        if depth > indent or not line.startswith("- ", indent):
            raise _NotOurs
        rest = line[indent + 2:]
        if not rest.startswith("'") and (": " in rest or rest.endswith(":")):
            item, i = _mapping(lines, i, indent + 2, " " * (indent + 2) + rest, room - 1)
        else:
            item, i = _scalar(rest), i + 1
        items.append(item)
    return items, i


def _literal(lines: list[str], i: int, indent: int, head: str) -> tuple[str, int]:
    """The text of a literal block whose lines start at column indent, from line i."""
    pad = " " * indent
    end = i
    while end < len(lines) and (lines[end] == "" or lines[end].startswith(pad)):
        end += 1
    body = [line[indent:] for line in lines[i:end]]
    kept = len(body)
    while kept and body[kept - 1] == "":
        kept -= 1
    if not kept:
        raise _NotOurs
    if head == "|+":
        return "\n".join(body) + "\n", end
    return "\n".join(body[:kept]) + ("\n" if head == "|" else ""), end


def _scalar(text: str) -> Any:
    """A one-line value: a single-quoted or plain text, true, false or a whole number."""
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'") or "'" in text[1:-1]:
            raise _NotOurs
        return text[1:-1]
    if text == "true" or text == "false":
        return text == "true"
    if _WHOLE.fullmatch(text):
        return int(text)
    if not text:
        raise _NotOurs
    return text
