"""Zip archives whose members are deflated as their data is made.

A member's data is raw deflate (zlib's fastest level) in pieces, each ending on a byte
boundary (a sync flush) but the last: pieces made apart, even in another process, or
remade later, join into one deflate stream. Each piece knows its CRC-32 and both sizes,
so the member's are known before it is written (:func:`crc32_combine` joins the CRCs), and
its local header holds them: no data descriptor. Sizes or offsets past 4 GiB, or more than
65,535 members, get the ZIP64 records; the archive is read by Python's ``zipfile``,
openpyxl, Excel and LibreOffice like the one ``zipfile`` writes.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

LEVEL = 1  # zlib's fastest: a tenth of a sheet's XML; higher levels take much longer for little less
WIDE = 0xFFFFFFFF  # a size or offset from which on ZIP64 holds it
MANY = 0xFFFF  # more members than this: ZIP64 counts them
_MARK, _MANY_MARK = 0xFFFFFFFF, 0xFFFF  # in a header's field: "see the ZIP64 field"
_DOS_DAY = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest time a zip holds: the same bytes each time
_CHUNK = 1 << 20


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A followed by B, from A's CRC, B's CRC and B's length (zlib's
    crc32_combine: the CRC register advanced over len2 zero bytes, by squaring GF(2) matrices)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _square(odd)  # two zero bits
    odd = _square(even)  # four
    while True:
        even = _square(odd)  # the first pass: one zero byte
        if len2 & 1:
            crc1 = _times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _square(even)
        if len2 & 1:
            crc1 = _times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, column) for column in matrix]


@dataclass
class Piece:
    """Part of a member's data: ``csize`` bytes of deflate at ``offset`` in a spool (or
    ``data`` itself), standing for ``size`` bytes whose CRC-32 is ``crc``; ``tag`` says what
    the writer wants to know of it later (a sheet: the columns its rows were written with)."""

    csize: int
    size: int
    crc: int
    offset: int = 0
    data: bytes | None = None
    tag: Any = None


def deflate(data: bytes, last: bool = False) -> Piece:
    """Bytes as a piece (the member's last when ``last``: the stream's final block)."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
    return Piece(len(packed), len(data), zlib.crc32(data), data=packed)


class DeflateSpool:
    """Pieces of deflate kept in a temporary file: :meth:`write` adds to the open piece if
    its tag is the same, else closes it and opens another.

    With ``background``, a thread of its own compresses what is written (zlib lets other
    threads run meanwhile), a few writes behind at most: the work can go to a core that has
    time left while the writer goes on making its bytes. Anything that reads the spool waits
    for the thread first, and an error of the thread is raised there or at the next write."""

    AHEAD = 4  # writes the thread may be behind

    def __init__(self, background: bool = False) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115  (open as long as the spool: closed by close())
        self.pieces: list[Piece] = []
        self._packer: Any = None
        self._open = Piece(0, 0, 0)
        self._end = 0  # the file's length
        self._moved = False  # whether a piece was read since the last write (the position is elsewhere)
        self._background = background
        self._thread: Any = None  # started at the first write (so never before a fork of the writer)
        self._behind: deque[Future[None]] = deque()

    def write(self, data: bytes, tag: Any = None) -> None:
        """Deflate more bytes into the piece tagged ``tag``."""
        if not self._background:
            self._write(data, tag)
            return
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="cstool-deflate")
        while len(self._behind) >= self.AHEAD:
            self._behind.popleft().result()
        self._behind.append(self._thread.submit(self._write, data, tag))

    def settle(self) -> None:
        """Wait until every write so far is in the file."""
        while self._behind:
            self._behind.popleft().result()

    def _write(self, data: bytes, tag: Any) -> None:
        """Compress data into the open piece, or end it and open another when the tag changes."""
        if self._packer is None or tag != self._open.tag:
            self._end_piece()
            self._packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            self._open = Piece(0, 0, 0, offset=self._end, tag=tag)
        self._put(self._packer.compress(data))
        self._open.size += len(data)
        self._open.crc = zlib.crc32(data, self._open.crc)

    def end_piece(self) -> None:
        """Close the open piece (on a byte boundary), if any."""
        self.settle()
        self._end_piece()

    def _end_piece(self) -> None:
        """End the open piece on a byte boundary (a sync flush), so that pieces join."""
        if self._packer is not None:
            self._put(self._packer.flush(zlib.Z_SYNC_FLUSH))
            self.pieces.append(self._open)
            self._packer = None

    def _put(self, packed: bytes) -> None:
        """Append compressed bytes to the file, after whatever was read from it meanwhile."""
        if packed:
            if self._moved:
                self.file.seek(self._end)
                self._moved = False
            self.file.write(packed)
            self._end += len(packed)
            self._open.csize += len(packed)

    def packed(self, piece: Piece) -> Iterator[bytes]:
        """A piece's deflate, a megabyte at a time."""
        self.settle()
        if piece.data is not None:
            yield piece.data
            return
        at, left = piece.offset, piece.csize
        while left > 0:
            self.file.seek(at)  # (pieces may be written between two reads)
            self._moved = True
            chunk = self.file.read(min(left, _CHUNK))
            at += len(chunk)
            if not chunk:
                raise OSError("a spooled piece is shorter than written")
            left -= len(chunk)
            yield chunk

    def unpacked(self, piece: Piece) -> Iterator[bytes]:
        """A piece's bytes, inflated again, in chunks."""
        unpacker = zlib.decompressobj(-15)
        for chunk in self.packed(piece):
            yield unpacker.decompress(chunk)
        yield unpacker.flush()

    def remade(self, piece: Piece, change: Callable[[bytes], bytes], cut: bytes) -> Piece:
        """The piece with ``change`` applied to its bytes, a run ending with ``cut`` at a time
        (a piece holds whole runs), written at the spool's end as a piece of its own."""
        self.end_piece()
        rest = b""
        for chunk in self.unpacked(piece):
            rest += chunk
            end = rest.rfind(cut) + len(cut)
            if end >= len(cut):
                whole, rest = rest[:end], rest[end:]
                self._write(change(whole), ("remade", id(piece)))
        if rest:
            self._write(change(rest), ("remade", id(piece)))
        if self._packer is None:  # nothing in it
            return Piece(0, 0, 0, data=b"", tag=piece.tag)
        self._end_piece()
        made = self.pieces.pop()
        made.tag = piece.tag
        return made

    def close(self) -> None:
        """Stop the thread (after what it is doing) and remove the file."""
        if self._thread is not None:
            for waiting in self._behind:
                waiting.cancel()
            self._thread.shutdown(wait=True)
            self._behind.clear()
        self.file.close()


@dataclass
class Member:
    """A file in the archive: its name, its pieces of deflate (the last one final) and where
    each piece's bytes come from."""

    name: str
    pieces: list[Piece]
    source: Callable[[Piece], Iterable[bytes]]

    @property
    def crc(self) -> int:
        """The member's CRC-32, joined from its pieces'."""
        crc = 0
        for piece in self.pieces:
            crc = crc32_combine(crc, piece.crc, piece.size)
        return crc

    @property
    def size(self) -> int:
        """The member's size uncompressed."""
        return sum(piece.size for piece in self.pieces)

    @property
    def csize(self) -> int:
        """The member's size compressed."""
        return sum(piece.csize for piece in self.pieces)

    def packed(self) -> Iterator[bytes]:
        """The member's compressed bytes, piece by piece."""
        for piece in self.pieces:
            yield from self.source(piece)


def member_of(name: str, data: bytes) -> Member:
    """A member holding these bytes."""
    return Member(name, [deflate(data, last=True)], _own_data)


def _own_data(piece: Piece) -> Iterable[bytes]:
    return [piece.data or b""]


def local_header(name: bytes, crc: int, size: int, csize: int) -> bytes:
    """A member's local header (ZIP64 when a size does not fit in 32 bits)."""
    wide = size >= WIDE or csize >= WIDE
    extra = struct.pack("<HHQQ", 1, 16, size, csize) if wide else b""
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if wide else 20, _flags(name), 8, 0, _DOS_DAY, crc,
                       _MARK if wide else csize, _MARK if wide else size, len(name), len(extra)) + name + extra


def central_header(name: bytes, crc: int, size: int, csize: int, offset: int) -> bytes:
    """A member's central directory entry (with a ZIP64 field for each value too large)."""
    wide = [value for value in (size, csize, offset) if value >= WIDE]
    extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
    version = 45 if wide else 20
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | version, version, _flags(name), 8, 0, _DOS_DAY,
                       crc, _field(csize), _field(size), len(name), len(extra), 0, 0, 0, 0o600 << 16,
                       _field(offset)) + name + extra


def directory_end(count: int, offset: int, size: int) -> bytes:
    """The records after the central directory (``size`` bytes from ``offset``): ZIP64's end
    record and locator when a value does not fit, then the end record."""
    head = b""
    if count > MANY or offset >= WIDE or size >= WIDE:
        head = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0, count, count, size, offset)
        head += struct.pack("<IIQI", 0x07064B50, 0, offset + size, 1)
    number = _MANY_MARK if count > MANY else count
    return head + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, number, number, _field(size), _field(offset), 0)


def _field(value: int) -> int:
    return _MARK if value >= WIDE else value


def _flags(name: bytes) -> int:
    return 0 if name.isascii() else 0x800  # a name in UTF-8


def write_zip(members: Iterable[Member], out: BinaryIO) -> None:
    """Write the archive of these members to a binary file object (written straight on, no seeking)."""
    directory, offset = [], 0
    for member in members:
        name, crc, size, csize = member.name.encode("utf-8"), member.crc, member.size, member.csize
        header = local_header(name, crc, size, csize)
        out.write(header)
        directory.append(central_header(name, crc, size, csize, offset))
        written = 0
        for chunk in member.packed():
            out.write(chunk)
            written += len(chunk)
        if written != csize:
            raise OSError(f"{member.name}: {written} bytes written of {csize}")
        offset += len(header) + written
    listing = b"".join(directory)
    out.write(listing + directory_end(len(directory), offset, len(listing)))
