"""``cstool pending``: wait on the customer or another department (SLA clocks pause)."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete


@click.command("pending")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@message_option("--reason", "What the ticket waits for.", required=True)
@pass_app
def command(app: App, ticket, reason) -> None:
    """Put TICKET on hold; its resolution clock pauses until `cstool resume`."""
    from cstool.domain import model, workflow

    reason = model.check_text(reason, "--reason", required=True).strip()
    actor, commit = acting(app)
    report(app, workflow.simple(app.desk, ticket, actor, app.now, "pending", commit=commit, reason=reason))
