"""``cstool init [DIR]``: create a desk."""

from __future__ import annotations

from pathlib import Path

import click

from cstool.cli import App, pass_app


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", metavar="TEXT", help="The desk's name, e.g. 华东客户服务中心.")
@click.option("--prefix", metavar="CODE", help="Ticket ID prefix (default CS).")
@click.option("--user-name", metavar="NAME", help="Your name for the roster (default git user.name).")
@click.option("--no-git", is_flag=True, help="Do not create a git repository.")
@click.option("--team", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Start with this team: CSV (name,email,role,groups) or YAML.")
@pass_app
def command(app: App, directory: Path | None, name, prefix, user_name, no_git, team: Path | None) -> None:
    """Create a desk in DIR (default: --store / CSTOOL_STORE, else the current folder):
    config, templates, folders, .gitignore, git and a first commit.

    You are added to the roster as its manager (from --as, CSTOOL_USER or git
    user.email); --team FILE adds your team at once, `cstool roster add` one person later.
    """
    from cstool.config.load import load_config
    from cstool.desk.init import init_desk
    from cstool.messages import label, pick_language

    app.check_now()
    if directory is None:
        directory = Path(app.store).expanduser() if app.store else Path(".")
    root = init_desk(
        directory,
        name=name,
        prefix=prefix,
        user=app.as_user,
        user_name=user_name,
        git=not no_git and not app.no_commit,
        team=team,
    )
    lang = pick_language(app.lang_flag, load_config(root).language)  # the new desk's language
    click.echo(label("init.created", lang, root=root))
