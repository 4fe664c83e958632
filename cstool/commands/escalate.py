"""``cstool escalate``: one level up the ladder (逐级上报), or to --to ROLE (越级)."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete
from cstool.errors import InputError


@click.command("escalate")
@click.argument("ticket", required=False, shell_complete=complete.ticket_ids)
@message_option("--reason", "Why it is escalated (required).")
@click.option("--to", "to_role", metavar="ROLE", shell_complete=complete.roles,
              help="Go straight to this role (越级), e.g. manager.")
@click.option("--overdue", is_flag=True, help="Bring every breached ticket to the level its breach warrants (for cron and CI).")
@pass_app
def command(app: App, ticket, reason, to_role, overdue) -> None:
    """Escalate TICKET one level up the ladder and reassign it to that level's person."""
    from cstool.domain import workflow
    from cstool.messages import label

    if overdue:
        if ticket or to_role:
            raise InputError("--overdue escalates every breached ticket; give no ticket ID or --to")
        actor, commit = acting(app)
        outcomes = workflow.escalate_overdue(app.desk, actor, app.now, commit)
        for outcome in outcomes:
            report(app, outcome)
        if not outcomes:
            click.echo(label("escalate.nothing", app.lang))
        return
    if not ticket:
        raise InputError("escalate takes a ticket ID (or --overdue)")
    if not reason or not reason.strip():
        raise InputError("error.escalate.reason_required")
    actor, commit = acting(app)
    report(app, workflow.escalate(app.desk, ticket, actor, app.now, reason, to_role, commit))
