"""A JSON list of objects read one object at a time, as the file is read, so that a large
import file is never held whole, neither as text nor parsed.

:class:`JsonRows` yields the objects of a file holding one JSON array of objects, read in
chunks and decoded as UTF-8 as it goes; each object is parsed by ``json.JSONDecoder.raw_decode``
from the text read so far, and the text it came from is let go. Only a file it can read
so is read so: anything else (a single object, a syntax error, an element that is not an
object, nesting deeper than allowed) raises :class:`NotStreamable` where it is found, and
the caller reads the whole file the usual way, which accepts what it accepts and refuses
the rest with its own message.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CHUNK = 1 << 20  # bytes read at a time
_WHITESPACE = " \t\n\r"  # what JSON allows between tokens


class NotStreamable(Exception):
    """The file is not a JSON list of objects as this reader reads it (see the module)."""


class JsonRows:
    """The objects of ``path``'s JSON list, one at a time (iterate once), read ``chunk``
    bytes at a time. ``depth_ok(text)`` says whether an object's text nests few enough brackets. ``total`` is the file's size
    and ``read`` how many of its bytes were read so far (for a progress counter)."""

    def __init__(self, path: Path, depth_ok: Callable[[str], bool], chunk: int = CHUNK):
        self.path = path
        self.chunk = chunk
        self.depth_ok = depth_ok
        self.total = os.path.getsize(path)  # the caller found the file there
        self.read = 0
        self.count = 0  # objects yielded so far
        self._file: Any = None
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._text = ""
        self._pos = 0
        self._eof = False
        self._json = json.JSONDecoder()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with open(self.path, "rb") as self._file:
            yield from self._objects()

    def _more(self) -> bool:
        """Read another chunk onto the text (the part already parsed dropped); False at the end."""
        if self._eof:
            return False
        data = self._file.read(self.chunk)
        self.read += len(data)
        self._eof = not data
        try:
            self._text = self._text[self._pos:] + self._decoder.decode(data, final=self._eof)
        except UnicodeDecodeError:
            raise NotStreamable from None
        self._pos = 0
        return not self._eof or bool(self._text)

    def _next_char(self) -> str:
        """The next character that is not whitespace ("" at the end of the file), not consumed."""
        while True:
            text, pos = self._text, self._pos
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            self._pos = pos
            if pos < len(text):
                return text[pos]
            if self._eof or not self._more():
                return ""

    def _objects(self) -> Iterator[dict[str, Any]]:
        self._more()
        self._text = self._text.lstrip("\ufeff")
        if self._next_char() != "[":
            raise NotStreamable
        self._pos += 1
        if self._next_char() == "]":
            self._pos += 1
        else:
            while True:
                yield self._object()
                following = self._next_char()
                self._pos += 1
                if following == "]":
                    break
                if following != ",":
                    raise NotStreamable
        if self._next_char() != "":
            raise NotStreamable

    def _object(self) -> dict[str, Any]:
        """The object starting at the next character (more of the file read until it is whole)."""
        decoder = self._json
        if self._next_char() != "{":
            raise NotStreamable
        while True:
            try:
                value, end = decoder.raw_decode(self._text, self._pos)
                break
            except json.JSONDecodeError:
                if not self._more():
                    raise NotStreamable from None
            except RecursionError:
                raise NotStreamable from None
        if not isinstance(value, dict) or not self.depth_ok(self._text[self._pos:end]):
            raise NotStreamable
        self._pos = end
        self.count += 1
        return value
