"""``cstool route``: assign a ticket to a group and a person, or apply the routing rules."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, report
from cstool.commands import completion as complete
from cstool.errors import InputError


@click.command("route")
@click.argument("tickets", nargs=-1, shell_complete=complete.ticket_ids)
@click.option("--group", metavar="GROUP", shell_complete=complete.groups, help="The group to route to.")
@click.option("--assignee", metavar="PERSON", shell_complete=complete.people,
              help="A member of that group (default: the group's method picks one).")
@click.option("--note", metavar="TEXT", help="Why, for the history.")
@click.option("--auto", is_flag=True, help="Apply the routing rules: to the given tickets, or to every unassigned one.")
@pass_app
def command(app: App, tickets, group, assignee, note, auto) -> None:
    """Route TICKET to --group (分派), or route --auto [TICKET…] by the rules."""
    from cstool.domain import workflow
    from cstool.messages import label

    if auto:
        if group or assignee:
            raise InputError("--auto chooses the group by the rules; do not combine it with --group or --assignee")
        actor, commit = acting(app)
        outcomes = workflow.route_auto(app.desk, list(tickets), actor, app.now, commit)
        for outcome in outcomes:
            report(app, outcome)
        if not outcomes:
            click.echo(label("route.nothing", app.lang))
        return
    if len(tickets) != 1:
        raise InputError("route takes one ticket ID (or --auto with any number)")
    if not group:
        raise InputError("--group is required (or use --auto)")
    actor, commit = acting(app)
    report(app, workflow.route(app.desk, tickets[0], actor, app.now, group, assignee, note, commit))
