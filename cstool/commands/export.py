"""``cstool export``: tickets as CSV (Excel-friendly UTF-8), an Excel workbook (xlsx) or JSON."""

from __future__ import annotations

import io
from pathlib import Path

import click

from cstool.cli import App, pass_app
from cstool.commands import completion as complete
from cstool.commands import split_values
from cstool.errors import InputError


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv", show_default=True,
              help="xlsx: an Excel workbook, written with -o FILE.")
@click.option("--reveal", is_flag=True, help="Write customer phone numbers and emails unmasked "
              "(with -o, the file is readable by you only).")
@click.option("--redact", is_flag=True, help="Mask customer phone numbers and emails (the default; kept for old scripts).")
@click.option("--bom/--no-bom", default=True, show_default=True,
              help="Start the CSV with a UTF-8 byte-order mark, so Excel and WPS read its Chinese right.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--status", multiple=True, metavar="STATUS", shell_complete=complete.statuses,
              help="Default: every status but void (作废); all: void too.")
@click.option("--type", "types", multiple=True, metavar="TYPE", shell_complete=complete.types)
@click.option("--group", "groups", multiple=True, metavar="GROUP", shell_complete=complete.groups)
@click.option("--assignee", "assignees", multiple=True, metavar="PERSON", shell_complete=complete.people)
@click.option("--channel", "channels", multiple=True, metavar="CHANNEL", shell_complete=complete.channels)
@click.option("--priority", "priorities", multiple=True, metavar="A|B|C", shell_complete=complete.grades)
@click.option("--tier", "tiers", multiple=True, metavar="A|B|C", shell_complete=complete.grades)
@click.option("--text", default="", metavar="WORDS")
@pass_app
def command(app: App, fmt, reveal, redact, bom, output, status, types, groups, assignees, channels, priorities, tiers,
            text) -> None:
    """Export tickets (whole, with their history) for a spreadsheet, a backup or another desk.

    Phone numbers and emails are masked unless --reveal; a masked export cannot be imported
    back (import refuses masked values), so make backups with --reveal."""
    from cstool.desk import exchange, query
    from cstool.domain.states import COUNTED

    app.check_now()
    if reveal and redact:
        raise InputError("error.export.reveal_and_redact")
    statuses = split_values(status) or COUNTED  # every status but void (作废) unless asked for
    filters = query.build_filters(app.config, statuses=statuses, types=split_values(types),
                                  groups=split_values(groups), assignees=split_values(assignees),
                                  channels=split_values(channels), priorities=split_values(priorities),
                                  tiers=split_values(tiers), text=text)
    if filters.words():  # found by Python's rules (SQLite lowers only ASCII letters)
        found = (t for t in app.desk.documents() if filters.match(query.summarize(t)))
    else:
        found = app.desk.index().documents_where(filters)
    tickets = found if reveal else (exchange.redact(t) for t in found)
    count = write_export(app, tickets, fmt, bom, output, reveal)
    if output:
        click.echo(f"{count} tickets → {output}", err=True)


def write_export(app: App, tickets, fmt: str, bom: bool, output: Path | None, private: bool) -> int:
    """Write the export as its tickets come, to the -o file (put in place when whole, created
    0600 when ``private``: it holds raw contacts) or to standard output; how many tickets."""
    from cstool.desk import exchange, yamlio

    if output:
        with yamlio.atomic_writer(output, private=private) as fh:
            if fmt == "xlsx":
                return exchange.write_book_export(tickets, app.lang, app.config.tz, fh)
            text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
            count = exchange.write_export(tickets, fmt, text.write, bom, app.lang)
            text.flush()
            text.detach()
            return count
    if fmt == "xlsx":
        if click.get_binary_stream("stdout").isatty():  # type: ignore[operator]  # (click types it as an object)
            raise InputError("error.export.xlsx_needs_file")
        buf = io.BytesIO()
        count = exchange.write_book_export(tickets, app.lang, app.config.tz, buf)
        write_binary(buf.getvalue(), None, private)
        return count
    return exchange.write_export(tickets, fmt, lambda piece: click.echo(piece, nl=False), bom, app.lang)


def write_binary(data: bytes, output: Path | None, private: bool) -> None:
    """An export's bytes to the -o file, exactly as made (created 0600 when ``private``: it
    holds raw contacts), or a workbook to standard output when that is not a terminal."""
    from cstool.desk import yamlio

    if output:
        yamlio.atomic_write_bytes(output, data, private=private)
        return
    stream = click.get_binary_stream("stdout")  # type: ignore[operator]  # (click types it as an object)
    if stream.isatty():
        raise InputError("error.export.xlsx_needs_file")
    stream.write(data)
    stream.flush()
