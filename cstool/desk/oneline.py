"""Block YAML whose every value fits on its line, read without a YAML library.

Many writers give a ticket file this shape: block mappings and lists indented by two, keys
plain words, and each value on its key's line: a double-quoted text whose only escapes are
``\\n``, ``\\t``, ``\\"`` and ``\\\\`` (the text JSON would write), a single-quoted text, a
plain word or number, ``{}`` or ``[]``, or nothing (a nested block below, else null).

:func:`parse` reads exactly that shape and nothing else: a text holding anything outside
it (a comment after a value, a text running over two lines, a block scalar, a flow
collection, an anchor, a tag, a tab, a duplicate key, a character YAML reads as a line
break or refuses) gives None, and the caller reads the file with a YAML parser. What it
reads is what YAML 1.2 reads; a plain value is resolved by the caller's own rule, the one
its YAML parser's results go through, so the two readers cannot differ on one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# what may not appear in such a text: control characters but the line feed (tabs and carriage
# returns among them), those YAML reads as a line break (NEL, LS, PS), lone surrogates, a
# byte-order mark and the non-characters U+FFFE and U+FFFF. (Written as what is refused: the
# class of what is allowed spans the whole of Unicode and takes milliseconds to compile, paid
# by every command that reads a desk file.)
_ODD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# a value on its line: a double-quoted text with JSON's escapes of a line break, a tab, a quote
# and a backslash only; a single-quoted text; a plain word or number; an empty mapping or list
_VALUE = r"""(?:"[^"\\\n]*(?:\\[nt"\\][^"\\\n]*)*"|'[^'\n]*(?:''[^'\n]*)*'|[-+]?[A-Za-z0-9_][A-Za-z0-9_.@+\-]*|\{\}|\[\])"""
# a line: its indent, a list's dash, then a key and the value after it (none: a block below
# it, or null), or a list's value; else the whole line, not of this shape. A key is short:
# libyaml refuses a key on its line longer than 1024 characters
_GOOD = r"( *)(- )?(?:([A-Za-z_][A-Za-z0-9_]{0,127}):(?: (" + _VALUE + r"))?|(" + _VALUE + r"))"
_LINE = re.compile("(?:" + _GOOD + "|([^\n]*))\n")
_FIRST = re.compile(_GOOD + "\n")
_ESCAPES = {"\\n": "\n", "\\t": "\t", '\\"': '"', "\\\\": "\\"}
_ESCAPE = re.compile(r"\\.")
# the first characters of a plain value that may read as something other than text
MAYBE_NOT_TEXT = frozenset("~nNtTfF+-.0123456789")
MAX_NESTING = 8  # far below the guarded loader's limit: a ticket nests 4 deep


class _NotThisShape(Exception):
    """The text is not in the shape this reader knows."""


def parse(text: str, plain: Callable[[str], Any]) -> dict[Any, Any] | None:
    """The mapping a text of this shape holds (``plain``: the rule giving a plain value's
    meaning, e.g. ``3`` → 3, ``true`` → True), or None when the text is of another shape."""
    if not _starts_so(text) or not text.endswith("\n") or _ODD.search(text) is not None:
        return None
    lines = _LINE.findall(text)
    if lines[0][0] or lines[0][1] or any(line[-1] for line in lines):
        return None  # indented, or a line of another shape
    try:
        return _build(lines, plain)
    except (_NotThisShape, ValueError):  # ValueError: a plain value the rule cannot read (an integer too long)
        return None


def _starts_so(text: str, lines: int = 3) -> bool:
    """Whether the first lines are of this shape: a text in another style (a plain text
    in Chinese, a block scalar) is most often told apart by its first lines, at a small
    part of the cost of reading all of them."""
    at = 0
    for _ in range(lines):
        if at == len(text):
            return True
        found = _FIRST.match(text, at)
        if found is None:
            return False
        at = found.end()
    return True


def _build(lines: list[tuple[str, ...]], plain: Callable[[str], Any]) -> dict[Any, Any]:
    """The mapping of the lines :data:`_LINE` found, block by block: each open block is kept
    as (column of its keys or dashes, the mapping or list); a key with nothing after it waits
    for the next line to say whether a block below it is its value."""
    root: dict[Any, Any] = {}
    blocks: list[tuple[int, Any]] = [(0, root)]
    keys: dict[str, Any] = {}
    waiting: tuple[int, dict[Any, Any], Any] | None = None  # (column, mapping, key) of a key without a value
    for indent, dash, key, after, item, _ in lines:
        begins = len(indent)
        if waiting is not None:
            column, mapping, name = waiting
            waiting = None
            if begins == column + 2:
                mapping[name] = [] if dash else {}
                blocks.append((begins, mapping[name]))
                if len(blocks) > MAX_NESTING:
                    raise _NotThisShape
            elif begins < column or (begins == column and not dash):
                mapping[name] = plain("")
            else:
                raise _NotThisShape  # a list at its key's column, or a block not indented by two
        while blocks[-1][0] > begins:
            blocks.pop()
        column, block = blocks[-1]
        if column != begins or (type(block) is list) != bool(dash):
            raise _NotThisShape  # a line out of step with the block it falls in
        if not key:
            if not dash:
                raise _NotThisShape  # a value with neither a key nor a dash
            block.append(_value(item, plain))
            continue
        if dash:
            block.append({})
            begins += 2
            blocks.append((begins, block[-1]))
            if len(blocks) > MAX_NESTING:
                raise _NotThisShape
            block = block[-1]
        name = key if key[0] not in MAYBE_NOT_TEXT else keys.get(key)  # a key starting so is text as it stands
        if name is None:
            name = keys[key] = _key(key, plain)
        if name in block:
            raise _NotThisShape
        if after:  # most often a quoted text without escapes: what is between the quotes
            block[name] = after[1:-1] if after[0] == '"' and "\\" not in after else _value(after, plain)
        else:
            waiting = (begins, block, name)
    if waiting is not None:
        waiting[1][waiting[2]] = plain("")
    return root


def _key(text: str, plain: Callable[[str], Any]) -> Any:
    """A key written plain: text, or what the plain rule makes of it (an integer or a truth
    value; anything else is not this shape)."""
    value = plain(text) if text[0] in MAYBE_NOT_TEXT else text
    if type(value) not in (str, int, bool):
        raise _NotThisShape  # a key read as null or a number with a point
    return value


def _value(text: str, plain: Callable[[str], Any]) -> Any:
    """A value written on its line (one :data:`_VALUE` matches)."""
    first = text[0]
    if first == '"':
        inner = text[1:-1]
        return _ESCAPE.sub(lambda m: _ESCAPES[m[0]], inner) if "\\" in inner else inner
    if first == "'":
        return text[1:-1].replace("''", "'")
    if text == "{}":
        return {}
    if text == "[]":
        return []
    return plain(text) if first in MAYBE_NOT_TEXT else text
