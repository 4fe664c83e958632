"""The message catalogue: every label and message a user reads, in Chinese and English,
and the choice of language.

:data:`LABELS` maps a key to its (Chinese, English) text; :func:`label` is the only way
such text reaches a user, so no other module picks between languages itself. Texts may
hold ``{placeholders}``, filled from :func:`label`'s keyword arguments. Error messages
(InputError, DeskError) are still English sentences where they are raised.

The language is ``--lang`` / ``CSTOOL_LANG``, else the desk's ``desk.language``, else
the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: zh_* gives Chinese), else English.
Names of groups, types and channels come from the desk config (``name``/``name_en``,
see :func:`local_name`).
"""

from __future__ import annotations

import os
from typing import Any

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # fields
    "id": ("编号", "ID"),
    "type": ("类型", "Type"),
    "title": ("标题", "Title"),
    "description": ("描述", "Description"),
    "channel": ("渠道", "Channel"),
    "customer": ("客户", "Customer"),
    "phone": ("电话", "Phone"),
    "email": ("邮箱", "Email"),
    "tier": ("客户等级", "Tier"),
    "priority": ("优先级", "Priority"),
    "severity": ("严重程度", "Severity"),
    "category": ("分类", "Category"),
    "status": ("状态", "Status"),
    "group": ("受理组", "Group"),
    "assignee": ("处理人", "Assignee"),
    "level": ("层级", "Level"),
    "created": ("创建时间", "Created"),
    "updated": ("更新时间", "Updated"),
    "due": ("办结时限", "Due"),
    "fields": ("附加信息", "Details"),
    "sla": ("时限", "SLA"),
    "followups": ("回访", "Follow-ups"),
    "links": ("关联工单", "Links"),
    "history": ("处理记录", "History"),
    "policy": ("时限策略", "Policy"),
    "first_response_due": ("首次响应时限", "First response due"),
    "resolution_due": ("解决时限", "Resolution due"),
    "first_response_at": ("首次响应时间", "First responded"),
    "resolved_at": ("解决时间", "Resolved"),
    "paused_minutes": ("暂停分钟数", "Paused minutes"),
    "age": ("已过时长", "Age"),
    # statuses
    "status.open": ("待处理", "open"),
    "status.in_progress": ("处理中", "in progress"),
    "status.pending": ("挂起", "pending"),
    "status.resolved": ("已解决", "resolved"),
    "status.closed": ("已关闭", "closed"),
    # severities
    "severity.general": ("一般", "general"),
    "severity.major": ("重大", "major"),
    # roles
    "role.agent": ("客服专员", "agent"),
    "role.lead": ("班组长", "team lead"),
    "role.supervisor": ("主管", "supervisor"),
    "role.manager": ("经理", "manager"),
    # actions (history timeline)
    "action.create": ("登记", "created"),
    "action.route": ("分派", "routed"),
    "action.escalate": ("上报", "escalated"),
    "action.reply": ("答复客户", "replied"),
    "action.note": ("内部备注", "note"),
    "action.chase": ("跟催", "chased"),
    "action.pending": ("挂起", "pending"),
    "action.resume": ("恢复处理", "resumed"),
    "action.resolve": ("解决", "resolved"),
    "action.close": ("关闭", "closed"),
    "action.reopen": ("重新打开", "reopened"),
    "action.followup": ("回访", "follow-up"),
    "action.edit": ("修改", "edited"),
    "action.merge-conflict": ("合并冲突", "merge conflict"),
    "action.ack": ("已核对合并冲突", "merge conflict reviewed"),
    "action.import": ("导入", "imported"),
    # deadline kinds (due, show)
    "kind.first_response": ("首次响应", "first response"),
    "kind.resolution": ("解决", "resolution"),
    "kind.followup": ("回访", "follow-up"),
    "kind.work_order": ("联系单办结", "work order"),
    "kind.visit": ("客户定期回访", "customer visit"),
    # SLA clock states and notes (show)
    "clock.running": ("计时中", "running"),
    "clock.warning": ("即将超时", "warning"),
    "clock.breached": ("已超时", "breached"),
    "clock.paused": ("暂停", "paused"),
    "clock.met": ("达标", "met"),
    "clock.missed": ("超时完成", "missed"),
    "clock.cycle": ("第 {n} 轮", "cycle {n}"),
    "clock.breached_before": ("(曾超时)", "(breached before)"),
    "followup.due": ("待回访", "due"),
    # what a history event says besides its action (show)
    "event.rule": ("(规则: {rule})", "(rule: {rule})"),
    "event.assignee": ("处理人 {name}", "assignee {name}"),
    "event.result": ("结果", "result"),
    "event.reason": ("原因", "reason"),
    "event.resolution": ("处理结果", "resolution"),
    # who may take an action (permissions; used in English error messages for now)
    "who.assignee": ("处理人", "the ticket's assignee"),
    "who.group": ("受理组成员", "a member of the ticket's group"),
    "who.followup_group": ("回访组成员", "a member of the follow-up group"),
    # units of a time span (due, handover)
    "unit.d": ("天", "d"),
    "unit.wd": ("个工作日", "wd"),
    "unit.h": ("小时", "h"),
    "unit.m": ("分", "m"),
    # audit report (audit)
    "audit.title": ("{name} 服务统计 {label}", "{name} service report {label}"),
    "audit.period": ("统计周期", "Period"),
    "audit.totals": ("工单总量", "Volume"),
    "audit.created": ("新建", "created"),
    "audit.resolved": ("解决", "resolved"),
    "audit.closed": ("关闭", "closed"),
    "audit.open": ("未结(期末)", "open at end"),
    "audit.reopened": ("重开工单", "reopened"),
    "audit.reopen_rate": ("重开率 %", "reopen rate %"),
    "audit.times": ("处理时长(工作时间,小时)", "Handling time (business hours)"),
    "audit.metric": ("指标", "metric"),
    "audit.count": ("样本数", "count"),
    "audit.median": ("中位数 h", "median h"),
    "audit.p90": ("P90 h", "P90 h"),
    "audit.first_response": ("首次响应", "first response"),
    "audit.resolution": ("解决", "resolution"),
    "audit.sla": ("时限达标(SLA)", "SLA compliance"),
    "audit.met": ("达标", "met"),
    "audit.breached": ("超时", "breached"),
    "audit.compliance": ("达标率 %", "compliance %"),
    "audit.overall": ("合计", "overall"),
    "audit.open_breached": ("期末仍未结且已超时的工单: {n}", "Open tickets already breached at the end: {n}"),
    "audit.escalations": ("逐级上报次数", "Escalations by level reached"),
    "audit.level": ("层级", "level"),
    "audit.followups": ("回访", "Follow-up calls"),
    "audit.done": ("完成", "done"),
    "audit.due_in_period": ("本期应回访", "due in period"),
    "audit.completion_rate": ("完成率 %", "completion %"),
    "audit.pending": ("待回访", "pending"),
    "audit.overdue": ("逾期未回访", "overdue"),
    "audit.satisfied": ("满意", "satisfied"),
    "audit.unsatisfied": ("不满意", "unsatisfied"),
    "audit.unreachable": ("联系不上", "unreachable"),
    "audit.satisfaction_rate": ("满意度 %", "satisfaction %"),
    "audit.backlog": ("未结工单账龄(期末)", "Backlog by age at the end"),
    "audit.age": ("账龄", "age"),
    "audit.tickets": ("工单数", "tickets"),
    "audit.causes": ("投诉原因分析", "Complaints by cause"),
    "audit.category": ("原因", "cause"),
    "audit.share": ("占比 %", "share %"),
    "audit.work_orders": ("工作联系单按期完成", "Work orders on time"),
    "audit.urgency": ("紧急程度", "urgency"),
    "audit.on_time": ("按期", "on time"),
    "audit.on_time_rate": ("按期率 %", "on-time %"),
    "audit.late_days": ("延误天数(按部门)", "Late days by department"),
    "audit.department": ("部门", "department"),
    "audit.days": ("天", "days"),
    "audit.agents": ("人员绩效", "Per-agent performance"),
    "audit.agent": ("人员", "agent"),
    "audit.handled": ("经手", "handled"),
    "audit.fr_median": ("首响中位 h", "first resp. median h"),
    "audit.res_median": ("解决中位 h", "resolution median h"),
    "audit.sla_pct": ("SLA %", "SLA %"),
    "audit.fu_done": ("回访数", "follow-ups"),
    "audit.no_data": ("无数据", "no data"),
    "audit.total_row": ("合计", "total"),
    "audit.compare": ("与 {label} 比较", "Compared with {label}"),
    "audit.change": ("变化", "change"),
    "audit.headline.created": ("新建", "created"),
    "audit.headline.resolved": ("解决", "resolved"),
    "audit.headline.closed": ("关闭", "closed"),
    "audit.headline.open": ("未结(期末)", "open at end"),
    "audit.headline.reopen_rate_pct": ("重开率 %", "reopen rate %"),
    "audit.headline.first_response_median_hours": ("首次响应中位 h", "first response median h"),
    "audit.headline.resolution_median_hours": ("解决中位 h", "resolution median h"),
    "audit.headline.sla_compliance_pct": ("SLA 达标率 %", "SLA compliance %"),
    "audit.headline.followup_completion_rate_pct": ("回访完成率 %", "follow-up completion %"),
    "audit.headline.satisfaction_rate_pct": ("满意度 %", "satisfaction %"),
    "audit.csv.section": ("部分", "section"),
    "audit.csv.metric": ("指标", "metric"),
    "audit.csv.value": ("数值", "value"),
    "audit.channel.work_order": ("工作联系单", "work order"),
    "audit.by": ("按{dim}统计", "By {dim}"),
    # audit breakdown dimensions (audit --by)
    "audit.dim.group": ("受理组", "group"),
    "audit.dim.type": ("类型", "type"),
    "audit.dim.channel": ("渠道", "channel"),
    "audit.dim.category": ("分类", "category"),
    "audit.dim.tier": ("客户等级", "tier"),
    "audit.dim.agent": ("人员", "agent"),
    # the report page (report)
    "report.html_lang": ("zh-CN", "en"),
    "report.title": ("{name} 服务统计报告 {label}", "{name} service report {label}"),
    "report.period": ("统计周期 {start} — {end}", "Period {start} — {end}"),
    "report.generated": ("生成于 {now}", "Generated {now}"),
    "report.compared": ("对比上期 {label}", "Compared with {label}"),
    "report.headline": ("核心指标", "Headline figures"),
    "report.kpi.created": ("新建工单", "Tickets created"),
    "report.kpi.resolved": ("解决工单", "Tickets resolved"),
    "report.kpi.fr_sla": ("首次响应达标率", "First-response SLA met"),
    "report.kpi.res_sla": ("解决时限达标率", "Resolution SLA met"),
    "report.kpi.satisfaction": ("满意度", "Satisfaction"),
    "report.kpi.followup": ("回访完成率", "Follow-up completion"),
    "report.kpi.reopen": ("重开率", "Reopen rate"),
    "report.kpi.backlog": ("期末未结工单", "Open at the end"),
    "report.change": ("较上期 {delta}", "{delta} on the previous period"),
    "report.previous": ("上期 {value}", "previous {value}"),
    "report.points": (" 个百分点", " pts"),
    "report.figures": ("数据表", "Figures as a table"),
    "report.chart.volume": ("每日新建与解决工单", "Tickets created and resolved per day"),
    "report.chart.volume_week": ("每周新建与解决工单", "Tickets created and resolved per week"),
    "report.chart.sla_trend": ("时限达标率趋势 %", "SLA compliance trend %"),
    "report.chart.backlog": ("期末未结工单账龄", "Backlog by age at the end"),
    "report.chart.causes": ("投诉原因", "Complaints by cause"),
    "report.chart.sat_group": ("各受理组满意度 %", "Satisfaction by group %"),
    "report.chart.sat_agent": ("各人员满意度 %", "Satisfaction by agent %"),
    "report.chart.late": ("工作联系单延误天数(按部门)", "Work-order late days by department"),
    "report.agents": ("人员绩效", "Per-agent performance"),
    "report.col.period": ("日期", "date"),
    "report.col.week": ("周", "week"),
    "report.col.resolution_rate": ("解决率 %", "resolution rate %"),
    "report.col.fr_median": ("响应时间 中位 h", "response time median h"),
    "report.col.res_median": ("解决时长 中位 h", "resolution time median h"),
    "report.col.followups": ("回访数量", "follow-up calls"),
    "report.col.whole_desk": ("全中心", "whole desk"),
    "report.footer": ("本页数字与 cstool audit --period {label} 的统计口径一致;时长按工作时间计。",
                      "Every figure is the one cstool audit --period {label} gives; times are business hours."),
    # QA sample (sample)
    "sample.title": ("质检抽查: 从 {pool} 张已关闭工单中抽取 {n} 张 (seed {seed})",
                     "QA sample: {n} of {pool} closed tickets (seed {seed})"),
    "sample.col.id": ("编号", "id"),
    "sample.col.type": ("类型", "type"),
    "sample.col.title": ("标题", "title"),
    "sample.col.assignee": ("处理人", "assignee"),
    "sample.col.closed": ("关闭时间", "closed"),
    "sample.col.resolution": ("处理结果", "resolution"),
    # a ticket's git history (log)
    "log.col.commit": ("提交", "commit"),
    "log.col.date": ("时间", "date"),
    "log.col.author": ("作者", "author"),
    "log.col.message": ("说明", "message"),
    # integrity check (verify, audit --check)
    "verify.findings": ("{n} 项问题,共检查 {files} 个文件", "{n} findings in {files} files"),
    "skipped.file": ("已跳过无法读取的文件:{message}", "skipped a file that cannot be read: {message}"),
    "skipped.strict": ("有 {n} 个文件无法读取(--strict);修复后再运行",
                       "{n} files could not be read (--strict); fix them and run again"),
    "error.unexpected": ("意外错误:{what};什么也没有写入。请报告此问题(设置 CSTOOL_DEBUG=1 可看到详细信息)",
                         "unexpected error: {what}; nothing more was done. Please report it "
                         "(CSTOOL_DEBUG=1 shows the details)"),
    "error.interrupted": ("已中断;已撤回未完成的更改", "interrupted; what was started has been put back"),
    "verify.clean": ("检查 {files} 个文件,未发现问题", "{files} files checked, no findings"),
    # the calendar (cstool calendar, and the warning when it runs out)
    "calendar.uncovered": ("警告: {years} 年的节假日和调休安排未知,时限按普通周末计算,可能有误。请在 cstool.yaml 的 "
                           "calendar.holidays / calendar.extra_workdays 中补充该年日期,或升级 chinesecalendar 包",
                           "warning: no calendar source covers {years}: deadlines there count weekends only and may be "
                           "wrong; add that year's dates to calendar.holidays / calendar.extra_workdays in cstool.yaml, "
                           "or update the chinesecalendar package"),
    "weekday.mon": ("周一", "Mon"),
    "weekday.tue": ("周二", "Tue"),
    "weekday.wed": ("周三", "Wed"),
    "weekday.thu": ("周四", "Thu"),
    "weekday.fri": ("周五", "Fri"),
    "weekday.sat": ("周六", "Sat"),
    "weekday.sun": ("周日", "Sun"),
    "calendar.col.date": ("日期", "date"),
    "calendar.col.weekday": ("星期", "weekday"),
    "calendar.col.kind": ("类别", "kind"),
    "calendar.col.hours": ("工作时间", "hours"),
    "calendar.col.source": ("来源", "source"),
    "calendar.kind.workday": ("工作日", "working day"),
    "calendar.kind.rest": ("休息日", "rest day"),
    "calendar.kind.holiday": ("节假日", "holiday"),
    "calendar.kind.makeup": ("调休上班", "make-up workday"),
    "calendar.source.official": ("国务院通知", "official"),
    "calendar.source.desk": ("本中心配置", "desk config"),
    "calendar.source.weekday": ("按星期", "weekday rule"),
    "calendar.summary": ("{period}: 工作日 {working} 天,节假日 {holidays} 天,调休上班 {makeup} 天",
                         "{period}: {working} working days, {holidays} holidays, {makeup} make-up workdays"),
    "calendar.not_covered": ("{year} 年没有官方或本中心的节假日安排,仅按星期计算",
                             "{year}: no official or desk holiday list covers this year; weekdays only"),
    "verify.history_findings": ("{n} 项问题,共检查 {checked} 个提交(范围内 {commits} 个)",
                                "{n} findings in {checked} commits checked ({commits} in the range)"),
    "verify.history_clean": ("检查 {checked} 个提交(范围内 {commits} 个),未发现问题",
                             "{checked} commits checked ({commits} in the range), no findings"),
    # what a command did, when there is no ticket to report
    "route.nothing": ("没有需要分派的工单", "nothing to route"),
    "escalate.nothing": ("没有需要上报的超时工单", "No breached ticket needs escalating."),
    "import.done": ("导入 {n} 张工单", "imported {n} tickets"),
    "import.skipped": ("跳过已在工单库中的 {n} 行", "left out {n} rows already in the desk"),
    "setup_git.done": ("已注册合并驱动", "merge driver registered"),
    # due
    "due.col.assignee": ("处理人", "assignee"),
    "due.col.id": ("编号", "id"),
    "due.col.kind": ("事项", "kind"),
    "due.col.title": ("标题", "title"),
    "due.col.due": ("时限", "due"),
    "due.col.status": ("状态", "status"),
    "due.more": ("另有 {n} 项未显示(用 --limit 0 显示全部)", "{n} more not shown (use --limit 0)"),
    "due.summary": ("超时 {overdue} 项,即将到期 {soon} 项", "{overdue} overdue, {soon} due soon"),
    "due.nothing": ("没有到期事项", "Nothing due."),
    "due.late": ("超时 {span}", "late {span}"),
    "due.left": ("剩余 {span}", "{span} left"),
    "due.late.business": ("超时 {span}(工作时间)", "late {span} working time"),
    "due.left.business": ("剩余 {span}(工作时间)", "{span} working time left"),
    # handover (交接班)
    "handover.title": ("交接班 {since} → {until}", "Shift handover {since} → {until}"),
    "handover.opened": ("新登记", "Opened"),
    "handover.closed": ("已关闭", "Closed"),
    "handover.escalated": ("已上报", "Escalated"),
    "handover.still_open": ("未结工单(按处理人)", "Still open, by assignee"),
    "handover.due_next": ("下一班到期", "Due in the next shift"),
    "handover.late": ("超时", "late"),
    # misc
    "none": ("无", "none"),
    "unassigned": ("未分派", "unassigned"),
    "more_rows": ("另有 {n} 条未显示(用 --limit 调整)", "{n} more not shown (use --limit)"),
    "no_tickets": ("没有符合条件的工单", "No tickets match."),
    "created_ticket": ("已登记", "created"),
    "total": ("共 {n} 条", "{n} tickets"),
}


def pick_language(flag: str | None, desk_language: str | None) -> str:
    """Resolve the output language (see module docstring)."""
    if flag in LANGS:
        return flag
    if desk_language in LANGS:
        return desk_language
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def label(key: str, lang: str, default: str | None = None, **fmt: object) -> str:
    """The catalogue's text for key in lang, its placeholders filled from fmt; an unknown
    key (e.g. a status written by hand) gives default, else the key itself."""
    pair = LABELS.get(key)
    if pair is None:
        text = key if default is None else default
    else:
        text = pair[0 if lang == "zh" else 1]
    return text.format(**fmt) if fmt else text


def local_name(item: Any, lang: str) -> str:
    """The name of a config entry (group, type, channel) in lang: ``name`` or ``name_en``."""
    return item.name if lang == "zh" else item.name_en
