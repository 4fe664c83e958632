"""A month of tickets for the report page's tests: figures of every chart, a previous
month to compare with, and a complaint cause written to break an HTML page."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.support.desk import CliDesk
from tests.support.roster import AGENT, CALLER, LEAD

AFTER = "2026-12-01T09:00+08:00"
HOSTILE = '<script>alert("x")</script> & <img src=//evil.example/x.png>'


def fill_month(d: CliDesk) -> None:
    """October: one complaint closed. November: complaints with causes (one hostile), an
    inquiry answered late, a pending spell, a reopen after an unsatisfied follow-up, a
    complaint left open and a work order closed late."""
    t0 = d.create("--type", "complaint", "--title", "T0", "--category", "服务态度", "--assignee", AGENT,
                  now="2026-10-12T09:00+08:00")
    d.ok("reply", t0, "-m", "r", as_=AGENT, now="2026-10-12T09:20+08:00")
    d.ok("close", t0, "--resolution", "ok", as_=AGENT, now="2026-10-13T09:00+08:00")

    t1 = d.create("--type", "complaint", "--title", "T1", "--category", "服务态度", "--assignee", AGENT,
                  now="2026-11-02T09:00+08:00")
    d.ok("reply", t1, "-m", "r", as_=AGENT, now="2026-11-02T09:30+08:00")
    d.ok("close", t1, "--resolution", "ok", as_=AGENT, now="2026-11-03T09:00+08:00")
    d.ok("followup", t1, "--result", "satisfied", as_=CALLER, now="2026-11-04T10:00+08:00")

    t2 = d.create("--type", "inquiry", "--title", "T2", "--assignee", "li.na@example.com", now="2026-11-03T09:00+08:00")
    d.ok("reply", t2, "-m", "r", as_="li.na@example.com", now="2026-11-04T10:00+08:00")
    d.ok("close", t2, "--resolution", "ok", as_="li.na@example.com", now="2026-11-04T11:00+08:00")

    t3 = d.create("--type", "complaint", "--title", "T3", "--category", "维修质量", "--assignee", AGENT,
                  now="2026-11-04T09:00+08:00")
    d.ok("reply", t3, "-m", "r", as_=AGENT, now="2026-11-04T09:10+08:00")
    d.ok("pending", t3, "--reason", "p", as_=AGENT, now="2026-11-04T10:00+08:00")
    d.ok("resume", t3, as_=AGENT, now="2026-11-06T10:00+08:00")
    d.ok("close", t3, "--resolution", "ok", as_=AGENT, now="2026-11-09T12:00+08:00")
    d.ok("followup", t3, "--result", "unsatisfied", as_=CALLER, now="2026-11-10T10:00+08:00")
    d.ok("close", t3, "--resolution", "again", as_=LEAD, now="2026-11-12T10:00+08:00")

    d.create("--type", "complaint", "--title", "T4", "--category", "服务态度", "--assignee", AGENT,
             now="2026-11-16T09:00+08:00")

    t5 = d.create("--type", "work_order", "--title", "T5", "--priority", "A", "--group", "engineering",
                  "--field", "from_department=客服", now="2026-11-23T09:00+08:00")
    d.ok("close", t5, "--resolution", "done", as_=LEAD, now="2026-11-25T10:00+08:00")

    # a cause edited by hand in the ticket file, as the page must show it: as text
    path = d.path(t3)
    text = path.read_text(encoding="utf-8")
    assert "category: 维修质量\n" in text
    path.write_text(text.replace("category: 维修质量\n", f"category: '{HOSTILE}'\n"), encoding="utf-8")


class ParsedPage(HTMLParser):
    """What a report page shows: the headline cards (``data-figure``), the tables
    (``data-figures``: header, rows, foot row as text) and each ``<svg>``'s shapes."""

    def __init__(self, text: str):
        super().__init__()
        self.cards: dict[str, list[str]] = {}
        self.tables: dict[str, dict[str, list]] = {}
        self.svgs: list[dict[str, int]] = []
        self.tags: list[str] = []
        self._card: str | None = None
        self._table: str | None = None
        self._part = "rows"
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._card_text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "svg":
            self.svgs.append({})
        elif self.svgs and tag in ("rect", "circle", "polyline", "line", "text"):
            self.svgs[-1][tag] = self.svgs[-1].get(tag, 0) + 1
        if tag == "section":
            self._card = None
        if tag == "div" and a.get("data-figure"):
            self._card = a["data-figure"]
            self.cards[self._card] = []
        elif tag == "div" and self._card and a.get("class", "").startswith(("value", "change")):
            self._card_text = []
        if tag == "table" and a.get("data-figures"):
            self._table = a["data-figures"]
            self.tables[self._table] = {"head": [], "rows": [], "foot": []}
        elif self._table and tag in ("thead", "tbody", "tfoot"):
            self._part = {"thead": "head", "tbody": "rows", "tfoot": "foot"}[tag]
        elif self._table and tag == "tr":
            self._row = []
        elif self._table and tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._card:
            self._card_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._table and self._row is not None:
            part = self.tables[self._table][self._part]
            part.append(self._row) if self._part == "rows" else part.extend(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "div" and self._card and self._card_text:
            self.cards[self._card].append("".join(self._card_text))
            self._card_text = []


def number(text: str) -> float | None:
    """A figure as the page writes it (``12``, ``85.7%``, ``—``) as a number."""
    text = text.strip().rstrip("%")
    return None if text in ("—", "") else float(text)
