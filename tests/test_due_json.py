"""``due --json`` writes each deadline's record from pieces worked out once per due moment,
kind, target and person: the text is what the general writer makes of the deadline's item,
byte for byte, for any rows, any clock and every filter."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from benchmarks.make_desk import generate
from cstool.config.load import load_config
from cstool.reports.render import json_item_layout, json_value, to_json, write_json_items
from cstool.time import due
from cstool.time.calendar import calendar_of
from tests.support.desk import CliDesk

SAMPLE = Path(__file__).resolve().parent.parent / "records"
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
ZONES = [timezone(timedelta(hours=8)), UTC, timezone(timedelta(hours=-5, minutes=-30))]
MOMENTS = st.builds(lambda day, minute, second, zone: (datetime(2026, 11, 1, tzinfo=ZONES[0]) + timedelta(
    days=day, minutes=minute, seconds=second)).astimezone(zone),
    st.integers(0, 60), st.sampled_from([0, 1, 539, 540, 1050, 1080, 1439]) | st.integers(0, 1439),
    st.sampled_from([0, 0, 30, 59]), st.sampled_from(ZONES))
PEOPLE = st.sampled_from([None, "", "wang.fang@example.com", "he.xue@example.com"]) | TEXT
ROWS = st.lists(st.tuples(st.sampled_from(["CS-2026-7KQ3MX9", "C-5E406Z", ""]) | TEXT, TEXT, PEOPLE,
                          st.sampled_from([None, "", "complaint", "followup"]) | TEXT, st.sampled_from(due.KINDS),
                          MOMENTS, st.sampled_from([0, 1]),
                          st.sampled_from([None, 0.0, 5.0, 540.0, 1440.0, 2700.0]) | st.floats(1, 10_000)),
                max_size=12)


@pytest.fixture(scope="module")
def sample_config(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample") / "desk"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".cstool"))
    return load_config(root)


def general_text(rows: list[tuple], config, cal, now: datetime, overdue_only: bool) -> tuple[str, int]:
    """The JSON the general path writes for these rows (an Item for each, then its mapping),
    and how many of them it counts overdue."""
    dated = [((ident, kind, when.isoformat(), target, calendar, assignee, group, title), when)
             for ident, title, assignee, group, kind, when, calendar, target in rows]
    if overdue_only:
        dated = [(row, when) for row, when in dated if due.overdue_at(when, due.in_calendar_time(row[1], row[4]), cal, now)]
    items = due.row_items(dated, config, cal, now)
    return to_json([item.as_json() for item in items]), sum(item.overdue for item in items)


@settings(max_examples=300, deadline=None)
@example(rows=[("CS-1", "标题\n\"引号\"", None, "", "visit", datetime(2026, 11, 20, 9, tzinfo=ZONES[0]), 0, None)],
         now=datetime(2026, 11, 20, 9, tzinfo=ZONES[0]), overdue_only=False, size=1)
@example(rows=[("CS-1", "a", "x", "g", "resolution", datetime(2026, 11, 20, 17, 30, tzinfo=ZONES[0]), 0, 2700.0),
               ("CS-2", "b", "x", "g", "resolution", datetime(2026, 11, 20, 17, 30, tzinfo=ZONES[0]), 0, 540.0)],
         now=datetime(2026, 11, 20, 18, 0, tzinfo=ZONES[0]), overdue_only=True, size=1)
@given(rows=ROWS, now=MOMENTS, overdue_only=st.booleans(), size=st.integers(1, 5))
def test_the_records_are_what_the_general_writer_makes_of_each_item(sample_config, rows, now, overdue_only, size):
    config = sample_config
    cal = calendar_of(config)
    indexed = [(ident, title, assignee, group, kind, when.isoformat(), calendar, target)
               for ident, title, assignee, group, kind, when, calendar, target in rows]
    records = due.JsonRecords(config, cal, now, overdue_only)
    pieces: list[str] = []
    write_json_items((records.texts(indexed[i:i + size]) for i in range(0, len(indexed), size)), pieces.append)
    assert ("".join(pieces), records.overdue) == general_text(rows, config, cal, now, overdue_only)


def test_the_fields_are_those_of_an_item():
    item = due.Item("CS-1", "resolution", datetime(2026, 11, 20, 9, tzinfo=ZONES[0]), False, "", "", "t", "running", 1.0)
    assert tuple(item.as_json()) == due.JSON_FIELDS


FLAT = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT)


@settings(max_examples=200, deadline=None)
@example(keys=["a"], values=[["x},\x00{y"]], size=1)
@given(keys=st.lists(TEXT, min_size=1, max_size=5, unique=True), values=st.lists(st.lists(FLAT, min_size=5, max_size=5),
                                                                                   max_size=6),
       size=st.integers(1, 4))
def test_records_written_from_their_layout_are_the_list_written_whole(keys, values, size):
    layout = json_item_layout(keys)
    records = [dict(zip(keys, row, strict=False)) for row in values]
    texts = ["".join(piece + json_value(value) for piece, value in zip(layout, row[:len(keys)], strict=False)) + layout[-1]
             for row in values]
    pieces: list[str] = []
    write_json_items((texts[i:i + size] for i in range(0, len(texts), size)), pieces.append)
    assert "".join(pieces) == to_json(records)


# --------------------------------------------------------------------------- through the CLI, on a generated desk

NOWS = ("2026-11-20T10:00:00+08:00", "2026-11-22T18:00:00+08:00", "2026-12-08T17:30:00+08:00", "2027-01-04T09:00:30+08:00")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen") / "desk"
    generate(root, 300, seed=3, all_open_in="2026-11")
    return CliDesk(root)


def indexed_general_text(d: CliDesk, now_text: str, within: str, overdue_only: bool, **filters) -> tuple[str, int]:
    """What ``due --json`` wrote before: the index's rows made into items one by one."""
    from cstool.desk.store import Desk
    from cstool.time.clock import parse_time
    from cstool.time.durations import parse_duration

    desk = Desk.open(d.root)
    config = desk.config
    cal = calendar_of(config)
    now = parse_time(now_text, config.tz)
    dated = due.due_rows(desk.index(), cal, now, within=parse_duration(within, "--within"), overdue_only=overdue_only,
                         kinds=filters.get("kinds", ()), groups=filters.get("groups", ()),
                         assignees=filters.get("assignees", ()))
    items = due.row_items(dated, config, cal, now)
    return to_json([item.as_json() for item in items]) + "\n", due.count_overdue(dated, cal, now)


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("args, within, overdue_only, filters", [
    ((), "1d", False, {}),
    (("--within", "4w"), "4w", False, {}),
    (("--overdue",), "1d", True, {}),
    (("--group", "complaint", "--kind", "resolution", "--kind", "first_response"), "1d", False,
     {"groups": ("complaint",), "kinds": ("resolution", "first_response")}),
    (("--assignee", "wang.fang@example.com", "--within", "24h calendar"), "24h calendar", False,
     {"assignees": ("wang.fang@example.com",)}),
])
def test_due_json_writes_what_the_items_of_the_index_rows_make(generated, now, args, within, overdue_only, filters):
    res = generated.run("due", "--json", "--fail-on-overdue", *args, now=now)
    text, overdue = indexed_general_text(generated, now, within, overdue_only, **filters)
    assert res.stdout == text
    assert res.exit_code == (1 if overdue else 0)
    assert (f"cstool: {overdue} overdue" in res.stderr) == bool(overdue)


def test_the_batches_are_the_deadlines_in_the_same_order(generated):
    from cstool.desk.store import Desk

    index = Desk.open(generated.root).index()
    horizon = datetime(2026, 12, 1, tzinfo=ZONES[0])
    whole = [(ident, title or "", assignee, group, kind, when, calendar, target)
             for ident, kind, when, target, calendar, assignee, group, title in index.deadlines(horizon)]
    batches = list(index.deadline_batches(horizon, size=7))
    assert whole and [row for batch in batches for row in batch] == whole
    assert all(len(batch) == 7 for batch in batches[:-1])
