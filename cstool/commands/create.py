"""``cstool create``: register a new ticket."""

from __future__ import annotations

import sys

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, link_customer, on_terminal
from cstool.commands import completion as complete
from cstool.errors import InputError


def _parse_fields(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError("error.create.field_pair", value=repr(pair))
        out[key.strip()] = value.strip()
    return out


@click.command("create")
@click.option("--type", "ticket_type", metavar="TYPE", shell_complete=complete.types,
              help="Ticket type, e.g. complaint, inquiry, repair, work_order.")
@click.option("--title", metavar="TEXT", help="One-line summary of the contact.")
@click.option("--description", metavar="TEXT", help="What the customer said; '-' reads it from standard input.")
@click.option("--channel", metavar="CHANNEL", shell_complete=complete.channels, help="phone, email, online, letter, visit, sms …")
@click.option("--customer", metavar="NAME|C-ID", help="The customer's name, or a customer record ID.")
@click.option("--phone", metavar="PHONE", help="The customer's phone number.")
@click.option("--email", metavar="EMAIL", help="The customer's email address.")
@click.option("--tier", metavar="A|B|C", shell_complete=complete.grades, help="The customer's grade.")
@click.option("--priority", metavar="A|B|C", shell_complete=complete.grades, help="A is the most urgent.")
@click.option("--severity", metavar="general|major", shell_complete=complete.severities,
              help="major: e.g. a complaint involving compensation (重大投诉).")
@click.option("--category", metavar="NAME", help="Cause or topic, from the desk's categories.")
@click.option("--group", metavar="GROUP", shell_complete=complete.groups,
              help="Route to this group instead of applying the routing rules.")
@click.option("--assignee", metavar="PERSON", shell_complete=complete.people, help="Assign to this member of the group.")
@click.option("--template", metavar="NAME", help="Use templates/NAME.yaml instead of the type's template.")
@click.option("--due", metavar="ISO-TIME", help="A work order's due time (default: from its urgency A/B/C).")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help="A type-specific detail from the template (repeatable); `cstool types TYPE` lists a type's fields.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the new ID.")
@pass_app
def command(app: App, ticket_type, title, description, channel, customer, phone, email, tier, priority,
            severity, category, group, assignee, template, due, fields, quiet) -> None:
    """Register a new ticket; routing rules and the type's template fill the defaults.

    On a terminal, what is missing (the type, the title, a required field) is asked for;
    otherwise everything missing is named in one error. `cstool types` lists each type's
    fields, their choices and defaults."""
    app.check_now()
    app.open_desk()
    from cstool.domain.workflow import NewTicket, create_ticket
    from cstool.messages import label, local_name

    if description == "-":
        description = sys.stdin.read()
    customer, customer_note = link_customer(app, customer, phone)
    req = NewTicket(
        type=ticket_type, title=title, description=description, channel=channel, customer=customer,
        phone=phone, email=email, tier=tier, priority=priority, severity=severity, category=category,
        group=group, assignee=assignee, template=template, fields=_parse_fields(fields), due=due,
    )
    actor, commit = acting(app)
    req = _complete(app, req)  # asks for what is missing on a terminal; else refuses naming all of it
    ticket_id, _, ticket = create_ticket(app.desk, req, actor, app.now, commit)
    if quiet:
        click.echo(ticket_id)
        return
    if customer_note:
        click.echo(customer_note, err=True)
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


_interactive = on_terminal  # whether to ask for what is missing (a name tests can replace)


def _complete(app: App, req):
    """The request with what it lacks asked for on a terminal (on stderr, so that ``-q``'s
    output stays the ID alone); without a terminal, one refusal naming all that is missing."""
    from dataclasses import replace

    from cstool.domain.templates import missing_error
    from cstool.domain.workflow import missing_for_create
    from cstool.messages import Both

    ticket_type, missing = missing_for_create(app.desk, req)
    if not missing:
        return req
    if not _interactive():
        raise missing_error(ticket_type, missing)
    if "--type" in missing:
        req = replace(req, type=_ask_type(app))
    if "--title" in missing:
        req = replace(req, title=_ask(app, "prompt.title"))
    _, missing = missing_for_create(app.desk, req)
    fields = dict(req.fields or {})
    for spec in (m for m in missing if not isinstance(m, str)):
        fields[spec.key] = _ask(app, "prompt.field", label=Both(spec.label, spec.label_en), field=spec.key,
                                choices=click.Choice(spec.choices) if spec.choices else None)
    return replace(req, fields=fields)


def _ask(app: App, question: str, choices: click.Choice | None = None, **fmt) -> str:
    """One answer to a catalogue question, asked again until it is not blank."""
    from cstool.messages import label

    while True:
        answer = click.prompt(label(question, app.lang, **fmt), type=choices, err=True, show_choices=choices is not None)
        if str(answer).strip():
            return str(answer).strip()


def _ask_type(app: App) -> str:
    """The ticket type, chosen from a numbered list by number, key or name."""
    from cstool.messages import label, local_name

    types = list(app.config.types.items())
    for n, (key, t) in enumerate(types, start=1):
        click.echo(f"  {n}) {local_name(t, app.lang)}  {key}", err=True)
    while True:
        answer = _ask(app, "prompt.type").lower()
        for n, (key, t) in enumerate(types, start=1):
            if answer in (str(n), key.lower(), t.name.lower(), t.name_en.lower()):
                return key
        click.echo(label("prompt.no_such_type", app.lang), err=True)
