"""How an audit report reads: sections of tables with units, in zh or en, as a terminal
table or Markdown ready to paste into a weekly report. No customer contact data is ever
part of a report."""

from __future__ import annotations

from typing import Any

from cstool.messages import label
from cstool.reports import render


def _h(minutes: Any) -> str:
    return "—" if minutes is None else f"{minutes / 60:.1f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


class _Report:
    """The report's lines as they are written: headings and tables, as text or Markdown."""

    def __init__(self, lang: str, md: bool, width: int | None = None):
        self.lang = lang
        self.md = md
        self.width = width  # tables are fitted to it (see render.table)
        self.out: list[str] = []

    def t(self, key: str, **fmt: Any) -> str:
        """The catalogue's ``audit.<key>`` text."""
        return label("audit." + key, self.lang, **fmt)

    def heading(self, text: str, level: int = 2) -> None:
        self.out.append("")
        self.out.append(("#" * level + " " + text) if self.md else text)
        if not self.md:
            self.out.append("-" * max(render.width(text), 4))

    def note(self, text: str) -> None:
        """A line of prose under a table, wrapped to the terminal's width (Markdown: as it is)."""
        self.out.extend(render.wrap_line(text, None if self.md else self.width, indent=0))

    def table(self, headers: list[str], rows: list[list[Any]]) -> None:
        if not rows:
            self.out.append(self.t("no_data"))
            return
        if self.md and self.out and self.out[-1] != "":
            self.out.append("")  # Markdown: a table starts after a blank line …
        self.out.append(render.table(rows, headers, "markdown" if self.md else "table", self.width).rstrip("\n"))
        if self.md:
            self.out.append("")  # … and ends at one, or the next line would read as a row

    def text(self) -> str:
        lines = [line for i, line in enumerate(self.out) if line or i == 0 or self.out[i - 1]]  # one blank line at most
        return "\n".join(lines).strip("\n") + "\n"


def render_report(data: dict[str, Any], desk_name: str, lang: str, fmt: str, names: dict[str, str],
                  labels: dict[str, dict[str, str]], width: int | None = None) -> str:
    """The report as table text or Markdown (fmt 'table' or 'markdown'), its tables fitted to width."""
    r = _Report(lang, fmt == "markdown", width)
    title = r.t("title", name=desk_name, label=data["period"]["label"])
    r.out.append(("# " + title) if r.md else title)
    start, end = (data["period"][k][:16].replace("T", " ") for k in ("from", "to"))
    r.out.append(f"{r.t('period')}: {start} — {end}")
    _volumes_and_times(r, data)
    _sla_and_escalations(r, data)
    _followups_backlog_causes(r, data)
    _work_orders(r, data["work_orders"], labels)
    _agents(r, data["agents"], names, _overall(data))
    _breakdowns(r, data, labels)
    if "compare" in data:
        _comparison(r, data)
    return r.text()


def _comparison(r: _Report, data: dict[str, Any]) -> None:
    """The headline figures beside an earlier period's, and the change."""
    r.heading(r.t("compare", label=data["compare"]["period"]["label"]))
    then, change = data["compare"]["headline"], data["change"]
    r.table([r.t("metric"), data["period"]["label"], data["compare"]["period"]["label"], r.t("change")],
            [[r.t("headline." + k), _figure(v), _figure(then[k]), _change(change[k])] for k, v in data["headline"].items()])


def _figure(value: Any) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, int) else f"{value:.1f}"


def _change(value: Any) -> str:
    return "—" if value is None else f"{value:+g}" if isinstance(value, int) else f"{value:+.1f}"


def _volumes_and_times(r: _Report, data: dict[str, Any]) -> None:
    tot = data["totals"]
    r.heading(r.t("totals"))
    r.table([r.t(k) for k in ("created", "resolved", "closed", "open", "reopened", "reopen_rate")],
            [[tot["created"], tot["resolved"], tot["closed"], tot["open"], tot["reopened"], _pct(tot["reopen_rate"])]])
    one = data["one_touch"]
    r.table([r.t("solved"), r.t("one_touch"), r.t("one_touch_rate")],
            [[one["solved"], one["one_touch"], _pct(one["one_touch_rate"])]])
    times = data["times"]
    r.heading(r.t("times"))
    r.table([r.t("metric"), r.t("count"), r.t("median"), r.t("p90")],
            [[r.t(k), times[k]["count"], _h(times[k]["median_minutes"]), _h(times[k]["p90_minutes"])]
             for k in ("first_response", "resolution", "first_resolution", "full_resolution")])
    r.heading(r.t("calendar_times"), 3)
    r.table([r.t("metric"), r.t("count"), r.t("median"), r.t("p90")],
            [[r.t(k), times[k]["count"], _h(times[k]["median_calendar_minutes"]), _h(times[k]["p90_calendar_minutes"])]
             for k in ("first_resolution", "full_resolution")])


def _sla_and_escalations(r: _Report, data: dict[str, Any]) -> None:
    s = data["sla"]
    r.heading(r.t("sla"))
    r.table([r.t("metric"), r.t("met"), r.t("breached"), r.t("compliance")],
            [[r.t(k), s[k]["met"], s[k]["breached"], _pct(s[k]["compliance"])]
             for k in ("first_response", "resolution", "overall")])
    r.note(r.t("open_breached", n=s["open_breached"]))
    r.heading(r.t("escalations"))
    r.table([r.t("level"), r.t("count")], [[k, v] for k, v in data["escalations"].items()])


def _followups_backlog_causes(r: _Report, data: dict[str, Any]) -> None:
    f = data["followups"]
    r.heading(r.t("followups"))
    keys = ("due_in_period", "done_on_time", "done_late", "not_done", "completion_rate")
    r.table([r.t(k) for k in keys], [[_pct(f[k]) if k.endswith("rate") else f[k] for k in keys]])
    finished = ("done", "satisfied", "unsatisfied", "unreachable", "satisfaction_rate", "pending", "overdue")
    r.table([r.t(k) for k in finished], [[_pct(f[k]) if k.endswith("rate") else f[k] for k in finished]])
    r.heading(r.t("backlog"))
    r.table([r.t("age"), r.t("tickets")], [[k, v] for k, v in data["backlog_by_age"].items()])
    r.heading(r.t("causes"))
    r.table([r.t("category"), r.t("count"), r.t("share")],
            [[c["category"] or "—", c["count"], _pct(c["share"])] for c in data["complaint_causes"]])


def _work_orders(r: _Report, wo: dict[str, Any], labels: dict[str, dict[str, str]]) -> None:
    r.heading(r.t("work_orders"))
    r.table([r.t("urgency"), r.t("resolved"), r.t("on_time"), r.t("on_time_rate")],
            [[u, x["resolved"], x["on_time"], _pct(x["on_time_rate"])] for u, x in wo["by_urgency"].items()])
    r.heading(r.t("late_days"), 3)
    r.table([r.t("department"), r.t("days")],
            [[labels["group"].get(d, d), n] for d, n in wo["late_days_by_department"].items()])


def _agents(r: _Report, agents: list[dict[str, Any]], names: dict[str, str], total: dict[str, Any]) -> None:
    """The per-person table; its totals row gives the desk's figures (a ticket two people
    handled counts once, so 'handled' has no total)."""
    r.heading(r.t("agents"))
    r.table([r.t("agent"), r.t("handled"), r.t("resolved"), r.t("fr_median"), r.t("res_median"),
             r.t("sla_pct"), r.t("fu_done"), r.t("satisfaction_rate")],
            [[names.get(a["agent"], a["agent"]), a["handled"], a["resolved"], _h(a["first_response_median_minutes"]),
              _h(a["resolution_median_minutes"]), _pct(a["sla_compliance"]), a["followups_done"],
              _pct(a["satisfaction_rate"])] for a in agents]
            + ([[r.t("total_row"), "—", sum(a["resolved"] for a in agents), _h(total["fr"]), _h(total["res"]),
                 _pct(total["sla"]), sum(a["followups_done"] for a in agents), _pct(total["sat"])]] if agents else []))


def _overall(data: dict[str, Any]) -> dict[str, Any]:
    """The whole period's medians and rates, for the totals rows of the breakdowns."""
    return {"fr": data["times"]["first_response"]["median_minutes"], "res": data["times"]["resolution"]["median_minutes"],
            "sla": data["sla"]["overall"]["compliance"], "sat": data["followups"]["satisfaction_rate"]}


def _breakdowns(r: _Report, data: dict[str, Any], labels: dict[str, dict[str, str]]) -> None:
    """A table per ``--by`` dimension (the agents have theirs above), each ending with a
    totals row: every ticket has one value of a dimension, so the counts add up to it."""
    total = _overall(data)
    tot = data["totals"]
    for key, rows in data.items():
        if not key.startswith("by_") or key == "by_agent":
            continue
        dim = key[3:]
        dim_name = r.t("dim." + dim)
        r.heading(r.t("by", dim=dim_name))
        r.table([dim_name, r.t("created"), r.t("resolved"), r.t("closed"), r.t("open"), r.t("fr_median"),
                 r.t("res_median"), r.t("sla_pct"), r.t("satisfaction_rate")],
                [[labels.get(dim, {}).get(x[dim] or "", x[dim] or "—"), x["created"], x["resolved"], x["closed"],
                  x["open"], _h(x["first_response_median_minutes"]), _h(x["resolution_median_minutes"]),
                  _pct(x["sla_compliance"]), _pct(x["satisfaction_rate"])] for x in rows]
                + [[r.t("total_row"), tot["created"], tot["resolved"], tot["closed"], tot["open"], _h(total["fr"]),
                    _h(total["res"]), _pct(total["sla"]), _pct(total["sat"])]])


# a figure's unit in its CSV name: minutes become business hours with one decimal, as in the tables
_CSV_UNITS = (("_minutes", "_hours"),)
_PCT_KEYS = ("compliance", "share", "sla_compliance")


def _csv_figure(metric: str, value: Any) -> tuple[str, Any]:
    """A figure's CSV name and value, in the unit the tables show and named with it."""
    head, _, last = metric.rpartition(".")
    prefix = head + "." if head else ""
    if last.endswith("_minutes"):
        return prefix + last[: -len("_minutes")] + "_hours", _h(value) if value is not None else None
    if last.endswith("_rate") or last in _PCT_KEYS:
        return prefix + last + "_pct", value
    return metric, value


def csv_rows(data: dict[str, Any]) -> list[list[Any]]:
    """Every figure as (section, metric, value) rows for a spreadsheet, in the units of the
    tables: times in business hours (``…_hours``), rates in percent (``…_pct``)."""
    rows: list[list[Any]] = [["period", "from", data["period"]["from"]], ["period", "to", data["period"]["to"]]]

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        else:
            section, _, metric = prefix.partition(".")
            if section == "times" and metric == "unit":
                return  # the names say the unit
            metric, value = _csv_figure(metric, value)
            rows.append([section, metric, "" if value is None else value])

    for key, value in data.items():
        if key != "period":
            walk(key, value)
    return rows
