"""The bulk paths' faster writers give the same bytes as the general ones: JSON of many
flat records (``due --json``)."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cstool.reports.render import to_json, to_json_records

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
RECORDS = st.lists(st.dictionaries(st.text(max_size=6), SCALARS | st.lists(SCALARS, max_size=2), max_size=4), max_size=8)


@settings(max_examples=300, deadline=None)
@example([{"a": "x},\x00{y", "b": ":\x01{"}])
@example([{"k": {"nested": 1}}])
@example([{}])
@given(RECORDS)
def test_records_as_json_are_what_the_general_writer_makes(records):
    assert to_json_records(records) == to_json(records) == json.dumps(records, ensure_ascii=False, indent=2)


def test_a_long_list_of_records_is_whole_across_the_pieces_it_is_made_in():
    records = [{"id": f"CS-{n}", "n": n, "late": n % 2 == 0, "who": None, "title": "标题\n"} for n in range(4321)]
    assert to_json_records(records) == json.dumps(records, ensure_ascii=False, indent=2)
