"""QA sampling (随机抽查): a reproducible random sample of closed tickets."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cstool.config.schema import Config
from cstool.time.clock import read_stamp


def closed_at(ticket: Any, tz: Any) -> datetime | None:
    """When the ticket was last closed (None if it is not closed)."""
    if ticket.get("status") != "closed":
        return None
    for ev in reversed(ticket.get("history") or []):
        if ev.get("action") == "close":
            return read_stamp(ev.get("at"), tz)
    return None


def sample_closed(tickets: Iterable[Any], config: Config, period: Any, n: int, seed: int,
                  types: set[str], groups: set[str]) -> tuple[list[Any], int]:
    """A reproducible sample: the same desk, filters and seed always give the same tickets."""
    pool = []
    for t in tickets:
        when = closed_at(t, config.tz)
        if when is None or (period is not None and when not in period):
            continue
        if types and t.get("type") not in types or groups and t.get("group") not in groups:
            continue
        pool.append(t)
    pool.sort(key=lambda t: str(t.get("id")))
    picked = random.Random(seed).sample(pool, min(n, len(pool)))
    picked.sort(key=lambda t: str(t.get("id")))
    return picked, len(pool)
