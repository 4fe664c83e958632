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
@click.option("--result", metavar="[satisfied|unsatisfied|unreachable]", help="What the customer said.")
@message_option("--note", "What was said, for the history.")
@click.option("--script", is_flag=True, help="Print the call script (回访话术) with the ticket's values; records nothing.")
@pass_app
def command(app: App, ticket, result, note, script) -> None:
    """Record the follow-up call of TICKET; unsatisfied reopens and escalates it."""
    from cstool.domain import workflow

    if script:
        if result or note:
            raise InputError("error.followup.script_alone")
        click.echo(workflow.call_script(app.desk, ticket, app.actor()).rstrip("\n"))
        return
    if not result:
        raise InputError("error.followup.result_required")
    from cstool.config import words

    result = words.resolve(result, words.labelled(workflow.FOLLOWUP_RESULTS, "result."), "--result")
    actor, commit = acting(app)
    report(app, workflow.record_followup(app.desk, ticket, actor, app.now, result, note, commit))
