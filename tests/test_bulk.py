"""The bulk paths made fast give what the plain ways give: JSON output, due listings,
and the integrity check that reuses what it found for files that did not change."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.reports.render import plain, to_json

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
                    st.datetimes(timezones=st.just(timezone(timedelta(hours=8)))), st.dates())
KEYS = st.one_of(st.text(max_size=4), st.integers(-3, 3), st.booleans(), st.none(), st.dates())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                                                        st.dictionaries(KEYS, inner, max_size=3)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_json_output_is_what_the_standard_encoder_writes(value):
    assert to_json(value) == json.dumps(plain(value), ensure_ascii=False, indent=2)


def test_json_output_of_a_long_list_of_rows():
    rows = [{"id": f"CS-2026-{i:07d}", "due": datetime(2026, 11, 3, 10, i % 60).isoformat(), "overdue": i % 2 == 0,
             "group": None, "title": "空调不制冷\n\"急\"", "left_minutes": -i, "ratio": i / 7} for i in range(500)]
    rows.append({"nested": [{"a": date(2026, 1, 1)}, {}], "n": {}})
    assert to_json(rows) == json.dumps(plain(rows), ensure_ascii=False, indent=2)
