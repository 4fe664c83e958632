"""Audit figures computed by hand, integrity checks, export/import, QA sample, handover."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.make_desk import generate
from cstool.desk import yamlio
from cstool.reports import audit
from tests.support.desk import DESK_NAME, CliDesk
from tests.support.roster import AGENT, CALLER, LEAD, SUPERVISOR

AFTER = "2026-12-01T09:00+08:00"


@pytest.fixture
def november(desk):
    """Five tickets whose every figure is worked out by hand in the tests below
    (business hours 08:30-17:30, Monday to Friday)."""
    d = desk
    t1 = d.create("--type", "complaint", "--title", "T1", "--category", "服务态度", "--assignee", AGENT,
                  now="2026-11-02T09:00+08:00")
    d.ok("reply", t1, "-m", "r", as_=AGENT, now="2026-11-02T09:30+08:00")          # FR 30 min, met
    d.ok("close", t1, "--resolution", "ok", as_=AGENT, now="2026-11-03T09:00+08:00")  # 510 + 30 = 540 min
    d.ok("followup", t1, "--result", "satisfied", as_=CALLER, now="2026-11-04T10:00+08:00")

    t2 = d.create("--type", "inquiry", "--title", "T2", "--assignee", "li.na@example.com", now="2026-11-03T09:00+08:00")
    d.ok("reply", t2, "-m", "r", as_="li.na@example.com", now="2026-11-04T10:00+08:00")  # 25 h: breached; 600 business min
    d.ok("close", t2, "--resolution", "ok", as_="li.na@example.com", now="2026-11-04T11:00+08:00")  # 660 min, met

    t3 = d.create("--type", "complaint", "--title", "T3", "--category", "维修质量", "--assignee", AGENT,
                  now="2026-11-04T09:00+08:00")
    d.ok("reply", t3, "-m", "r", as_=AGENT, now="2026-11-04T09:10+08:00")          # FR 10 min
    d.ok("pending", t3, "--reason", "p", as_=AGENT, now="2026-11-04T10:00+08:00")
    d.ok("resume", t3, as_=AGENT, now="2026-11-06T10:00+08:00")
    d.ok("close", t3, "--resolution", "ok", as_=AGENT, now="2026-11-09T12:00+08:00")  # 60 + 450 + 210 = 720
    d.ok("followup", t3, "--result", "unsatisfied", as_=CALLER, now="2026-11-10T10:00+08:00")  # reopen, L2
    d.ok("close", t3, "--resolution", "again", as_=LEAD, now="2026-11-12T10:00+08:00")  # 450 + 540 + 90 = 1080

    t4 = d.create("--type", "complaint", "--title", "T4", "--category", "服务态度", "--assignee", AGENT,
                  now="2026-11-16T09:00+08:00")

    t5 = d.create("--type", "work_order", "--title", "T5", "--priority", "A", "--group", "engineering",
                  "--field", "from_department=客服", now="2026-11-23T09:00+08:00")  # due Tue 24 09:00
    d.ok("close", t5, "--resolution", "done", as_=LEAD, now="2026-11-25T10:00+08:00")  # 25 h late → 2 days; 1140 min
    return d, (t1, t2, t3, t4, t5)


def test_audit_figures_by_hand(november):
    d, _ = november
    r = d.ok("audit", "--period", "2026-11", "--json", now=AFTER).json
    assert r["period"] == {"from": "2026-11-01T00:00:00+08:00", "to": "2026-12-01T00:00:00+08:00", "label": "2026-11"}
    assert r["totals"] == {"created": 5, "resolved": 5, "closed": 5, "open": 1, "reopened": 1, "reopen_rate": 20.0}
    assert r["times"]["first_response"] == {"count": 3, "median_minutes": 30, "p90_minutes": 600}
    assert r["times"]["resolution"] == {"count": 5, "median_minutes": 720, "p90_minutes": 1140}
    # T4 is never answered: its first-reply clock breached on the 17th, its resolution clock
    # (3 business days) on the 19th; both count as breached in November although it is still open
    assert r["sla"]["first_response"] == {"met": 2, "breached": 2, "compliance": 50.0}
    assert r["sla"]["resolution"] == {"met": 4, "breached": 1, "compliance": 80.0}
    assert r["sla"]["overall"] == {"met": 6, "breached": 3, "compliance": 66.7}
    assert r["sla"]["open_breached"] == 1
    assert r["escalations"] == {"L2": 1}
    f = r["followups"]
    assert (f["done"], f["due_in_period"], f["completion_rate"]) == (2, 3, 66.7)
    assert (f["satisfied"], f["unsatisfied"], f["unreachable"], f["satisfaction_rate"]) == (1, 1, 0, 50.0)
    assert (f["pending"], f["overdue"]) == (1, 1)
    assert r["backlog_by_age"] == {"0-1d": 0, "1-3d": 0, "3-7d": 0, ">7d": 1}
    assert r["complaint_causes"] == [{"category": "服务态度", "count": 2, "share": 66.7},
                                     {"category": "维修质量", "count": 1, "share": 33.3}]
    assert r["work_orders"]["by_urgency"]["A"] == {"resolved": 1, "on_time": 0, "on_time_rate": 0.0}
    assert r["work_orders"]["late_days_by_department"] == {"engineering": 2}
    agents = {row["agent"]: row for row in r["agents"]}
    # the calls count for the caller; what the customers said counts for the agent who handled the tickets
    assert agents[CALLER]["followups_done"] == 2 and agents[CALLER]["satisfaction_rate"] is None
    assert agents[AGENT]["satisfaction_rate"] == 50.0 and agents[AGENT]["followups_done"] == 0
    assert agents[AGENT]["resolved"] == 2 and agents[AGENT]["first_response_median_minutes"] == 20
    assert agents[AGENT]["resolution_median_minutes"] == 630


def test_audit_by_dimension_and_formats(november):
    d, _ = november
    r = d.ok("audit", "--period", "2026-11", "--by", "type", "--by", "channel", "--json", now=AFTER).json
    by_type = {row["type"]: row for row in r["by_type"]}
    assert by_type["complaint"]["created"] == 3 and by_type["complaint"]["resolved"] == 3
    assert "by_channel" in r
    table = d.ok("audit", "--period", "2026-11", now=AFTER).stdout
    assert "business hours" in table and "compliance %" in table and "66.7" in table
    md = d.ok("audit", "--period", "2026-11", "--format", "markdown", now=AFTER, lang="zh").stdout
    assert md.startswith(f"# {DESK_NAME} 服务统计 2026-11") and "## 时限达标(SLA)" in md and "| 合计" in md
    csv_text = d.ok("audit", "--period", "2026-11", "--format", "csv", now=AFTER).stdout
    assert "sla,overall.compliance_pct,66.7" in csv_text


def test_audit_never_shows_contact_data(november):
    d, (t1, *_) = november
    d.ok("customer", "add", "--name", "客户", "--phone", "13812345678", "--email", "k@example.com", "--tier", "A")
    d.create("--type", "complaint", "--title", "含联系方式", "--phone", "13912345678", "--email", "x@example.com",
             now="2026-11-20T09:00+08:00")
    for fmt in ("table", "json", "csv", "markdown"):
        out = d.ok("audit", "--period", "2026-11", "--by", "tier", "--format", fmt, now=AFTER).stdout
        assert "13912345678" not in out and "x@example.com" not in out and "139****" not in out


def test_week_and_day_periods(november):
    d, _ = november
    week = d.ok("audit", "--period", "2026-W45", "--json", now=AFTER).json  # Mon 2 - Sun 8 Nov
    assert week["period"]["from"] == "2026-11-02T00:00:00+08:00" and week["totals"]["created"] == 3
    day = d.ok("audit", "--period", "2026-11-04", "--json", now=AFTER).json
    assert day["totals"]["created"] == 1 and day["totals"]["closed"] == 1
    span = d.ok("audit", "--from", "2026-11-02", "--to", "2026-11-03", "--json", now=AFTER).json
    assert span["totals"]["created"] == 2


def test_an_empty_period_prints_zeros_and_no_data(november):
    d, _ = november
    r = d.ok("audit", "--period", "2025-01", "--json", now=AFTER).json
    assert r["totals"] == {"created": 0, "resolved": 0, "closed": 0, "open": 0, "reopened": 0, "reopen_rate": None}
    assert r["sla"]["overall"] == {"met": 0, "breached": 0, "compliance": None}
    assert r["times"]["resolution"]["median_minutes"] is None
    table = d.ok("audit", "--period", "2025-01", now=AFTER).stdout
    assert "no data" in table


@pytest.mark.parametrize("args, needle", [
    (("--period", "2026-13"), "no month"), (("--period", "soon"), "--period"), (("--period", "2026-W60"), "ISO week"),
    (("--by", "colour"), "--by"), (("--from", "2026-11-05", "--to", "2026-11-01"), "before"),
    (("--period", "2026-11", "--from", "2026-11-01"), "either"),
])
def test_audit_bad_input(desk, args, needle):
    res = desk.run("audit", *args)
    assert res.exit_code == 2 and needle in res.stderr


def test_median_and_p90():
    assert audit.median([]) is None and audit.p90([]) is None
    assert audit.median([3, 1, 2]) == 2 and audit.median([4, 1, 3, 2]) == 2.5
    assert audit.p90(list(range(1, 11))) == 9 and audit.p90([5]) == 5


# --------------------------------------------------------------------------- audit --check


SAMPLE = Path(__file__).resolve().parent.parent / "records"


def test_the_sample_desk_is_clean():
    d = CliDesk(SAMPLE)
    res = d.run("audit", "--check", now="2026-11-22T12:00+08:00")
    assert res.exit_code == 0, res.stdout
    assert "no findings" in res.stdout


def test_audit_check_reports_every_planted_fault(tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".cstool"))
    d = CliDesk(root)
    files = sorted((root / "tickets/2026/11").glob("*.yaml"))
    by_id = {f.stem: yamlio.load(f) for f in files}
    closed_complaint = next(k for k, t in by_id.items() if t["type"] == "complaint" and t["status"] == "closed")
    open_ticket = next(k for k, t in by_id.items() if t["status"] == "open")
    others = [k for k in by_id if k not in (closed_complaint, open_ticket)]

    def edit(tid, old, new):
        p = root / f"tickets/2026/11/{tid}.yaml"
        text = p.read_text(encoding="utf-8")
        assert old in text, (tid, old)
        p.write_text(text.replace(old, new, 1), encoding="utf-8")

    # 1 malformed YAML
    (root / "tickets/2026/11/CS-2026-BROKEN1.yaml").write_text("id: CS-2026-BROKEN1\ntitle: [oops\n", encoding="utf-8")
    # 2 a status edited by hand: the history disagrees
    edit(open_ticket, "status: open", "status: in_progress")
    # 3 a complaint closed without its resolution
    edit(closed_complaint, "resolution: ", "comment: ")
    # 4 an actor who is not on the roster
    edit(others[0], "by: zhao.lei@example.com", "by: ghost@example.com")
    # 5 the same ID twice
    shutil.copy(root / f"tickets/2026/11/{others[1]}.yaml", root / f"tickets/2026/10/{others[1]}.yaml")
    # 6 a reference to a customer that has no record
    target = next(k for k in others[2:] if "customer:" in (root / f"tickets/2026/11/{k}.yaml").read_text(encoding="utf-8"))
    edit(target, "customer:\n", "customer:\n  id: C-NOSUCH\n")
    # 7 a python tag
    (root / "tickets/2026/11/CS-2026-EVIL002.yaml").write_text("id: !!python/object/apply:os.system [ls]\n", encoding="utf-8")

    res = d.run("audit", "--check", "--json", now="2026-11-22T12:00+08:00")
    assert res.exit_code == 1
    findings = res.json["findings"]
    codes = {(f["file"].split("/")[-1], f["code"]) for f in findings}
    assert ("CS-2026-BROKEN1.yaml", "parse") in codes
    assert (f"{open_ticket}.yaml", "replay") in codes
    assert (f"{closed_complaint}.yaml", "complaint") in codes
    assert (f"{others[0]}.yaml", "roster") in codes
    assert (f"{others[1]}.yaml", "duplicate") in codes
    assert (f"{target}.yaml", "reference") in codes
    assert ("CS-2026-EVIL002.yaml", "parse") in codes
    broken = [f for f in findings if f["file"].endswith("BROKEN1.yaml")][0]
    assert broken["line"] == 3
    text = d.run("verify", now="2026-11-22T12:00+08:00")
    assert text.exit_code == 1 and "findings in" in text.stdout


# --------------------------------------------------------------------------- export and import


def test_export_import_round_trip_gives_equal_tickets(tmp_path, new_desk):
    src = CliDesk(SAMPLE)
    for fmt in ("csv", "json"):
        out = tmp_path / f"all.{fmt}"
        src.ok("export", "--reveal", "--format", fmt, "-o", str(out))
        target = new_desk(tmp_path / f"empty-{fmt}")
        shutil.copy(SAMPLE / "cstool.yaml", target.root / "cstool.yaml")
        shutil.copytree(SAMPLE / "customers", target.root / "customers", dirs_exist_ok=True)
        target.ok("import", str(out), as_=SUPERVISOR)
        for original in (SAMPLE / "tickets").glob("*/*/*.yaml"):
            copy = yamlio.load(target.root / original.relative_to(SAMPLE))
            imported = copy["history"].pop()  # the import event names who brought the ticket in
            assert (imported["action"], imported["by"]) == ("import", SUPERVISOR)
            copy["updated"] = yamlio.load(original)["updated"]
            assert yamlio.dumps(copy) == original.read_text(encoding="utf-8"), original.name


def test_export_csv_opens_in_excel_and_redacts(november, tmp_path):
    d, _ = november
    d.create("--type", "complaint", "--title", "联系方式", "--phone", "13912345678", "--email", "x@example.com")
    plain = d.ok("export", "--reveal").stdout
    assert "13912345678" in plain
    assert d.ok("export").stdout == d.ok("export", "--redact").stdout  # masked by default; --redact says so
    redacted = d.ok("export", "--redact").stdout
    assert "13912345678" not in redacted and "x@example.com" not in redacted and "139****5678" in redacted
    out = tmp_path / "excel.csv"
    d.ok("export", "--bom", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and "投诉".encode() not in raw[:3]
    js = json.loads(d.ok("export", "--format", "json", "--redact", "--type", "work_order").stdout)
    assert [t["title"] for t in js] == ["T5"]


def test_import_checks_every_row_and_writes_nothing_when_one_is_bad(git_desk, tmp_path):
    d = git_desk
    bad = tmp_path / "new.csv"
    bad.write_text("type,title,channel\ncomplaint,新投诉,phone\nnope,x,phone\ninquiry,,phone\n", encoding="utf-8")
    before = d.snapshot()
    res = d.run("import", str(bad))
    assert res.exit_code == 2
    assert "row 3" in res.stderr and "row 4" in res.stderr and "row 2" not in res.stderr
    assert d.snapshot() == before
    good = tmp_path / "good.csv"
    good.write_text("type,title,channel,customer_name,phone\ncomplaint,甲,phone,张三,13800000001\ninquiry,乙,online,,\n",
                    encoding="utf-8")
    n = int(d.git("rev-list", "--count", "HEAD"))
    assert "imported 2 tickets" in d.ok("import", str(good)).stdout
    assert int(d.git("rev-list", "--count", "HEAD")) == n + 1
    assert len(d.git("show", "--name-only", "--format=", "HEAD").split()) == 2
    rows = d.ok("list", "--json").json
    assert {r["group"] for r in rows} == {"complaint", "inquiry"}


def test_import_refuses_an_id_already_in_the_desk(desk, tmp_path):
    tid = desk.create("--type", "inquiry", "--title", "已有")
    out = tmp_path / "one.json"
    desk.ok("export", "--format", "json", "-o", str(out))
    res = desk.run("import", str(out))
    assert res.exit_code == 2 and f"{tid} is already in this desk" in res.stderr


# --------------------------------------------------------------------------- QA sample and handover


def test_sample_is_reproducible_and_only_closed_tickets():
    d = CliDesk(SAMPLE)
    a = d.ok("sample", "-n", "5", "--seed", "42", "--json").json
    b = d.ok("sample", "-n", "5", "--seed", "42", "--json").json
    assert a == b and len(a["tickets"]) == 5 and a["seed"] == 42
    statuses = {t["id"]: t["status"] for t in d.ok("list", "--status", "all", "--json", "--limit", "0").json}
    assert all(statuses[t["id"]] == "closed" for t in a["tickets"])
    c = d.ok("sample", "-n", "5", "--seed", "43", "--json").json
    assert c["tickets"] != a["tickets"] or c["population"] <= 5
    checklist = d.ok("sample", "-n", "3", "--seed", "1", "--format", "markdown").stdout
    assert checklist.count("- [ ] CS-") == 3
    nov = d.ok("sample", "-n", "50", "--seed", "1", "--period", "2026-10", "--json").json
    assert all(t["closed"].startswith("2026-1") for t in nov["tickets"]) and nov["population"] < a["population"]


def test_handover_lists_the_shift(november):
    d, (t1, t2, t3, t4, t5) = november
    data = d.ok("handover", "--since", "2026-11-25T08:30", "--json", now="2026-11-25T17:30+08:00").json
    assert [r["id"] for r in data["closed"]] == [t5]
    assert data["opened"] == [] and data["escalated"] == []
    assert t4 in [r["id"] for rows in data["open_by_assignee"].values() for r in rows]
    text = d.ok("handover", now="2026-11-16T17:00+08:00").stdout
    assert "Shift handover 2026-11-13 17:30" in text and "T4" in text  # from Friday's close of business


# --------------------------------------------------------------------------- what the index keeps


@pytest.fixture(scope="module")
def generated_tickets(tmp_path_factory):
    from cstool.desk.store import Desk as StoreDesk
    from cstool.domain.workflow import calendar_of
    from cstool.reports.render import plain

    root = tmp_path_factory.mktemp("audit-gen") / "desk"
    generate(root, 300, seed=23)
    store = StoreDesk.open(root)
    return [plain(t) for _, t in store.iter_tickets()], store.config, calendar_of(store.config)


def test_facts_from_the_kept_base_equal_facts_from_the_ticket(generated_tickets):
    """The audit reads a per-ticket base worked out once (times as seconds, cycles and
    their breach moments, the status after each event). For any period and cut-off its
    facts must equal those worked out from the whole ticket."""
    from datetime import timedelta

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cstool.time.clock import read_stamp

    tickets, config, cal = generated_tickets

    @settings(max_examples=600, deadline=None)
    @given(which=st.integers(0, len(tickets) - 1), event=st.integers(0, 20), offset=st.sampled_from([-60, 0, 60, 3600]),
           kind=st.sampled_from(["day", "week", "month"]), shift=st.integers(-40, 40))
    def check(which, event, offset, kind, shift):
        # the cut-off falls on, just before or just after one of the ticket's own events,
        # and the period around it: the edges where a fast path would go wrong
        ticket = tickets[which]
        at = read_stamp(ticket["history"][event % len(ticket["history"])]["at"], config.tz)
        now = at + timedelta(seconds=offset)
        first = now.date() + timedelta(days=shift)
        text = {"day": first.isoformat(), "week": f"{first.isocalendar()[0]}-W{first.isocalendar()[1]:02d}",
                "month": f"{first.year}-{first.month:02d}"}[kind]
        period = audit.parse_period(text, None, None, config.tz, now)
        assert audit.facts_at(audit.ticket_base(ticket, cal), cal, period, now) == \
            audit._facts_from_ticket(ticket, cal, period, now)

    check()


def test_a_history_out_of_order_is_worked_out_from_the_ticket(generated_tickets):
    tickets, config, cal = generated_tickets
    ticket = next(t for t in tickets if len(t["history"]) >= 3)
    shuffled = dict(ticket, history=[ticket["history"][-1], *ticket["history"][:-1]])
    base = audit.ticket_base(shuffled, cal)
    assert base == {"whole": shuffled}


def test_the_open_spans_the_index_keeps_give_the_state_at_any_cut_off(generated_tickets):
    """The index keeps, per ticket, the spans of cut-offs at which it is open and whether a
    clock had breached by then (:func:`audit._open_spans`); at any cut-off, on, just before
    or just after one of the ticket's moments, they say what the ticket's base says."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    tickets, _, cal = generated_tickets
    bases = [audit.ticket_base(t, cal) for t in tickets]

    @settings(max_examples=800, deadline=None)
    @given(which=st.integers(0, len(bases) - 1), moment=st.integers(0, 40),
           offset=st.sampled_from([-86400.0, -60.0, -0.5, 0.0, 0.5, 60.0, 86400.0]))
    def check(which, moment, offset):
        base = bases[which]
        points = sorted({base["created"], *base["times"], *(t for c in base["cycles"] for t in c[:3] if t is not None)})
        cutoff = points[moment % len(points)] + offset
        expected = audit.Facts(None)
        audit._base_state_at_cutoff(expected, base, cutoff)
        spans = [(lo, hi, b) for lo, hi, b in audit._open_spans(base) if lo < cutoff <= hi]
        assert len(spans) <= 1
        assert bool(spans) == expected.open_at_cutoff
        assert (bool(spans) and spans[0][2]) == expected.breached_at_cutoff

    check()


def test_an_open_cycles_breach_is_the_one_measured_at_a_far_cut_off(generated_tickets):
    """The moment a resolution cycle left running would pass its target (what the index
    keeps as its last on-time moment) is worked out from its pauses alone
    (:func:`sla.open_breach`); measuring the cycle without an end up to a cut-off more
    than the target past its last event (:func:`sla.measure_cycle`) gives the same moment,
    for business and calendar targets, pauses ended or not, in order or not."""
    from datetime import datetime, timedelta

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cstool.time import sla
    from cstool.time.clock import read_stamp

    tickets, config, cal = generated_tickets
    origin = datetime(2026, 9, 25, 8, 0, tzinfo=config.tz)  # the national day's holidays ahead
    minutes = st.integers(-600, 20 * 24 * 60)

    @settings(max_examples=600, deadline=None)
    @given(start=st.integers(0, 14 * 24 * 60), pauses=st.lists(st.tuples(minutes, st.none() | minutes), max_size=4),
           later=st.integers(0, 5000), seconds=st.integers(0, 59),
           target=st.sampled_from(["45m", "4h", "5d", "30m calendar", "24h calendar", "3d calendar"]))
    def check(start, pauses, later, seconds, target):
        def at(m):
            return origin + timedelta(minutes=start + m, seconds=seconds)

        kept = [[at(a), None if b is None else at(b)] for a, b in pauses]
        for p in kept[:-1]:  # pauses as sla.cycles makes them: only the last one may still run
            p[1] = p[1] or p[0] + timedelta(minutes=30)
        cycle = {"start": at(0), "pauses": kept, "end": None}
        duration = sla.parse_target(target)
        last = max([cycle["start"], *(t for p in kept for t in p if t is not None)]) + timedelta(minutes=later)
        horizon = sla.add_time(cal, last, cal.target_minutes(duration) + 1, duration)
        assert sla.open_breach(cycle, duration, cal) == sla.measure_cycle(cycle, duration, cal, horizon)[1]

    check()
    for ticket in tickets:  # and every cycle of the generated tickets, against their own targets
        target = sla.parse_target((ticket.get("sla") or {}).get("resolution_target")) or sla.parse_target("5d")
        known = [read_stamp(ev["at"], config.tz) for ev in ticket["history"]]
        horizon = sla.add_time(cal, max(known), cal.target_minutes(target) + 1, target)
        for cycle in sla.cycles(ticket["history"], config.tz):
            still_open = {**cycle, "end": None}
            assert sla.open_breach(still_open, target, cal) == sla.measure_cycle(still_open, target, cal, horizon)[1]


def test_a_ticket_whose_history_is_out_of_order_counts_the_same_from_the_index(tmp_path):
    """A ticket whose history is out of order is kept whole by the index and its facts are
    worked out from it for each period: the figures equal those worked out from the files."""
    from datetime import datetime, timedelta

    from cstool.desk.store import Desk as StoreDesk
    from cstool.domain.workflow import calendar_of
    from cstool.reports.render import plain

    root = tmp_path / "desk"
    generate(root, 40, seed=7)
    store = StoreDesk.open(root)
    path, ticket = next((p, plain(t)) for p, t in store.iter_tickets() if len(t["history"]) >= 4)
    history = ticket["history"]
    ticket["history"] = [history[0], history[2], history[1], *history[3:]]
    (root / path).write_text(yamlio.dumps(ticket), encoding="utf-8")
    store = StoreDesk.open(root)
    config, cal = store.config, calendar_of(store.config)
    tickets = [plain(t) for _, t in store.iter_tickets()]
    assert any(audit.ticket_base(t, cal).get("whole") for t in tickets)
    index = store.index()
    index.refresh()
    created = datetime.fromisoformat(str(ticket["created"]))
    for days in (1, 7, 31, 400):
        start = created.astimezone(config.tz).replace(hour=0, minute=0, second=0) - timedelta(days=days // 2)
        period = audit.Period(start, start + timedelta(days=days), "p")
        now = period.end + timedelta(days=3)
        from_files = [audit._facts_from_ticket(t, cal, period, now) for t in tickets]
        assert audit.report_from_populations(index.period_populations(period, now, cal), config, cal, period,
                                             audit.DIMENSIONS) == \
            audit.report_from_facts(from_files, config, cal, period, now, audit.DIMENSIONS)


def test_a_ticket_pending_at_the_cut_off_is_not_counted_breached(desk):
    """Complaint resolution is 3 business days; this one went pending after 4, and the
    month ends while it waits: its clock is paused, so the audit does not count it among
    the open tickets already breached (worked out from the base and from the ticket)."""
    from cstool.desk.store import Desk as StoreDesk
    from cstool.domain.workflow import calendar_of
    from cstool.reports.render import plain
    from cstool.time.clock import parse_time

    tid = desk.create("--type", "complaint", "--title", "等客户寄回", now="2026-10-19T09:00+08:00")
    desk.ok("reply", tid, "-m", "已联系", now="2026-10-19T09:10+08:00")
    desk.ok("pending", tid, "--reason", "等客户寄回", now="2026-10-26T10:00+08:00")
    store = StoreDesk.open(desk.root)
    ticket = plain(store.load_ticket(desk.path(tid)))
    cal = calendar_of(store.config)
    now = parse_time("2026-11-02T09:00+08:00", store.config.tz)
    period = audit.parse_period("2026-10", None, None, store.config.tz, now)
    fast = audit.facts_at(audit.ticket_base(ticket, cal), cal, period, now)
    assert fast == audit._facts_from_ticket(ticket, cal, period, now)
    assert fast.open_at_cutoff and not fast.breached_at_cutoff
    report = desk.ok("audit", "--period", "2026-10", "--json", now="2026-11-02T09:00+08:00").json
    assert report["totals"]["open"] == 1 and report["sla"]["open_breached"] == 0


def _additive(facts: list, report: dict) -> dict[str, float]:
    """Every count and sum of a period's report that must add up over consecutive periods:
    events (created, resolved, closed, escalations by level), each clock's outcome, each
    resolution's reopened flag, first and full resolutions and one-touch tickets, follow-up
    calls due (done on time, late, not done) and finished (by result), work-order late days,
    and the minutes summed over each time metric's population."""
    t, sla, fu = report["totals"], report["sla"], report["followups"]
    counts: dict[str, float] = {k: t[k] for k in ("created", "resolved", "closed", "reopened")}
    for kind in ("first_response", "resolution"):
        counts.update({f"{kind}_{k}": sla[kind][k] for k in ("met", "breached")})
    for key in ("first_response", "resolution", "first_resolution", "full_resolution"):
        counts[f"{key}_count"] = report["times"][key]["count"]
    counts.update({f"one_touch_{k}": v for k, v in report["one_touch"].items() if k != "one_touch_rate"})
    counts.update({f"calls_{k}": fu[k] for k in ("due_in_period", "done_on_time", "done_late", "not_done", "done",
                                                 "satisfied", "unsatisfied", "unreachable")})
    counts.update({f"escalated_to_{k}": v for k, v in report["escalations"].items()})
    counts["late_days"] = sum(report["work_orders"]["late_days_by_department"].values())
    counts["first_response_minutes"] = round(sum(f.first_response[1] for f in facts if f.first_response), 3)
    counts["resolution_minutes"] = round(sum(r[1] for f in facts for r in f.resolutions), 3)
    for key in ("first_resolution", "full_resolution"):
        counts[f"{key}_calendar"] = round(sum(getattr(f, key)[0] for f in facts if getattr(f, key)), 3)
        counts[f"{key}_business"] = round(sum(getattr(f, key)[1] for f in facts if getattr(f, key)), 3)
    return counts


def test_counts_over_consecutive_periods_add_up_to_their_union(generated_tickets):
    """Every count and sum (:func:`_additive`) over consecutive periods adds up to the
    count for the union of the periods, wherever the cut points fall and whatever the
    moment the report is made; and every rate of each report is within 0 to 100 %."""
    from datetime import datetime, timedelta

    from hypothesis import given, settings
    from hypothesis import strategies as st

    tickets, config, cal = generated_tickets
    start = datetime(2025, 12, 1, tzinfo=config.tz)  # the generated desk's year
    bases = [audit.ticket_base(t, cal) for t in tickets]

    def totals(a: datetime, b: datetime, now: datetime) -> dict:
        period = audit.Period(a, b, "p")
        facts = [audit.facts_at(base, cal, period, now) for base in bases]
        report = audit.report_from_facts(facts, config, cal, period, now, ("group", "type"))
        _assert_rates_within_0_and_100(report)
        return _additive([f for f in facts if audit._relevant(f)], report)

    @settings(max_examples=20, deadline=None)
    @given(cuts=st.lists(st.integers(1, 365 * 24 * 60 - 1), min_size=1, max_size=3, unique=True),
           now_after=st.integers(0, 400 * 24 * 60))
    def check(cuts, now_after):
        points = [start] + [start + timedelta(minutes=m) for m in sorted(cuts)] + [start + timedelta(days=365)]
        now = start + timedelta(minutes=now_after)
        parts: dict[str, float] = {}
        for a, b in zip(points, points[1:]):
            for k, v in totals(a, b, now).items():
                parts[k] = round(parts.get(k, 0) + v, 3)
        union = totals(points[0], points[-1], now)
        assert {k: v for k, v in parts.items() if v} == pytest.approx({k: v for k, v in union.items() if v})

    check()


def _assert_rates_within_0_and_100(report: dict, where: str = "") -> None:
    """Every rate, share and compliance of a report (and of its rows) is None or within [0, 100]."""
    if isinstance(report, dict):
        for key, value in report.items():
            if isinstance(value, (dict, list)):
                _assert_rates_within_0_and_100(value, f"{where}.{key}")
            elif key.endswith(("rate", "compliance", "share", "_pct")) and value is not None:
                assert 0 <= value <= 100, f"{where}.{key} = {value}"
    elif isinstance(report, list):
        for i, row in enumerate(report):
            _assert_rates_within_0_and_100(row, f"{where}[{i}]")


def test_the_index_gives_the_figures_worked_out_from_the_files(tmp_path_factory):
    """``audit`` reads a period's populations from the moments the index keeps (ranges of
    their index, in SQL); for any period and moment the report equals the one worked out
    from every ticket file itself (the report being made during or after the period: a
    desk holds no event after the moment the report is made)."""
    from datetime import datetime, timedelta

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cstool.desk.store import Desk as StoreDesk
    from cstool.domain.workflow import calendar_of
    from cstool.reports.render import plain

    root = tmp_path_factory.mktemp("audit-index") / "desk"
    generate(root, 120, seed=31)
    store = StoreDesk.open(root)
    config, cal = store.config, calendar_of(store.config)
    tickets = [plain(t) for _, t in store.iter_tickets()]
    index = store.index()
    origin = datetime(2025, 12, 1, tzinfo=config.tz)

    @settings(max_examples=12, deadline=None)
    @given(first=st.integers(0, 380), days=st.integers(1, 120), now_after=st.integers(0, 160 * 24 * 60))
    def check(first, days, now_after):
        start = origin + timedelta(days=first)
        period = audit.Period(start, start + timedelta(days=days), "p")
        now = start + timedelta(minutes=now_after)
        from_index = index.period_populations(period, now, cal)
        from_files = [audit._facts_from_ticket(t, cal, period, now) for t in tickets]
        assert audit.report_from_populations(from_index, config, cal, period, audit.DIMENSIONS) == \
            audit.report_from_facts(from_files, config, cal, period, now, audit.DIMENSIONS)

    check()


def test_a_breakdown_gives_each_value_the_rows_of_its_tickets_and_only_those(tmp_path):
    """``--by``: the populations of each value of a dimension are those rows of the period's
    populations whose ticket has that value, in their order; every ticket is in one part."""
    from datetime import datetime

    from cstool.desk.store import Desk as StoreDesk
    from cstool.domain.workflow import calendar_of

    generate(tmp_path / "desk", 150, seed=5)
    store = StoreDesk.open(tmp_path / "desk")
    cal = calendar_of(store.config)
    tz = store.config.tz
    period = audit.Period(datetime(2026, 1, 1, tzinfo=tz), datetime(2027, 1, 1, tzinfo=tz), "2026")
    pop = store.index().period_populations(period, datetime(2026, 12, 15, tzinfo=tz), cal)
    assert len(pop.tickets) > 50
    for dim in audit.DIMENSIONS:
        value_of = {key: audit.dimension_value(attrs, dim) for key, attrs in pop.tickets.items()}
        parts = pop.split(lambda attrs, dim=dim: audit.dimension_value(attrs, dim))
        assert set(parts) == set(value_of.values()) and len(parts) > 1, dim
        for value, part in parts.items():
            assert part.tickets == {k: a for k, a in pop.tickets.items() if value_of[k] == value}
            for name in audit.POPULATIONS:
                assert getattr(part, name) == [row for row in getattr(pop, name) if value_of[row[0]] == value], (dim, name)


def test_an_index_held_in_memory_counts_who_handled_what_as_the_index_file_does(tmp_path, monkeypatch):
    """The per-person count of tickets handled is summed by SQLite on a second connection
    beside the rest of the report; an index held in memory (a cache folder that cannot be
    written) has no second connection and sums it on its own: the figures are the same."""
    import os
    from datetime import datetime

    from cstool.desk.index import open_index
    from cstool.desk.store import Desk as StoreDesk
    from cstool.domain.workflow import calendar_of

    generate(tmp_path / "desk", 60, seed=7)
    store = StoreDesk.open(tmp_path / "desk")
    config, cal = store.config, calendar_of(store.config)
    period = audit.Period(datetime(2026, 1, 1, tzinfo=config.tz), datetime(2027, 1, 1, tzinfo=config.tz), "2026")
    now = datetime(2026, 12, 15, tzinfo=config.tz)
    on_file = store.index()
    assert not on_file.in_memory
    from_file = audit.report_from_populations(on_file.period_populations(period, now, cal), config, cal, period)
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK)
    in_memory = open_index(StoreDesk.open(tmp_path / "desk"))
    in_memory.refresh()
    assert in_memory.in_memory
    from_memory = audit.report_from_populations(in_memory.period_populations(period, now, cal), config, cal, period)
    assert from_memory["agents"] == from_file["agents"]
    assert sum(row["handled"] for row in from_file["agents"]) > 0


def test_a_query_summed_on_the_second_connection_raises_its_error_where_it_is_awaited(tmp_path):
    """A failure on the second connection is not lost in its thread."""
    import sqlite3

    from cstool.desk.store import Desk as StoreDesk

    generate(tmp_path / "desk", 3, seed=1)
    index = StoreDesk.open(tmp_path / "desk").index()
    wait = index._aside("SELECT who, count(*) FROM no_such_table GROUP BY who", {}, "[1, 2]")
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        wait()
    assert index._aside("SELECT count(*) FROM temp.kept", {}, "[1, 2]")() == [(2,)]


# --------------------------------------------------------------------------- periods, comparison, tables


@pytest.mark.parametrize("text, start, end, before", [
    ("2026-Q4", "2026-10-01", "2027-01-01", "2026-Q3"),
    ("2026-Q1", "2026-01-01", "2026-04-01", "2025-Q4"),
    ("2026-q2", "2026-04-01", "2026-07-01", "2026-Q1"),
    ("2026", "2026-01-01", "2027-01-01", "2025"),
    ("2026-W48", "2026-11-23", "2026-11-30", "2026-W47"),
    ("2026-W01", "2025-12-29", "2026-01-05", "2025-W52"),
    ("2026-01", "2026-01-01", "2026-02-01", "2025-12"),
])
def test_quarters_years_weeks_and_the_period_before(text, start, end, before):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    per = audit.parse_period(text, None, None, tz, datetime(2026, 11, 29, tzinfo=tz))
    assert (per.start.date().isoformat(), per.end.date().isoformat()) == (start, end)
    prev = audit.previous_period(per)
    assert prev.label == before and prev.end == per.start
    assert audit.parse_period(before, None, None, tz, per.start) == prev  # the period before reads back as itself


@pytest.mark.parametrize("text", ["2026-Q0", "2026-Q5"])
def test_a_quarter_outside_one_to_four_is_refused(desk, text):
    res = desk.run("audit", "--period", text)
    assert res.exit_code == 2 and "quarter" in res.stderr


def test_a_quarter_and_a_year_add_up_their_months(november):
    d, _ = november
    q4 = d.ok("audit", "--period", "2026-Q4", "--json", now=AFTER).json
    year = d.ok("audit", "--period", "2026", "--json", now=AFTER).json
    nov = d.ok("audit", "--period", "2026-11", "--json", now=AFTER).json
    assert q4["period"]["from"] == "2026-10-01T00:00:00+08:00" and q4["period"]["to"] == "2027-01-01T00:00:00+08:00"
    assert year["period"]["label"] == "2026"
    for r in (q4, year):  # every ticket lives in November
        assert r["totals"]["created"] == nov["totals"]["created"] == 5
        assert r["totals"]["resolved"] == nov["totals"]["resolved"]
    assert d.ok("sample", "--period", "2026-Q4", "--seed", "1", "--json", now=AFTER).json["population"] == 4  # T4 is open


def test_compare_with_the_previous_period_and_with_a_named_one(november):
    d, _ = november
    r = d.ok("audit", "--period", "2026-11", "--compare", "previous", "--json", now=AFTER).json
    assert r["compare"]["period"]["label"] == "2026-10"
    assert r["headline"]["created"] == 5 and r["compare"]["headline"]["created"] == 0
    assert r["change"]["created"] == 5
    assert r["headline"]["sla_compliance_pct"] == 66.7 and r["change"]["sla_compliance_pct"] is None  # nothing in October
    assert r["headline"]["resolution_median_hours"] == 12.0  # 720 business minutes
    dec = d.ok("audit", "--period", "2026-12", "--compare", "2026-11", "--json", now="2026-12-20T09:00+08:00").json
    assert dec["compare"]["period"]["label"] == "2026-11" and dec["compare"]["headline"]["created"] == 5
    assert dec["change"]["created"] == -5 and dec["change"]["open"] == 0  # T4 still open at both ends
    week = d.ok("audit", "--period", "2026-W46", "--compare", "previous", "--json", now=AFTER).json
    assert week["compare"]["period"]["label"] == "2026-W45" and week["compare"]["headline"]["created"] == 3
    table = d.ok("audit", "--period", "2026-11", "--compare", "previous", now=AFTER).stdout
    assert "Compared with 2026-10" in table and "+5" in table
    md = d.ok("audit", "--period", "2026-11", "--compare", "previous", "--format", "markdown", now=AFTER, lang="zh").stdout
    assert "## 与 2026-10 比较" in md and "| SLA 达标率 %" in md
    csv_text = d.ok("audit", "--period", "2026-11", "--compare", "previous", "--format", "csv", now=AFTER).stdout
    assert "change,created,5" in csv_text and "compare,headline.created,0" in csv_text
    bad = d.run("audit", "--period", "2026-11", "--compare", "last time", now=AFTER)
    assert bad.exit_code == 2 and "--compare" in bad.stderr and bad.stdout == ""
    days = d.ok("audit", "--from", "2026-11-09", "--to", "2026-11-15", "--compare", "previous", "--json", now=AFTER).json
    assert days["compare"]["period"]["label"] == "2026-11-02..2026-11-08"  # as many days, ending the day before
    assert days["compare"]["headline"]["created"] == 3 and days["headline"]["created"] == 0


def test_every_by_table_ends_with_a_totals_row(november):
    d, _ = november
    table = d.ok("audit", "--period", "2026-11", "--by", "type", "--by", "agent", now=AFTER).stdout
    by_type = table[table.index("By type"):]
    total = next(line for line in by_type.splitlines() if line.startswith("total"))
    assert total.split()[1:5] == ["5", "5", "5", "1"]  # created, resolved, closed, open: the Volume table's
    agents = table[table.index("Per-agent performance"):table.index("By type")]
    assert any(line.startswith("total") for line in agents.splitlines())
    md = d.ok("audit", "--period", "2026-11", "--by", "group", "--format", "markdown", now=AFTER, lang="zh").stdout
    assert "| 合计 " in md[md.index("按受理组统计"):]


def test_markdown_tables_have_a_blank_line_before_and_after(november):
    d, _ = november
    md = d.ok("audit", "--period", "2026-11", "--by", "type", "--format", "markdown", now=AFTER).stdout
    lines = md.splitlines()
    for i, line in enumerate(lines):
        is_row = line.startswith("|")
        if is_row and i and not lines[i - 1].startswith("|"):
            assert lines[i - 1] == "", f"no blank line before the table at line {i + 1}"
        if is_row and i + 1 < len(lines) and not lines[i + 1].startswith("|"):
            assert lines[i + 1] == "", f"no blank line after the table at line {i + 1}: {lines[i + 1]!r}"
    assert "Open tickets already breached at the end: 1" in md


def test_csv_is_in_the_units_of_the_table_and_names_them(november):
    import csv
    import io

    d, _ = november
    rows = list(csv.reader(io.StringIO(d.ok("audit", "--period", "2026-11", "--by", "type", "--format", "csv",
                                            now=AFTER).stdout)))
    assert rows[0] == ["section", "metric", "value"]
    figures = {(s, m): v for s, m, v in rows[1:]}
    assert figures[("times", "resolution.median_hours")] == "12.0"  # the table's 12.0 h, not 720 minutes
    assert figures[("times", "first_response.p90_hours")] == "10.0"
    assert figures[("sla", "overall.compliance_pct")] == "66.7"
    assert figures[("totals", "reopen_rate_pct")] == "20.0"
    assert not any(m.endswith("_minutes") for _, m in figures)
    zh = d.ok("audit", "--period", "2026-11", "--format", "csv", now=AFTER, lang="zh").stdout
    assert zh.lstrip("\ufeff").splitlines()[0] == "部分,指标,数值"


def test_work_orders_are_a_channel_of_their_own(november):
    d, (t1, t2, t3, t4, t5) = november
    rows = d.ok("audit", "--period", "2026-11", "--by", "channel", "--json", now=AFTER).json["by_channel"]
    by = {row["channel"]: row for row in rows}
    assert by["work_order"]["created"] == 1
    assert sum(row["created"] for row in rows) == 5
    assert all(row["created"] == 4 for key, row in by.items() if key != "work_order")  # T1-T4 share one channel
    table = d.ok("audit", "--period", "2026-11", "--by", "channel", now=AFTER, lang="zh").stdout
    assert "工作联系单" in table[table.index("按渠道统计"):]


def test_sample_shows_when_the_ticket_was_closed(november):
    d, (t1, *_) = november  # T1 closed on 3 Nov 09:00; the follow-up call on 4 Nov changed it again
    picked = d.ok("sample", "-n", "10", "--seed", "1", "--period", "2026-11", "--json", now=AFTER).json["tickets"]
    closed = {t["id"]: t["closed"] for t in picked}
    assert closed[t1].startswith("2026-11-03T09:00")
    table = d.ok("sample", "-n", "10", "--seed", "1", "--period", "2026-11", now=AFTER).stdout
    line = next(line for line in table.splitlines() if t1 in line)
    assert "2026-11-03 09:00" in line and "2026-11-04" not in line


def test_an_index_kept_by_other_code_is_rebuilt(november):
    """The index keeps each ticket's audit moments; those recorded under another
    definitions key (older code) are worked out again from the files rather than served."""
    import sqlite3

    from cstool.reports.audit import M_CREATED

    d, _ = november
    good = d.ok("audit", "--period", "2026-11", "--json", now=AFTER).json
    db = d.root / ".cstool" / "index.sqlite"

    def spoil(definitions: str | None) -> None:
        conn = sqlite3.connect(db)
        # moments as wrong older code might have kept them: created long before
        conn.execute("UPDATE moments SET at = at - 400 * 86400 WHERE kind = ?", (M_CREATED,))
        if definitions is not None:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'definitions'", (definitions,))
        conn.commit()
        conn.close()

    spoil(None)  # same key: the kept moments are served as they are (which is what makes them fast)
    assert d.ok("audit", "--period", "2026-11", "--json", now=AFTER).json["totals"]["created"] == 0
    spoil("10:older")
    assert d.ok("audit", "--period", "2026-11", "--json", now=AFTER).json == good
    conn = sqlite3.connect(db)
    from cstool.desk.index import definitions_key

    assert dict(conn.execute("SELECT key, value FROM meta"))["definitions"] == definitions_key()
    conn.close()


def test_json_headline_figures_are_in_the_units_of_the_table(november):
    d, _ = november
    r = d.ok("audit", "--period", "2026-11", "--json", now=AFTER).json
    assert r["headline"]["first_response_median_hours"] == 0.5 and r["times"]["first_response"]["median_minutes"] == 30
    assert r["headline"]["sla_compliance_pct"] == 66.7 and r["headline"]["created"] == 5
    table = d.ok("audit", "--period", "2026-11", now=AFTER).stdout
    assert "0.5" in table[table.index("Handling time"):table.index("SLA compliance")]


def test_a_field_the_history_does_not_give_is_named_in_the_language_of_the_run(desk):
    """A status edited by hand: ``audit --check`` says so in the run's language; its JSON
    keeps the English words (for scripts)."""
    tid = desk.create("--type", "inquiry", "--title", "手改状态")
    path = desk.path(tid)
    text = path.read_text(encoding="utf-8")
    assert "\nstatus: open\n" in text
    path.write_text(text.replace("\nstatus: open\n", "\nstatus: closed\n", 1), encoding="utf-8")
    zh = desk.run("audit", "--check", lang="zh")
    assert zh.exit_code == 1 and "status 为 'closed',但按历史记录应为 'open'" in zh.stdout + zh.stderr, zh.stdout
    assert "the history gives" not in zh.stdout + zh.stderr
    en = desk.run("audit", "--check", lang="en")
    assert "status is 'closed' but the history gives 'open'" in en.stdout + en.stderr
    found = desk.run("audit", "--check", "--json", lang="zh").json["findings"]
    assert "status is 'closed' but the history gives 'open'" in [f["message"] for f in found if f["code"] == "replay"]


def test_per_person_figures_are_those_of_their_own_rows(generated_tickets):
    """Per person (:func:`audit.agent_rows`), whatever the populations: the resolutions they
    made and the tickets among them (a ticket resolved again by the same person counts
    once), their clocks met and breached, the calls they made and the results of the calls
    on the tickets they handled, each worked out here one row at a time."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    _, config, _ = generated_tickets
    people = [p.id for p in config.roster][:4] + ["someone.else@example.com", ""]
    who, key = st.sampled_from(people), st.integers(0, 6)
    results = st.sampled_from(["satisfied", "unsatisfied", "unreachable"])

    @settings(max_examples=200, deadline=None)
    @given(resolutions=st.lists(st.tuples(key, who, st.integers(0, 900), st.booleans()), max_size=12),
           clocks=st.lists(st.tuples(key, st.sampled_from(["first_response", "resolution"]), who, st.booleans()),
                           max_size=12),
           calls=st.lists(st.tuples(key, who, results, who), max_size=8))
    def check(resolutions, clocks, calls):
        pop = audit.Populations(resolutions=resolutions, clocks=clocks, calls_finished=calls)
        rows = {row["agent"]: row for row in audit.agent_rows(pop, config)}
        for person in (p.id for p in config.roster):
            mine = [r for r in resolutions if r[1] == person]
            met = [c[3] for c in clocks if c[2] == person]
            judged = [c[2] for c in calls if c[3] == person]
            calls_made = sum(1 for c in calls if c[1] == person)
            if not (mine or met or judged or calls_made):
                assert person not in rows
                continue
            row = rows[person]
            assert (row["resolved"], row["resolved_tickets"]) == (len(mine), len({r[0] for r in mine}))
            assert row["resolution_median_minutes"] == audit._minutes_stats([r[2] for r in mine])["median_minutes"]
            assert row["sla_compliance"] == audit.rate(sum(met), len(met))
            assert row["followups_done"] == calls_made
            assert row["satisfaction_rate"] == audit.satisfaction_rate(judged)

    check()
