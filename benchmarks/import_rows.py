"""Time ``cstool import`` of N new-contact rows into a copy of a desk.

    python benchmarks/import_rows.py [N] [--git] [--format json|csv|xlsx] [--desk /tmp/cstool-bench/desk-100000]

Copies ``records/`` (or, with --desk, a generated git desk, never changed itself) to a
temporary folder (a git repository with --git or --desk), writes N rows without an ``id``
(new contacts, created with routing and SLA as ``cstool create`` would) in the format,
and prints the wall time, rows a second and peak memory of one ``cstool import`` by a
supervisor of ``team/roster.yaml``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHANNELS = ["phone", "email", "online", "letter", "visit", "sms"]


def rows(n: int) -> list[dict]:
    return [{"type": "inquiry", "title": f"咨询第{i}号 产品保修期", "description": "客户来电询问保修期限。",
             "channel": CHANNELS[i % len(CHANNELS)], "customer": {"name": f"客户{i}", "phone": f"138{i:08d}"}}
            for i in range(n)]


def write_rows(path: Path, n: int, fmt: str) -> Path:
    """The rows as an import file of the format (CSV and xlsx with flat columns)."""
    data = rows(n)
    if fmt == "json":
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path
    heads = ["type", "title", "description", "channel", "customer_name", "customer_phone"]
    flat = [[r["type"], r["title"], r["description"], r["channel"], r["customer"]["name"], r["customer"]["phone"]]
            for r in data]
    if fmt == "csv":
        from cstool.desk.exchange import csv_text

        path.write_text(csv_text(heads, flat, bom=True), encoding="utf-8")
    else:
        from zoneinfo import ZoneInfo

        from cstool.desk.spreadsheet import Sheet, write_book

        path.write_bytes(write_book([Sheet("tickets", heads, flat), Sheet("history", ["ticket_id"], [])],
                                    ZoneInfo("Asia/Shanghai")))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--git", action="store_true")
    parser.add_argument("--format", dest="fmt", choices=["json", "csv", "xlsx"], default="json")
    parser.add_argument("--desk", type=Path, help="a generated git desk to copy (cp -a) instead of records/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        desk = Path(tmp) / "desk"
        if args.desk:
            subprocess.run(["cp", "-a", str(args.desk), str(desk)], check=True)
        else:
            shutil.copytree(HERE.parent / "records", desk)
        flags = ["--no-commit"]
        if args.desk:
            flags = []
        elif args.git:
            subprocess.run(["git", "init", "-q", str(desk)], check=True)
            subprocess.run(["git", "-C", str(desk), "add", "-A"], check=True)
            subprocess.run(["git", "-C", str(desk), "-c", "user.name=b", "-c", "user.email=b@example.com",
                            "commit", "-qm", "desk"], check=True)
            flags = []
        if not flags:  # the supervisor commits as herself
            subprocess.run(["git", "-C", str(desk), "config", "user.email", "sun.li@example.com"], check=True)
        data = write_rows(Path(tmp) / f"rows.{args.fmt}", args.n, args.fmt)
        argv = [sys.executable, "-m", "cstool", "--store", str(desk), "--as", "sun.li@example.com",
                "--now", "2026-11-22T10:00:00+08:00", *flags, "import", str(data)]
        time_bin = shutil.which("time") or "/usr/bin/time"
        if Path(time_bin).exists():
            argv = [time_bin, "-f", "%M", *argv]
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        took = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"import failed ({proc.returncode}): {proc.stderr.strip()}")
        peak = proc.stderr.strip().splitlines()[-1] if argv[0] == time_bin else "?"
        print(f"import of {args.n} new-contact {args.fmt} rows{' with git' if args.git or args.desk else ''}: "
              f"{took:.2f} s, {args.n / took:.0f} rows/s, peak {int(peak) / 1024 if peak.isdigit() else peak:.0f} MB "
              f"({proc.stdout.strip()})")


if __name__ == "__main__":
    main()
