"""``cstool verify`` (same as ``audit --check``): the desk's integrity, for CI and hooks."""

from __future__ import annotations

import sys

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.errors import EXIT_FINDINGS


def run_check(app: App, fmt: str, paths: tuple[str, ...] = ()) -> None:
    """Print every finding; exit 1 when there is any."""
    import os

    from cstool.desk.verify import check_desk
    from cstool.messages import label
    from cstool.reports import render

    app.check_now()
    only = None
    if paths:
        root = app.desk.root
        only = {os.path.relpath(os.path.abspath(p), root).replace(os.sep, "/") for p in paths}
        only = {p for p in only if p.startswith("tickets/")}
    app.desk.index()  # the files a reading command would skip, as the index found them
    findings, files = check_desk(app.desk.root, app.config, app.now, only, app.desk.skipped)
    if fmt == "json":
        click.echo(render.to_json({"files": files, "findings": [f.as_json() for f in findings]}))
    elif fmt in ("csv", "markdown"):
        rows = [[f.file, f.line or "", f.ticket or "", f.code, f.message] for f in findings]
        click.echo(render.table(rows, ["file", "line", "ticket", "check", "message"], fmt), nl=fmt != "csv")
    else:
        for f in findings:
            click.echo(f.text())
        if findings:
            click.echo(label("verify.findings", app.lang, n=len(findings), files=files))
        else:
            click.echo(label("verify.clean", app.lang, files=files))
    if findings:
        sys.exit(EXIT_FINDINGS)


@click.command("verify")
@click.argument("files", nargs=-1)
@read_options
@pass_app
def command(app: App, files, fmt, as_json, reveal) -> None:
    """Check the desk (or only the ticket FILES given, e.g. from a pre-commit hook): schema,
    history replay, duplicate IDs, complaint results, roster, references and merge conflicts.
    Exit 1 when anything is found."""
    run_check(app, output_format(fmt, as_json), files)
