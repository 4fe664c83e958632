"""Zip archives written from pieces of deflate made apart: read by Python's zipfile with
the right CRC and bytes, ZIP64 records where sizes, offsets or the count need them."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.desk import zipping
from cstool.desk.zipping import DeflateSpool, Member, central_header, deflate, directory_end, local_header, write_zip


@settings(max_examples=300)
@given(st.binary(max_size=300), st.binary(max_size=3000))
def test_the_crc_of_two_parts_joined_is_the_crc_of_the_whole(a, b):
    assert zipping.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_the_crc_is_joined_over_long_parts():
    a, b = b"head" * 1000, bytes(range(256)) * 40_000  # b: 10 MB, its length's bits all the way up
    assert zipping.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def _spooled(chunks: list[tuple[bytes, int]], spool: DeflateSpool) -> Member:
    """A member of a head made apart, the chunks spooled under their tags (those tagged 2
    remade upper-cased), and a last piece."""
    for data, tag in chunks:
        spool.write(data, tag)
    spool.end_piece()
    pieces = [piece if piece.tag != 2 else spool.remade(piece, bytes.upper, b";") for piece in list(spool.pieces)]
    return Member("data/x.txt", [deflate(b"head;"), *pieces, deflate(b"end", last=True)], spool.packed)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=2000).map(lambda b: b + b";"), st.integers(0, 2)), max_size=12),
       st.binary(max_size=100))
def test_pieces_made_apart_join_into_a_member_zipfile_reads(chunks, small):
    spool = DeflateSpool()
    try:
        out = io.BytesIO()
        write_zip([_spooled(chunks, spool), zipping.member_of("b.xml", small)], out)
    finally:
        spool.close()
    expected = b"head;" + b"".join(data.upper() if tag == 2 else data for data, tag in chunks) + b"end"
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as book:
        assert book.testzip() is None  # every member's CRC right
        assert book.namelist() == ["data/x.txt", "b.xml"]
        assert book.read("data/x.txt") == expected and book.read("b.xml") == small
        assert book.getinfo("data/x.txt").compress_type == zipfile.ZIP_DEFLATED


def test_a_spool_piece_is_read_back_while_more_is_written():
    spool = DeflateSpool()
    try:
        spool.write(b"a;" * 100_000, "first")
        spool.write(b"b;" * 100_000, "second")
        spool.end_piece()
        first = spool.pieces[0]
        remade = spool.remade(first, lambda data: data.replace(b"a", b"c"), b";")
        assert b"".join(spool.unpacked(remade)) == b"c;" * 100_000
        assert b"".join(spool.unpacked(spool.pieces[1])) == b"b;" * 100_000
        assert b"".join(spool.unpacked(first)) == b"a;" * 100_000
    finally:
        spool.close()


def test_a_member_past_4_gib_has_its_sizes_in_a_zip64_field():
    size, csize, offset = 5 << 30, (4 << 30) + 7, (6 << 30) + 1
    header = local_header(b"big.xml", 123, size, csize)
    fields = struct.unpack("<IHHHHHIIIHH", header[:30])
    assert fields[1] == 45 and fields[7:9] == (0xFFFFFFFF, 0xFFFFFFFF) and fields[10] == 20
    assert struct.unpack("<HHQQ", header[30 + 7:]) == (1, 16, size, csize)
    entry = central_header(b"big.xml", 123, 100, 50, offset)  # only the offset is too large
    fields = struct.unpack("<IHHHHHHIIIHHHHHII", entry[:46])
    assert fields[8:10] == (50, 100) and fields[16] == 0xFFFFFFFF and fields[11] == 12
    assert struct.unpack("<HHQ", entry[46 + 7:]) == (1, 8, offset)
    assert local_header(b"small.xml", 1, WIDE_LESS, WIDE_LESS)[28:30] == b"\x00\x00"  # no extra field


WIDE_LESS = 0xFFFFFFFE  # the largest size a plain header holds


def test_more_than_65535_members_are_counted_by_zip64():
    end = directory_end(70_000, 1000, 46 * 70_000)
    assert end[:4] == struct.pack("<I", 0x06064B50)
    assert struct.unpack("<IQHHIIQQQQ", end[:56])[6:] == (70_000, 70_000, 46 * 70_000, 1000)
    assert struct.unpack("<IIQI", end[56:76]) == (0x07064B50, 0, 1000 + 46 * 70_000, 1)
    assert struct.unpack("<IHHHHIIH", end[76:])[3:5] == (0xFFFF, 0xFFFF)
    assert len(directory_end(0xFFFF, 1000, 10)) == 22  # all fit: the end record alone


@pytest.mark.parametrize(("wide", "many"), [(10, 0xFFFF), (0xFFFFFFFF, 1)])
def test_an_archive_with_zip64_records_is_read_by_zipfile(monkeypatch, wide, many):
    """Sizes and offsets from ``wide`` bytes on, and more than ``many`` members, written as
    ZIP64 writes what passes 4 GiB and 65,535 members: zipfile reads every member back."""
    monkeypatch.setattr(zipping, "WIDE", wide)
    monkeypatch.setattr(zipping, "MANY", many)
    members = {f"m{n}.xml": bytes([65 + n]) * (50 * n) for n in range(4)}
    out = io.BytesIO()
    write_zip([zipping.member_of(name, data) for name, data in members.items()], out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as book:
        assert book.testzip() is None
        assert {name: book.read(name) for name in book.namelist()} == members
    assert out.getvalue().count(struct.pack("<I", 0x06064B50)) == 1  # ZIP64's end record
    if wide == 10:
        assert out.getvalue().count(struct.pack("<HH", 1, 16)) >= 3  # the local headers' ZIP64 fields


def test_a_member_shorter_than_its_pieces_say_is_not_written_as_whole():
    piece = deflate(b"abc", last=True)
    member = Member("x", [piece], lambda p: [(p.data or b"")[:-1]])
    with pytest.raises(OSError):
        write_zip([member], io.BytesIO())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=3000).map(lambda b: b + b";"), st.integers(0, 2)), max_size=15))
def test_a_spool_compressing_on_a_thread_of_its_own_keeps_what_one_without_keeps(chunks):
    members = []
    for background in (True, False):
        spool = DeflateSpool(background=background)
        try:
            out = io.BytesIO()
            write_zip([_spooled(chunks, spool)], out)
            members.append(zipfile.ZipFile(io.BytesIO(out.getvalue())).read("data/x.txt"))
        finally:
            spool.close()
    assert members[0] == members[1]


def test_a_write_that_failed_on_the_spool_s_thread_stops_the_writer():
    spool = DeflateSpool(background=True)
    try:
        spool.write(b"first")
        spool.settle()
        spool.file.close()  # every later write fails
        with pytest.raises(ValueError, match="closed file"):
            for _ in range(spool.AHEAD + 2):
                spool.write(os.urandom(100_000))  # (output at once: nothing to compress)
            spool.settle()
    finally:
        spool.close()
