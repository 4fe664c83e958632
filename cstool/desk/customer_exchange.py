"""Export and import of customer records (客户档案): JSON, CSV and Excel workbooks, so that a
whole desk moves to another by export and import (tickets name their customer's record).

CSV: one row a record, its periodic visits as JSON text in the ``visits`` column. Excel: a
sheet of records and a sheet of visits (one row each: customer, time, by, result, note).
Phone and email are masked unless ``--reveal``; import refuses masked values. Import
checks every record first (ID, name, tier, phone, email, owner, visits) and writes them
all in one commit, or nothing; a record whose ID is already in the desk is refused, or
left out with ``--skip-existing``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from cstool.config.schema import TIERS, Person
from cstool.desk.exchange import _dumps, _json_loads, _refuse, book_sheets, csv_text, decoded, header, header_keys, read_file
from cstool.domain import ids, model
from cstool.domain.customers import CUSTOMER_FIELDS, VISIT_ORDER, VISIT_RESULTS
from cstool.errors import InputError
from cstool.messages import Phrase, label
from cstool.reports import render

PREFIX = "export.cust."
COLUMNS = CUSTOMER_FIELDS  # visits last: JSON text in CSV, a sheet of its own in a workbook
VISIT_COLUMNS = ("customer_id", *VISIT_ORDER)


def masked(record: dict[str, Any], reveal: bool) -> dict[str, Any]:
    return {**record, **render.mask_customer({k: record.get(k) for k in ("phone", "email") if k in record}, reveal)}


def export_customers(records: list[dict[str, Any]], fmt: str, lang: str, tz: Any, bom: bool = True) -> str | bytes:
    """The records as JSON text, CSV text or workbook bytes."""
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        rows = ([_dumps(r[k]) if k == "visits" and r.get(k) else r.get(k) for k in COLUMNS] for r in records)
        return csv_text([header(k, lang, PREFIX) for k in COLUMNS], rows, bom)
    from cstool.desk.spreadsheet import Sheet, write_book

    main = [k for k in COLUMNS if k != "visits"]
    visits = [[r.get("id"), *(v.get(k) for k in VISIT_ORDER)] for r in records for v in r.get("visits") or []
              if isinstance(v, dict)]
    return write_book([Sheet(label("export.sheet.customers", lang), [header(k, lang, PREFIX) for k in main],
                             [[r.get(k) for k in main] for r in records]),
                       Sheet(label("export.sheet.visits", lang), [header(k, lang, PREFIX) for k in VISIT_COLUMNS],
                             visits)], tz)


def parse_customers(path: Path, fmt: str | None, tz: Any) -> list[dict[str, Any]]:
    """The records of an export file (by its format), as plain mappings."""
    from cstool.desk.exchange import read_json_list

    raw, fmt = read_file(path, fmt)
    if fmt == "json":
        return read_json_list(decoded(raw, path), "customer_record")
    if fmt == "csv":
        reader = csv.reader(io.StringIO(decoded(raw, path).lstrip("\ufeff")))
        head = next(reader, None)
        if not head:
            raise InputError("error.at", where=path, error=Phrase("error.csv.empty"))
        keys = header_keys([render.csv_uncell(h) for h in head], COLUMNS, "customer", PREFIX)
        records = []
        for i, cells in enumerate(reader, start=2):
            record = {k: render.csv_uncell(v) for k, v in zip(keys, cells, strict=False) if v != ""}
            if "visits" in record:
                try:
                    record["visits"] = _json_loads(record["visits"])
                except InputError as exc:
                    where = Phrase("error.import.row_column", row=i, column="visits", error=exc)
                    raise InputError("error.at", where=path, error=where) from None
            records.append(record)
        return records
    return _book_records(raw, tz, str(path))


def _book_records(raw: bytes, tz: Any, name: str) -> list[dict[str, Any]]:
    from cstool.desk.spreadsheet import read_book

    main, visit_rows = book_sheets(read_book(raw, tz, name), "export.sheet.customers", "export.sheet.visits")
    visits: dict[str, list[dict[str, Any]]] = {}
    for v in visit_rows:
        keyed = dict(zip(header_keys(list(v), VISIT_COLUMNS, "visit", PREFIX), v.values(), strict=True))
        visits.setdefault(str(keyed.pop("customer_id", "")), []).append(keyed)
    records = []
    for values in main:
        record = dict(zip(header_keys(list(values), COLUMNS, "customer", PREFIX), values.values(), strict=True))
        record = {k: (v if isinstance(v, str) else str(v)) for k, v in record.items()}
        if str(record.get("id")) in visits:
            record["visits"] = visits.pop(str(record["id"]))
        records.append(record)
    if visits:
        raise InputError("error.customer.orphan_visits", name=name, ids=", ".join(sorted(visits)[:5]))
    return records


def check_record(record: dict[str, Any], config: Any) -> Any:
    """One record checked as ``customer add`` would, as a file document in the fixed key order."""
    cid = str(record.get("id") or "")
    if not ids.CUSTOMER_ID_RE.match(cid):
        raise InputError("error.customer.not_id", query=render.shown(cid))
    unknown = [k for k in record if k not in COLUMNS]
    if unknown:
        raise InputError("error.customer.unknown_fields", cid=cid, fields=", ".join(render.shown(k) for k in unknown))
    model.check_title(str(record.get("name") or ""), Phrase("what.customer_name"))
    model.check_choice(str(record.get("tier")), TIERS, Phrase("what.tier"))
    model.check_phone(None if record.get("phone") is None else str(record["phone"]))
    model.check_email(None if record.get("email") is None else str(record["email"]))
    if record.get("owner") is not None and not any(p.id == record["owner"] for p in config.roster):
        raise InputError("error.customer.owner", cid=cid, owner=render.shown(record["owner"]))
    if record.get("note") is not None:
        model.check_text(str(record["note"]), Phrase("what.note"))
    visits = record.get("visits") or []
    if not isinstance(visits, list) or not all(isinstance(v, dict) and v.get("result") in VISIT_RESULTS for v in visits):
        raise InputError("error.customer.visits", cid=cid, results=", ".join(VISIT_RESULTS))
    model.check_strings(record, "value")
    from ruamel.yaml.comments import CommentedSeq

    doc = model.ordered(dict(record), CUSTOMER_FIELDS)
    doc["visits"] = CommentedSeq(model.ordered(dict(v), VISIT_ORDER) for v in visits)
    return doc


def import_customers(desk: Any, records: list[dict[str, Any]], actor: Person, now: datetime,
                     commit: Any = None, skip_existing: bool = False) -> tuple[list[str], int]:
    """Check every record, then write them all under the lock in one commit, or none; the IDs
    written and how many were left out (already in the desk, with ``skip_existing``)."""
    from cstool.desk import staging, yamlio
    from cstool.domain import permissions
    from cstool.domain.customers import customer_files

    permissions.require(desk.config, "customer", actor)
    problems, docs, seen = [], [], set()
    for number, record in enumerate(records, start=1):
        try:
            doc = check_record(record, desk.config)
            if doc["id"] in seen:
                raise InputError("error.import.twice", id=doc["id"])
            seen.add(doc["id"])
            docs.append(doc)
        except InputError as exc:
            problems.append(Phrase("error.in_record", n=number, error=exc))
    _refuse(problems)
    with desk.lock():
        existing = set(customer_files(desk))
        known = [d["id"] for d in docs if d["id"] in existing]
        if known and not skip_existing:
            raise InputError("error.customer.known", ids=", ".join(known[:5]))
        files = [(desk.customer_path(d["id"]), yamlio.dumps(d)) for d in docs if d["id"] not in existing]
        if files:
            staging.place(desk.root, desk.cache_dir, files,
                          (lambda paths: commit(paths, f"customer import: {len(paths)} records (by {actor.id})"))
                          if commit else None)
            desk.mark_written()
    return [d["id"] for d in docs if d["id"] not in existing], len(known)
