"""Time ``cstool import`` of N new-contact rows into a copy of a desk.

    python benchmarks/import_rows.py [N] [--git] [--format json|csv|xlsx] [--desk /tmp/cstool-bench/desk-100000]
    python benchmarks/import_rows.py N --whole [--format json|csv|xlsx]

Copies ``records/`` (or, with --desk, a generated git desk, never changed itself) to a
temporary folder (a git repository with --git or --desk), writes N rows without an ``id``
(new contacts, created with routing and SLA as ``cstool create`` would) in the format,
and prints the wall time, rows a second and peak memory of one ``cstool import`` by a
supervisor of ``team/roster.yaml``. With --whole, a desk of N tickets is generated
(``make_desk.py``), exported with ``--reveal`` and imported whole (a desk moved to a new
clone: its config, templates and customers committed first).
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


def _timed_import(desk: Path, data: Path, flags: list[str]) -> tuple[float, str, str]:
    """(seconds, peak memory in KiB as text, stdout with the CPU seconds and load added) of
    one ``cstool import`` by the supervisor."""
    argv = [sys.executable, "-m", "cstool", "--store", str(desk), "--as", "sun.li@example.com",
            "--now", "2026-11-22T10:00:00+08:00", *flags, "import", str(data)]
    time_bin = shutil.which("time") or "/usr/bin/time"
    if Path(time_bin).exists():
        argv = [time_bin, "-f", "%U %S %M", *argv]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"import failed ({proc.returncode}): {proc.stderr.strip()}")
    user, system, peak = proc.stderr.strip().splitlines()[-1].split() if argv[0] == time_bin else ("?", "?", "?")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    return took, peak, f"{proc.stdout.strip()}; CPU {user} s user + {system} s sys; load {load}"


def whole_tickets(n: int, fmt: str) -> None:
    """Export N generated tickets and import them whole into a new git desk."""
    sys.path.insert(0, str(HERE))
    from make_desk import generate

    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old", Path(tmp) / "new"
        generate(old, n, seed=n, git=False)
        data = Path(tmp) / f"tickets.{fmt}"
        subprocess.run([sys.executable, "-m", "cstool", "--store", str(old), "--as", "sun.li@example.com",
                        "export", "--format", fmt, "--reveal", "-o", str(data)], check=True, capture_output=True)
        new.mkdir()
        for part in ("cstool.yaml", "templates", "customers"):
            (shutil.copytree if (old / part).is_dir() else shutil.copy)(old / part, new / part)
        subprocess.run(["git", "init", "-q", str(new)], check=True)
        subprocess.run(["git", "-C", str(new), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(new), "-c", "user.name=b", "-c", "user.email=b@example.com",
                        "commit", "-qm", "desk"], check=True)
        subprocess.run(["git", "-C", str(new), "config", "user.email", "sun.li@example.com"], check=True)
        took, peak, out = _timed_import(new, data, [])
        print(f"import of {n} whole {fmt} tickets with git: {took:.2f} s, {n / took:.0f} rows/s, "
              f"peak {int(peak) / 1024 if peak.isdigit() else peak:.0f} MB ({out})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--git", action="store_true")
    parser.add_argument("--format", dest="fmt", choices=["json", "csv", "xlsx"], default="json")
    parser.add_argument("--desk", type=Path, help="a generated git desk to copy (cp -a) instead of records/")
    parser.add_argument("--whole", action="store_true", help="whole tickets: generated, exported, imported")
    args = parser.parse_args()
    if args.whole:
        whole_tickets(args.n, args.fmt)
        return
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
        took, peak, out = _timed_import(desk, data, flags)
        print(f"import of {args.n} new-contact {args.fmt} rows{' with git' if args.git or args.desk else ''}: "
              f"{took:.2f} s, {args.n / took:.0f} rows/s, peak {int(peak) / 1024 if peak.isdigit() else peak:.0f} MB "
              f"({out})")


if __name__ == "__main__":
    main()
