"""``cstool handover``: the shift handover (交接班) summary."""

from __future__ import annotations

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import table_width, wide_option


@click.command("handover")
@click.option("--since", metavar="ISO-TIME",
              help="Start of the handover (default: the end of the previous working day, from the desk's calendar).")
@click.option("--next", "next_span", default="1d", show_default=True, metavar="DURATION",
              help="How far ahead the next shift looks for deadlines.")
@wide_option
@read_options
@pass_app
def command(app: App, since, next_span, wide, fmt, as_json, reveal) -> None:
    """What was opened, closed and escalated since the shift began; what is still open and
    falls due in the next shift, per assignee."""
    app.check_now()
    app.open_desk()
    from cstool.domain.customers import load_all
    from cstool.errors import InputError
    from cstool.reports import render
    from cstool.reports.handover import handover, handover_text, shift_start
    from cstool.time import due
    from cstool.time.calendar import calendar_of
    from cstool.time.durations import parse_duration
    from cstool.time.typed import read_time

    fmt = output_format(fmt, as_json)
    config = app.config
    cal = calendar_of(config)
    now = app.now
    start = read_time(since, config.tz, now, "--since") if since else shift_start(cal, now)
    if start > now:
        raise InputError("error.handover.since_after_now", since=since, now=now.isoformat())
    horizon = cal.add(now, parse_duration(next_span, "--next"))
    tickets = app.desk.documents()
    items = due.collect(tickets, load_all(app.desk), config, cal, now)
    data = handover(tickets, config, cal, start, now, horizon, items)
    width = table_width(wide)
    click.echo(render.to_json(data) if fmt == "json" else handover_text(data, config, app.lang, cal.day_minutes, width))
