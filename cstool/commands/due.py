"""``cstool due``: deadlines due or overdue, soonest first, grouped by assignee."""

from __future__ import annotations

import sys

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import completion as complete
from cstool.commands import split_values, table_width, wide_option
from cstool.errors import EXIT_FINDINGS


@click.command("due")
@click.option("--within", metavar="DURATION", default="1d", show_default=True,
              help="Also what falls due within this business time (e.g. 4h, 2d, '24h calendar').")
@click.option("--overdue", "overdue_only", is_flag=True, help="Only what is already overdue.")
@click.option("--assignee", "assignees", multiple=True, metavar="PERSON", shell_complete=complete.people,
              help="Email or name; 'me' for yourself.")
@click.option("--group", "groups", multiple=True, metavar="GROUP", shell_complete=complete.groups)
@click.option("--kind", "kinds", multiple=True, metavar="KIND", shell_complete=complete.kinds,
              help="first_response, resolution, followup, work_order, visit.")
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when anything is overdue (for CI).")
@click.option("-n", "--limit", default=30, show_default=True, type=click.IntRange(min=0),
              help="At most this many rows in a table (0: all); JSON lists all.")
@wide_option
@read_options
@pass_app
def command(app: App, within, overdue_only, assignees, groups, kinds, fail_on_overdue, limit, wide, fmt, as_json,
            reveal) -> None:
    """Follow-ups and SLA deadlines due or overdue, soonest first."""
    app.check_now()
    app.open_desk()
    from cstool.reports import render
    from cstool.time import due
    from cstool.time.calendar import calendar_of
    from cstool.time.durations import parse_duration

    fmt = output_format(fmt, as_json)
    window = parse_duration(within, "--within")
    config = app.config
    kinds, people, groups = _filters(app, kinds, assignees, groups)
    cal = calendar_of(config)
    now = app.now
    if fmt == "json":
        records = due.JsonRecords(config, cal, now, overdue_only)
        batches = app.desk.index().deadline_batches(due.horizon(cal, now, window, overdue_only), kinds=kinds,
                                                    groups=groups, assignees=people)
        render.write_json_items((records.texts(batch) for batch in batches), lambda text: click.echo(text, nl=False))
        click.echo()
        overdue_count = records.overdue
    else:
        dated = due.due_rows(app.desk.index(), cal, now, within=window, overdue_only=overdue_only,
                             kinds=kinds, groups=groups, assignees=people)
        overdue_count = due.count_overdue(dated, cal, now)
        _echo_listing(dated, overdue_count, config, cal, now, app.lang, fmt, limit, table_width(wide))
    if fail_on_overdue and overdue_count:
        if fmt != "table":
            click.echo(f"cstool: {overdue_count} overdue", err=True)
        sys.exit(EXIT_FINDINGS)


def _filters(app: App, kinds: tuple[str, ...], assignees: tuple[str, ...],
             groups: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The --kind, --assignee and --group options checked: kinds, roster ids ('me' is you), groups."""
    from cstool.config import words
    from cstool.time import due

    config = app.config
    kinds = words.resolve_all(split_values(kinds), words.labelled(due.KINDS, "kind."), "--kind")
    people = []
    for a in split_values(assignees):
        people.append(app.actor().id if a == "me" else words.person(config, a, "--assignee").id)
    return kinds, tuple(dict.fromkeys(people)), words.words(config, "group", split_values(groups), "--group")


# a narrow terminal leaves out the kind column first; the ID and the due time are never cut
DUE_DROP = (2,)
DUE_KEEP = (1, 4)


def _echo_listing(dated, overdue_count, config, cal, now, lang, fmt, limit, width) -> None:
    """The table (or csv/markdown) grouped by assignee, then for a table what was left out and a summary."""
    from cstool.messages import label
    from cstool.reports import render
    from cstool.time import due

    ranked = due.by_assignee(dated)
    shown = ranked[:limit] if limit else ranked  # only the rows shown are measured
    items = [due.row_item(*d, config, cal, now) for d in shown]
    table = _table_rows(items, config, cal, lang, fmt, width)
    if table:
        headers = [label("due.col." + c, lang) for c in ("assignee", "id", "kind", "title", "due", "status")]
        colour = fmt == "table" and render.color_enabled()
        late = [(n, 5) for n, item in enumerate(items) if colour and item.overdue]  # the status of what is overdue, in red
        click.echo(render.table(table, headers, fmt, width, drop=DUE_DROP, keep=DUE_KEEP, red=late))
    if fmt == "table":
        if len(dated) > len(shown):
            left_out = len(dated) - len(shown)
            click.echo(label("due.more", lang, n=left_out))
        summary = label("due.summary", lang, overdue=overdue_count, soon=len(dated) - overdue_count)
        click.echo(summary if dated else label("due.nothing", lang))


def _table_rows(ranked, config, cal, lang, fmt, width):
    from cstool.messages import label
    from cstool.reports import render, views
    from cstool.time import due

    rows = []
    previous = None
    for item in ranked:
        who = views.person_name(config, item.assignee) or (views.group_name(config, item.group, lang) if item.group else "—")
        status = due.left_text(item, cal.day_minutes, lang)
        rows.append([
            who if who != previous else "",
            item.id,
            label("kind." + item.kind, lang),
            render.capped(item.title, 28, width if fmt == "table" else render.WIDE),
            views.short_time(item.due.isoformat()),
            status,
        ])
        previous = who
    return rows
