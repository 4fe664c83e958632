"""Spreadsheets: export and import as Excel workbooks and flat CSV, customer records moved
with their desk, audit figures as a workbook."""

from __future__ import annotations

import io
import json
import os
import pty
import shutil
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.support.desk import CliDesk, assert_refusal
from tests.support.roster import MANAGER

SAMPLE = Path(__file__).resolve().parent.parent / "records"
SAMPLE_NOW = "2026-11-22T12:00:00+08:00"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sample(tmp_path) -> CliDesk:
    """A copy of the sample desk (records/)."""
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns(".cstool"))
    return CliDesk(tmp_path / "sample")


def run(desk: CliDesk, *args: str, **kw):
    return desk.ok(*args, as_=MANAGER, now=SAMPLE_NOW, **kw)


def empty_desk_like(new_desk, sample: CliDesk) -> CliDesk:
    """A new desk with the sample desk's config (moving a desk takes its cstool.yaml along)."""
    target = new_desk("target")
    shutil.copy(sample.root / "cstool.yaml", target.root / "cstool.yaml")
    return target


def without_import_event(ticket: dict, source: dict) -> dict:
    """A ticket as it was before import appended the event that records who imported it
    (which also set its ``updated``)."""
    history = ticket["history"]
    assert history[-1]["action"] == "import" and ticket["updated"] == history[-1]["at"]
    return {**ticket, "history": history[:-1], "updated": source["updated"]}


def as_cell(value):
    """What a cell written from a JSON value holds: the files' times as naive date-times in the desk's zone."""
    if isinstance(value, str) and len(value) == 25 and value[10] == "T":
        return datetime.fromisoformat(value).astimezone(TZ).replace(tzinfo=None)
    return value


@pytest.mark.parametrize("rows_at_once", [500, 1])
def test_an_xlsx_export_holds_the_values_of_the_json_export(sample, tmp_path, monkeypatch, rows_at_once):
    """Every cell in its column, also when later tickets bring columns the first ones lack
    (type fields, before the follow-ups and links of rows already written)."""
    from cstool.desk.spreadsheet import SheetStream

    monkeypatch.setattr(SheetStream, "ROWS_AT_ONCE", rows_at_once)
    tickets = json.loads(run(sample, "export", "--format", "json", "--reveal").stdout)
    assert {k for t in tickets for k in t.get("fields", {})} > set(tickets[0].get("fields", {}))
    assert tickets[0].get("followups") or tickets[0].get("links")
    run(sample, "export", "--format", "xlsx", "--reveal", "-o", str(tmp_path / "t.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    sheet, events = book["tickets"], book["history"]
    assert sheet.freeze_panes == "A2" and events.freeze_panes == "A2"
    head = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(tickets) == 40
    for ticket, row in zip(tickets, rows, strict=True):
        cells = {h: c for h, c in zip(head, row, strict=True) if c.value is not None}
        expected = {k: v for k, v in ticket.items() if k not in ("customer", "sla", "fields", "followups", "links", "history")}
        expected |= {f"customer_{k}": v for k, v in ticket.get("customer", {}).items()}
        expected |= {f"sla_{k}": v for k, v in ticket.get("sla", {}).items()}
        expected |= {f"fields.{k}": v for k, v in ticket.get("fields", {}).items()}
        expected |= {k: json.dumps(ticket[k], ensure_ascii=False, separators=(",", ":")) for k in ("followups", "links")
                     if ticket.get(k)}
        assert {h: c.value for h, c in cells.items()} == {k: as_cell(v) for k, v in expected.items()}
        assert cells["level"].data_type == "n" and cells["title"].data_type == "s"
        assert cells["created"].is_date and cells["created"].number_format == "yyyy-mm-dd hh:mm:ss"
    ev_head = [c.value for c in events[1]]
    assert ev_head[:4] == ["ticket_id", "at", "by", "action"]
    got = [{h: v for h, v in zip(ev_head, r, strict=True) if v is not None}
           for r in events.iter_rows(min_row=2, values_only=True)]
    want = [{"ticket_id": t["id"], **{k: as_cell(v) for k, v in e.items()}} for t in tickets for e in t["history"]]
    assert got == want


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_whole_desk_moves_by_export_and_import(sample, new_desk, tmp_path, fmt):
    target = empty_desk_like(new_desk, sample)
    before = json.loads(run(sample, "export", "--format", "json", "--reveal").stdout)
    customers = tmp_path / f"customers.{fmt}"
    tickets = tmp_path / f"tickets.{fmt}"
    run(sample, "customer", "export", "--format", fmt, "--reveal", "-o", str(customers))
    run(sample, "export", "--format", fmt, "--reveal", "-o", str(tickets))
    assert "5 customer records" in run(target, "customer", "import", str(customers)).stdout
    assert "40 tickets" in run(target, "import", str(tickets)).stdout
    run(target, "verify")
    after = json.loads(run(target, "export", "--format", "json", "--reveal").stdout)
    assert [without_import_event(t, s) for t, s in zip(after, before, strict=True)] == before
    source_records = json.loads(run(sample, "customer", "export", "--format", "json", "--reveal").stdout)
    assert json.loads(run(target, "customer", "export", "--format", "json", "--reveal").stdout) == source_records


def test_tickets_of_a_customer_need_the_record_first(sample, new_desk, tmp_path):
    target = empty_desk_like(new_desk, sample)
    run(sample, "export", "--format", "xlsx", "--reveal", "-o", str(tmp_path / "t.xlsx"))
    res = target.run("import", str(tmp_path / "t.xlsx"), as_=MANAGER, now=SAMPLE_NOW)
    assert_refusal(res, 2, "has no record")


def test_a_text_starting_with_equals_stays_text(desk, new_desk, tmp_path):
    tid = desk.create("--type", "inquiry", "--title", "=HYPERLINK(\"http://x\")", "--customer", "@张三")
    desk.ok("export", "--format", "xlsx", "--reveal", "-o", str(tmp_path / "t.xlsx"), as_=MANAGER)
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["tickets"]
    head = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=head.index("title") + 1)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"
    assert "<f>" not in _sheet_xml(tmp_path / "t.xlsx")
    other = new_desk("other")
    other.ok("import", str(tmp_path / "t.xlsx"), as_=MANAGER)
    assert other.ticket(tid)["title"] == "=HYPERLINK(\"http://x\")"


def _sheet_xml(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_csv_starts_with_a_bom_unless_no_bom_and_is_flat(desk):
    desk.create("--type", "inquiry", "--title", "问询", "--customer", "@张三", "--phone", "13500001111")
    with_bom = desk.ok("export").stdout
    assert with_bom.startswith("\ufeffid,type,title,")
    head = with_bom.lstrip("\ufeff").splitlines()[0].split(",")
    assert {"customer_name", "customer_phone", "sla_first_response_due", "history"} <= set(head)
    assert "sla" not in head and "fields" not in head
    assert not desk.ok("export", "--no-bom").stdout.startswith("\ufeff")
    assert "135****1111" in with_bom  # masked unless --reveal


def test_chinese_headings_under_lang_zh_and_import_reads_them(desk, new_desk, tmp_path):
    tid = desk.create("--type", "inquiry", "--title", "问询", "--customer", "@张三", "--phone", "13500001111")
    out = desk.ok("export", "--reveal", lang="zh").stdout
    assert out.startswith("\ufeff工单编号,工单类型,标题,")
    assert "客户电话" in out.splitlines()[0] and "处理记录" in out.splitlines()[0]
    (tmp_path / "zh.csv").write_text(out, encoding="utf-8")
    other = new_desk("other")
    other.ok("import", str(tmp_path / "zh.csv"), as_=MANAGER)
    assert other.ticket(tid)["customer"]["phone"] == "13500001111"
    desk.ok("export", "--format", "xlsx", "-o", str(tmp_path / "zh.xlsx"), lang="zh")
    book = openpyxl.load_workbook(tmp_path / "zh.xlsx")
    assert book.sheetnames == ["工单", "处理记录"]
    assert [c.value for c in book["工单"][1]][:3] == ["工单编号", "工单类型", "标题"]


def test_column_widths_count_wide_characters_twice(desk, tmp_path):
    desk.create("--type", "inquiry", "--title", "宽" * 20, "--customer", "@张三")
    desk.ok("export", "--format", "xlsx", "-o", str(tmp_path / "t.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["tickets"]
    head = [c.value for c in sheet[1]]
    letter = openpyxl.utils.get_column_letter(head.index("title") + 1)
    assert sheet.column_dimensions[letter].width == 42  # 20 wide characters, 2 of margin


def test_a_revealed_workbook_is_private_and_a_masked_one_is_not(desk, tmp_path):
    desk.create("--type", "inquiry", "--title", "问询", "--customer", "@张三", "--phone", "13500001111")
    desk.ok("export", "--format", "xlsx", "--reveal", "-o", str(tmp_path / "r.xlsx"))
    assert stat.S_IMODE(os.stat(tmp_path / "r.xlsx").st_mode) == 0o600
    desk.ok("export", "--format", "xlsx", "-o", str(tmp_path / "m.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")["tickets"]
    assert "135****1111" in [c for row in book.iter_rows(values_only=True) for c in row]


def test_xlsx_to_a_terminal_is_refused(desk):
    main, child = pty.openpty()
    try:
        res = subprocess.run([sys.executable, "-m", "cstool", "--store", str(desk.root), "export", "--format", "xlsx"],
                             stdout=child, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(child)
        os.close(main)
    assert res.returncode == 2 and "-o FILE" in res.stderr


def test_a_customer_export_is_masked_unless_reveal_and_import_refuses_masked(sample, new_desk, tmp_path):
    run(sample, "customer", "export", "--format", "csv", "-o", str(tmp_path / "c.csv"))
    text = (tmp_path / "c.csv").read_text(encoding="utf-8")
    assert "13700002222" not in text and "137****2222" in text
    target = empty_desk_like(new_desk, sample)
    res = target.run("customer", "import", str(tmp_path / "c.csv"), as_=MANAGER, now=SAMPLE_NOW)
    assert_refusal(res, 2, "masked")
    assert not (target.root / "customers").exists() or not list((target.root / "customers").iterdir())


def test_audit_as_a_workbook_holds_the_csv_figures(sample, tmp_path):
    csv_lines = run(sample, "audit", "--period", "2026-11", "--format", "csv").stdout.splitlines()[1:]
    run(sample, "audit", "--period", "2026-11", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(csv_lines)
    created = next(r for r in rows if r[:2] == ("totals", "created"))
    assert isinstance(created[2], int) and f"totals,created,{created[2]}" in csv_lines


def test_exporting_again_to_the_same_file_keeps_line_breaks_inside_cells(sample, tmp_path):
    out = tmp_path / "t.csv"
    run(sample, "export", "--reveal", "-o", str(out))
    run(sample, "export", "--reveal", "-o", str(out))  # the old file has CRLF line ends: not a style to copy
    run(sample, "export", "--reveal", "-o", str(tmp_path / "fresh.csv"))
    assert out.read_bytes() == (tmp_path / "fresh.csv").read_bytes()
    tickets = json.loads(run(sample, "export", "--format", "json", "--reveal").stdout)
    assert any("\n" in (t.get("description") or "") for t in tickets)
    assert "\r\n【" not in out.read_text(encoding="utf-8")  # a description's "\n【" was not made "\r\n【"
    assert "\n【" in out.read_text(encoding="utf-8")


TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    chr(c) for c in range(32) if chr(c) not in "\t\n")), max_size=40).map(lambda t: t.replace("\n", "\r\n", 1))


@settings(max_examples=150, deadline=None)
@example(["a\r\nb", "lit _x000D_ _x005F_x000d_", "=1+1", " padded ", "2026-11-19T10:00:00+08:00", "2026-11-19"])
@example(["_x0000\r", "_x0041\r\n_x0042_"])  # the escape of the CR closes a literal _xHHHH
@given(st.lists(st.one_of(TEXTS, st.text("_x05Fd\r\n a", max_size=30), st.integers(-10**9, 10**9), st.booleans()),
                min_size=1, max_size=6))
def test_a_workbook_reads_back_the_values_written(values):
    from cstool.desk.spreadsheet import Sheet, read_book, write_book

    data = write_book([Sheet("s", [f"c{i}" for i in range(len(values))], [values])], TZ)
    got = read_book(data, TZ, "s.xlsx")["s"]
    assert got == [{f"c{i}": v for i, v in enumerate(values) if v not in ("", None)}]


@settings(max_examples=150, deadline=None)
@example(["\x01bell\x07", "_x0041\x0b", "\ufffe\uffff", "a\x00b"])
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), min_size=1, max_size=5))
def test_a_workbook_keeps_every_character_xml_cannot_hold(values):
    """Control characters (and U+FFFE, U+FFFF) are written as the format's escapes and read
    back as themselves, instead of failing the whole workbook."""
    from cstool.desk.spreadsheet import Sheet, read_book, write_book

    data = write_book([Sheet("s", [f"c{i}" for i in range(len(values))], [values])], TZ)
    got = read_book(data, TZ, "s.xlsx")["s"]
    assert got == [{f"c{i}": v for i, v in enumerate(values) if v != ""}]


def test_a_long_sheet_is_whole_and_opens_with_its_widths_and_dates(tmp_path):
    """More rows than are written at once: every row and type comes back, columns as wide as their widest cell."""
    from cstool.desk.spreadsheet import Sheet, write_book

    rows = [[f"T-{n}", n, n % 3 == 0, "2026-11-19T10:00:00+08:00" if n % 2 else "2026-11-19", "宽" * (n % 40)]
            for n in range(1234)]
    (tmp_path / "b.xlsx").write_bytes(write_book([Sheet("s", ["id", "n", "flag", "at", "text"], rows)], TZ))
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["s"]
    got = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(got) == 1234 and sheet.freeze_panes == "A2"
    assert got[7] == ("T-7", 7, False, datetime(2026, 11, 19, 10, 0), "宽" * 7)
    assert got[6][3] == datetime(2026, 11, 19) and sheet["D8"].number_format == "yyyy-mm-dd"
    assert sheet["D9"].number_format == "yyyy-mm-dd hh:mm:ss" and got[39][4] == "宽" * 39
    # widest cell and 2 of margin: T-1233, 1233, False, a stamp, 39 wide characters (shown at most 60 wide)
    assert [sheet.column_dimensions[c].width for c in "ABCDE"] == [8, 6, 7, 27, 62]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 1300), st.booleans())
def test_csv_written_in_pieces_is_the_csv_made_at_once(count, bom):
    from cstool.desk.exchange import csv_text, write_csv

    rows = [[f"=r{n}", n, None, "a,b\r\nc"] for n in range(count)]
    pieces: list[str] = []
    write_csv(["h1", "h2", "h3", "h4"], iter(rows), pieces.append, bom)
    assert "".join(pieces) == csv_text(["h1", "h2", "h3", "h4"], rows, bom)
    assert "".join(pieces).count("\r\n") == 2 * count + 1 and all(len(p) < 200_000 for p in pieces)


def test_an_export_to_a_file_is_the_export_to_standard_output(sample, tmp_path):
    for fmt in ("csv", "json"):
        shown = run(sample, "export", "--format", fmt).stdout  # (the test runner shows CR LF as LF)
        run(sample, "export", "--format", fmt, "-o", str(tmp_path / f"t.{fmt}"))
        written = (tmp_path / f"t.{fmt}").read_bytes().decode("utf-8")
        assert written.replace("\r\n", "\n") == shown and shown.count("CS-") >= 40
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left behind


def _generated_tickets(count: int, events: int):
    """Tickets made one at a time, each with its history (texts that recur, as on a desk)."""
    for n in range(count):
        at = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+08:00"
        yield {"id": f"CS-2026-{n:07d}", "type": "inquiry", "title": f"问询 {n % 50}", "status": "closed",
               "group": "inquiry", "assignee": "li.na@example.com", "level": 1, "created": at, "updated": at,
               "customer": {"name": "张三", "phone": "135****1111"}, "fields": {"order_no": f"SO-{n % 7}"},
               "history": [{"at": at, "by": "li.na@example.com", "action": "reply", "message": f"已与客户沟通 {k}",
                            "level": k % 4} for k in range(events)]}


def test_an_xlsx_export_holds_its_rows_on_disk_not_in_memory(tmp_path):
    """Both sheets' rows go to temporary files as they are made: memory stays flat however
    many tickets and events (it held every row, 1.4 GB for 100,000 tickets)."""
    import tracemalloc

    from cstool.desk.exchange import write_book_export

    peaks = []
    for count in (500, 4000):
        tracemalloc.start()
        with (tmp_path / f"{count}.xlsx").open("wb") as out:
            assert write_book_export(_generated_tickets(count, 10), "en", TZ, out) == count
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] + 8_000_000, [f"{p / 1e6:.1f} MB" for p in peaks]
    sheet = openpyxl.load_workbook(tmp_path / "4000.xlsx", read_only=True)["history"]
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == 40_000


def _sheets_xml(data: bytes) -> list[bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(n) for n in sorted(z.namelist()) if n.startswith("xl/worksheets/")]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from("abcdefgh"), st.one_of(st.sampled_from(["x", "", "_x0041_", "2026-11-19"]),
                                                                        st.integers(0, 3), st.none()), max_size=6),
                max_size=12),
       st.randoms(use_true_random=False), st.integers(1, 4))
def test_rows_written_before_their_columns_grew_land_in_their_final_columns(rows, rnd, at_once):
    """Columns found later may come anywhere among the known ones (a ticket type's field
    before the follow-ups): rows already written move to the final columns, and the sheet is
    the one written at once with every column known."""
    from cstool.desk.spreadsheet import CellMaker, Sheet, SheetStream, write_book, write_streams

    layout: list[str] = []
    stream = SheetStream(CellMaker(TZ))
    stream.ROWS_AT_ONCE = at_once
    try:
        stream.set_columns(layout)
        for row in rows:
            new = [k for k in row if k not in layout]
            for key in new:  # each new key somewhere among the known ones
                layout.insert(rnd.randint(0, len(layout)), key)
            if new:
                stream.set_columns(layout)
            stream.add(dict(rnd.sample(list(row.items()), len(row))))  # in any order
        buf = io.BytesIO()
        write_streams([("s", [k.upper() for k in layout], stream)], buf)
    finally:
        stream.close()
    at_once_book = write_book([Sheet("s", [k.upper() for k in layout], [[r.get(k) for k in layout] for r in rows])], TZ)
    assert _sheets_xml(buf.getvalue()) == _sheets_xml(at_once_book)


def test_a_sheet_s_columns_may_grow_but_not_change_order():
    from cstool.desk.spreadsheet import CellMaker, SheetStream

    with SheetStream(CellMaker(TZ)) as stream:
        stream.set_columns(["a", "b"])
        stream.set_columns(["a", "c", "b"])
        with pytest.raises(ValueError):
            stream.set_columns(["b", "a", "c"])


ZONES = ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Asia/Shanghai", "America/St_Johns"]


@settings(max_examples=300, deadline=None)
@example("Europe/Berlin", datetime(2026, 3, 29, 2, 30), "+01:00")  # in the spring gap
@example("Europe/Berlin", datetime(2026, 10, 25, 2, 30), "+02:00")  # the autumn hour, first time
@example("Europe/Berlin", datetime(2026, 10, 25, 2, 30), "+01:00")  # and second time
@example("Australia/Lord_Howe", datetime(2026, 4, 5, 1, 45), "+10:30")
@given(st.sampled_from(ZONES), st.datetimes(datetime(1899, 12, 1), datetime(2100, 1, 1)),
       st.sampled_from(["+08:00", "+01:00", "+02:00", "-03:00", "-04:00", "+10:30", "+11:00", "-02:30", "-03:30"]))
def test_a_time_is_a_date_cell_exactly_when_it_reads_back_as_its_text(zone, moment, offset):
    """Near a change of summer time, and at offsets of other zones: a time becomes a date-time
    cell (its time in the desk's zone) only when it is a time in that zone at that offset;
    otherwise it stays that text."""
    from cstool.desk.spreadsheet import Sheet, typed, write_book

    tz = ZoneInfo(zone)
    texts = [moment.replace(microsecond=0).isoformat() + offset for moment in (moment, moment.replace(minute=0))]
    data = write_book([Sheet("s", ["a", "b"], [texts])], tz)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["s"]
    for cell, text in zip(sheet[2], texts, strict=True):
        value, _ = typed(text, tz)
        assert cell.is_date == isinstance(value, datetime)
        assert cell.value == value if cell.is_date else cell.value == text


def _late_keys(count: int) -> list[dict]:
    """Tickets whose later events bring keys the first ones lack (the history sheet's columns grow)."""
    tickets = list(_generated_tickets(count, 4))
    for n, t in enumerate(tickets):
        if n > count // 2:
            t["history"][-1] |= {"to": "投诉受理组", "reason": "=1+1", "followup_due": t["created"]}
    return tickets


def test_the_history_sheet_made_on_a_second_core_is_the_one_made_here(monkeypatch):
    """On more than one core the history sheet is made by a worker process; the workbook's
    sheets are byte for byte those made in one process."""
    from cstool.desk import spreadsheet
    from cstool.desk.exchange import write_book_export

    started = []
    real_init = spreadsheet.SheetOnWorker.__init__

    def spy(self, *args, **kw):
        real_init(self, *args, **kw)
        started.append(self.process is not None)

    monkeypatch.setattr(spreadsheet.SheetOnWorker, "__init__", spy)
    books = []
    for cores in (2, 1):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        out = io.BytesIO()
        assert write_book_export(_late_keys(1300), "zh", TZ, out) == 1300
        books.append(out.getvalue())
    assert started == [True, False]
    assert _sheets_xml(books[0]) == _sheets_xml(books[1])
    head = _sheets_xml(books[0])[1].split(b"</row>")[0]  # the columns grew with the later events
    assert head.count(b"<c ") == 9 and b"<t>followup_due</t>" in head


def test_a_sheet_worker_that_fails_stops_the_workbook_and_leaves_no_file(tmp_path, monkeypatch):
    import tempfile

    from cstool.desk.spreadsheet import SheetOnWorker
    from cstool.errors import DeskError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def rows_of(item):
        if item == 700:
            raise ValueError("bad item")
        return [{"n": item}]

    with SheetOnWorker(["n"], rows_of, lambda keys: [str(k) for k in keys], TZ) as sheet:
        for item in range(1000):
            sheet.add(item)
        with pytest.raises(DeskError) as caught:
            sheet.member("sheet2.xml")
    assert "ValueError: bad item" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_items_marshal_cannot_carry_reach_the_sheet_worker_all_the_same(monkeypatch):
    """Items go to the worker process by marshal, or by pickle when they hold other values
    than plain ones (a date here): the sheet is the one made in this process either way."""
    from datetime import date, timedelta

    from cstool.desk.spreadsheet import SheetOnWorker, write_streams

    def rows_of(item):
        return [{"n": item[0], "day": item[1] if isinstance(item[1], str) else item[1].isoformat()}]

    items = [(n, (date(2026, 1, 1) + timedelta(n)) if n % 700 == 3 else "2026-01-01") for n in range(1300)]
    books = []
    for cores in (2, 1):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        with SheetOnWorker(["n"], rows_of, lambda keys: [str(k) for k in keys], TZ) as sheet:
            assert (sheet.process is not None) == (cores == 2)
            for item in items:
                sheet.add(item)
            out = io.BytesIO()
            write_streams([("s", None, sheet)], out)
        books.append(_sheets_xml(out.getvalue()))
    assert books[0] == books[1] and books[0][0].count(b"<row ") == 1301


STAMP_LIKE = st.builds("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format, st.integers(1899, 2101), st.integers(1, 13),
                       st.integers(1, 32), st.integers(0, 25), st.integers(0, 61), st.integers(0, 61),
                       st.sampled_from(["+08:00", "+01:00", "+02:00", "-03:00", "+10:30", "+00:00"]))


@settings(max_examples=200, deadline=None)
@example(["2026-11-19T24:00:00+08:00", "2026-11-19T10:60:00+08:00", "2026-02-30T10:00:00+08:00",
          "2026-11-19T10:00:00+08:00", "2026-11-19T10:00:59+08:00"], "Asia/Shanghai")
@given(st.lists(STAMP_LIKE, min_size=1, max_size=20), st.sampled_from(ZONES))
def test_a_time_s_cell_is_the_one_the_cell_rule_makes(stamps, zone):
    """Texts shaped like times, also impossible ones (hour 24, minute 60, 30 February) and
    times at other offsets, some again: each cell is what the one rule for a cell makes."""
    from cstool.desk.spreadsheet import CellMaker, SheetStream, _cell_body, write_streams

    tz = ZoneInfo(zone)
    rows = [*stamps, *stamps[::2]]
    with SheetStream(CellMaker(tz)) as stream:
        stream.set_columns(["a", "b"])
        for n, stamp in enumerate(rows):
            stream.add({"a": stamp, "b": stamp[:10]} if n % 2 else {"a": stamp})
        out = io.BytesIO()
        write_streams([("s", ["A", "B"], stream)], out)
    expected = b"".join(
        f'<row r="{n}"><c r="A{n}"{_cell_body(stamp, tz)}'.encode()
        + (f'<c r="B{n}"{_cell_body(stamp[:10], tz)}'.encode() if n % 2 else b"") + b"</row>"
        for n, stamp in enumerate(rows, start=2))
    sheet = _sheets_xml(out.getvalue())[0]
    assert sheet[sheet.index(b"</row>") + 6:sheet.index(b"</sheetData>")] == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional={
    "sla": st.one_of(st.none(), st.dictionaries(st.sampled_from(["first_response_due", "resolve_due", "x", "y"]), st.just(1))),
    "fields": st.one_of(st.none(), st.dictionaries(st.sampled_from(["a", "b", 3, "3"]), st.just("v")))}), max_size=12))
def test_the_columns_of_an_export_grow_with_each_new_key_in_the_order_first_met(tickets):
    """A ticket says whether it brought a column; the columns are the fixed ones, then each
    further SLA key and type field in the order first met."""
    from cstool.desk.exchange import BASE, FIELDS_PREFIX, LISTS, SLA_COLUMNS, Columns

    columns = Columns()
    before = columns.keys(history=False)
    extra: dict[str, None] = {}
    fields: dict[str, None] = {}
    for ticket in tickets:
        extra.update((f"sla_{k}", None) for k in (ticket.get("sla") or {}) if f"sla_{k}" not in SLA_COLUMNS)
        fields.update((FIELDS_PREFIX + str(k), None) for k in (ticket.get("fields") or {}))
        grew = columns.add(ticket)
        now = columns.keys(history=False)
        assert grew == (now != before) and now == [*BASE, *SLA_COLUMNS, *extra, *fields, *LISTS]
        before = now


def test_a_sheet_worker_that_fails_early_stops_the_workbook_with_its_reason(monkeypatch):
    """The worker fails at its first batch while many more are on their way to it: the
    writer stops with the worker's reason, not a broken pipe."""
    from cstool.desk.spreadsheet import SheetOnWorker
    from cstool.errors import DeskError

    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def rows_of(item):
        if item == 3:
            raise ValueError("bad item")
        return [{"n": item}]

    sheet = SheetOnWorker(["n"], rows_of, lambda keys: [str(k) for k in keys], TZ)
    try:
        with pytest.raises(DeskError) as caught:
            for item in range(200_000):
                sheet.add(item)
            sheet.member("sheet2.xml")
    finally:
        sheet.close()
    assert "ValueError: bad item" in caught.value.message
