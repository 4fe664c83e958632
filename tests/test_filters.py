"""The filters of ``list`` (SQL, in the index) and ``export`` (Python, on summaries) come
from one table in cstool/desk/query.py, so both choose the same tickets."""

from __future__ import annotations

import sqlite3

from cstool.desk.index import COLUMNS, _col
from cstool.desk.query import FILTER_FIELDS, Filters

SUMMARIES = [
    {"id": "CS-2026-AB12", "status": "open", "type": "complaint", "group": "complaint", "assignee": "a@x.cn",
     "channel": "phone", "priority": "A", "tier": "A", "_text": "噪音 投诉 noisy neighbours"},
    {"id": "CS-2026-CD34", "status": "closed", "type": "inquiry", "group": "inquiry", "assignee": "",
     "channel": "email", "priority": "B", "tier": "", "_text": "billing question"},
    {"id": "CS-2026-EF56", "status": "pending", "type": "repair", "group": "tech", "assignee": "b@x.cn",
     "channel": "online", "priority": "C", "tier": "B", "_text": ""},
]

FILTERS = [
    Filters(),
    Filters(statuses=()),
    Filters(statuses=("closed",)),
    Filters(statuses=(), assignees=("",)),
    Filters(statuses=(), types=("complaint", "repair"), priorities=("C",)),
    Filters(statuses=(), tiers=("",), channels=("email",)),
    Filters(statuses=(), text="Noisy 投诉"),
    Filters(statuses=(), text="cd34"),
    Filters(statuses=(), text="billing cs-2026"),
    Filters(statuses=(), text="nothing"),
]


def test_every_filter_field_is_a_summary_column():
    assert {key for key, _ in FILTER_FIELDS} <= set(COLUMNS)


def test_sql_and_python_filters_choose_the_same_tickets():
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE files ({', '.join(_col(k) for k in COLUMNS)})")
    for s in SUMMARIES:
        # an empty value may be stored as NULL: both count it as ""
        conn.execute(f"INSERT INTO files VALUES ({', '.join('?' for _ in COLUMNS)})",
                     [s.get(k) or None for k in COLUMNS])
    chosen = {}
    for f in FILTERS:
        clause, args = f.sql(_col)
        in_sql = sorted(r[0] for r in conn.execute(f"SELECT id FROM files{clause}", args))
        in_python = sorted(s["id"] for s in SUMMARIES if f.match({k: s.get(k, "") for k in COLUMNS}))
        assert in_sql == in_python, f
        chosen[FILTERS.index(f)] = in_python
    assert chosen[0] == ["CS-2026-AB12", "CS-2026-EF56"]  # not closed, by default
    assert chosen[3] == ["CS-2026-CD34"]  # unassigned
    assert chosen[6] == ["CS-2026-AB12"] and chosen[7] == ["CS-2026-CD34"] and chosen[9] == []
