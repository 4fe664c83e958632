"""Work spread over worker processes a few chunks at a time, the results in order, and the
values sent to them packed into bytes."""

from __future__ import annotations

import marshal
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from typing import Any


def in_order(pool: Executor, work: Callable[[Any], Any], chunks: Iterable[Any], ahead: int) -> Iterator[Any]:
    """``work(chunk)`` of each chunk, in the chunks' order, with at most ``ahead`` chunks
    given to the pool and not yet taken back: what the workers read never piles up."""
    chunks = iter(chunks)
    # range first: zip would otherwise take one chunk more from chunks and drop it
    window = deque(pool.submit(work, c) for _, c in zip(range(ahead), chunks))
    while window:
        done = window.popleft().result()
        following = next(chunks, None)
        if following is not None:
            window.append(pool.submit(work, following))
        yield done


def pack(values: Any) -> bytes:
    """Values as bytes for another process: by marshal, quicker than pickle both ways for
    plain values (a ticket's, a JSON file's); by pickle when something in them is not plain
    (a time in a workbook's cell)."""
    try:
        return b"M" + marshal.dumps(values)
    except ValueError:
        return b"P" + pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(data: bytes) -> Any:
    """The values :func:`pack` made these bytes of (only ever bytes this program packed)."""
    body = memoryview(data)[1:]
    return marshal.loads(body) if data[:1] == b"M" else pickle.loads(body)  # noqa: S301  (our own bytes)
