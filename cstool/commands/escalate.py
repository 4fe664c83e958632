"""``cstool escalate``: one level up the ladder (逐级上报), or to --to ROLE (越级)."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, report
from cstool.errors import InputError


@click.command("escalate")
@click.argument("ticket", required=False)
@click.option("--reason", metavar="TEXT", help="Why it is escalated (required).")
@click.option("--to", "to_role", metavar="ROLE", help="Go straight to this role (越级), e.g. manager.")
@pass_app
def command(app: App, ticket, reason, to_role) -> None:
    """Escalate TICKET one level up the ladder and reassign it to that level's person."""
    from cstool import workflow

    if not ticket:
        raise InputError("escalate takes a ticket ID")
    if not reason or not reason.strip():
        raise InputError("--reason is required: say why the ticket goes up the ladder")
    actor, commit = acting(app)
    report(app, workflow.escalate(app.desk, ticket, actor, app.now, reason, to_role, commit))
