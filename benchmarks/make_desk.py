"""Generate a realistic desk of N tickets for benchmarks.

    python benchmarks/make_desk.py DIR N [--seed S] [--git] [--month 2026-10 | --all-open-in YYYY-MM]

(with cstool installed, e.g. ``pip install -e .``). The people are the sample team of
``team/roster.yaml``, whose desk config (``records/cstool.yaml``) each desk copies.

Tickets spread over the two years before 2026-11-22 (or, with ``--month``, created on the
working days of that one month: the desk for timing an audit of a month that holds them
all), of every type and channel, in
Chinese, with histories of 3-12 events built by cstool's own event rules (so every file
passes ``audit --check``), and customers graded A/B/C. Files are written as cstool itself
writes them (its fast emitter, ``yamlio.dumps_new``), so commands that edit them take the
same path as on a desk made by ``create`` and ``import``.

``--all-open-in 2026-11`` makes an extreme backlog instead: every ticket created in that
month (before 2026-11-22 18:00) and still open, its history the one create event, as a
desk looks after a bulk import of new contacts.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from cstool.desk import yamlio
from cstool.domain import history, ids
from cstool.domain.model import CUSTOMER_ORDER, FIELD_ORDER, FOLLOWUP_ORDER, SLA_ORDER

HERE = Path(__file__).resolve().parent

TZ = ZoneInfo("Asia/Shanghai")
END = datetime(2026, 11, 22, 18, 0, tzinfo=TZ)
TYPES = [("inquiry", "inquiry", 30), ("complaint", "complaint", 25), ("suggestion", "inquiry", 8), ("repair", "tech", 15),
         ("after_sales", "after_sales", 12), ("special_service", "after_sales", 5), ("work_order", "engineering", 5)]
CHANNELS = ["phone", "email", "online", "letter", "visit", "sms"]
SUBJECTS = ["空调", "冰箱", "洗衣机", "热水器", "电视机", "燃气灶", "会员积分", "发票", "退款", "物流", "安装", "维修"]
PROBLEMS = ["不制冷", "漏水", "无法开机", "噪音大", "报错 E3", "到货破损", "迟迟未到", "多收费用", "态度不好", "进度查询"]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "强", "军", "丽", "涛", "明", "超", "霞", "平"]
CATEGORIES = ["服务态度", "产品质量", "维修质量", "收费争议", "物流配送", "工期延误", "信息咨询", "其他"]


def _team() -> tuple[dict[str, list[str]], dict[int, str], str]:
    """From the sample team's roster (the one records/cstool.yaml holds): the agents of
    each group, the first lead, supervisor and manager by ladder level, and the one who
    makes the follow-up calls."""
    roster = yaml.safe_load((HERE.parent / "team" / "roster.yaml").read_text(encoding="utf-8"))["roster"]
    agents: dict[str, list[str]] = {}
    for person in roster:
        if person["role"] == "agent":
            for group in person["groups"]:
                agents.setdefault(group, []).append(person["id"])
    first = {role: next(p["id"] for p in roster if p["role"] == role) for role in ("lead", "supervisor", "manager")}
    return agents, {2: first["lead"], 3: first["supervisor"], 4: first["manager"]}, agents["followup"][0]


GROUP_AGENTS, LADDER_PEOPLE, CALLER = _team()


def ordered(data: dict, order: tuple[str, ...]) -> dict:
    """The document with its keys in file order, nested mappings and list items too."""
    keys = [k for k in order if k in data] + [k for k in data if k not in order]
    out: dict = {}
    for key in keys:
        value = data[key]
        if isinstance(value, dict):
            value = ordered(value, {"customer": CUSTOMER_ORDER, "sla": SLA_ORDER}.get(key, ()))
        elif isinstance(value, list):
            inner = FOLLOWUP_ORDER if key == "followups" else ("at", "by", "action")
            value = [ordered(item, inner) for item in value]
        out[key] = value
    return out


def emit(data: dict, order: tuple[str, ...]) -> str:
    """The file's text, as cstool writes it."""
    return yamlio.dumps_new(ordered(data, order))


def stamp(t: datetime) -> str:
    return t.isoformat()


def working_time(rng: random.Random, t: datetime) -> datetime:
    t = t.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0)
    while t.weekday() >= 5:
        t += timedelta(days=1)
    return t


def make_ticket(rng: random.Random, ticket_id: str, created: datetime, customers: list[dict],
                open_only: bool = False) -> dict:
    ttype, group = rng.choices([(t, g) for t, g, _ in TYPES], weights=[w for _, _, w in TYPES])[0]
    agents = GROUP_AGENTS[group]
    assignee = agents[rng.randrange(len(agents))]
    subject = rng.choice(SUBJECTS)
    title = f"{subject}{rng.choice(PROBLEMS)}"
    cust = rng.choice(customers) if rng.random() < 0.3 else None
    name = cust["name"] if cust else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["先生", "女士", ""])
    ticket: dict = {
        "id": ticket_id,
        "type": ttype,
        "title": title,
        "description": f"客户来电反映{subject}{rng.choice(PROBLEMS)},要求尽快处理。\n联系时间:工作日白天。",
        "channel": rng.choice(CHANNELS),
        "customer": ({"id": cust["id"], "name": cust["name"], "phone": cust["phone"], "tier": cust["tier"]} if cust
                     else {"name": name, "phone": f"13{rng.randint(100000000, 999999999)}"}),
        "priority": rng.choice("ABC"),
        "severity": "general",
        "created": stamp(created),
        "updated": stamp(created),
    }
    if ttype == "complaint":
        ticket["category"] = rng.choice(CATEGORIES)
    if ttype == "work_order":
        ticket["due"] = stamp(created + timedelta(days={"A": 1, "B": 3, "C": 5}[ticket["priority"]]))
        ticket["fields"] = {"from_department": "客户服务中心"}
    else:
        online = ticket["channel"] == "online"
        target = "3d" if ttype == "complaint" else "5d"
        ticket["sla"] = {
            "policy": "online" if online else ("complaint" if ttype == "complaint" else "standard"),
            "first_response_target": "5m" if online else "24h calendar",
            "first_response_due": stamp(created + (timedelta(minutes=5) if online else timedelta(hours=24))),
            "resolution_target": "1d" if online else target,
            "resolution_due": stamp(created + timedelta(days=1 if online else (3 if ttype == "complaint" else 5))),
        }
    doc = dict(ticket)
    create = {"at": stamp(created), "by": LADDER_PEOPLE[2], "action": "create", "status": "open", "group": group,
              "assignee": assignee, "level": 1}
    doc["history"] = []
    history.apply(doc, create)
    t = created
    level = 1
    status = "open"
    n_events = 0 if open_only else rng.randint(2, 11)
    age_days = (END - created).days
    finish = age_days > 10 and rng.random() < 0.9 or age_days > 2 and rng.random() < 0.5
    for i in range(n_events):
        t = t + timedelta(minutes=rng.randint(5, 600))
        if t >= END:
            break
        actor = doc.get("assignee") or assignee
        last = i == n_events - 1
        if last and finish and status in ("open", "in_progress", "pending"):
            action = {"action": "close", "resolution": "已处理完毕,客户确认"}
            if ttype in ("complaint", "repair", "after_sales", "special_service"):
                action["followup_due"] = stamp(t + timedelta(days=2))
        elif status == "pending":
            action = {"action": "resume"}
        elif status in ("resolved", "closed"):
            break
        else:
            roll = rng.random()
            if roll < 0.45:
                action = {"action": "reply", "message": "已与客户沟通,正在处理"}
            elif roll < 0.65:
                action = {"action": "note", "note": "内部跟进记录"}
            elif roll < 0.8:
                action = {"action": "pending", "reason": "等待客户反馈"}
            elif roll < 0.92 and level < 4:
                action = {"action": "escalate", "from": level, "to": level + 1, "reason": "客户要求升级处理",
                          "assignee": LADDER_PEOPLE[level + 1]}
                level += 1
            else:
                action = {"action": "note", "note": "已催办", }
        ev = {"at": stamp(t), "by": actor, **action}
        history.apply(doc, ev)
        status = doc["status"]
        if ev["action"] == "close" and "followup_due" in ev and t + timedelta(days=3) < END and rng.random() < 0.8:
            t2 = t + timedelta(days=rng.randint(1, 3))
            history.apply(doc, {"at": stamp(t2), "by": CALLER, "action": "followup",
                                "result": rng.choice(["satisfied"] * 8 + ["unsatisfied", "unreachable"]), "final": True})
    return doc


def write_ticket(root: Path, doc: dict) -> None:
    created = datetime.fromisoformat(doc["created"])
    folder = root / "tickets" / f"{created.year:04d}" / f"{created.month:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{doc['id']}.yaml").write_text(emit(doc, FIELD_ORDER), encoding="utf-8")


def creation_day(rng: random.Random, month: str | None) -> datetime:
    """A day to create a ticket on: any moment of the two years before the end, or a
    working day (Monday to Friday) of the month ``YYYY-MM``."""
    if month is None:
        return END - timedelta(days=730) + timedelta(seconds=rng.randint(0, 730 * 86400))
    year, mo = (int(x) for x in month.split("-"))
    first = datetime(year, mo, 1, tzinfo=TZ)
    days = [d for d in (first + timedelta(days=i) for i in range(31)) if d.month == mo and d.weekday() < 5]
    return days[rng.randrange(len(days))]


def month_span(month: str | None) -> tuple[datetime, int]:
    """The first moment and the length in seconds of the period tickets are created in:
    the two years before END, or one month (up to END when it is still running)."""
    if month is None:
        return END - timedelta(days=730), 730 * 86400
    year, mon = (int(part) for part in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=TZ)
    following = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=TZ)
    return start, int((min(following, END) - start).total_seconds()) - 86400


def generate(root: Path, n: int, seed: int = 1, git: bool = False, month: str | None = None,
             all_open_in: str | None = None) -> None:
    """N tickets in a new desk at root (any folder there is replaced), created on the
    days of :func:`creation_day` (every one in ``month`` when given), or with
    ``all_open_in`` all created in that month and still open; with git, one commit."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    sample = HERE.parent / "records"
    root.mkdir(parents=True)
    shutil.copy(sample / "cstool.yaml", root / "cstool.yaml")
    shutil.copytree(sample / "templates", root / "templates")
    (root / ".gitignore").write_text(".cstool/\n", encoding="utf-8")
    (root / "customers").mkdir()
    customers = []
    for _ in range(max(n // 50, 5)):
        cid = "C-" + "".join(rng.choice(ids.ALPHABET) for _ in range(6))
        tier = rng.choice("AABBBCCCCC")
        since = END - timedelta(days=rng.randint(30, 900))
        c = {"id": cid, "name": f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(['商贸', '科技', '家电'])}有限公司",
             "tier": tier, "phone": f"021{rng.randint(10000000, 99999999)}", "owner": CALLER,
             "since": since.date().isoformat(), "created": stamp(since), "updated": stamp(since)}
        customers.append(c)
        keys = ("id", "name", "tier", "phone", "email", "owner", "since", "note", "created", "updated")
        (root / "customers" / f"{cid}.yaml").write_text(emit(c, keys), encoding="utf-8")
    start, span = month_span(all_open_in)
    seen: set[str] = set()
    for i in range(n):
        if all_open_in is None:
            created = working_time(rng, creation_day(rng, month))
        else:
            created = working_time(rng, start + timedelta(seconds=rng.randint(0, span)))
            if created >= END:  # a weekend at the end of the period moved it past END
                created -= timedelta(days=7)
        while True:
            tid = f"CS-{created.year}-" + "".join(rng.choice(ids.ALPHABET) for _ in range(7))
            if tid not in seen:
                seen.add(tid)
                break
        write_ticket(root, make_ticket(rng, tid, created, customers, open_only=all_open_in is not None))
        if sys.stderr.isatty() and i % 1000 == 0:
            print(f"\r{i}/{n}", end="", file=sys.stderr)
    if git:
        env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
               "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "benchmark desk"]):
            # the commit's automatic repack of 100,000 loose objects runs before we return, not
            # in the background (a copy of the desk made meanwhile would miss objects)
            subprocess.run(["git", "-c", "gc.autoDetach=false", *args], cwd=root, check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--git", action="store_true")
    parser.add_argument("--month", metavar="YYYY-MM", help="create every ticket in this month")
    parser.add_argument("--all-open-in", metavar="YYYY-MM", help="every ticket created in this month and open")
    args = parser.parse_args()
    generate(args.dir, args.n, args.seed, args.git, args.month, args.all_open_in)
    print(f"{args.n} tickets in {args.dir}")


if __name__ == "__main__":
    main()
