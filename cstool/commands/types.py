"""``cstool types [TYPE]``: each ticket type with its template's defaults and fields
(required ones marked, with their choices and defaults), as ``create`` uses them."""

from __future__ import annotations

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import completion as complete
from cstool.commands import table_width, wide_option


@click.command("types")
@click.argument("ticket_type", metavar="[TYPE]", required=False, shell_complete=complete.types)
@wide_option
@read_options
@pass_app
def command(app: App, ticket_type, wide, fmt, as_json, reveal) -> None:
    """List the ticket types and the fields each takes with `create --field KEY=VALUE`:
    required ones marked, their choices and defaults, from the desk's templates/."""
    from cstool.domain.templates import type_fields
    from cstool.reports import render

    fmt = output_format(fmt, as_json)
    described = type_fields(app.desk.root, app.config, ticket_type)
    if fmt == "json":
        click.echo(render.to_json([_as_json(app, d) for d in described]))
        return
    if fmt == "csv":  # one row per field, every type in one table
        rows = [[f["type"], f["key"], f["label"], f["label_en"], f["required"], "/".join(f["choices"]), f["default"]]
                for d in described for f in ({**x, "type": d.key} for x in _as_json(app, d)["fields"])]
        click.echo(render.table(rows, ["type", "field", "label", "label_en", "required", "choices", "default"], "csv"),
                   nl=False)
        return
    width = table_width(wide) if fmt == "table" else render.WIDE
    click.echo("\n\n".join(_as_text(app, d, fmt, width) for d in described))


def _as_json(app: App, d) -> dict:
    t = app.config.types[d.key]
    fields = d.template.fields.values() if d.template else []
    return {"type": d.key, "name": t.name, "name_en": t.name_en, "template": f"templates/{d.template_name}.yaml",
            "found": d.template is not None, "followup": t.followup, "defaults": d.template.defaults if d.template else {},
            "fields": [{"key": f.key, "label": f.label, "label_en": f.label_en, "required": f.required,
                        "choices": list(f.choices), "default": f.default} for f in fields]}


def _as_text(app: App, d, fmt: str, width) -> str:
    """One type: its name and template, its defaults, and its fields as a table."""
    from cstool.messages import Both, label, local_name, local_text
    from cstool.reports import render

    lang = app.lang
    t = app.config.types[d.key]
    head = f"{local_name(t, lang)}  {d.key}  templates/{d.template_name}.yaml"
    if t.followup:
        head += "  " + label("types.followup", lang)
    lines = [f"## {head}" if fmt == "markdown" else head]
    if d.template is None:
        return "\n".join([*lines, label("types.no_template", lang, name=d.template_name)])
    if d.template.defaults:
        shown = ", ".join(f"{label(k, lang)} {_default(app, k, v)}" for k, v in d.template.defaults.items())
        lines.append(f"{label('types.defaults', lang)}: {shown}")
    if not d.template.fields:
        return "\n".join([*lines, label("types.no_fields", lang)])
    headers = [label("types.col." + c, lang) for c in ("field", "label", "required", "choices", "default")]
    rows = [[f.key, local_text(Both(f.label, f.label_en), lang),
             label("types.required", lang) if f.required else "", " / ".join(f.choices), f.default or ""]
            for f in d.template.fields.values()]
    if fmt == "markdown":
        lines.append("")  # a Markdown table starts after a blank line
    lines.append(render.table(rows, headers, fmt, width, keep=(0,)))
    return "\n".join(lines)


def _default(app: App, key: str, value: str) -> str:
    """A template default in words: channel, group and severity by name."""
    from cstool.messages import label
    from cstool.reports import views

    if key == "channel":
        return views.channel_name(app.config, value, app.lang)
    if key == "group":
        return views.group_name(app.config, value, app.lang)
    if key == "severity":
        return label("severity." + value, app.lang)
    return value
