"""``cstool followup``: record a follow-up call (回访) on a resolved or closed ticket, or
print its call script."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.commands import completion as complete
from cstool.errors import InputError


@click.command("followup")
@click.argument("ticket", shell_complete=complete.ticket_ids)
@click.option("--result", type=click.Choice(["satisfied", "unsatisfied", "unreachable"]),
              help="What the customer said.")
@message_option("--note", "What was said, for the history.")
@click.option("--script", is_flag=True, help="Print the call script (回访话术) with the ticket's values; records nothing.")
@pass_app
def command(app: App, ticket, result, note, script) -> None:
    """Record the follow-up call of TICKET; unsatisfied reopens and escalates it."""
    from cstool.domain import workflow

    if script:
        if result or note:
            raise InputError("--script prints the call script; give --result and --note in a separate run")
        click.echo(workflow.call_script(app.desk, ticket, app.actor()).rstrip("\n"))
        return
    if not result:
        raise InputError("--result is required (satisfied, unsatisfied or unreachable), or give --script")
    actor, commit = acting(app)
    report(app, workflow.record_followup(app.desk, ticket, actor, app.now, result, note, commit))
