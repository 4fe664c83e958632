"""``cstool reply``: a customer-facing response (stops the first-response clock)."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete


@click.command("reply")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@message_option(None, "What the customer was told.", required=True)
@pass_app
def command(app: App, ticket, message) -> None:
    """Record a reply to the customer on TICKET."""
    from cstool.domain import model, workflow

    message = model.check_text(message, "--message", required=True).strip()
    actor, commit = acting(app)
    report(app, workflow.simple(app.desk, ticket, actor, app.now, "reply", commit=commit, message=message))
