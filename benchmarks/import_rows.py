"""Time ``cstool import`` of N new-contact rows (JSON) into a copy of the sample desk.

    python benchmarks/import_rows.py [N] [--git]

Copies ``records/`` to a temporary folder (a git repository with --git), writes N rows
without an ``id`` (new contacts, created with routing and SLA as ``cstool create`` would)
and prints the wall time of one ``cstool import`` by a supervisor of ``team/roster.yaml``.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--git", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        desk = Path(tmp) / "desk"
        shutil.copytree(HERE.parent / "records", desk)
        flags = ["--no-commit"]
        if args.git:
            subprocess.run(["git", "init", "-q", str(desk)], check=True)
            subprocess.run(["git", "-C", str(desk), "add", "-A"], check=True)
            subprocess.run(["git", "-C", str(desk), "-c", "user.name=b", "-c", "user.email=b@example.com",
                            "commit", "-qm", "desk"], check=True)
            flags = []
        data = Path(tmp) / "rows.json"
        data.write_text(json.dumps(rows(args.n), ensure_ascii=False), encoding="utf-8")
        argv = [sys.executable, "-m", "cstool", "--store", str(desk), "--as", "sun.li@example.com",
                "--now", "2026-11-22T10:00:00+08:00", *flags, "import", str(data)]
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        took = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"import failed ({proc.returncode}): {proc.stderr.strip()}")
        print(f"import of {args.n} new-contact rows{' with git' if args.git else ''}: {took:.2f} s "
              f"({proc.stdout.strip()})")


if __name__ == "__main__":
    main()
