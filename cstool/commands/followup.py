"""``cstool followup``: record a follow-up call (回访) on a resolved or closed ticket."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, report


@click.command("followup")
@click.argument("ticket")
@click.option("--result", required=True, type=click.Choice(["satisfied", "unsatisfied", "unreachable"]),
              help="What the customer said.")
@click.option("--note", metavar="TEXT", help="What was said, for the history.")
@pass_app
def command(app: App, ticket, result, note) -> None:
    """Record the follow-up call of TICKET; unsatisfied reopens and escalates it."""
    from cstool.domain import workflow

    actor, commit = acting(app)
    report(app, workflow.record_followup(app.desk, ticket, actor, app.now, result, note, commit))
