"""Work spread over worker processes a few chunks at a time, the results in order."""

from __future__ import annotations

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
