"""``cstool customer``: customer records with their tier (A/B/C) and periodic visits."""

from __future__ import annotations

from pathlib import Path

import click

from cstool.cli import App, output_format, pass_app, read_options
from cstool.commands import acting, message_option, pick_customer, table_width, wide_option
from cstool.commands import completion as complete


def _fields(f):
    f = click.option("--note", metavar="TEXT")(f)
    f = click.option("--since", metavar="DATE", help="Customer since (YYYY-MM-DD); periodic visits count from it.")(f)
    f = click.option("--owner", metavar="PERSON", help="Who visits this customer.")(f)
    f = click.option("--email", metavar="EMAIL")(f)
    f = click.option("--phone", metavar="PHONE")(f)
    f = click.option("--tier", metavar="A|B|C", shell_complete=complete.grades, help="Customer grade (分级管理).")(f)
    f = click.option("--name", metavar="TEXT")(f)
    return f


@click.group("customer")
def command() -> None:
    """Customer records: add, show, list, edit, visit, export, import."""


@command.command("add")
@_fields
@pass_app
def add(app: App, **values) -> None:
    """Add a customer record; prints its ID."""
    from cstool.domain.customers import add_customer

    actor, commit = acting(app)
    cid, _ = add_customer(app.desk, values, actor, app.now, commit)
    click.echo(cid)


@command.command("edit")
@click.argument("customer")
@_fields
@pass_app
def edit(app: App, customer, **values) -> None:
    """Change a customer's details or tier."""
    from cstool.domain.customers import edit_customer

    actor, commit = acting(app)
    cid, record = edit_customer(app.desk, pick_customer(app, customer), values, actor, app.now, commit)
    click.echo(f"{cid}  {record.get('name')}  {record.get('tier')}")


@command.command("visit")
@click.argument("customer")
@click.option("--result", required=True, metavar="[satisfied|unsatisfied|unreachable]")
@message_option("--note", "What was said.")
@pass_app
def visit(app: App, customer, result, note) -> None:
    """Record a periodic visit or call (定期回访) to a customer."""
    from cstool.config import words
    from cstool.domain.customers import VISIT_RESULTS, next_visit, record_visit

    result = words.resolve(result, words.labelled(VISIT_RESULTS, "result."), "--result")
    actor, commit = acting(app)
    cid, record = record_visit(app.desk, pick_customer(app, customer), result, note, actor, app.now, commit)
    nxt = next_visit(app.config, record)
    shown = label_of(app, f"result.{result}")
    click.echo(f"{cid}  {shown}" + (f"  {label_of(app, 'customer.next', date=nxt.isoformat()[:10])}" if nxt else ""))


@command.command("show")
@click.argument("customer")
@read_options
@pass_app
def show(app: App, customer, fmt, as_json, reveal) -> None:
    """One customer, their next periodic visit and their tickets."""
    from cstool.domain.customers import next_visit
    from cstool.reports import render, views

    app.check_now()
    cid = pick_customer(app, customer)
    record = app.desk.load_customer(cid)
    data = render.plain(record)
    if not reveal:
        data = {**data, **render.mask_customer({k: data.get(k) for k in ("phone", "email")}, False)}
    nxt = next_visit(app.config, record)
    data["next_visit"] = nxt.isoformat() if nxt else None
    tickets = app.desk.index().tickets_of_customer(cid)
    data["tickets"] = [s["id"] for s in tickets]
    if output_format(fmt, as_json) == "json":
        click.echo(render.to_json(data))
        return
    names = {key: label_of(app, f"customer.col.{key}") for key in (*SHOWN, "visit", "ticket")}
    width = max(render.width(name) for name in names.values())

    def line(key: str, value: str) -> None:
        click.echo(render.escape_controls(f"{names[key]}{' ' * (width - render.width(names[key]))}  {value}".rstrip()))

    for key in SHOWN:
        if data.get(key):
            line(key, views.person_name(app.config, data[key]) if key == "owner" else data[key])
    for v in data.get("visits") or []:
        when = views.short_time(v.get("at", ""))
        who = views.person_name(app.config, v.get("by"))
        line("visit", f"{when}  {who}  {label_of(app, 'result.' + str(v.get('result')))}  {v.get('note') or ''}")
    for s in tickets:
        line("ticket", f"{s['id']}  {label_of(app, 'status.' + str(s['status']))}  {s['title']}")


SHOWN = ("id", "name", "tier", "phone", "email", "owner", "since", "next_visit", "note")


@command.command("list")
@click.option("--tier", "tiers", multiple=True, metavar="A|B|C", shell_complete=complete.grades)
@click.option("--text", default="", metavar="WORDS")
@click.option("-n", "--limit", default=0, type=click.IntRange(min=0), help="At most this many customers (0: all).")
@wide_option
@read_options
@pass_app
def list_(app: App, tiers, text, limit, wide, fmt, as_json, reveal) -> None:
    """List customers with their tier and next periodic visit."""
    from cstool.config.words import words
    from cstool.domain.customers import load_all, next_visit
    from cstool.reports import render, views

    app.check_now()
    fmt = output_format(fmt, as_json)
    tiers = words(app.config, "tier", tiers, "--tier")
    rows = []
    for record in load_all(app.desk):
        if tiers and record.get("tier") not in tiers:
            continue
        if text and text.lower() not in str(record.get("name", "")).lower():
            continue
        nxt = next_visit(app.config, record)
        phone = record.get("phone") if reveal else render.mask_phone(record.get("phone"))
        email = record.get("email") if reveal else render.mask_email(record.get("email"))
        rows.append({"id": record.get("id"), "name": record.get("name"), "tier": record.get("tier"),
                     "phone": phone or "", "email": email or "", "owner": record.get("owner") or "",
                     "next_visit": nxt.isoformat() if nxt else ""})
        if len(rows) == limit:
            break
    if fmt == "json":
        click.echo(render.to_json(rows))
        return
    headers = [label_of(app, f"customer.col.{key}") for key in ("id", "name", "tier", "phone", "email", "owner", "next_visit")]
    table = [[r["id"], r["name"], r["tier"], r["phone"], r["email"], views.person_name(app.config, r["owner"]),
              r["next_visit"][:10]] for r in rows]
    click.echo(render.table(table, headers, fmt, table_width(wide), drop=(4, 5, 2), keep=(0, 3, 6)))


@command.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv", show_default=True,
              help="xlsx: an Excel workbook, written with -o FILE.")
@click.option("--reveal", is_flag=True, help="Write phone numbers and emails unmasked (with -o: a file only you can read).")
@click.option("--bom/--no-bom", default=True, show_default=True, help="Start the CSV with a UTF-8 byte-order mark.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@pass_app
def export(app: App, fmt, reveal, bom, output) -> None:
    """Export the customer records with their visits (to move a desk: customer export, then export)."""
    from cstool.commands.export import write_binary
    from cstool.desk.customer_exchange import export_customers, masked
    from cstool.domain.customers import load_all
    from cstool.reports import render

    app.check_now()
    records = [masked(render.plain(r), reveal) for r in load_all(app.desk)]
    data = export_customers(records, fmt, app.lang, app.config.tz, bom)
    if isinstance(data, bytes):
        write_binary(data, output, reveal)
    elif output:
        write_binary(data.encode("utf-8"), output, reveal)
    else:
        click.echo(data, nl=False)
    if output:
        click.echo(label_of(app, "export.written", n=len(records), path=output), err=True)


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), help="Default: from the file name.")
@click.option("--skip-existing", is_flag=True, help="Leave out records whose ID is already in the desk.")
@pass_app
def import_(app: App, file: Path, fmt, skip_existing) -> None:
    """Import customer records as exported, all or nothing, in one commit."""
    from cstool.desk.customer_exchange import import_customers, parse_customers

    records = parse_customers(file, fmt, app.config.tz)
    actor, commit = acting(app)
    written, skipped = import_customers(app.desk, records, actor, app.now, commit, skip_existing)
    click.echo(label_of(app, "customer.imported", n=len(written)))
    if skipped:
        click.echo(label_of(app, "customer.import_skipped", n=skipped))


def label_of(app: App, key: str, **fmt) -> str:
    from cstool.messages import label

    return label(key, app.lang, **fmt)
