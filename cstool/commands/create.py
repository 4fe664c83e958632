"""``cstool create``: register a new ticket."""

from __future__ import annotations

import sys

import click

from cstool.cli import App, pass_app
from cstool.commands import acting
from cstool.errors import InputError


def _parse_fields(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--field: {pair!r} is not KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


@click.command("create")
@click.option("--type", "ticket_type", metavar="TYPE", help="Ticket type, e.g. complaint, inquiry, repair, work_order.")
@click.option("--title", metavar="TEXT", help="One-line summary of the contact.")
@click.option("--description", metavar="TEXT", help="What the customer said; '-' reads it from standard input.")
@click.option("--channel", metavar="CHANNEL", help="phone, email, online, letter, visit, sms …")
@click.option("--customer", metavar="NAME|C-ID", help="The customer's name, or a customer record ID.")
@click.option("--phone", metavar="PHONE", help="The customer's phone number.")
@click.option("--email", metavar="EMAIL", help="The customer's email address.")
@click.option("--tier", metavar="A|B|C", help="The customer's grade.")
@click.option("--priority", metavar="A|B|C", help="A is the most urgent.")
@click.option("--severity", metavar="general|major", help="major: e.g. a complaint involving compensation (重大投诉).")
@click.option("--category", metavar="NAME", help="Cause or topic, from the desk's categories.")
@click.option("--group", metavar="GROUP", help="Route to this group instead of applying the routing rules.")
@click.option("--assignee", metavar="PERSON", help="Assign to this member of the group.")
@click.option("--template", metavar="NAME", help="Use templates/NAME.yaml instead of the type's template.")
@click.option("--due", metavar="ISO-TIME", help="A work order's due time (default: from its urgency A/B/C).")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help="A type-specific detail from the template (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the new ID.")
@pass_app
def command(app: App, ticket_type, title, description, channel, customer, phone, email, tier, priority,
            severity, category, group, assignee, template, due, fields, quiet) -> None:
    """Register a new ticket; routing rules and the type's template fill the defaults."""
    app.check_now()
    app.open_desk()
    from cstool.domain.workflow import NewTicket, create_ticket
    from cstool.messages import label, local_name

    if description == "-":
        description = sys.stdin.read()
    req = NewTicket(
        type=ticket_type, title=title, description=description, channel=channel, customer=customer,
        phone=phone, email=email, tier=tier, priority=priority, severity=severity, category=category,
        group=group, assignee=assignee, template=template, fields=_parse_fields(fields), due=due,
    )
    actor, commit = acting(app)
    ticket_id, _, ticket = create_ticket(app.desk, req, actor, app.now, commit)
    if quiet:
        click.echo(ticket_id)
        return
    lang = app.lang
    who = ticket.get("assignee") or label("unassigned", lang)
    gname = local_name(app.config.groups[ticket["group"]], lang)
    click.echo(f"{ticket_id}  {label('created_ticket', lang)} → {gname} / {who}")
    if not ticket.get("assignee"):
        _why_unassigned(app, ticket)


def _why_unassigned(app: App, ticket) -> None:
    """A hint on stderr when the ticket is unassigned because its group has nobody at its level."""
    from cstool.domain.routing import candidates
    from cstool.messages import label, local_name

    config, lang = app.config, app.lang
    group, level = ticket["group"], int(ticket.get("level") or 1)
    if candidates(config, group, level):
        return
    role = config.ladder[min(max(level, 1), len(config.ladder)) - 1]
    click.echo(label("create.unassigned_hint", lang, group=local_name(config.groups[group], lang), gkey=group,
                     role=label("role." + role, lang), role_key=role), err=True)
