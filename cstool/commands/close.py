"""``cstool close``: record the result and close; schedules the follow-up call (回访)."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete


@click.command("close")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@message_option("--resolution", "The result (处理结果); required unless already resolved.")
@pass_app
def command(app: App, ticket, resolution) -> None:
    """Close TICKET with its resolution; types with a follow-up policy get a call scheduled."""
    from cstool.domain import workflow

    actor, commit = acting(app)
    report(app, workflow.finish(app.desk, ticket, actor, app.now, "close", resolution, commit))
