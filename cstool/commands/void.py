"""``cstool void ID --reason``: 作废, a ticket registered by mistake (kept in history and git)."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report


@click.command("void")
@click.argument("ticket")
@message_option("--reason", "Why it is void (e.g. 重复登记).", required=True)
@pass_app
def command(app: App, ticket: str, reason: str) -> None:
    """Void TICKET (作废): left out of lists, deadlines, statistics, exports and samples from
    now on, and kept in its history and in git; `list --status void` shows it. A lead or above."""
    from cstool.domain import model
    from cstool.domain.edits import void_ticket

    reason = model.check_text(reason, "--reason", required=True).strip()
    actor, commit = acting(app)
    report(app, void_ticket(app.desk, ticket, actor, app.now, reason, commit))
