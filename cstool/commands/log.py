"""``cstool log``: the ticket's git history, newest first."""

from __future__ import annotations

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import completion as complete
from cstool.commands import table_width, wide_option


@click.command("log")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@click.option("-n", "--limit", type=click.IntRange(min=1), help="At most this many commits.")
@wide_option
@read_options
@pass_app
def command(app: App, ticket, limit, wide, fmt, as_json, reveal) -> None:
    """Show the commits that changed TICKET's file."""
    from cstool.errors import DeskError
    from cstool.git import repo
    from cstool.messages import label
    from cstool.reports import render

    app.check_now()
    fmt = output_format(fmt, as_json)
    _, path = app.desk.resolve(ticket)
    if repo.work_tree(app.desk.root) is None:
        raise DeskError(f"{app.desk.root}: not a git repository, so there is no history to show; see 'cstool show'")
    commits = repo.log(app.desk.root, path, limit)
    if fmt == "json":
        click.echo(render.to_json(commits))
        return
    rows = [[c["short"], c["date"][:16].replace("T", " "), c["author"], c["subject"]] for c in commits]
    headers = [label("log.col." + k, app.lang) for k in ("commit", "date", "author", "message")]
    click.echo(render.table(rows, headers, fmt, table_width(wide), keep=(0, 1)))
