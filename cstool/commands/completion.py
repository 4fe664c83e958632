"""``cstool completion bash|zsh|fish``: the shell's completion script; and the completers
the commands attach to their arguments and options (ticket IDs, groups, people, types,
channels, statuses, …), which read the desk named by ``--store``/``CSTOOL_STORE`` or found
from the current folder.

The shell runs ``cstool`` with ``_CSTOOL_COMPLETE=<shell>_complete`` and the words typed
so far (click's completion protocol); a completer never fails, it offers nothing instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_CSTOOL_COMPLETE"
MAX_IDS = 100  # ticket IDs offered at once


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def command(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    \b
    bash:  eval "$(cstool completion bash)"     (in ~/.bashrc)
    zsh:   eval "$(cstool completion zsh)"      (in ~/.zshrc)
    fish:  cstool completion fish > ~/.config/fish/completions/cstool.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # every name in SHELLS is one of click's
    click.echo(cls(ctx.find_root().command, {}, "cstool", COMPLETE_VAR).source())


# --------------------------------------------------------------------------- reading the desk


def _desk(ctx: click.Context) -> Any:
    """The desk the command line names (root --store, else CSTOOL_STORE, else found from the folder)."""
    from cstool.desk.paths import find_desk
    from cstool.desk.store import Desk

    root = ctx.find_root()
    store = root.params.get("store") or os.environ.get("CSTOOL_STORE")
    return Desk.open(find_desk(store))


def _lang(ctx: click.Context, config: Any) -> str:
    from cstool.messages import pick_language

    flag = ctx.find_root().params.get("lang_flag") or os.environ.get("CSTOOL_LANG")
    return pick_language(flag, getattr(config, "language", None))


def _item(value: str, help: str | None = None) -> CompletionItem:
    """One offer to the shell. click's completion module is imported only when the shell
    asks: every command that attaches a completer imports this module."""
    from click.shell_completion import CompletionItem

    return CompletionItem(value, help=help)


def _safely(func: Callable[[click.Context, str], Iterable[CompletionItem]]) -> Callable[..., list[CompletionItem]]:
    """A completer that offers nothing rather than fail (no desk, a broken config, …)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        head, _, word = incomplete.rpartition(",")  # a comma-separated list: complete its last value
        head = head + "," if head else ""
        try:
            items = list(func(ctx, word))
        except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
            return []
        return [_item(head + i.value, help=i.help) for i in items]

    complete.__doc__ = func.__doc__
    return complete


def _matching(word: str, pairs: Iterable[tuple[str, str]]) -> list[CompletionItem]:
    """The (value, help) pairs whose value, or help, starts with word (case-insensitive);
    a value matching by its help alone is offered when nothing matches by value."""
    low = word.lower()
    pairs = list(pairs)
    by_value = [_item(v, help=h) for v, h in pairs if v.lower().startswith(low)]
    if by_value:
        return by_value
    return [_item(v, help=h) for v, h in pairs if h and h.lower().startswith(low)]


# --------------------------------------------------------------------------- the completers


@_safely
def ticket_ids(ctx: click.Context, word: str) -> list[CompletionItem]:
    """Ticket IDs: open ones first, then the rest, newest first; an ID's ending matches too.
    Read from the desk's index, refreshed only when a cstool command wrote since its last refresh."""
    desk = _desk(ctx)
    config = desk.config
    lang = _lang(ctx, config)
    from cstool.desk.index import open_index
    from cstool.messages import label
    from cstool.reports.render import escape_controls, truncate

    index = open_index(desk)
    index.refresh_after_writes()  # git is not asked what changed (a second at 100,000 tickets)
    rows = index.complete_ids(word, MAX_IDS)
    return [_item(tid, help=f"{label('status.' + status, lang)}  {truncate(escape_controls(title), 40)}")
            for tid, status, title in rows]


def _named_entries(ctx: click.Context, word: str, section: str) -> list[CompletionItem]:
    """The keys of a config section (groups, types, channels) with their names in the run's language."""
    from cstool.messages import local_name

    config = _desk(ctx).config
    lang = _lang(ctx, config)
    return _matching(word, ((k, local_name(e, lang)) for k, e in getattr(config, section).items()))


@_safely
def groups(ctx: click.Context, word: str) -> list[CompletionItem]:
    """The desk's groups, with their names."""
    return _named_entries(ctx, word, "groups")


@_safely
def people(ctx: click.Context, word: str) -> list[CompletionItem]:
    """Roster people by email (their name as help), and 'me'."""
    config = _desk(ctx).config
    return _matching(word, [("me", ""), *((p.id, p.name) for p in config.roster)])


@_safely
def types(ctx: click.Context, word: str) -> list[CompletionItem]:
    """The desk's ticket types, with their names."""
    return _named_entries(ctx, word, "types")


@_safely
def channels(ctx: click.Context, word: str) -> list[CompletionItem]:
    """The desk's channels, with their names."""
    return _named_entries(ctx, word, "channels")


@_safely
def statuses(ctx: click.Context, word: str) -> list[CompletionItem]:
    """Ticket statuses (and 'all'), with their words in the run's language."""
    from cstool.domain.states import STATUSES
    from cstool.messages import label

    try:
        lang = _lang(ctx, _desk(ctx).config)
    except Exception:  # noqa: BLE001 - statuses are known without a desk
        lang = _lang(ctx, None)
    return _matching(word, [*((s, label("status." + s, lang)) for s in STATUSES), ("all", "")])


def _fixed(values: Iterable[str]) -> Callable[..., list[CompletionItem]]:
    """A completer offering a fixed list of values."""
    listed = tuple(values)
    return _safely(lambda ctx, word: _matching(word, ((v, "") for v in listed)))


def _roles() -> tuple[str, ...]:
    from cstool.config.schema import ROLES

    return tuple(ROLES)


def _sort_keys() -> tuple[str, ...]:
    from cstool.desk.query import SORT_KEYS

    return tuple(SORT_KEYS) + tuple("-" + k for k in SORT_KEYS)


def _kinds() -> tuple[str, ...]:
    from cstool.time.due import KINDS

    return tuple(KINDS)


grades = _fixed(("A", "B", "C"))
severities = _fixed(("general", "major"))


@_safely
def roles(ctx: click.Context, word: str) -> list[CompletionItem]:
    """The ladder's roles (escalate --to)."""
    return _matching(word, ((r, "") for r in _roles()))


@_safely
def sort_keys(ctx: click.Context, word: str) -> list[CompletionItem]:
    """list --sort keys, ascending and descending."""
    return _matching(word, ((k, "") for k in _sort_keys()))


@_safely
def kinds(ctx: click.Context, word: str) -> list[CompletionItem]:
    """Deadline kinds (due --kind)."""
    return _matching(word, ((k, "") for k in _kinds()))
