"""``cstool audit``: the period's statistics; ``audit --check``: the desk's integrity."""

from __future__ import annotations

from pathlib import Path

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import split_values, table_width, wide_option


@click.command("audit")
@click.option("--period", metavar="PERIOD", help="2026-11 (month), 2026-W47 (ISO week), 2026-Q4 (quarter), 2026 (year) "
              "or 2026-11-22 (day); default: this month.")
@click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD), with --to.")
@click.option("--to", "end", metavar="DATE", help="Last day (YYYY-MM-DD), inclusive.")
@click.option("--by", "dims", multiple=True, metavar="DIM",
              help="Also break down by group, agent, type, channel, category or tier (repeatable).")
@click.option("--compare", metavar="PERIOD",
              help="Add an earlier period's figures and the change: 'previous' or a period such as 2025-11.")
@click.option("--check", is_flag=True, help="Check the desk's integrity instead (exit 1 on findings).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The workbook to write (--format xlsx).")
@wide_option
@read_options(extra=("xlsx",))
@pass_app
def command(app: App, period, start, end, dims, compare, check, output, wide, fmt, as_json, reveal) -> None:
    """Statistics for a period: volumes, response and resolution times, SLA compliance,
    escalations, reopen rate, follow-ups and satisfaction, backlog, work orders, agents."""
    fmt = output_format(fmt, as_json)
    if check:
        from cstool.commands.verify import run_check

        run_check(app, fmt, width=table_width(wide))
        return
    app.check_now()
    app.open_desk()
    from cstool.errors import InputError
    from cstool.messages import label
    from cstool.reports import audit, audit_tables, render, views

    dims = split_values(dims)
    for d in dims:
        if d not in audit.DIMENSIONS:
            raise InputError("error.audit.unknown_dimension", value=repr(d), choices=", ".join(audit.DIMENSIONS))
    config = app.config
    per = audit.parse_period(period, start, end, config.tz, app.now)
    earlier = audit.compared_period(compare, per, config.tz, app.now) if compare else None
    data = _report(app, per, earlier, dims)
    if fmt == "json":
        click.echo(render.to_json(data))
        return
    if fmt == "xlsx":
        from cstool.commands.export import write_binary
        from cstool.desk.spreadsheet import figures_book

        write_binary(figures_book(audit_tables.csv_rows(data), app.lang, config.tz), output, False)
        return
    lang = app.lang
    if fmt == "csv":
        headers = [label("audit.csv." + k, lang) for k in ("section", "metric", "value")]
        click.echo(render.table(audit_tables.csv_rows(data), headers, "csv"), nl=False)
        return
    names = {p.id: p.name for p in config.roster}
    labels = {
        "group": {k: views.group_name(config, k, lang) for k in config.groups},
        "type": {k: views.type_name(config, k, lang) for k in config.types},
        "channel": {**{k: views.channel_name(config, k, lang) for k in config.channels},
                    audit.WORK_ORDER_CHANNEL: label("audit.channel.work_order", lang)},
        "agent": names,
    }
    click.echo(audit_tables.render_report(data, config.name, lang, fmt, names, labels, table_width(wide)), nl=False)


def _report(app: App, per, earlier, dims: tuple[str, ...]) -> dict:
    """The period's report, with the earlier period's figures beside it when one is given."""
    from cstool.desk.index import gc_paused
    from cstool.reports import audit
    from cstool.time.calendar import calendar_of

    config = app.config
    cal = calendar_of(config)

    def reports(index) -> dict:
        data = audit.report_from_populations(index.period_populations(per, app.now, cal), config, cal, per, dims)
        if earlier is None:
            return data
        before = audit.report_from_populations(index.period_populations(earlier, app.now, cal), config, cal, earlier)
        return audit.compare(data, before)

    with gc_paused():  # many small acyclic objects: the cycle collector would only slow it down
        return app.desk.read_index(reports)
