"""Creating a new desk (``cstool init``)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cstool.config.load import CONFIG_FILE, default_config_text
from cstool.config.parse import parse_config
from cstool.config.schema import is_email
from cstool.desk import yamlio
from cstool.desk.store import CACHE_DIR
from cstool.domain.ids import PREFIX_RE
from cstool.domain.templates import TEMPLATE_DIR, packaged_templates
from cstool.errors import DeskError, InputError
from cstool.git import repo
from cstool.reports.render import plain

# no trailing slash: a .cstool that is a file or a link is ignored too, so none gets committed
GITIGNORE = f"# cstool's cache and lock: derived, rebuilt at will\n{CACHE_DIR}\n"


def _identity(folder: Path, user: str | None, user_name: str | None) -> tuple[str, str]:
    probe = folder
    while not probe.exists():
        probe = probe.parent
    email = user
    if not email:
        email = repo.config_value(probe, "user.email") if _git_available() else None
    if not email:
        raise InputError("error.init.email")
    if not is_email(email):
        raise InputError("error.init.not_email", email=repr(email))
    name = user_name or (repo.config_value(probe, "user.name") if _git_available() else None)
    return email, (name or email.split("@")[0])


def _git_available() -> bool:
    import shutil

    return shutil.which("git") is not None


def render_config(name: str | None, prefix: str | None, email: str, person: str, team: Path | None = None) -> str:
    """The default config with the desk's name, prefix and its first roster entry (or the
    team of a team file, with the person creating the desk as manager unless listed)."""
    data = yamlio.loads(default_config_text(), "default config")
    if name:
        data["desk"]["name"] = name
    if prefix:
        data["desk"]["prefix"] = prefix
    if team is not None:
        from cstool.desk import roster

        known = parse_config(plain(data) | {"roster": [{"id": email, "name": person, "role": "manager"}]},
                              Path(CONFIG_FILE)).groups
        intake = tuple(k for k, g in known.items() if not g.department)
        founder = roster.Entry(email, person, "manager", intake)
        data["roster"] = roster.init_roster(known, roster.read_team(team, known), founder)
        return yamlio.dumps(data)
    entry = CommentedMap()
    entry["id"] = email
    entry["name"] = person
    entry["role"] = "manager"
    groups = CommentedSeq([k for k, g in data["groups"].items() if not g.get("department")])
    groups.fa.set_flow_style()
    entry["groups"] = groups
    data["roster"] = CommentedSeq([entry])
    return yamlio.dumps(data)


def init_desk(directory: Path, *, name: str | None, prefix: str | None, user: str | None,
              user_name: str | None, git: bool, team: Path | None = None) -> Path:
    """Create a desk in directory and return its resolved path (``team``: a team file, see
    :func:`cstool.desk.roster.read_team`)."""
    root = directory.expanduser()
    _check_new_desk(root, name, prefix)
    email, person = _identity(root, user, user_name)
    text = render_config(name, prefix, email, person, team)
    config = parse_config(yamlio.loads(text, CONFIG_FILE), root / CONFIG_FILE)  # never write an invalid desk
    if team is not None:
        from cstool.domain import permissions

        if not any(permissions.may(config, "roster", p) for p in config.roster):
            raise InputError("error.roster_last_keeper", needed=permissions.needed(config, "roster"))
    written = _write_desk_files(root, text)
    if git and _git_available():
        from cstool.git.driver import setup_git

        top = repo.work_tree(root)
        if top is None:
            repo.run_git(root, "init", "--quiet")
        written.extend(setup_git(root))
        desk_name = name or "客户服务中心"
        repo.commit(root, written, f"Create desk {desk_name} (by {email})", repo.Author(person, email))
    return root.resolve()


def _check_new_desk(root: Path, name: str | None, prefix: str | None) -> None:
    """Refuse a folder that is already a desk or not a folder, and a bad prefix or name."""
    if (root / CONFIG_FILE).exists():
        raise InputError("error.init.exists", root=root, config=CONFIG_FILE)
    if root.exists() and not root.is_dir():
        raise InputError("error.init.not_folder", root=root)
    if prefix is not None and not PREFIX_RE.match(prefix):
        raise InputError("error.init.prefix", prefix=repr(prefix))
    if name is not None and not name.strip():
        raise InputError("error.init.name_empty")


def _write_desk_files(root: Path, config_text: str) -> list[Path]:
    """Write the config, .gitignore, the packaged templates and the empty folders; the files written."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        written = [root / CONFIG_FILE, root / ".gitignore"]
        yamlio.atomic_write(root / CONFIG_FILE, config_text)
        gitignore = root / ".gitignore"
        if gitignore.exists():
            existing = gitignore.read_text(encoding="utf-8")
            if CACHE_DIR not in existing.split():
                yamlio.atomic_write(gitignore, existing.rstrip("\n") + "\n" + GITIGNORE)
        else:
            yamlio.atomic_write(gitignore, GITIGNORE)
        tdir = root / TEMPLATE_DIR
        for fname, content in sorted(packaged_templates().items()):
            if not (tdir / fname).exists():
                yamlio.atomic_write(tdir / fname, content)
                written.append(tdir / fname)
        for sub in ("tickets", "customers"):
            (root / sub).mkdir(exist_ok=True)
    except PermissionError as exc:
        raise DeskError("error.permission", what=exc.filename or root) from None
    return written
