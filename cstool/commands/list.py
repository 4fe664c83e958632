"""``cstool list``: tickets as a table, filtered and sorted."""

from __future__ import annotations

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import completion as complete
from cstool.commands import split_values, table_width, wide_option
from cstool.domain.states import STATUSES


@click.command("list")
@click.option("--status", multiple=True, metavar="STATUS", shell_complete=complete.statuses,
              help=f"{', '.join(STATUSES)}, or all (default: all but closed and void).")
@click.option("--type", "types", multiple=True, metavar="TYPE", shell_complete=complete.types,
              help="Only these types (repeatable or comma-separated).")
@click.option("--group", "groups", multiple=True, metavar="GROUP", shell_complete=complete.groups)
@click.option("--assignee", "assignees", multiple=True, metavar="PERSON", shell_complete=complete.people,
              help="Email or name; 'me' for yourself.")
@click.option("--channel", "channels", multiple=True, metavar="CHANNEL", shell_complete=complete.channels)
@click.option("--priority", "priorities", multiple=True, metavar="A|B|C", shell_complete=complete.grades)
@click.option("--tier", "tiers", multiple=True, metavar="A|B|C", shell_complete=complete.grades, help="Customer grade.")
@click.option("--text", metavar="WORDS", default="",
              help="Words that must all appear in title, description, customer or category.")
@click.option("--sort", default="-created", show_default=True, metavar="KEY", shell_complete=complete.sort_keys,
              help="created, updated, priority, status, id, type, group, assignee, due; '-' in front for descending.")
@click.option("-n", "--limit", default=50, show_default=True, type=click.IntRange(min=0),
              help="At most this many rows (0: no limit).")
@wide_option
@read_options
@pass_app
def command(app: App, status, types, groups, assignees, channels, priorities, tiers,
            text, sort, limit, wide, fmt, as_json, reveal) -> None:
    """List tickets, newest first; by default every ticket that is not closed."""
    app.check_now()
    app.open_desk()
    from cstool.desk import query
    from cstool.reports import views

    fmt = output_format(fmt, as_json)
    assignees = split_values(assignees)
    me = app.actor().id if "me" in assignees else None
    filters = query.build_filters(
        app.config, statuses=split_values(status), types=split_values(types), groups=split_values(groups),
        assignees=assignees, channels=split_values(channels), priorities=split_values(priorities),
        tiers=split_values(tiers), text=text, me=me,
    )
    order = query.check_sort(sort)
    shown, total = app.desk.read_index(lambda index: index.select(filters, order, limit))
    click.echo(views.ticket_list(shown, app.config, app.lang, fmt, reveal, table_width(wide), sort), nl=False)
    hidden = total - len(shown)
    if hidden:
        from cstool.messages import label

        click.echo(label("more_rows", app.lang, n=hidden), err=fmt != "table")
    elif not total and fmt == "table":
        from cstool.messages import label

        click.echo(label("no_tickets", app.lang))
