"""``cstool report``: the period's report as one self-contained HTML page with charts (the module is
not named report.py, which would shadow the ``report`` helper of ``cstool.commands``)."""

from __future__ import annotations

from pathlib import Path

import click

from cstool.cli import App, pass_app


@click.command("report")
@click.option("--period", metavar="PERIOD", help="2026-11 (month), 2026-W47 (ISO week), 2026-Q4 (quarter), 2026 (year) "
              "or 2026-11-22 (day); default: this month.")
@click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD), with --to.")
@click.option("--to", "end", metavar="DATE", help="Last day (YYYY-MM-DD), inclusive.")
@click.option("--compare", type=click.Choice(["previous", "none"]), default="previous", show_default=True,
              help="Show each headline figure's change from the previous period, or not.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the page to this file instead of standard output.")
@pass_app
def command(app: App, period, start, end, compare, output) -> None:
    """The period's report as one HTML page: headline figures against the previous period,
    charts (volumes per day, SLA trend, backlog, complaint causes, satisfaction, work-order
    lateness) and the per-agent table, all audit figures. The page loads nothing from the
    network and prints on A4."""
    app.check_now()
    app.open_desk()
    from cstool.desk.index import gc_paused
    from cstool.desk.yamlio import atomic_write
    from cstool.reports import audit, html
    from cstool.time.calendar import calendar_of

    config = app.config
    per = audit.parse_period(period, start, end, config.tz, app.now)
    cal = calendar_of(config)
    with gc_paused():
        data = app.desk.read_index(lambda index: html.report_data(index.period_populations, config, cal, per, app.now,
                                                                  compare == "previous"))
    page = html.render_page(data, config, app.lang)
    if output:
        atomic_write(output, page)
        click.echo(f"{per.label} → {output}", err=True)
    else:
        click.echo(page, nl=False)
