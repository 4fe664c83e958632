"""``cstool verify`` (same as ``audit --check``): the desk's integrity, for CI and hooks."""

from __future__ import annotations

import sys

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import table_width, wide_option
from cstool.errors import EXIT_FINDINGS, InputError


def run_check(app: App, fmt: str, paths: tuple[str, ...] = (), width: int | None = None) -> None:
    """Print every finding (lines wrapped to width); exit 1 when there is any."""
    import os

    from cstool.config.load import config_key
    from cstool.desk.verify import check_desk
    from cstool.desk.verify_cache import CheckCache
    from cstool.messages import label
    from cstool.reports import render

    app.check_now()
    only = None
    if paths:
        root = app.desk.root
        only = {os.path.relpath(os.path.abspath(p), root).replace(os.sep, "/") for p in paths}
        only = {p for p in only if p.startswith("tickets/")}
    index = app.desk.index()  # the files a reading command would skip, as the index found them
    cache = CheckCache(app.desk.root, None if index.in_memory else config_key(app.desk.root), index.file_stats())
    findings, files = check_desk(app.desk.root, app.config, app.now, only, app.desk.skipped, cache)
    if fmt == "json":
        click.echo(render.to_json({"files": files, "findings": [f.as_json() for f in findings]}))
    elif fmt in ("csv", "markdown"):
        rows = [[f.file, f.line or "", f.ticket or "", f.code, f.words(app.lang)] for f in findings]
        click.echo(render.table(rows, ["file", "line", "ticket", "check", "message"], fmt), nl=fmt != "csv")
    else:
        for f in findings:
            click.echo("\n".join(render.wrap_line(f.text(app.lang), width)))
        if findings:
            click.echo(label("verify.findings", app.lang, n=len(findings), files=files))
        else:
            click.echo(label("verify.clean", app.lang, files=files))
    if findings:
        sys.exit(EXIT_FINDINGS)


def run_history_check(app: App, fmt: str, rev_range: str | None, require_signed: bool) -> None:
    """Print every finding of the desk's git history over the range; exit 1 when there is any."""
    from cstool.desk.paths import find_desk
    from cstool.git.history import verify_history
    from cstool.messages import label
    from cstool.reports import render

    result = verify_history(find_desk(app.store), rev_range, require_signed)
    findings = result.findings
    if fmt == "json":
        click.echo(render.to_json({"range": rev_range or "HEAD", "commits": result.commits, "checked": result.checked,
                                   "findings": [f.as_json() for f in findings]}))
    elif fmt in ("csv", "markdown"):
        rows = [[f.commit, f.file, f.ticket or "", f.code, f.words(app.lang)] for f in findings]
        click.echo(render.table(rows, ["commit", "file", "ticket", "check", "message"], fmt), nl=fmt != "csv")
    else:
        for f in findings:
            click.echo(f.text(app.lang))
        key = "verify.history_findings" if findings else "verify.history_clean"
        click.echo(label(key, app.lang, n=len(findings), checked=result.checked, commits=result.commits))
    if findings:
        sys.exit(EXIT_FINDINGS)


@click.command("verify")
@click.argument("files", nargs=-1)
@click.option("--history", "history", is_flag=True,
              help="Check the git history instead: pass at most one REVISION-RANGE (default: all of HEAD's history), "
                   "e.g. origin/main..HEAD.")
@click.option("--require-signed", is_flag=True,
              help="With --history: every commit must be signed with its committer's roster signing_key.")
@wide_option
@read_options
@pass_app
def command(app: App, files, history, require_signed, wide, fmt, as_json, reveal) -> None:
    """Check the desk (or only the ticket FILES given, e.g. from a pre-commit hook): schema,
    history replay, duplicate IDs, complaint results, roster, references and merge conflicts.
    With --history [REVISION-RANGE], check the git history of the desk's files instead: only
    growing histories, events made by their commits' committers, roles as the roster stood,
    time order and backfills. Exit 1 when anything is found."""
    if history:
        if len(files) > 1:
            raise InputError("error.verify.one_range", n=len(files))
        run_history_check(app, output_format(fmt, as_json), files[0] if files else None, require_signed)
        return
    if require_signed:
        raise InputError("error.verify.signed_needs_history")
    run_check(app, output_format(fmt, as_json), files, table_width(wide))
