"""One module per subcommand; each defines ``command``, a click command.

Helpers shared by the changing commands live here.
"""

from __future__ import annotations

from typing import Any

import click


def report(app: Any, outcome: Any) -> None:
    """Print what an action did: the ticket, its status, group, assignee and level."""
    from cstool.messages import label
    from cstool.reports import views

    t = outcome.ticket
    config, lang = app.config, app.lang
    status = label("status." + str(t.get("status")), lang)
    who = views.person_name(config, t.get("assignee")) or label("unassigned", lang)
    group = views.group_name(config, str(t.get("group") or ""), lang)
    level = views.level_name(config, t.get("level"), lang)
    actions = ", ".join(label("action." + str(ev.get("action")), lang) for ev in outcome.events)
    click.echo(f"{outcome.ticket_id}  {actions}  [{status}]  {group} / {who}  {level}")


def split_values(values: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable option's values, each of which may also be comma-separated, blanks dropped."""
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


def acting(app: Any, warn_config: bool = True) -> tuple[Any, Any]:
    """Validate --now, find the actor and the committer for a changing command; warn when
    cstool.yaml has edits git has not committed (unless warn_config is False)."""
    app.check_now()
    actor = app.actor()
    commit = app.committer(actor)
    if commit is not None and warn_config:
        warn_unsaved_config(app)
    return actor, commit


def warn_unsaved_config(app: Any) -> None:
    """One warning on stderr when cstool.yaml has edits git has not committed (a roster
    edited by hand, say): the next sync refuses to start on them. It names the command that
    commits them."""
    import shlex

    from cstool.desk.paths import CONFIG_FILE
    from cstool.git import repo
    from cstool.messages import label

    root = app.desk.root
    if not repo.differs_from_head(root, CONFIG_FILE):
        return
    command = (f"cd {shlex.quote(str(root))} && git add {CONFIG_FILE} && "
               f"git commit -m 'cstool.yaml: roster' -- {CONFIG_FILE}")
    click.echo(label("roster.unsaved_config", app.lang, command=command), err=True)


def warn_unstaffed(app: Any, config: Any) -> None:
    """A warning on stderr for each group that receives tickets but has nobody to assign them to."""
    from cstool.domain.routing import unstaffed_groups
    from cstool.messages import label, local_name

    role = config.ladder[0]
    for key in unstaffed_groups(config):
        click.echo(label("roster.unstaffed", app.lang, group=local_name(config.groups[key], app.lang), gkey=key,
                         role=label("role." + role, app.lang), role_key=role), err=True)


def wide_option(func: Any) -> Any:
    """``--wide``: the whole table, nothing cut to the terminal's width."""
    return click.option("--wide", is_flag=True,
                        help="Show every column and whole titles; tables are otherwise fitted to the terminal.")(func)


def table_width(wide: bool) -> int | None:
    """The width tables are fitted to (see :func:`cstool.reports.render.terminal_width`)."""
    from cstool.reports.render import terminal_width

    return terminal_width(wide)


def message_option(old: str | None, help: str, required: bool = False) -> Any:
    """``-m/--message TEXT`` for a command's free text, with the command's older option name
    (``--reason``, ``--resolution``, ``--note``) kept as an alias; the value goes to the
    parameter of that older name (or ``message``). ``-`` reads the text from standard input
    (see :func:`read_message`)."""
    names = ["-m", "--message"] + ([old] if old else [])
    dest = old.lstrip("-").replace("-", "_") if old else "message"
    return click.option(*names, dest, required=required, metavar="TEXT", callback=read_message,
                        help=help + " '-' reads it from standard input.")


def read_message(ctx: Any, param: Any, value: str | None) -> str | None:
    """The option's text, read from standard input when it is ``-``."""
    if value == "-":
        import sys

        return sys.stdin.read()
    return value
def on_terminal() -> bool:
    """Whether a person is there to answer a question (standard input is a terminal)."""
    import sys

    return sys.stdin.isatty()


def customer_chooser(app: Any, query: str) -> Any:
    """On a terminal, a chooser for several customer records matching query: lists them
    numbered (phones masked) and asks which one; None elsewhere (the command refuses, listing them)."""
    if not on_terminal():
        return None
    from cstool.domain.customers import describe
    from cstool.messages import label
    from cstool.reports.render import shown

    def choose(matches: list[dict[str, Any]]) -> str:
        click.echo(label("customer.several", app.lang, query=shown(query), n=len(matches)), err=True)
        for number, record in enumerate(matches, 1):
            click.echo(f"  {number}) {describe(record)}", err=True)
        picked = click.prompt(label("customer.which", app.lang), type=click.IntRange(1, len(matches)), err=True)
        return str(matches[picked - 1]["id"])

    return choose


def pick_customer(app: Any, query: str) -> str:
    """The ID of the customer record a user named (ID, ID ending, name or phone), asking on a terminal when several match."""
    from cstool.domain.customers import resolve_customer

    return resolve_customer(app.desk, query, customer_chooser(app, query))[0]


def link_customer(app: Any, customer: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """``create --customer NAME`` / ``--phone``: the ID of the one existing record they describe
    (asking on a terminal when several do) and a note saying so; otherwise customer as given
    and a note that the ticket keeps the details as typed (None: nothing to say)."""
    from cstool.domain import customers, ids, model
    from cstool.messages import label
    from cstool.reports.render import shown

    if (customer and ids.CUSTOMER_ID_RE.match(customer.strip().upper())) or not (customer or phone):
        return customer, None
    phone = model.check_phone(phone)  # a malformed number is refused here, never echoed
    query = " ".join(x.strip() for x in (customer, phone) if x)
    matches = customers.same_customer(app.desk, customer, phone)
    if not matches:
        return customer, label("customer.not_linked", app.lang, query=shown(query))
    cid = customers.only_or_chosen(query, matches, customer_chooser(app, query))
    record = next(m for m in matches if m["id"] == cid)
    return cid, label("customer.linked", app.lang, record=customers.describe(record))
