"""``cstool resolve``: record the result without closing yet."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete


@click.command("resolve")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@message_option("--resolution", "The result (处理结果).", required=True)
@pass_app
def command(app: App, ticket, resolution) -> None:
    """Record TICKET's result; it stays open for confirmation until `cstool close`."""
    from cstool.domain import workflow

    actor, commit = acting(app)
    report(app, workflow.finish(app.desk, ticket, actor, app.now, "resolve", resolution, commit))
