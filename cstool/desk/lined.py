"""A ticket file read with the line of every key and item, as fast as the index reads it.

``verify`` names the line of each finding. The round-trip loader (:func:`yamlio.load`)
knows the lines but is slow; this reader takes PyYAML's C parser events instead and
records where each key and item starts, in the same form the round-trip loader gives
them (``node.lc.key(key)`` and ``node.lc.item(index)``: zero-based line and column).
It takes only files whose every value reads the same with both loaders: quoted text,
plain words, plain whole numbers and empty values. Anything else (a block scalar, a
plain value that could be a time, a float, a yes/no, an alias, a tag, a duplicate key, a
parse error) goes to the round-trip loader, which gives the verdict as before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cstool.desk import yamlio

_PLAIN_INT = re.compile(r"^(?:0|[1-9][0-9]*)$")
# a plain scalar starting with one of these may resolve to a number, a time, a null, a merge key...
_RESOLVED_START = frozenset("0123456789+-.~=<")
_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


class Lines:
    """Where a mapping's keys or a sequence's items start: ``key(k)`` / ``item(i)``."""

    __slots__ = ("marks",)

    def __init__(self, marks: Any):
        self.marks = marks

    def key(self, key: Any) -> tuple[int, int]:
        """(line, column) of a mapping key, counted from 0."""
        return self.marks[key]

    def item(self, index: int) -> tuple[int, int]:
        """(line, column) of a sequence item, counted from 0."""
        return self.marks[index]


class LinedDict(dict):
    """A mapping that knows the line of each key."""

    lc: Lines


class LinedList(list):
    """A sequence that knows the line of each item."""

    lc: Lines


class _Other(Exception):
    """A value the round-trip loader might read otherwise: it decides."""


def _value(ev: Any) -> Any:
    """A scalar event's value, when both loaders read it alike (else :class:`_Other`)."""
    text = ev.value
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Other from None  # a lone surrogate: the round-trip loader's verdict
    if ev.style in ('"', "'"):
        return text
    if ev.style:
        raise _Other  # a block scalar
    if text == "":
        return None
    if _PLAIN_INT.match(text):
        return int(text)
    if text[0] in _RESOLVED_START or text.lower() in _WORDS:
        raise _Other
    return text


def _build(events: Any) -> Any:
    """Data with lines from parser events (see the module docstring for what is refused)."""
    import yaml

    stack: list[list[Any]] = []  # frames: [container, marks, key or _SEQ or _NO_KEY]
    root: Any = None
    documents = 0
    for ev in events:
        kind = type(ev)
        if kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if ev.anchor is not None or (ev.tag is not None and ev.tag != "!"):
                raise _Other
            value: Any = _value(ev) if kind is yaml.ScalarEvent else (
                LinedDict() if kind is yaml.MappingStartEvent else LinedList())
            mark = (ev.start_mark.line, ev.start_mark.column)
            if not stack:
                root = value
            else:
                _place(stack[-1], value, mark)
            if kind is not yaml.ScalarEvent:
                if len(stack) >= yamlio.MAX_DEPTH:
                    raise _Other
                value.lc = Lines({} if kind is yaml.MappingStartEvent else [])
                stack.append([value, _NO_KEY if kind is yaml.MappingStartEvent else _SEQ])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
        elif kind is yaml.AliasEvent:
            raise _Other
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Other
    return root


def _place(frame: list[Any], value: Any, mark: tuple[int, int]) -> None:
    """Put a value into the open container: a sequence item, a mapping key or its value."""
    container = frame[0]
    if frame[1] is _SEQ:
        container.append(value)
        container.lc.marks.append(mark)
    elif frame[1] is _NO_KEY:
        if type(value) not in (str, int) or value in container:
            raise _Other
        frame[1] = value
        container.lc.marks[value] = mark
    else:
        container[frame[1]] = value
        frame[1] = _NO_KEY


_SEQ = object()
_NO_KEY = object()


def load_lined(path: Path, name: str | None = None) -> Any:
    """A ticket file's data whose mappings and sequences know their lines (``.lc``), read
    by the fast parser when it reads the file as the round-trip loader would, else by
    :func:`yamlio.load` (which raises the error of a file that cannot be read)."""
    try:
        import yaml

        loader = yaml.CSafeLoader
        data = yamlio.read_bytes(path, name)
        text = data.decode("utf-8")
        if text.startswith(yamlio.BOM):
            text = text[1:]
        return _build(yaml.parse(text, Loader=loader))
    except (ImportError, AttributeError, _Other, UnicodeDecodeError, ValueError, RecursionError):
        return yamlio.load(path, name)
    except yaml.YAMLError:
        return yamlio.load(path, name)
