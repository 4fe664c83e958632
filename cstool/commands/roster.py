"""``cstool roster``: the people of the desk (add, list, edit, remove), kept in cstool.yaml."""

from __future__ import annotations

from typing import Any

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import acting, split_values, warn_unstaffed


@click.group("roster")
def command() -> None:
    """The desk's people: add, list, edit, remove (each change one commit of cstool.yaml)."""


def _done(app: App, key: str, change: Any) -> None:
    """Print what a roster command did, then warn about groups left without anyone to assign."""
    from cstool.messages import label, local_name

    lang, person, config = app.lang, change.person, change.config
    groups = "、".join(local_name(config.groups[g], lang) for g in person.groups if g in config.groups)
    click.echo(label(key, lang, name=person.name, id=person.id, role=label("role." + person.role, lang),
                     groups=groups or label("roster.no_groups", lang), day=str(person.left)))
    if change.reassigned:
        click.echo(label("roster.reassigned", lang, n=len(change.reassigned)) + ": " + ", ".join(change.reassigned))
    warn_unstaffed(app, config)


@command.command("add")
@click.argument("email")
@click.option("--name", required=True, metavar="TEXT", help="The person's name, e.g. 王芳.")
@click.option("--role", default="agent", show_default=True, metavar="ROLE", help="agent, lead, supervisor or manager.")
@click.option("--group", "groups", multiple=True, metavar="GROUP",
              help="A group they work in, by key or name (repeatable, or comma-separated).")
@pass_app
def add(app: App, email: str, name: str, role: str, groups: tuple[str, ...]) -> None:
    """Put a person on the roster (a manager's change, committed on its own)."""
    from cstool.desk import roster

    app.check_now()
    entry = roster.check_entry(app.config.groups, email, name, role, split_values(groups))
    actor, commit = acting(app, warn_config=False)
    _done(app, "roster.added", roster.add(app.desk, actor, entry, commit))


@command.command("edit")
@click.argument("person")
@click.option("--name", metavar="TEXT", help="A new name.")
@click.option("--role", metavar="ROLE", help="A new role: agent, lead, supervisor or manager.")
@click.option("--group", "groups", multiple=True, metavar="GROUP", help="Their groups from now on (replaces them).")
@click.option("--add-group", "add_groups", multiple=True, metavar="GROUP", help="One more group.")
@click.option("--remove-group", "drop_groups", multiple=True, metavar="GROUP", help="A group they leave.")
@pass_app
def edit(app: App, person: str, name, role, groups, add_groups, drop_groups) -> None:
    """Change a person's name, role or groups."""
    from cstool.desk import roster

    actor, commit = acting(app, warn_config=False)
    change = roster.edit(app.desk, actor, person, name=name, role=role, groups=split_values(groups) or None,
                         add_groups=split_values(add_groups), drop_groups=split_values(drop_groups), commit=commit)
    _done(app, "roster.edited", change)


@command.command("remove")
@click.argument("person")
@click.option("--reassign", metavar="PERSON|auto",
              help="Hand their open tickets to this person, or 'auto': each group's assignment rule chooses.")
@pass_app
def remove(app: App, person: str, reassign: str | None) -> None:
    """Mark a person as having left the desk (kept for their history: they no longer act, are
    assigned or routed to). Refused while they hold open tickets, unless --reassign says who
    takes them; `roster add` puts them back."""
    from cstool.desk import roster

    actor, commit = acting(app, warn_config=False)
    _done(app, "roster.removed", roster.remove(app.desk, actor, app.now, person, reassign, commit))


@command.command("list")
@click.option("--all", "everyone", is_flag=True, help="Also the people who left, with the day they left.")
@read_options
@pass_app
def list_(app: App, everyone: bool, fmt: str, as_json: bool, reveal: bool) -> None:
    """The people on the roster, their roles and groups; warns about groups with nobody to assign."""
    from cstool.messages import label, local_name
    from cstool.reports import render

    config, lang = app.config, app.lang
    fmt = output_format(fmt, as_json)
    people = [p for p in config.roster if everyone or p.active]
    if fmt == "json":
        data = [{"id": p.id, "name": p.name, "role": p.role, "groups": list(p.groups),
                 "left": p.left.isoformat() if p.left else None} for p in people]
        click.echo(render.to_json(data))
        return
    rows = [[p.id, p.name, label("role." + p.role, lang),
             "、".join(local_name(config.groups[g], lang) for g in p.groups if g in config.groups)]
            + ([p.left.isoformat() if p.left else ""] if everyone else []) for p in people]
    keys = ("id", "name", "role", "groups") + (("left",) if everyone else ())
    click.echo(render.table(rows, [label("roster.col." + k, lang) for k in keys], fmt))
    warn_unstaffed(app, config)
