"""``cstool import FILE``: tickets from CSV, an Excel workbook (xlsx) or JSON, all or nothing, in one commit."""

from __future__ import annotations

from pathlib import Path

import click

from cstool.cli import App, pass_app
from cstool.commands import acting


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), help="Default: from the file name.")
@click.option("--skip-existing", is_flag=True,
              help="Leave out rows already in the desk (same ID, or the same new contact imported before).")
@pass_app
def command(app: App, file: Path, fmt, skip_existing) -> None:
    """Import tickets: rows with an id are whole tickets (as exported); rows without are new
    contacts, created with the routing rules and SLA. Nothing is written if any row is bad,
    and importing the same rows again is refused (or, with --skip-existing, they are left out)."""
    from cstool.desk.exchange import import_rows, import_tickets
    from cstool.messages import label
    from cstool.progress import Progress

    actor, commit = acting(app)
    # the rows are handed over, not kept here: the import lets each go once it is planned
    # (a JSON file's are read one at a time as they are checked)
    done = import_tickets(app.desk, import_rows(file, fmt, app.config.tz), actor, app.now, commit, skip_existing,
                          progress=lambda stage, total, counted=True: Progress(
                              total, label(f"import.progress.{stage}", app.lang), counted=counted))
    click.echo(label("import.done", app.lang, n=len(done.written)))
    if done.skipped:
        click.echo(label("import.skipped", app.lang, n=done.skipped))
