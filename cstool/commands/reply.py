"""``cstool reply``: a customer-facing response (stops the first-response clock)."""

from __future__ import annotations

import sys

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, report


@click.command("reply")
@click.argument("ticket")
@click.option("-m", "--message", required=True, metavar="TEXT", help="What the customer was told; '-' reads standard input.")
@pass_app
def command(app: App, ticket, message) -> None:
    """Record a reply to the customer on TICKET."""
    from cstool.domain import model, workflow

    if message == "-":
        message = sys.stdin.read()
    message = model.check_text(message, "--message", required=True).strip()
    actor, commit = acting(app)
    report(app, workflow.simple(app.desk, ticket, actor, app.now, "reply", commit=commit, message=message))
