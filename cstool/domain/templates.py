"""Ticket templates: per-type defaults, type-specific fields and the follow-up call
script (回访话术), kept as ``templates/<name>.yaml`` in the desk.

A template file::

    type: complaint
    defaults: {channel: phone, priority: B, severity: general, category: 其他}
    description: |            # the skeleton a new ticket starts from
      【投诉内容】
    fields:                   # details this type needs, set with --field KEY=VALUE
      order_no: {label: 订单号, label_en: Order number, required: false}
      compensation: {label: 是否涉及赔偿, choices: [是, 否], default: 否}
    followup_script: |        # read by the follow-up group when calling back
      您好,我是……
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cstool.config.schema import KEY_RE, PRIORITIES, SEVERITIES, Config
from cstool.desk import yamlio
from cstool.errors import DeskError, InputError
from cstool.messages import Both, Phrase
from cstool.reports.render import shown

TEMPLATE_DIR = "templates"
DEFAULT_KEYS = ("channel", "priority", "severity", "category", "group")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    label_en: str
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None


@dataclass
class Template:
    name: str
    type: str
    defaults: dict[str, str] = field(default_factory=dict)
    description: str = ""
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    followup_script: str = ""


SCRIPT_PLACEHOLDERS = ("ticket", "customer", "title", "created", "resolved", "resolution", "caller")
_PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(SCRIPT_PLACEHOLDERS) + r")\}")


def fill_script(script: str, values: dict[str, str]) -> str:
    """The call script with each ``{placeholder}`` replaced by its value (``____``, a blank to
    fill in by hand, when the ticket has none); other braces are left as written."""
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1)) or "____", script)


def packaged_templates() -> dict[str, str]:
    """The template files shipped with cstool, by file name."""
    root = Path(__file__).resolve().parent.parent / "templates"  # the package folder cstool.templates
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(root.iterdir()) if p.name.endswith(".yaml")}


def load_template(desk_root: Path, name: str, config: Config) -> Template | None:
    """The desk's template ``name``, validated; None when the desk has no such file."""
    if not KEY_RE.match(name.replace("-", "_")):
        raise InputError("error.template.bad_name", name=repr(name))
    path = desk_root / TEMPLATE_DIR / f"{name}.yaml"
    if not path.is_file():
        return None
    rel = f"{TEMPLATE_DIR}/{name}.yaml"
    data = yamlio.load(path, rel, root=desk_root)
    return parse_template(data, name, rel, config)


def _fail(rel: str, node: Any, at: Any, message: str, /, **fields: Any) -> None:
    """Refuse a template at node[at]: the catalogue message filled from fields, after the
    file and line."""
    line = 1
    try:
        line = node.lc.key(at)[0] + 1
    except (AttributeError, KeyError, TypeError):
        pass
    raise DeskError("error.template.at", where=f"{rel}:{line}", error=Phrase(message, **fields))


TEMPLATE_KEYS = ("type", "defaults", "description", "fields", "followup_script")
FIELD_SPEC_KEYS = ("label", "label_en", "required", "choices", "default")


def parse_template(data: Any, name: str, rel: str, config: Config) -> Template:
    """Validate a template file's data (``rel`` names it in errors) and return a Template."""
    if not isinstance(data, dict):
        raise DeskError("error.template.at", where=f"{rel}:1", error=Phrase("error.template.not_mapping"))
    for key in data:
        if key not in TEMPLATE_KEYS:
            _fail(rel, data, key, "error.config.unknown_key", key=key, known=", ".join(sorted(TEMPLATE_KEYS)))
    ttype = data.get("type")
    if ttype not in config.types:
        _fail(rel, data, "type", "error.template.unknown_type", value=repr(ttype), known=", ".join(config.types))
    defaults = _parse_defaults(data, rel, config)
    specs: dict[str, FieldSpec] = {}
    fnode = data.get("fields") or {}
    if not isinstance(fnode, dict):
        _fail(rel, data, "fields", "error.template.fields")
    for fkey in fnode:
        if not isinstance(fkey, str) or not KEY_RE.match(fkey):
            _fail(rel, fnode, fkey, "error.template.field_key", key=f"fields.{fkey}")
        specs[fkey] = _parse_field(fnode, fkey, rel)
    return Template(
        name=name,
        type=str(ttype),
        defaults=defaults,
        description=str(data.get("description") or ""),
        fields=specs,
        followup_script=str(data.get("followup_script") or ""),
    )


def _parse_defaults(data: dict, rel: str, config: Config) -> dict[str, str]:
    """``defaults``: DEFAULT_KEYS, each a value the desk knows."""
    defaults: dict[str, str] = {}
    raw = data.get("defaults") or {}
    if not isinstance(raw, dict):
        _fail(rel, data, "defaults", "error.config.not_mapping", key="defaults")
    for key, value in raw.items():
        if key not in DEFAULT_KEYS:
            _fail(rel, raw, key, "error.config.unknown_key", key=f"defaults.{key}", known=", ".join(DEFAULT_KEYS))
        value = str(value)
        known = {
            "channel": list(config.channels),
            "priority": list(PRIORITIES),
            "severity": list(SEVERITIES),
            "group": list(config.groups),
            "category": list(config.categories) or None,
        }[key]
        if known is not None and value not in known:
            _fail(rel, raw, key, "error.template.default_value", key=f"defaults.{key}", value=repr(value),
                  choices=", ".join(known))
        defaults[key] = value
    return defaults


def _parse_field(fnode: dict, fkey: str, rel: str) -> FieldSpec:
    """One of ``fields``: a label, or a mapping of FIELD_SPEC_KEYS."""
    spec = fnode[fkey]
    if isinstance(spec, str):
        return FieldSpec(fkey, spec, fkey)
    if not isinstance(spec, dict):
        _fail(rel, fnode, fkey, "error.template.field_spec", key=f"fields.{fkey}")
    for k in spec:
        if k not in FIELD_SPEC_KEYS:
            _fail(rel, spec, k, "error.template.unknown_key", key=f"fields.{fkey}.{k}")
    choices = tuple(str(c) for c in (spec.get("choices") or ()))
    default = spec.get("default")
    if default is not None and choices and str(default) not in choices:
        _fail(rel, spec, "default", "error.template.field_default", key=f"fields.{fkey}.default")
    label = str(spec.get("label") or fkey)
    return FieldSpec(
        fkey,
        label,
        str(spec.get("label_en") or label),
        bool(spec.get("required", False)),
        choices,
        None if default is None else str(default),
    )


@dataclass(frozen=True)
class TypeFields:
    """What ``cstool types`` shows of a ticket type: its template (None when the desk has
    no file for it), that template's defaults and fields."""

    key: str
    template_name: str
    template: Template | None


def type_fields(desk_root: Path, config: Config, only: str | None = None) -> list[TypeFields]:
    """Each ticket type of the desk (or only the one named) with its template, in the
    config's order; an unknown type is refused naming the known ones."""
    if only is not None and only not in config.types:
        raise InputError("error.unknown_type", value=shown(only), known=", ".join(config.types))
    keys = [only] if only is not None else list(config.types)
    out = []
    for key in keys:
        name = config.types[key].template or key
        out.append(TypeFields(key, name, load_template(desk_root, name, config)))
    return out


def missing_fields(template: Template | None, given: dict[str, str]) -> list[FieldSpec]:
    """The template's required fields that were not given and have no default."""
    specs = template.fields if template else {}
    return [spec for key, spec in specs.items() if spec.required and spec.default is None and key not in given]


def missing_text(items: list[str | FieldSpec]) -> Both:
    """Missing options as a user reads them, in both languages: ``--title``,
    ``--field order_no=…(订单号)`` / ``--field order_no=… (Order number)``."""
    zh, en = [], []
    for item in items:
        if isinstance(item, FieldSpec):
            zh.append(f"--field {item.key}=…({item.label})")
            en.append(f"--field {item.key}=… ({item.label_en})")
        else:
            zh.append(item)
            en.append(item)
    return Both("、".join(zh), ", ".join(en))


def missing_error(ticket_type: str | None, items: list[str | FieldSpec]) -> InputError:
    """One refusal naming everything a create request lacks, and where the fields are listed."""
    if ticket_type and any(isinstance(i, FieldSpec) for i in items):
        return InputError("error.create.missing_fields", type=ticket_type, missing=missing_text(items))
    return InputError("error.create.missing", missing=missing_text(items))


def field_values(template: Template | None, given: dict[str, str]) -> dict[str, str]:
    """Merge --field values with the template's defaults; refuse unknown or missing ones."""
    specs = template.fields if template else {}
    out: dict[str, str] = {}
    for key, value in given.items():
        if key not in specs:
            known = ", ".join(specs) or Phrase("error.field.no_fields")
            raise InputError("error.field.unknown", key=shown(key), known=known)
        spec = specs[key]
        if spec.choices and value not in spec.choices:
            raise InputError("error.field.choice", key=shown(key), value=shown(value), choices=", ".join(spec.choices))
        out[key] = value
    missing = missing_fields(template, out)
    if missing:
        assert template is not None  # specs come from the template, so there is one
        raise missing_error(template.type, list(missing))
    for key, spec in specs.items():
        if key not in out and spec.default is not None:
            out[key] = spec.default
    return out
