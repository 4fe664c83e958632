"""Chunks of work given to a pool a few at a time come back whole and in order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.desk.chunks import in_order


@given(chunks=st.lists(st.lists(st.integers(), max_size=3), max_size=12), ahead=st.integers(1, 5))
def test_every_chunk_comes_back_once_in_order(chunks, ahead):
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(in_order(pool, sorted, iter(chunks), ahead)) == [sorted(c) for c in chunks]


def test_no_more_chunks_are_taken_than_the_window_holds():
    taken = []

    def source():
        for i in range(10):
            taken.append(i)
            yield [i]

    with ThreadPoolExecutor(max_workers=1) as pool:
        results = in_order(pool, list, source(), 3)
        assert next(results) == [0]
        assert taken == [0, 1, 2, 3]  # three given to the pool, then one more once the first came back


@settings(max_examples=200, deadline=None)
@given(values=st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
                           | st.datetimes() | st.dates(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                           max_leaves=20))
def test_values_packed_for_another_process_come_back_the_same(values):
    """Plain values go by marshal, anything else (a time in a workbook's cell) by pickle."""
    from cstool.desk.chunks import pack, unpack

    packed = pack(values)
    assert unpack(packed) == values
    assert type(unpack(packed)) is type(values)
