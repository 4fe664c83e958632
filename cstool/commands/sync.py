"""``cstool sync``: pull with rebase (using the merge driver), then push."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app


@click.command("sync")
@click.option("--remote", metavar="NAME", help="Default: the branch's remote, else origin.")
@pass_app
def command(app: App, remote) -> None:
    """Bring in the other clones' changes and send yours; local commits are never lost."""
    from cstool.git import repo
    from cstool.git.driver import sync
    from cstool.messages import label

    actor = app.actor()
    with app.desk.lock():
        for key, fields in sync(app.desk.root, remote, repo.Author(actor.name, actor.id), app.lang):
            click.echo(label(key, app.lang, **fields))
