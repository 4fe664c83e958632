"""``cstool setup-git``: register the merge driver in an existing clone."""

from __future__ import annotations

import click

from cstool.cli import App, pass_app


@click.command("setup-git")
@pass_app
def command(app: App) -> None:
    """Register cstool's merge driver (repository config and .gitattributes) in this clone."""
    from cstool.git.driver import setup_git
    from cstool.messages import label

    changed = setup_git(app.desk.root)
    if changed and not app.no_commit:
        from cstool.git import repo

        actor = app.actor()
        repo.commit(app.desk.root, changed, f"Register the cstool merge driver (by {actor.id})",
                      repo.Author(actor.name, actor.id))
    click.echo(label("setup_git.done", app.lang))
