"""The ``cstool`` command: global options, lazy loading of subcommands, error handling.

Each subcommand lives in ``cstool/commands/<name>.py`` and is imported only when it is
run (or listed by ``--help``), so start-up stays fast. An import error in a command
module is not hidden: it surfaces as a traceback naming the module.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from cstool.cli_help import CatalogueHelp, adopt, mark_global, run_language, start_run
from cstool.errors import EXIT_DESK, CstoolError, InputError
from cstool.messages import LANGS, Phrase, label

# name -> (module, help line shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("cstool.commands.init", "Create a desk (config, templates, git)."),
    "create": ("cstool.commands.create", "Register a new ticket and print its ID."),
    "show": ("cstool.commands.show", "Show one ticket with its history."),
    "list": ("cstool.commands.list", "List tickets (open ones by default)."),
    "route": ("cstool.commands.route", "Assign a ticket to a group and person, or apply the rules (--auto)."),
    "escalate": ("cstool.commands.escalate", "Escalate a ticket one level up the ladder (逐级上报)."),
    "reply": ("cstool.commands.reply", "Record a customer-facing reply."),
    "note": ("cstool.commands.note", "Add an internal note, or a chase (--chase)."),
    "pending": ("cstool.commands.pending", "Put a ticket on hold (SLA clocks pause)."),
    "resume": ("cstool.commands.resume", "Resume a pending ticket."),
    "resolve": ("cstool.commands.resolve", "Record the result without closing yet."),
    "close": ("cstool.commands.close", "Record the result and close; schedules the follow-up call."),
    "reopen": ("cstool.commands.reopen", "Reopen a resolved or closed ticket."),
    "log": ("cstool.commands.log", "Show a ticket's git history."),
    "edit": ("cstool.commands.edit", "Correct a ticket (priority, severity, title, contact, fields); kept as old → new."),
    "void": ("cstool.commands.void", "Void a ticket registered by mistake (作废); kept in history and git."),
    "roster": ("cstool.commands.roster", "The desk's people: add, list, edit, remove (cstool.yaml, one commit)."),
    "followup": ("cstool.commands.followup", "Record a follow-up call (回访); unsatisfied reopens and escalates."),
    "customer": ("cstool.commands.customer", "Customer records: add, show, list, edit, visit."),
    "due": ("cstool.commands.due", "Deadlines due or overdue, soonest first (--fail-on-overdue for CI)."),
    "audit": ("cstool.commands.audit", "A period's statistics; --check for the desk's integrity."),
    "report": ("cstool.commands.report_page", "The period's report as one HTML page with charts, to print or mail."),
    "verify": ("cstool.commands.verify", "Check the desk's integrity (same as audit --check)."),
    "export": ("cstool.commands.export", "Export tickets as CSV (Excel-friendly) or JSON, masked unless --reveal."),
    "import": ("cstool.commands.import_", "Import tickets from CSV or JSON (all or nothing, one commit)."),
    "sample": ("cstool.commands.sample", "A reproducible random sample of closed tickets for QA (随机抽查)."),
    "handover": ("cstool.commands.handover", "Shift handover (交接班): what happened and what is due next."),
    "calendar": ("cstool.commands.calendar", "Working days, holidays and make-up workdays of a year or month."),
    "sync": ("cstool.commands.sync", "Pull (uniting ticket edits) and push."),
    "setup-git": ("cstool.commands.setup_git", "Register the merge driver in this clone."),
    "merge-file": ("cstool.commands.merge_file", "The git merge driver for ticket files (called by git)."),
    "completion": ("cstool.commands.completion", "Print the shell completion script (bash, zsh or fish)."),
    "types": ("cstool.commands.types", "Ticket types and their fields (required ones, choices, defaults)."),
}


class RefusalError(click.ClickException):
    """A CstoolError as click reports it: one sentence on stderr and its exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        # click declares exit_code a ClassVar, yet reads it from the instance: one class serves every code
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        click.echo(f"cstool: {self.format_message()}", err=True)


EXIT_INTERRUPTED = 130  # Ctrl-C: what had been started is put back
EXIT_BROKEN_PIPE = 141  # the reader of the output went away (`cstool due | head`), as a shell reports SIGPIPE


def _stop_writing_output() -> None:
    """Point standard output at /dev/null, so the flush at exit does not fail on the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _run_language(ctx: click.Context) -> str:
    """The language of the run (English when even that cannot be told)."""
    app = ctx.find_object(App)
    try:
        return app.lang if app is not None else run_language()
    except Exception:
        return "en"


def _text(ctx: click.Context, key: str, **fmt: Any) -> str:
    """A catalogue text in the language of the run."""
    from cstool.messages import label

    return label(key, _run_language(ctx), **fmt)


def _what_failed(exc: BaseException) -> str:
    """One line naming an unexpected error: its kind, the file it concerns, its first line."""
    if isinstance(exc, RecursionError):
        return "RecursionError: data nested too deeply to handle"
    filename = getattr(exc, "filename", None)
    reason = getattr(exc, "strerror", None) if filename else None
    text = f"{filename}: {reason}" if filename and reason else (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _warn_skipped(ctx: click.Context) -> None:
    """Name, once on stderr, each desk file the command skipped because it cannot be read."""
    app = ctx.find_object(App)
    desk = app._desk if app is not None else None
    if desk is None or not desk.skipped or desk._warned:
        return
    from cstool.reports.render import escape_controls

    desk._warned = True
    from cstool.messages import in_words

    lang = _run_language(ctx)
    for path in sorted(desk.skipped):
        words = escape_controls(in_words(desk.skipped[path], lang))
        click.echo(f"cstool: {_text(ctx, 'skipped.file', message=words)}", err=True)


# commands whose first use of the desk is to read the index, before they write anything
READS_INDEX_FIRST = frozenset({"list", "due", "audit", "report", "handover", "export", "sample", "create"})


class LazyGroup(CatalogueHelp, click.Group):
    """A group whose subcommands are imported on first use; help pages from the catalogue."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if parent is None:
            start_run(args)  # the language of help pages and usage errors
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        _warn_uncovered_years(None)  # what an earlier command in this process noted is not this one's
        try:
            result = super().invoke(ctx)
        except CstoolError as exc:
            raise RefusalError(exc.text(_run_language(ctx)), exc.exit_code) from None
        except PermissionError as exc:
            what = exc.filename or _text(ctx, "the_desk")
            raise RefusalError(_text(ctx, "error.permission_denied", what=what), EXIT_DESK) from None
        except KeyboardInterrupt:
            raise RefusalError(_text(ctx, "error.interrupted"), EXIT_INTERRUPTED) from None
        except BrokenPipeError:  # the reader has all it wanted: stop quietly, as other tools do
            _stop_writing_output()
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
        except click.NoSuchOption as exc:
            raise _no_such_option(exc, _run_language(ctx)) from None
        except click.UsageError as exc:
            raise _no_such_subcommand(exc, _run_language(ctx)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, ImportError):
            raise  # click's own exits; a broken install surfaces as the traceback naming the module
        except Exception as exc:  # anything unexpected: one line and exit 3, the traceback only when debugging
            if os.environ.get("CSTOOL_DEBUG") == "1":
                raise
            raise RefusalError(_text(ctx, "error.unexpected", what=_what_failed(exc)), EXIT_DESK) from None
        finally:
            _warn_skipped(ctx)
            _drop_unused_checks()
            _warn_uncovered_years(ctx.obj)
        app = ctx.find_object(App)
        if app is not None and app.strict and app._desk is not None and app._desk.skipped:
            raise RefusalError(_text(ctx, "skipped.strict", n=len(app._desk.skipped)), EXIT_DESK)
        return result

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:  # an option of cstool itself, before the command
            raise _no_such_option(exc, _language_of_args(args)) from None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name in COMMANDS or name.startswith("-") or ctx.resilient_parsing:
            return super().resolve_command(ctx, args)
        from cstool.messages import label

        guesses = similar_words(name, list(COMMANDS))
        try:
            lang = App(**ctx.params).lang  # --lang, CSTOOL_LANG, the desk's language, the locale
        except Exception:  # noqa: BLE001 - the refusal is given whatever else is wrong
            lang = _language_of_args([], ctx.params.get("lang_flag"))
        key = "error.no_such_command_guess" if guesses else "error.no_such_command"
        raise click.UsageError(label(key, lang, name=repr(name), guess=", ".join(guesses), group=ctx.command_path), ctx=ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        cmd = getattr(module, "command", None)
        if not isinstance(cmd, click.Command):
            raise RuntimeError(f"{COMMANDS[name][0]} defines no click command named 'command'")
        _accept_global_options(cmd)
        return adopt(cmd)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.command_line_help(ctx, name, COMMANDS[name][1])) for name in self.list_commands(ctx)]
        with formatter.section(label("click.commands", run_language())):
            formatter.write_dl(rows)


def similar_words(word: str, known: list[str]) -> list[str]:
    """The known words a mistyped one most likely meant: those it begins, then the close ones."""
    import difflib

    starts = [k for k in known if word and k.startswith(word)]
    close = difflib.get_close_matches(word, known, n=2, cutoff=0.75)
    return list(dict.fromkeys(starts + close))[:3]


def _no_such_option(exc: click.NoSuchOption, lang: str) -> click.UsageError:
    """click's refusal of an unknown option in the language of the run, with its nearest options."""
    from cstool.messages import label

    guesses = similar_words(exc.option_name, list(exc.possibilities or ())) if len(exc.option_name) > 2 else []
    key = "error.no_such_option_guess" if guesses else "error.no_such_option"
    return click.UsageError(label(key, lang, name=exc.option_name, guess=", ".join(guesses)), ctx=exc.ctx)


def _no_such_subcommand(exc: click.UsageError, lang: str) -> click.UsageError:
    """click's refusal of an unknown subcommand (``customer shwo``) in the language of the run,
    with the nearest ones; any other usage error as it is."""
    name = getattr(exc, "command_name", None)
    group = exc.ctx.command if exc.ctx is not None else None
    if name is None or not isinstance(group, click.Group):
        return exc
    from cstool.messages import label

    guesses = similar_words(name, group.list_commands(exc.ctx))  # type: ignore[arg-type]
    key = "error.no_such_command_guess" if guesses else "error.no_such_command"
    text = label(key, lang, name=repr(name), guess=", ".join(guesses), group=exc.ctx.command_path)  # type: ignore[union-attr]
    return click.UsageError(text, ctx=exc.ctx)


def _language_of_args(args: list[str], flag: str | None = None) -> str:
    """The language of a run whose options are not parsed yet: --lang in args, CSTOOL_LANG, else the locale."""
    from cstool.messages import pick_language

    words = list(args)
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            flag = flag or words[i + 1]
        elif word.startswith("--lang="):
            flag = flag or word.split("=", 1)[1]
    return pick_language(flag or os.environ.get("CSTOOL_LANG"), None)


@dataclass(frozen=True)
class GlobalOption:
    """An option of ``cstool`` itself, also accepted after the subcommand (e.g. ``cstool
    create ... --now 2026-11-20T17:00``) and kept as the App attribute ``attr``."""

    flag: str
    attr: str
    envvar: str
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    is_flag: bool = False

    @property
    def default(self) -> Any:
        return False if self.is_flag else None

    @property
    def type(self) -> click.Choice | None:
        return click.Choice(self.choices) if self.choices else None


# The one list of global options: the group's options, those accepted after a subcommand,
# the App's attributes and the options _start_reading steps over are all made from it.
GLOBAL_OPTIONS = (
    GlobalOption("--store", "store", "CSTOOL_STORE", "The desk folder [env CSTOOL_STORE].", metavar="PATH"),
    GlobalOption("--as", "as_user", "CSTOOL_USER",
                 "Act as this roster person (email or name) [env CSTOOL_USER; default git user.email].", metavar="USER"),
    GlobalOption("--now", "now_text", "CSTOOL_NOW", "The clock, for backfilling and tests [env CSTOOL_NOW].",
                 metavar="ISO-TIME"),
    GlobalOption("--lang", "lang_flag", "CSTOOL_LANG",
                 "Output language [env CSTOOL_LANG; default desk language, else locale].", choices=LANGS),
    GlobalOption("--no-commit", "no_commit", "CSTOOL_NO_COMMIT", "Write files but make no git commit.", is_flag=True),
    GlobalOption("--backfill", "backfill", "CSTOOL_BACKFILL",
                 "Record a late entry: the events keep their --now time and carry this reason (a lead or above).",
                 metavar="REASON"),
    GlobalOption("--strict", "strict", "CSTOOL_STRICT",
                 "Exit 3 when a ticket or customer file cannot be read (it is skipped otherwise) [env CSTOOL_STRICT].",
                 is_flag=True),
)


def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or value is False:
        return
    app = ctx.find_object(App)
    if app is not None:
        setattr(app, param.name, value)


def _accept_global_options(cmd: click.Command) -> None:
    if getattr(cmd, "_cstool_globals", False):
        return
    if isinstance(cmd, click.Group):  # a group such as customer: so do its subcommands
        for sub in cmd.commands.values():
            _accept_global_options(sub)
    for option in GLOBAL_OPTIONS:
        cmd.params.append(mark_global(click.Option(
            [option.flag, option.attr], is_flag=option.is_flag, default=option.default, hidden=True,
            expose_value=False, callback=_set_global, is_eager=True, type=option.type, help=option.help,
            metavar=option.metavar,
        )))
    cmd._cstool_globals = True  # type: ignore[attr-defined]


class App:
    """The global options (an attribute per :data:`GLOBAL_OPTIONS` entry, e.g. ``as_user``)
    and what is derived from them, loaded on demand."""

    # one per GLOBAL_OPTIONS entry, set in __init__ (checked below the class)
    store: str | None
    as_user: str | None
    now_text: str | None
    lang_flag: str | None
    no_commit: bool
    backfill: str | None
    strict: bool

    def __init__(self, **options: Any):
        for option in GLOBAL_OPTIONS:
            setattr(self, option.attr, options.pop(option.attr, option.default))
        if options:
            raise TypeError(f"unknown global options: {', '.join(sorted(options))}")
        self._desk: Any = None
        self._now: datetime | None = None

    def __repr__(self) -> str:
        values = ", ".join(f"{o.attr}={getattr(self, o.attr)!r}" for o in GLOBAL_OPTIONS)
        return f"App({values})"

    @property
    def desk(self):
        if self._desk is None:
            from cstool.desk.paths import find_desk
            from cstool.desk.store import Desk

            self._desk = Desk.open(find_desk(self.store))
            ctx = click.get_current_context(silent=True)
            if ctx is not None and ctx.info_name in READS_INDEX_FIRST:
                from cstool.desk.paths import PATHSPEC
                from cstool.git import repo

                repo.start_tree_state(self._desk.root, PATHSPEC)  # runs while the command loads
        return self._desk

    @property
    def config(self):
        return self.desk.config

    @property
    def lang(self) -> str:
        from cstool.messages import pick_language

        desk_lang = None
        if self.lang_flag is None:
            try:
                desk_lang = self.desk.config.language
            except CstoolError:
                desk_lang = None
        return pick_language(self.lang_flag, desk_lang)

    @property
    def now(self) -> datetime:
        if self._now is None:
            from cstool.time.clock import now
            from cstool.time.typed import read_now

            tz = self.desk.config.tz
            self._now = now(tz) if self.now_text is None else read_now(self.now_text, tz)
        return self._now

    def open_desk(self) -> None:
        """Open the desk before the command loads the rest of what it needs: for a reading
        command the index's freshness check then runs meanwhile (see :attr:`desk`)."""
        self.desk  # noqa: B018

    def check_now(self) -> None:
        """Validate --now before anything else, even where no desk is needed yet."""
        if self.now_text is not None:
            from zoneinfo import ZoneInfo

            from cstool.time.typed import read_now

            read_now(self.now_text, ZoneInfo("UTC"))

    def actor(self):
        """The roster person acting: --as, CSTOOL_USER, else git user.email."""
        config = self.desk.config
        who = self.as_user
        source = "--as / CSTOOL_USER"
        if not who:
            from cstool.git import repo

            who = repo.config_value(self.desk.root, "user.email") if _has_git() else None
            source = "git user.email"
        if not who:
            raise InputError("error.who_is_acting")
        from cstool.domain.routing import active_person

        person = active_person(config, who, source)
        if self.as_user:
            return self._acting_for(person)
        return person

    def _acting_for(self, person):
        """The person named by --as, marked ``recorded_by`` the git committer when that is
        someone else: only a lead or above may record events for another roster person."""
        from dataclasses import replace

        from cstool.config.schema import ROLES
        from cstool.git import repo

        if not _has_git() or repo.work_tree(self.desk.root) is None:
            return person
        committer = repo.config_value(self.desk.root, "user.email")
        if not committer or committer.strip().lower() == person.id.lower():
            return person
        recorder = self.desk.config.person(committer)
        if recorder is None or ROLES.index(recorder.role) < ROLES.index("lead"):
            what = (Phrase("error.as.committer", role=Phrase("who.role." + recorder.role), email=committer) if recorder
                    else Phrase("error.as.stranger", email=committer))
            raise InputError("error.as_other", person=person.id, what=what)
        return replace(person, recorded_by=recorder.id)

    def committer(self, actor: Any) -> Callable[[list[Path], str], str] | None:
        """Commit the given files as actor, or None outside git or with --no-commit; the
        desk also learns the --backfill reason its events carry."""
        if self.backfill is not None:
            from cstool.domain import model

            self.desk.backfill = model.check_text(self.backfill, "--backfill", required=True).strip()
        root = self.git_root()
        if root is None:
            return None
        from cstool.git import repo

        committer = repo.Committer(root, repo.Author(actor.name, actor.id), self.now.isoformat())
        desk = self.desk
        desk.before_write = committer.before_write  # checked before each file is written
        desk.before_writes = committer.before_writes  # ... or for many files at once

        def commit(paths: list[Path], message: str) -> str:
            try:
                done = committer(paths, message, desk.written_before())
            except KeyboardInterrupt:
                repo.unstage(root, [os.path.relpath(p, root) for p in paths])  # unstage what it had added
                raise
            desk.committed(paths)  # no longer to be put back on Ctrl-C
            return done

        return commit

    def git_root(self) -> Path | None:
        """The git work tree of the desk, unless --no-commit or outside git."""
        if self.no_commit:
            return None
        from cstool.git import repo

        return repo.work_tree(self.desk.root)


assert set(App.__annotations__) == {o.attr for o in GLOBAL_OPTIONS}, "App's attributes must match GLOBAL_OPTIONS"


def _has_git() -> bool:
    import shutil

    return shutil.which("git") is not None


pass_app = click.make_pass_decorator(App)


class GlobalOptionParam(click.Option):
    """A global option of the group itself, listed under "Global options" in its help."""

    cstool_global = True


def _global_options(func: Callable) -> Callable:
    """The group's options, in the order of GLOBAL_OPTIONS."""
    for option in reversed(GLOBAL_OPTIONS):
        flag: dict[str, Any] = {"is_flag": True} if option.is_flag else {}
        func = click.option(option.flag, option.attr, envvar=option.envvar, metavar=option.metavar,
                            type=option.type, help=option.help, cls=GlobalOptionParam, **flag)(func)
    return func


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@_global_options
@click.version_option(package_name="cstool", prog_name="cstool")
@click.pass_context
def cli(ctx: click.Context, **options: Any) -> None:
    """cstool: a customer-service centre's tickets as YAML files in git.

    Register contacts (来电/来函/来访/在线), route and escalate them (逐级上报), reply,
    close and call back (回访), and report, all from the shell.
    """
    ctx.obj = App(**options)


def read_options(func: Callable | None = None, *, extra: tuple[str, ...] = ()) -> Callable:
    """--format, --json and --reveal for reading commands (``@read_options``, or
    ``@read_options(extra=("xlsx",))`` for a command that writes more formats)."""
    if func is None:
        return lambda f: read_options(f, extra=extra)
    func = click.option("--reveal", is_flag=True, help="Show customer phone and email unmasked.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Shorthand for --format json.")(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv", "markdown", *extra]),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)
    return func


def output_format(fmt: str, as_json: bool) -> str:
    return "json" if as_json else fmt


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script and ``python -m cstool``."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        _start_reading(args)
        cli.main(args=args, prog_name="cstool")
    except KeyboardInterrupt:  # before a command started: nothing to put back
        sys.exit(EXIT_INTERRUPTED)
    finally:
        _drop_unused_checks()


def _warn_uncovered_years(app: Any) -> None:
    """One warning on stderr when the command computed time in years no calendar source covers."""
    calendar = sys.modules.get("cstool.time.calendar")
    if calendar is None:
        return
    years = calendar.take_uncovered()
    if years and app is not None:
        from cstool.messages import label

        try:
            lang = app.lang
        except Exception:  # the warning is printed whatever else failed
            lang = "en"
        click.echo(label("calendar.uncovered", lang, years=", ".join(map(str, years))), err=True)


def _drop_unused_checks() -> None:
    """Stop git statuses started for a command that ended without using them (a refusal, a
    usage error), so none is taken up by a later command in the same process."""
    repo = sys.modules.get("cstool.git.repo")
    if repo is not None:
        repo.drop_started()


_VALUED = tuple(o.flag for o in GLOBAL_OPTIONS if not o.is_flag)  # global options that take a value


def _start_reading(args: list[str]) -> None:
    """For a command that reads the index first, note the desk's write token and start
    git's freshness check before click and the command are loaded (tens of milliseconds
    that would otherwise come before it). A wrong guess costs nothing: the check is only
    used for the desk and command it was started for, and dropped otherwise."""
    import os

    store = os.environ.get("CSTOOL_STORE")
    command = None
    words = iter(args)
    for word in words:
        if word == "--store":
            store = next(words, None)
        elif word.startswith("--store="):
            store = word.split("=", 1)[1]
        elif word in _VALUED:
            if command is None:
                next(words, None)
        elif not word.startswith("-") and command is None:
            command = word
    if command not in READS_INDEX_FIRST:
        return
    from cstool.desk import paths
    from cstool.errors import CstoolError
    from cstool.git import repo

    try:
        root = paths.find_desk(store)
    except (CstoolError, OSError):
        return
    paths.EARLY_TOKENS[str(root)] = paths.write_token(root)  # read before git looks
    repo.start_tree_state(root, paths.PATHSPEC)
