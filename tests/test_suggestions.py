""""Did you mean": a mistyped command, option or ticket ID is refused naming the nearest
ones, in the language of the run."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstool.domain import ids
from tests.support.desk import load_yaml
from tests.support.roster import MANAGER


@pytest.mark.parametrize("typed, meant", [("lst", "list"), ("escalte", "escalate"), ("shwo", "show"),
                                          ("custmer", "customer"), ("hand", "handover")])
def test_a_mistyped_command_names_the_command_meant(desk, typed, meant):
    res = desk.run(typed)
    assert res.exit_code == 2
    assert f"no such command '{typed}'; did you mean {meant}" in res.stderr


def test_a_mistyped_command_in_chinese(desk):
    res = desk.run("lst", lang="zh")
    assert res.exit_code == 2 and "没有 'lst' 这个命令,您是不是要输入 list?" in res.stderr


def test_a_word_like_no_command_says_how_to_list_them(desk):
    res = desk.run("frobnicate")
    assert res.exit_code == 2 and "no such command 'frobnicate'" in res.stderr and "-h lists them" in res.stderr


def test_a_mistyped_customer_subcommand_in_chinese(desk):
    """click's own "No such command 'shwo'. Did you mean 'show'?" was English whatever the language."""
    res = desk.run("customer", "shwo", "陈建国", lang="zh")
    assert res.exit_code == 2 and "没有 'shwo' 这个命令,您是不是要输入 show?" in res.stderr
    res = desk.run("customer", "frobnicate")
    assert res.exit_code == 2 and "no such command 'frobnicate' (" in res.stderr and "customer -h lists them" in res.stderr


def test_a_mistyped_option_in_chinese(desk):
    """click's own "No such option" was English whatever the language."""
    res = desk.run("list", "--stauts", "open", lang="zh")
    assert res.exit_code == 2 and "没有 --stauts 这个选项,您是不是要输入 --status?" in res.stderr
    res = desk.run("--stroe", str(desk.root), "list", store=False, lang=None, env={"CSTOOL_LANG": "zh"})
    assert res.exit_code == 2 and "没有 --stroe 这个选项,您是不是要输入 --store?" in res.stderr


def _retag(desk, ticket_id: str, new_id: str) -> None:
    """Give a ticket another ID (its file renamed to match), as if it had been minted so."""
    path = desk.path(ticket_id)
    text = path.read_text(encoding="utf-8").replace(ticket_id, new_id)
    path.unlink()
    (path.parent / f"{new_id}.yaml").write_text(text, encoding="utf-8")


def test_a_mistyped_ticket_id_names_the_nearest_open_ones_first(desk):
    closed = desk.create("--type", "inquiry", "--title", "已办结", as_=MANAGER)
    desk.ok("close", closed, "--resolution", "已答复", as_=MANAGER)
    still_open = desk.create("--type", "inquiry", "--title", "未办结", as_=MANAGER)
    _retag(desk, closed, "CS-2026-AAAA7K1")
    _retag(desk, still_open, "CS-2026-AAAA7K2")
    assert load_yaml(desk.path("CS-2026-AAAA7K2"))["id"] == "CS-2026-AAAA7K2"
    desk.ok("list")  # the index sees them (suggestions read statuses as last indexed)
    res = desk.run("show", "AAA7K3")
    assert res.exit_code == 2
    assert "no ticket matches 'AAA7K3'; did you mean CS-2026-AAAA7K2, CS-2026-AAAA7K1?" in res.stderr
    res = desk.run("show", "cs-2026-aaaa7k9", lang="zh")
    assert res.exit_code == 2 and "您是不是要找 CS-2026-AAAA7K2, CS-2026-AAAA7K1?" in res.stderr
    res = desk.run("show", "ZZZZZZ")
    assert res.exit_code == 2 and "did you mean" not in res.stderr


def _edits(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, the slow plain way."""
    d = [[max(i, j) if 0 in (i, j) else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


random_part = st.text(alphabet=ids.ALPHABET, min_size=7, max_size=7)


@settings(max_examples=200, deadline=None)
@given(rands=st.lists(random_part, min_size=1, max_size=40, unique=True), pick=st.integers(0, 39),
       length=st.integers(3, 7), position=st.integers(0, 6), char=st.sampled_from(ids.ALPHABET),
       slip=st.sampled_from(["replace", "drop", "add", "swap"]))
def test_an_id_one_slip_away_is_always_suggested_and_every_suggestion_is_near(rands, pick, length, position, char,
                                                                             slip):
    known = [f"CS-2026-{r}" for r in rands]
    target = known[pick % len(known)]
    ending = target[-length:]
    i = position % length
    typed = {"replace": ending[:i] + char + ending[i + 1:], "drop": ending[:i] + ending[i + 1:],
             "add": ending[:i] + char + ending[i:],
             "swap": ending[:i] + ending[i + 1:i + 2] + ending[i:i + 1] + ending[i + 2:]}[slip]
    if typed == ending or any(k.endswith(typed) for k in known) or len(typed) < ids.NEAR_MIN:
        return
    found = dict((i, d) for d, i in ids.nearest(typed, known))
    assert found.get(target) == 1
    for ident, d in found.items():
        assert min(_edits(typed, ident[-n:]) for n in range(1, len(ident) + 1)) <= d
