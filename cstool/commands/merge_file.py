"""``cstool merge-file %O %A %B %P``: the git merge driver for ticket and customer files."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("merge-file")
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("ours", type=click.Path(path_type=Path))
@click.argument("theirs", type=click.Path(path_type=Path))
@click.argument("name", required=False, default="")
def command(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """Merge THEIRS into OURS (written in place) with BASE as the common ancestor.

    Git calls this through .gitattributes (merge=cstool); see `cstool setup-git`."""
    from cstool.cli_help import run_language
    from cstool.git.driver import merge_files

    code, message = merge_files(base, ours, theirs, name, run_language())
    if message:
        click.echo(f"cstool merge-file: {message}", err=True)
    sys.exit(code)
