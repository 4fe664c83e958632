"""``cstool resume``: back to work after pending."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, report
from cstool.commands import completion as complete


@click.command("resume")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@click.option("--note", metavar="TEXT", help="What came back, for the history.")
@pass_app
def command(app: App, ticket, note) -> None:
    """Resume a pending TICKET; its resolution clock runs again."""
    from cstool.domain import model, workflow

    note = model.check_text(note, "--note").strip() or None if note is not None else None
    actor, commit = acting(app)
    report(app, workflow.simple(app.desk, ticket, actor, app.now, "resume", commit=commit, note=note))
