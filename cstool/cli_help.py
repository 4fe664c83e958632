"""Help pages and click's own words in the language of the run.

Every command's help comes from the message catalogue (:data:`cstool.messages.LABELS`),
looked up when the page is written, so command modules keep a short English docstring
and option help as defaults, and nothing else to do:

- ``help.<path>``: the command's description (``path`` is the command's name, or
  ``customer.add`` for a subcommand of a group); ``help.<path>.short``: its line in
  the list of commands; ``help.<path>.examples``: lines shown under "Examples";
- ``help.<path>.<param>``: an option's help (``param`` is the click parameter name),
  falling back to ``help.option.<param>`` for options many commands share (``--format``,
  ``--json``, ``--reveal``) and to ``help.global.<param>`` for the global options, which
  every subcommand shows in a section of their own.

click's own texts ("Usage:", "Options", "Missing argument", "No such option" ...) go
through :func:`click_text`, which :func:`install_click_texts` puts in place of click's
gettext lookups: each text click asks for that has a ``click.*`` key in the catalogue is
given in the language of the run, the others stay as click wrote them.

The language of the run is known before any desk is opened when ``--lang`` or
``CSTOOL_LANG`` gives it; otherwise it is the language of the desk in ``--store`` /
``CSTOOL_STORE`` / the current folder, else the locale (see
:func:`cstool.messages.pick_language`). :func:`start_run` notes what the command line
says; the desk is read only when a text is first needed.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Sequence

import click

from cstool.messages import LABELS, LANGS, label, pick_language

# click's texts (as click writes them) -> catalogue key
CLICK_TEXTS = {
    "Usage:": "click.usage",
    "Options": "click.options",
    "Commands": "click.commands",
    "Positional arguments": "click.arguments",
    "default: {default}": "click.default",
    "required": "click.required",
    "env var: {var}": "click.envvar",
    "Error: {message}": "click.error",
    "Try '{command} {option}' for help.": "click.try_help",
    "No such option {name!r}.": "click.no_such_option",
    "Did you mean {possibility}?": "click.did_you_mean",
    "(Did you mean one of: {possibilities}?)": "click.did_you_mean_one_of",
    "No such command {name!r}.": "click.no_such_command",
    "Missing command.": "click.missing_command",
    "Missing argument": "click.missing_argument",
    "Missing option": "click.missing_option",
    "Missing parameter": "click.missing_parameter",
    "Missing parameter: {param_name}": "click.missing_parameter_named",
    "Invalid value: {message}": "click.invalid_value",
    "Invalid value for {param_hint}: {message}": "click.invalid_value_for",
    "{value!r} is not {choice}.": "click.not_choice",
    "{value!r} is not one of {choices}.": "click.not_one_of",
    "Choose from:\n\t{choices}": "click.choose_from",
    "{value!r} is not a valid {number_type}.": "click.not_a_number",
    "{value} is not in the range {range}.": "click.not_in_range",
    "{value!r} is not a valid boolean. Recognized values: {states}": "click.not_a_boolean",
    "{name} {filename!r} does not exist.": "click.path_missing",
    "{name} {filename!r} is a directory.": "click.path_is_dir",
    "{name} {filename!r} is a file.": "click.path_is_file",
    "{name} {filename!r} is not readable.": "click.path_unreadable",
    "{name} {filename!r} is not writable.": "click.path_unwritable",
    "file": "click.file",
    "directory": "click.directory",
    "path": "click.path",
    "Option {name!r} does not take a value.": "click.takes_no_value",
    "Option {name!r} requires an argument.": "click.requires_value",
    "Option {name!r} requires {nargs} arguments.": "click.requires_values",
    "Got unexpected extra argument ({args})": "click.extra_argument",
    "Got unexpected extra arguments ({args})": "click.extra_arguments",
    "Could not open file {filename!r}: {message}": "click.cannot_open",
    "Aborted!": "click.aborted",
}

_CLICK_MODULES = ("core", "exceptions", "formatting", "parser", "types", "decorators", "termui", "utils")


class _Run:
    """What the command line says about the language, and the language once worked out."""

    flag: str | None = None
    store: str | None = None
    lang: str | None = None


_RUN = _Run()


def start_run(args: Sequence[str]) -> None:
    """Note --lang and --store from a command line (before or after the subcommand) for
    the texts written before the command runs: help pages and usage errors."""
    flag, store = os.environ.get("CSTOOL_LANG"), os.environ.get("CSTOOL_STORE")
    words = list(args)
    for i, word in enumerate(words):
        if word == "--":
            break
        value = words[i + 1] if i + 1 < len(words) else None
        if word in ("--lang", "--store") and value is not None:
            flag, store = (value, store) if word == "--lang" else (flag, value)
        elif word.startswith("--lang="):
            flag = word.split("=", 1)[1]
        elif word.startswith("--store="):
            store = word.split("=", 1)[1]
    _RUN.flag, _RUN.store, _RUN.lang = flag, store, None


def run_language() -> str:
    """The language of the run, as far as it can be told without running the command."""
    if _RUN.lang is None:
        desk_language = None if _RUN.flag in LANGS else _desk_language(_RUN.store)
        _RUN.lang = pick_language(_RUN.flag, desk_language)
    return _RUN.lang


def _desk_language(store: str | None) -> str | None:
    try:
        from cstool.desk.paths import find_desk

        root = find_desk(store)  # no desk here: the config's modules are not even loaded
        from cstool.config.load import load_config

        return load_config(root).language
    except Exception:  # no desk, or one that cannot be read: the locale decides
        return None


def click_text(message: str) -> str:
    """click's text in the language of the run (its placeholders kept for click to fill)."""
    key = CLICK_TEXTS.get(message)
    return message if key is None else label(key, run_language())


def click_ntext(singular: str, plural: str, n: int) -> str:
    """click's singular/plural text in the language of the run."""
    return click_text(singular if n == 1 else plural)


def install_click_texts() -> None:
    """Route click's gettext lookups through :func:`click_text` (done once, on import)."""
    import importlib

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = click_text  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = click_ntext  # type: ignore[attr-defined]


def help_path(ctx: click.Context) -> str:
    """The command's catalogue path: ``cstool`` for the top level, ``create``, ``customer.add``."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.command.name or "")
        ctx = ctx.parent
    return ".".join(reversed(names)) or "cstool"


def param_help(ctx: click.Context, param: click.Parameter) -> str | None:
    """An option's help in the language of the run (its own English help when the
    catalogue has none)."""
    lang = run_language()
    if param is ctx.command.get_help_option(ctx):
        return label("help.option.help", lang)
    name = param.name or ""
    for key in (f"help.{help_path(ctx)}.{name}", f"help.global.{name}", f"help.option.{name}"):
        if key in LABELS:
            return label(key, lang)
    return getattr(param, "help", None)


def _record(ctx: click.Context, param: click.Parameter, show: bool = False) -> tuple[str, str] | None:
    import copy

    if isinstance(param, click.Argument) or not isinstance(param, click.Option):
        return None
    shown = copy.copy(param)
    shown.help = param_help(ctx, param)
    if show:
        shown.hidden = False
    return shown.get_help_record(ctx)


def is_global(param: click.Parameter) -> bool:
    """Whether param is a global option accepted after a subcommand."""
    return bool(getattr(param, "cstool_global", False))


class CatalogueHelp:
    """What cstool's commands and groups write in their help pages (see the module
    docstring); mixed into click's Command and Group."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        own = inspect.cleandoc(ctx.command.help or "").partition("\f")[0]
        text = label(f"help.{help_path(ctx)}", run_language(), default=own)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        params = ctx.command.get_params(ctx)
        own = [r for p in params if not is_global(p) and (r := _record(ctx, p))]
        shared = [r for p in params if is_global(p) and (r := _record(ctx, p, show=True))]
        lang = run_language()
        if own:
            with formatter.section(label("click.options", lang)):
                formatter.write_dl(own)
        if shared:
            with formatter.section(label("help.global_options", lang)):
                formatter.write_dl(shared)
        if isinstance(ctx.command, click.Group):
            self.format_commands(ctx, formatter)  # type: ignore[attr-defined]

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        key = f"help.{help_path(ctx)}.examples"
        if key not in LABELS:
            return
        lang = run_language()
        with formatter.section(label("help.examples", lang)):
            for line in label(key, lang).splitlines():
                formatter.write(f"{'':>{formatter.current_indent}}{line}\n")

    def command_line_help(self, ctx: click.Context, name: str, default: str) -> str:
        """A subcommand's line in the list of commands."""
        path = help_path(ctx)
        sub = name if path == "cstool" else f"{path}.{name}"
        lang = run_language()
        if f"help.{sub}.short" in LABELS:
            return label(f"help.{sub}.short", lang)
        return label(f"help.{sub}", lang, default=default).split("\n")[0]


class CatalogueCommand(CatalogueHelp, click.Command):
    """A cstool command: help from the catalogue."""


class CatalogueGroup(CatalogueHelp, click.Group):
    """A group of cstool commands (such as ``customer``): help from the catalogue."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, self.command_line_help(ctx, name, cmd.get_short_help_str())))
        if rows:
            with formatter.section(label("click.commands", run_language())):
                formatter.write_dl(rows)


def adopt(cmd: click.Command) -> click.Command:
    """Give a command module's click command (and a group's subcommands) cstool's help pages."""
    if type(cmd) is click.Command:
        cmd.__class__ = CatalogueCommand
    elif type(cmd) is click.Group:
        cmd.__class__ = CatalogueGroup
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            adopt(sub)
    return cmd


def mark_global(option: click.Option) -> click.Option:
    """Mark option as a global option (shown in the "Global options" section)."""
    option.cstool_global = True  # type: ignore[attr-defined]
    return option


install_click_texts()
