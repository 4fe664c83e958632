"""One module per subcommand; each defines ``command``, a click command.

Helpers shared by the changing commands live here.
"""

from __future__ import annotations

from typing import Any

import click


def report(app: Any, outcome: Any) -> None:
    """Print what an action did: the ticket, its status, group, assignee and level."""
    from cstool.messages import label
    from cstool.reports import views

    t = outcome.ticket
    config, lang = app.config, app.lang
    status = label("status." + str(t.get("status")), lang)
    who = views.person_name(config, t.get("assignee")) or label("unassigned", lang)
    group = views.group_name(config, str(t.get("group") or ""), lang)
    level = views.level_name(config, t.get("level"), lang)
    actions = ", ".join(label("action." + str(ev.get("action")), lang) for ev in outcome.events)
    click.echo(f"{outcome.ticket_id}  {actions}  [{status}]  {group} / {who}  {level}")


def split_values(values: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable option's values, each of which may also be comma-separated, blanks dropped."""
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


def acting(app: Any) -> tuple[Any, Any]:
    """Validate --now, find the actor and the committer for a changing command."""
    app.check_now()
    actor = app.actor()
    return actor, app.committer(actor)


def wide_option(func: Any) -> Any:
    """``--wide``: the whole table, nothing cut to the terminal's width."""
    return click.option("--wide", is_flag=True,
                        help="Show every column and whole titles; tables are otherwise fitted to the terminal.")(func)


def table_width(wide: bool) -> int | None:
    """The width tables are fitted to (see :func:`cstool.reports.render.terminal_width`)."""
    from cstool.reports.render import terminal_width

    return terminal_width(wide)


def message_option(old: str | None, help: str, required: bool = False) -> Any:
    """``-m/--message TEXT`` for a command's free text, with the command's older option name
    (``--reason``, ``--resolution``, ``--note``) kept as an alias; the value goes to the
    parameter of that older name (or ``message``). ``-`` reads the text from standard input
    (see :func:`read_message`)."""
    names = ["-m", "--message"] + ([old] if old else [])
    dest = old.lstrip("-").replace("-", "_") if old else "message"
    return click.option(*names, dest, required=required, metavar="TEXT", callback=read_message,
                        help=help + " '-' reads it from standard input.")


def read_message(ctx: Any, param: Any, value: str | None) -> str | None:
    """The option's text, read from standard input when it is ``-``."""
    if value == "-":
        import sys

        return sys.stdin.read()
    return value
