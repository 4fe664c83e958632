"""``cstool show ID``: one ticket with its history."""

from __future__ import annotations

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import completion as complete
from cstool.commands import table_width, wide_option


@click.command("show")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@wide_option
@read_options
@pass_app
def command(app: App, ticket: str, wide: bool, fmt: str, as_json: bool, reveal: bool) -> None:
    """Show one ticket (ID or unambiguous suffix) with its history as a timeline."""
    from cstool.reports import render, views

    app.check_now()
    fmt = output_format(fmt, as_json)
    _, path = app.desk.resolve(ticket)
    data = app.desk.read_ticket(path)
    from cstool.time.calendar import calendar_of
    from cstool.time.sla import ticket_clocks

    cal = calendar_of(app.config)
    clocks = ticket_clocks(data, app.config, cal, app.now)
    if fmt == "json":
        click.echo(views.ticket_json(data, reveal, clocks), nl=False)
    elif fmt in ("csv", "markdown"):
        from cstool.desk import query
        from cstool.reports import views as v

        click.echo(v.ticket_list([query.summarize(data)], app.config, app.lang, fmt, reveal, render.WIDE), nl=False)
    else:
        click.echo(views.ticket_detail(data, app.config, app.lang, reveal, clocks, cal.day_minutes, table_width(wide)),
                   nl=False)
