"""How an audit report reads: sections of tables with units, in zh or en, as a terminal
table or Markdown ready to paste into a weekly report. No customer contact data is ever
part of a report."""

from __future__ import annotations

from typing import Any

from cstool.reports import render

T = {
    "title": ("{name} 服务统计 {label}", "{name} service report {label}"),
    "period": ("统计周期", "Period"),
    "totals": ("工单总量", "Volume"),
    "created": ("新建", "created"),
    "resolved": ("解决", "resolved"),
    "closed": ("关闭", "closed"),
    "open": ("未结(期末)", "open at end"),
    "reopened": ("重开工单", "reopened"),
    "reopen_rate": ("重开率 %", "reopen rate %"),
    "times": ("处理时长(工作时间,小时)", "Handling time (business hours)"),
    "metric": ("指标", "metric"),
    "count": ("样本数", "count"),
    "median": ("中位数 h", "median h"),
    "p90": ("P90 h", "P90 h"),
    "first_response": ("首次响应", "first response"),
    "resolution": ("解决", "resolution"),
    "sla": ("时限达标(SLA)", "SLA compliance"),
    "met": ("达标", "met"),
    "breached": ("超时", "breached"),
    "compliance": ("达标率 %", "compliance %"),
    "overall": ("合计", "overall"),
    "open_breached": ("期末仍未结且已超时的工单: {n}", "Open tickets already breached at the end: {n}"),
    "escalations": ("逐级上报次数", "Escalations by level reached"),
    "level": ("层级", "level"),
    "followups": ("回访", "Follow-up calls"),
    "done": ("完成", "done"),
    "due_in_period": ("本期应回访", "due in period"),
    "completion_rate": ("完成率 %", "completion %"),
    "pending": ("待回访", "pending"),
    "overdue": ("逾期未回访", "overdue"),
    "satisfied": ("满意", "satisfied"),
    "unsatisfied": ("不满意", "unsatisfied"),
    "unreachable": ("联系不上", "unreachable"),
    "satisfaction_rate": ("满意度 %", "satisfaction %"),
    "backlog": ("未结工单账龄(期末)", "Backlog by age at the end"),
    "age": ("账龄", "age"),
    "tickets": ("工单数", "tickets"),
    "causes": ("投诉原因分析", "Complaints by cause"),
    "category": ("原因", "cause"),
    "share": ("占比 %", "share %"),
    "work_orders": ("工作联系单按期完成", "Work orders on time"),
    "urgency": ("紧急程度", "urgency"),
    "on_time": ("按期", "on time"),
    "on_time_rate": ("按期率 %", "on-time %"),
    "late_days": ("延误天数(按部门)", "Late days by department"),
    "department": ("部门", "department"),
    "days": ("天", "days"),
    "agents": ("人员绩效", "Per-agent performance"),
    "agent": ("人员", "agent"),
    "handled": ("经手", "handled"),
    "fr_median": ("首响中位 h", "first resp. median h"),
    "res_median": ("解决中位 h", "resolution median h"),
    "sla_pct": ("SLA %", "SLA %"),
    "fu_done": ("回访数", "follow-ups"),
    "no_data": ("无数据", "no data"),
    "by": ("按{dim}统计", "By {dim}"),
}
DIM_NAMES = {"group": ("受理组", "group"), "type": ("类型", "type"), "channel": ("渠道", "channel"),
             "category": ("分类", "category"), "tier": ("客户等级", "tier"), "agent": ("人员", "agent")}


def _t(key: str, lang: str, **fmt: Any) -> str:
    text = T[key][0 if lang == "zh" else 1]
    return text.format(**fmt) if fmt else text


def _h(minutes: Any) -> str:
    return "—" if minutes is None else f"{minutes / 60:.1f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


def render_report(data: dict[str, Any], desk_name: str, lang: str, fmt: str, names: dict[str, str],
                  labels: dict[str, dict[str, str]]) -> str:
    """The report as table text or Markdown (fmt 'table' or 'markdown')."""
    md = fmt == "markdown"
    out: list[str] = []

    def heading(text: str, level: int = 2) -> None:
        out.append("")
        out.append(("#" * level + " " + text) if md else text)
        if not md:
            out.append("-" * max(render.width(text), 4))

    def table(headers: list[str], rows: list[list[Any]]) -> None:
        if not rows:
            out.append(_t("no_data", lang))
            return
        out.append(render.table(rows, headers, "markdown" if md else "table"))

    title = _t("title", lang, name=desk_name, label=data["period"]["label"])
    out.append(("# " + title) if md else title)
    out.append(f"{_t('period', lang)}: {data['period']['from'][:16].replace('T', ' ')} — {data['period']['to'][:16].replace('T', ' ')}")

    tot = data["totals"]
    heading(_t("totals", lang))
    table([_t(k, lang) for k in ("created", "resolved", "closed", "open", "reopened", "reopen_rate")],
          [[tot["created"], tot["resolved"], tot["closed"], tot["open"], tot["reopened"], _pct(tot["reopen_rate"])]])

    times = data["times"]
    heading(_t("times", lang))
    table([_t("metric", lang), _t("count", lang), _t("median", lang), _t("p90", lang)],
          [[_t(k, lang), times[k]["count"], _h(times[k]["median_minutes"]), _h(times[k]["p90_minutes"])]
           for k in ("first_response", "resolution")])

    s = data["sla"]
    heading(_t("sla", lang))
    table([_t("metric", lang), _t("met", lang), _t("breached", lang), _t("compliance", lang)],
          [[_t(k, lang), s[k]["met"], s[k]["breached"], _pct(s[k]["compliance"])] for k in ("first_response", "resolution", "overall")])
    out.append(_t("open_breached", lang, n=s["open_breached"]))

    heading(_t("escalations", lang))
    table([_t("level", lang), _t("count", lang)], [[k, v] for k, v in data["escalations"].items()])

    f = data["followups"]
    heading(_t("followups", lang))
    keys = ("due_in_period", "done", "completion_rate", "satisfied", "unsatisfied", "unreachable", "satisfaction_rate", "pending", "overdue")
    table([_t(k, lang) for k in keys], [[_pct(f[k]) if k.endswith("rate") else f[k] for k in keys]])

    heading(_t("backlog", lang))
    table([_t("age", lang), _t("tickets", lang)], [[k, v] for k, v in data["backlog_by_age"].items()])

    heading(_t("causes", lang))
    table([_t("category", lang), _t("count", lang), _t("share", lang)],
          [[c["category"] or "—", c["count"], _pct(c["share"])] for c in data["complaint_causes"]])

    wo = data["work_orders"]
    heading(_t("work_orders", lang))
    table([_t("urgency", lang), _t("resolved", lang), _t("on_time", lang), _t("on_time_rate", lang)],
          [[u, r["resolved"], r["on_time"], _pct(r["on_time_rate"])] for u, r in wo["by_urgency"].items()])
    heading(_t("late_days", lang), 3)
    table([_t("department", lang), _t("days", lang)],
          [[labels["group"].get(d, d), n] for d, n in wo["late_days_by_department"].items()])

    heading(_t("agents", lang))
    table([_t("agent", lang), _t("handled", lang), _t("resolved", lang), _t("fr_median", lang), _t("res_median", lang),
           _t("sla_pct", lang), _t("fu_done", lang), _t("satisfaction_rate", lang)],
          [[names.get(r["agent"], r["agent"]), r["handled"], r["resolved"], _h(r["first_response_median_minutes"]),
            _h(r["resolution_median_minutes"]), _pct(r["sla_compliance"]), r["followups_done"], _pct(r["satisfaction_rate"])]
           for r in data["agents"]])

    for key, rows in data.items():
        if not key.startswith("by_") or key == "by_agent":
            continue
        dim = key[3:]
        heading(_t("by", lang, dim=DIM_NAMES[dim][0 if lang == "zh" else 1]))
        table([DIM_NAMES[dim][0 if lang == "zh" else 1], _t("created", lang), _t("resolved", lang), _t("closed", lang),
               _t("open", lang), _t("fr_median", lang), _t("res_median", lang), _t("sla_pct", lang), _t("satisfaction_rate", lang)],
              [[labels.get(dim, {}).get(r[dim] or "", r[dim] or "—"), r["created"], r["resolved"], r["closed"], r["open"],
                _h(r["first_response_median_minutes"]), _h(r["resolution_median_minutes"]), _pct(r["sla_compliance"]),
                _pct(r["satisfaction_rate"])] for r in rows])
    return "\n".join(out).lstrip("\n") + "\n"


def csv_rows(data: dict[str, Any]) -> list[list[Any]]:
    """Every figure as (section, metric, value) rows for a spreadsheet."""
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
            rows.append([section, metric, "" if value is None else value])

    for key, value in data.items():
        if key != "period":
            walk(key, value)
    return rows
