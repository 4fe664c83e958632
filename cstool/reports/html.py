"""The period's report as one self-contained HTML page (``cstool report``): headline
figures against the previous period, charts and the per-agent table, to open, print on A4
and mail.

Every figure is an audit figure (:mod:`cstool.reports.audit`): the page's, the previous
period's and each day's (week's) are the audit report of that period, so the page and
``cstool audit --json`` for the same period always agree. The page loads nothing: no
script, no web font, no image file; the charts are inline SVG (:mod:`cstool.reports.charts`)
with their figures as a table beside them, and the text uses the system's fonts. Every
text taken from tickets or config is escaped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from cstool.config.schema import Config
from cstool.messages import label
from cstool.reports import audit, charts, views
from cstool.time.calendar import BusinessCalendar

FONTS = ('system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", '
         '"Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif')

STYLE = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #2f6db5; }
* { box-sizing: border-box; }
body { font-family: FONTS; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; font-size: 14px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
.meta, .muted, .note { color: var(--muted); } .meta { margin: 0 0 16px; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin-bottom: 18px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; break-inside: avoid; }
.kpi .name { color: var(--muted); font-size: 12px; } .kpi .value { font-size: 24px; font-weight: 600; }
.kpi .change { font-size: 12px; color: var(--muted); } .kpi .better { color: #2e7d32; } .kpi .worse { color: #c62828; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; }
section { border: 1px solid var(--line); border-radius: 6px; padding: 12px; break-inside: avoid; page-break-inside: avoid; }
svg.chart { width: 100%; height: auto; display: block; }
svg text { fill: var(--ink); } svg text.muted { fill: var(--muted); }
svg .grid { stroke: var(--line); stroke-width: 1; } svg .axis { stroke: var(--muted); stroke-width: 1; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin-top: 6px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: right; }
th:first-child, td:first-child { text-align: left; } tfoot td { font-weight: 600; border-top: 2px solid var(--muted); }
details summary { cursor: pointer; color: var(--accent); font-size: 12px; margin-top: 4px; }
.agents { margin-top: 16px; } footer { margin-top: 16px; font-size: 12px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .kpis { grid-template-columns: repeat(4, 1fr); }
  .charts { display: block; } .charts section { margin-bottom: 8px; padding: 8px; }
  svg.chart { max-height: 68mm; }
  section, .kpi, svg, table, tr { break-inside: avoid; page-break-inside: avoid; }
  details > summary { display: none; }
  a { color: inherit; text-decoration: none; }
}
""".replace("FONTS", FONTS)

def report_data(period_populations: Callable[[audit.Period, datetime, BusinessCalendar], audit.Populations],
                config: Config, cal: BusinessCalendar, period: audit.Period, now: datetime,
                compare: bool) -> dict[str, Any]:
    """The audit reports the page shows: the period's (with ``by_group``), the previous
    period's (or None) and each day's or week's. ``period_populations(period, now, cal)``
    gives a period's populations (the index's :meth:`period_populations`)."""
    previous = audit.previous_period(period) if compare else None
    subs = audit.sub_periods(period, now)
    periods = [period, *subs, *([previous] if previous else [])]

    def report_of(i: int, by: tuple[str, ...] = ()) -> dict[str, Any]:
        return audit.report_from_populations(period_populations(periods[i], now, cal), config, cal, periods[i], by)

    return {
        "current": report_of(0, ("group",)),
        "series": [report_of(i) for i in range(1, len(subs) + 1)],
        "weekly": (period.end.date() - period.start.date()).days > 31,  # as audit.sub_periods splits it
        "previous": report_of(len(periods) - 1) if previous else None,
        "now": now.isoformat(timespec="minutes"),
    }


def pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


def hours(minutes: Any) -> str:
    return "—" if minutes is None else f"{minutes / 60:.1f}"


def _table(headers: list[str], rows: list[list[Any]], foot: list[Any] | None = None, attrs: str = "") -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    tail = "<tfoot><tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in foot) + "</tr></tfoot>" if foot else ""
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{tail}</table>"


class Page:
    """The page being written, in one language."""

    def __init__(self, data: dict[str, Any], config: Config, lang: str):
        self.data, self.config, self.lang = data, config, lang
        self.cur = data["current"]
        self.prev = data["previous"]

    def t(self, key: str, **fmt: Any) -> str:
        return label("report." + key, self.lang, **fmt)

    def a(self, key: str) -> str:
        return label("audit." + key, self.lang)

    def chart(self, key: str, svg: str, headers: list[str], rows: list[list[Any]]) -> str:
        """A chart section: its heading, the SVG and its figures as a table."""
        table = _table(headers, rows, attrs=f' data-figures="{key}"')
        return (f'<section data-chart="{key}"><h2>{escape(self.t("chart." + key))}</h2>{svg}'
                f"<details><summary>{escape(self.t('figures'))}</summary>{table}</details></section>")

    def person(self, pid: str) -> str:
        return views.person_name(self.config, pid) or pid

    def group(self, key: str | None) -> str:
        return views.group_name(self.config, key or "", self.lang) or "—"


def render_page(data: dict[str, Any], config: Config, lang: str) -> str:
    """The whole page."""
    p = Page(data, config, lang)
    per = p.cur["period"]
    title = p.t("title", name=config.name, label=per["label"])
    start, end = (per[k][:16].replace("T", " ") for k in ("from", "to"))
    meta = [p.t("period", start=start, end=end), p.t("generated", now=data["now"].replace("T", " "))]
    if p.prev:
        meta.append(p.t("compared", label=p.prev["period"]["label"]))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{p.t("html_lang")}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>{escape(title)}</h1><p class=\"meta\">{escape(' · '.join(meta))}</p></header>",
        _headline(p),
        '<div class="charts">',
        _volume_chart(p), _sla_chart(p), _backlog_chart(p), _causes_chart(p),
        _satisfaction_charts(p), _lateness_chart(p),
        "</div>",
        _agents_table(p),
        f'<footer class="note">{escape(p.t("footer", label=per["label"]))}</footer>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _shown(kind: str, value: Any) -> str:
    """A headline figure as the page writes it: a count, or a percentage with its sign."""
    if kind == "count" or value is None:
        return charts.fmt(value)
    return pct(value) + "%"


def _change(p: Page, kind: str, value: Any, before: Any, rise_good: bool | None) -> str:
    """The change from the previous period, and whether it is for the better."""
    if p.prev is None:
        return ""
    previous = escape(p.t("previous", value=_shown(kind, before)))
    if value is None or before is None:
        return f'<div class="change">{previous}</div>'
    delta = value - before
    text = f"{delta:+d}" if kind == "count" else f"{delta:+.1f}" + p.t("points")
    cls = ""
    if delta and rise_good is not None:
        cls = " better" if (delta > 0) == rise_good else " worse"
    return f'<div class="change{cls}">{escape(p.t("change", delta=text))} · {previous}</div>'


def _headline(p: Page) -> str:
    cards = []
    for f in audit.HEADLINE:
        if f.card is None:
            continue
        value = audit.figure(p.cur, f.path)
        previous = audit.figure(p.prev, f.path) if p.prev else None
        cards.append(f'<div class="kpi" data-figure="{f.card}"><div class="name">{escape(p.t("kpi." + f.card))}</div>'
                     f'<div class="value">{escape(_shown(f.unit, value))}</div>'
                     f"{_change(p, f.unit, value, previous, f.rise_good)}</div>")
    return f'<h2>{escape(p.t("headline"))}</h2><div class="kpis">{"".join(cards)}</div>'


def _day_label(text: str) -> str:
    """A day's short label (11-05); weeks and spans keep theirs."""
    return text[5:] if len(text) == 10 else text


def _volume_chart(p: Page) -> str:
    series = p.data["series"]
    key = "volume_week" if p.data["weekly"] else "volume"
    labels = [_day_label(r["period"]["label"]) for r in series]
    created = [r["totals"]["created"] for r in series]
    resolved = [r["totals"]["resolved"] for r in series]
    svg = charts.bars(labels, [(p.a("created"), created), (p.a("resolved"), resolved)],
                      p.t("chart." + key), p.a("no_data"))
    rows = [[r["period"]["label"], c, s] for r, c, s in zip(series, created, resolved)]
    column = p.t("col.week" if p.data["weekly"] else "col.period")
    return p.chart(key, svg, [column, p.a("created"), p.a("resolved")], rows)


def _sla_chart(p: Page) -> str:
    series = p.data["series"]
    labels = [_day_label(r["period"]["label"]) for r in series]
    kinds = ("first_response", "resolution", "overall")
    lines = [(p.a(k), [r["sla"][k]["compliance"] for r in series]) for k in kinds]
    svg = charts.lines(labels, lines, p.t("chart.sla_trend"), p.a("no_data"))
    rows = [[r["period"]["label"], *(pct(r["sla"][k]["compliance"]) for k in kinds)] for r in series]
    headers = [p.t("col.week" if p.data["weekly"] else "col.period"), *(p.a(k) + " %" for k in kinds)]
    return p.chart("sla_trend", svg, headers, rows)


def _backlog_chart(p: Page) -> str:
    backlog = p.cur["backlog_by_age"]
    labels = list(backlog)
    svg = charts.bars(labels, [(p.a("tickets"), [backlog[k] for k in labels])], p.t("chart.backlog"), p.a("no_data"))
    return p.chart("backlog", svg, [p.a("age"), p.a("tickets")], [[k, backlog[k]] for k in labels])


def _causes_chart(p: Page) -> str:
    causes = p.cur["complaint_causes"]
    labels = [c["category"] or "—" for c in causes]
    svg = charts.hbars(labels, [c["count"] for c in causes], p.t("chart.causes"), p.a("no_data"))
    rows = [[c["category"] or "—", c["count"], pct(c["share"])] for c in causes]
    return p.chart("causes", svg, [p.a("category"), p.a("count"), p.a("share")], rows)


def _satisfaction_charts(p: Page) -> str:
    groups, agents = p.cur["by_group"], p.cur["agents"]
    return (_satisfaction_chart(p, "sat_group", p.a("dim.group"), [p.group(g["group"]) for g in groups],
                                [g["satisfaction_rate"] for g in groups])
            + _satisfaction_chart(p, "sat_agent", p.a("agent"), [p.person(a["agent"]) for a in agents],
                                  [a["satisfaction_rate"] for a in agents]))


def _satisfaction_chart(p: Page, key: str, heading: str, labels: list[str], values: list[Any]) -> str:
    """A bar per group or person of their satisfaction %, with its figures as a table."""
    svg = charts.hbars(labels, values, p.t("chart." + key), p.a("no_data"), "%", 100)
    return p.chart(key, svg, [heading, p.a("satisfaction_rate")], [[n, pct(v)] for n, v in zip(labels, values)])


def _lateness_chart(p: Page) -> str:
    late = p.cur["work_orders"]["late_days_by_department"]
    labels = [p.group(d) for d in late]
    svg = charts.hbars(labels, list(late.values()), p.t("chart.late"), p.a("no_data"))
    return p.chart("late", svg, [p.a("department"), p.a("days")], [[n, v] for n, v in zip(labels, late.values())])


def _agents_table(p: Page) -> str:
    """Per person: response time, resolution rate, satisfaction, follow-ups; the foot row
    has the desk's own figures (not sums: a ticket may pass through several hands)."""
    headers = [p.a("agent"), p.a("handled"), p.a("resolved"), p.t("col.resolution_rate"), p.t("col.fr_median"),
               p.t("col.res_median"), p.a("sla_pct"), p.t("col.followups"), p.a("satisfaction_rate")]
    rows = [[p.person(a["agent"]), a["handled"], a["resolved"], pct(audit.resolution_rate(a)),
             hours(a["first_response_median_minutes"]), hours(a["resolution_median_minutes"]), pct(a["sla_compliance"]),
             a["followups_done"], pct(a["satisfaction_rate"])] for a in p.cur["agents"]]
    cur = p.cur
    foot = [p.t("col.whole_desk"), "—", cur["totals"]["resolved"], "—", hours(cur["times"]["first_response"]["median_minutes"]),
            hours(cur["times"]["resolution"]["median_minutes"]), pct(cur["sla"]["overall"]["compliance"]),
            cur["followups"]["done"], pct(cur["followups"]["satisfaction_rate"])]
    table = _table(headers, rows, foot, ' data-figures="agents"')
    return f'<section class="agents"><h2>{escape(p.t("agents"))}</h2>{table}</section>'
