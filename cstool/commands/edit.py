"""``cstool edit ID``: correct what a ticket says (each change an ``edit`` event, old → new)."""

from __future__ import annotations

import sys

import click

from cstool.cli import App, pass_app
from cstool.commands import acting, message_option, report
from cstool.errors import InputError

# option -> the ticket field it changes
FIELDS = (("title", "title"), ("description", "description"), ("priority", "priority"), ("severity", "severity"),
          ("category", "category"), ("customer", "customer.name"), ("phone", "customer.phone"),
          ("email", "customer.email"))


def requested(options: dict, pairs: tuple[str, ...]) -> dict[str, str]:
    """The changes asked for, by field path (``fields.KEY`` for --field KEY=VALUE)."""
    from cstool.reports.render import shown

    out = {path: options[name] for name, path in FIELDS if options.get(name) is not None}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError("error.field_pair", pair=shown(pair))
        out["fields." + key.strip()] = value.strip()
    return out


@click.command("edit")
@click.argument("ticket")
@click.option("--title", metavar="TEXT", help="A new title.")
@click.option("--description", metavar="TEXT", help="A new description; '-' reads it from standard input.")
@click.option("--priority", metavar="A|B|C", help="A new priority (a work order's urgency); deadlines follow.")
@click.option("--severity", metavar="general|major", help="A new severity; a complaint found major goes up the ladder.")
@click.option("--category", metavar="NAME", help="A new cause or topic ('' clears it).")
@click.option("--customer", metavar="NAME", help="The customer's name.")
@click.option("--phone", metavar="PHONE", help="The customer's phone ('' clears it).")
@click.option("--email", metavar="EMAIL", help="The customer's email ('' clears it).")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="A template field (repeatable; KEY= clears it).")
@message_option("--reason", "Why it is corrected (kept in the history).")
@pass_app
def command(app: App, ticket: str, fields: tuple[str, ...], reason: str | None, **options: str | None) -> None:
    """Correct TICKET: each change is recorded in its history as old → new."""
    from cstool.domain.edits import edit_ticket

    if options.get("description") == "-":
        options["description"] = sys.stdin.read()
    values = requested(options, fields)
    actor, commit = acting(app)
    report(app, edit_ticket(app.desk, ticket, actor, app.now, values, reason, commit))
