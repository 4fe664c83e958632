"""``cstool note``: an internal note, or a chase (跟催) with --chase."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete


@click.command("note")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@message_option(None, "The note.", required=True)
@click.option("--chase", is_flag=True, help="Record a chase (跟催) of the responsible unit.")
@click.option("--ack-conflict", is_flag=True, help="Mark the ticket's merge conflicts as reviewed.")
@pass_app
def command(app: App, ticket, message, chase, ack_conflict) -> None:
    """Add an internal note to TICKET (not shown to the customer; no clock stops)."""
    from cstool.domain import model, workflow

    message = model.check_text(message, "--message", required=True).strip()
    actor, commit = acting(app)
    action = "ack" if ack_conflict else "chase" if chase else "note"
    report(app, workflow.simple(app.desk, ticket, actor, app.now, action, commit=commit, note=message))
