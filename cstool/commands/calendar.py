"""``cstool calendar``: the working days, holidays and make-up workdays of a year or a month."""

from __future__ import annotations

import click

from cstool.cli import App, output_format, pass_app, read_options


@click.command("calendar")
@click.argument("span", required=False, metavar="[YEAR | YEAR-MM]")
@click.option("--all", "all_days", is_flag=True, help="In a table of a year, list every day, not only the exceptions.")
@read_options
@pass_app
def command(app: App, span, all_days, fmt, as_json, reveal) -> None:
    """Every day of a year (default: this year) or of a month, whether it is a working day,
    its hours, and where that comes from: the official calendar (国务院节假日安排), the desk's
    own lists in cstool.yaml, or the weekday rule. A table of a whole year lists only the
    holidays and make-up workdays (--all lists every day); JSON and CSV list every day."""
    app.check_now()
    from cstool.messages import label
    from cstool.reports import render
    from cstool.time.calendar import calendar_days, calendar_of, parse_span

    fmt = output_format(fmt, as_json)
    cal = calendar_of(app.config)
    first, last, text = parse_span(span, app.now.date())
    days = calendar_days(cal, first, last)
    lang = app.lang
    if fmt == "json":
        official = cal.official
        click.echo(render.to_json({
            "period": text, "from": first.isoformat(), "to": last.isoformat(),
            "official": {"package": "chinesecalendar", "version": official.version, "first_year": official.first_year,
                         "last_year": official.last_year} if official else None,
            "days": days,
        }))
        return
    listed = days
    if fmt == "table" and len(days) > 31 and not all_days:
        listed = [d for d in days if d["kind"] in ("holiday", "makeup") or d["source"] != "weekday"]
    rows = [[d["date"], label(f"weekday.{d['weekday']}", lang), label(f"calendar.kind.{d['kind']}", lang), d["hours"],
             label(f"calendar.source.{d['source']}", lang)] for d in listed]
    headers = [label(f"calendar.col.{c}", lang) for c in ("date", "weekday", "kind", "hours", "source")]
    click.echo(render.table(rows, headers, fmt), nl=fmt != "csv")
    if fmt == "table":
        click.echo(label("calendar.summary", lang, period=text, working=sum(1 for d in days if d["working"]),
                         holidays=sum(1 for d in days if d["kind"] == "holiday"),
                         makeup=sum(1 for d in days if d["kind"] == "makeup")))
        for year in sorted({int(str(d["date"])[:4]) for d in days if not d["covered"]}):
            click.echo(label("calendar.not_covered", lang, year=year))
