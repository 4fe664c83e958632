"""``cstool reopen``: a resolved or closed ticket back to open (a new SLA cycle)."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete


@click.command("reopen")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@message_option("--reason", "Why it is reopened.", required=True)
@pass_app
def command(app: App, ticket, reason) -> None:
    """Reopen TICKET."""
    from cstool.domain import model, workflow

    reason = model.check_text(reason, "--reason", required=True).strip()
    actor, commit = acting(app)
    report(app, workflow.simple(app.desk, ticket, actor, app.now, "reopen", commit=commit, reason=reason))
