"""``cstool sample``: a reproducible random sample of closed tickets for QA (随机抽查)."""

from __future__ import annotations

import secrets

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import completion as complete
from cstool.commands import table_width, wide_option


@click.command("sample")
@click.option("-n", "--limit", "--n", "count", default=10, show_default=True, type=click.IntRange(min=1),
              help="How many tickets.")
@click.option("--period", metavar="PERIOD", help="Closed in this month, week, quarter, year or day, as audit; default: any time.")
@click.option("--seed", type=int, help="The same seed gives the same sample (printed when not given).")
@click.option("--type", "types", multiple=True, metavar="TYPE", shell_complete=complete.types)
@click.option("--group", "groups", multiple=True, metavar="GROUP", shell_complete=complete.groups)
@wide_option
@read_options
@pass_app
def command(app: App, count, period, seed, types, groups, wide, fmt, as_json, reveal) -> None:
    """Pick N closed tickets at random for a quality review, printable as a checklist."""
    from cstool.errors import InputError
    from cstool.messages import label
    from cstool.reports import audit, render, views
    from cstool.reports.sample import closed_at, sample_closed

    app.check_now()
    fmt = output_format(fmt, as_json)
    config = app.config
    for t in types:
        if t not in config.types:
            raise InputError(f"--type: unknown type {t!r}")
    for g in groups:
        if g not in config.groups:
            raise InputError(f"--group: unknown group {g!r}")
    per = audit.parse_period(period, None, None, config.tz, app.now) if period else None
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    picked, pool = sample_closed(app.desk.documents(), config, per, count, seed, set(types), set(groups))
    lang = app.lang
    closed = {t["id"]: closed_at(t, config.tz) for t in picked}  # the close itself, not the last change after it

    def when(t) -> str:
        at = closed[t["id"]]
        return at.isoformat(timespec="minutes") if at is not None else ""

    if fmt == "json":
        click.echo(render.to_json({"seed": seed, "population": pool, "tickets": [
            {"id": t["id"], "type": t.get("type"), "title": t.get("title"), "assignee": t.get("assignee"),
             "closed": when(t), "resolution": t.get("resolution")} for t in picked]}))
        return
    head = label("sample.title", lang, pool=pool, n=len(picked), seed=seed)
    if fmt == "markdown":
        click.echo(f"## {head}\n")
        for t in picked:
            who = views.person_name(config, t.get("assignee"))
            click.echo(render.escape_controls(f"- [ ] {t['id']} {t.get('title')} — {who} — {views.short_time(when(t))}"))
        return
    width = table_width(wide) if fmt == "table" else render.WIDE
    rows = [["[ ]", t["id"], views.type_name(config, str(t.get("type")), lang), render.capped(t.get("title"), 30, width),
             views.person_name(config, t.get("assignee")), views.short_time(when(t)),
             render.capped(t.get("resolution"), 30, width)] for t in picked]
    columns = ("id", "type", "title", "assignee", "closed", "resolution")
    headers = ["✓"] + [label("sample.col." + k, lang) for k in columns]
    if fmt == "table":
        click.echo(head)
    click.echo(render.table(rows, headers, fmt, width, drop=(6, 2, 4), keep=(0, 1, 5)))
