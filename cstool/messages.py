"""The message catalogue: every label and message a user reads, in Chinese and English,
and the choice of language.

:data:`LABELS` maps a key to its (Chinese, English) text; :func:`label` is the only way
such text reaches a user, so no other module picks between languages itself. Texts may
hold ``{placeholders}``, filled from :func:`label`'s keyword arguments. Error messages
(:class:`cstool.errors.CstoolError`) are raised with a catalogue key and its fields, and
put into words in the language of the run when shown.

The language is ``--lang`` / ``CSTOOL_LANG``, else the desk's ``desk.language``, else
the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: zh_* gives Chinese), else English.
Names of groups, types and channels come from the desk config (``name``/``name_en``,
see :func:`local_name`).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

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
    "error.not_ticket_id": ("{query} 不是工单编号(例如 {example},或其末尾几位)",
                            "{query} is not a ticket ID (e.g. {example}, or its last characters)"),
    "error.no_ticket": ("没有与 {query} 相符的工单", "no ticket matches {query}"),
    "error.no_ticket_guess": ("没有与 {query} 相符的工单;您是不是要找 {listed}?",
                              "no ticket matches {query}; did you mean {listed}?"),
    "error.ambiguous_id": ("{query} 不唯一:与 {listed} 都相符;请多输入几位",
                           "{query} is ambiguous: it matches {listed}; type more characters"),
    "error.ambiguous_id_more": ("{query} 不唯一:与 {listed} 等(另有 {more} 张)都相符;请多输入几位",
                                "{query} is ambiguous: it matches {listed} and {more} more; type more characters"),
    "error.interrupted": ("已中断;已撤回未完成的更改", "interrupted; what was started has been put back"),
    # times a user types (time.typed)
    "error.bad_time": ("{what}: 无法识别时间 {value};可以写 2026-12-01、2026/12/01 14:00、12-01 14:00、12月1日、"
                       "今天、昨天 17:00、明天 9:30(年份 1900–2999)",
                       "{what}: {value} is not a time cstool can read; write 2026-12-01, 2026/12/01 14:00, 12-01 14:00, "
                       "12月1日, today, yesterday 17:00 or tomorrow 9:30 (years 1900–2999)"),
    "error.bad_date": ("{what}: 无法识别日期 {value};可以写 2026-12-01、2026/12/01、12-01、12月1日、今天、昨天",
                       "{what}: {value} is not a date cstool can read; write 2026-12-01, 2026/12/01, 12-01, 12月1日, "
                       "today or yesterday"),
    "error.bad_now": ("{what}: 无法识别时间 {value};请写完整的日期和时间,例如 2026-12-01 14:00、2026/12/01 14:00、"
                      "2026年12月1日 14:00 或 2026-12-01T14:00+08:00(年份 1900–2999)",
                      "{what}: {value} is not a time cstool can read; write a full date and time such as 2026-12-01 14:00, "
                      "2026/12/01 14:00, 2026年12月1日 14:00 or 2026-12-01T14:00+08:00 (years 1900–2999)"),
    "error.relative_now": ("{what}: {value} 是相对时间;{what} 设定的是时钟本身,请写完整的日期和时间,例如 2026-12-01 14:00",
                           "{what}: {value} is relative; {what} sets the clock itself, so write a full date and time "
                           "such as 2026-12-01 14:00"),
    # customers named by ID, name or phone (customer show/edit/visit, create --customer/--phone)
    "error.no_customer": ("没有与 {query} 相符的客户档案(可输入客户编号如 {example}、姓名或电话;cstool customer list 列出全部)",
                          "no customer record matches {query} (give a customer ID such as {example}, a name or a phone "
                          "number; cstool customer list shows them all)"),
    "error.ambiguous_customer": ("{query} 对应 {n} 份客户档案: {listed};请改用客户编号",
                                 "{query} matches {n} customer records: {listed}; give the customer ID instead"),
    "customer.several": ("{query} 对应 {n} 份客户档案:", "{query} matches {n} customer records:"),
    "customer.which": ("请选择编号", "Which one (number)"),
    "customer.linked": ("已关联客户档案 {record}", "linked to customer record {record}"),
    "customer.not_linked": ("没有与 {query} 相符的客户档案:工单只记录所填的客户信息;如需建档,用 cstool customer add",
                            "no customer record matches {query}: the ticket keeps the customer details as typed; "
                            "cstool customer add makes a record"),
    # did you mean … (unknown commands and options)
    "error.no_such_command": ("没有 {name} 这个命令({group} -h 列出全部命令)", "no such command {name} ({group} -h lists them)"),
    "error.no_such_command_guess": ("没有 {name} 这个命令,您是不是要输入 {guess}?",
                                    "no such command {name}; did you mean {guess}?"),
    "error.no_such_option": ("没有 {name} 这个选项", "no such option {name}"),
    "error.no_such_option_guess": ("没有 {name} 这个选项,您是不是要输入 {guess}?",
                                   "no such option {name}; did you mean {guess}?"),
    # words a user types for a status, type, group, person … (config.words)
    "error.unknown_word": ("{option}: 无法识别 {value}(可用: {accepted})",
                           "{option}: unknown value {value} (accepted: {accepted})"),
    "error.unknown_word_guess": ("{option}: 无法识别 {value},您是不是要输入 {guess}?(可用: {accepted})",
                                 "{option}: unknown value {value}; did you mean {guess}? (accepted: {accepted})"),
    "error.unknown_person": ("{option}: {value} 不在本中心的人员名单中(名单: {accepted})",
                             "{option}: {value} is not in the roster (roster: {accepted})"),
    "error.unknown_person_guess": ("{option}: {value} 不在本中心的人员名单中,您是不是要输入 {guess}?(名单: {accepted})",
                                   "{option}: {value} is not in the roster; did you mean {guess}? (roster: {accepted})"),
    "error.ambiguous_word": ("{option}: {value} 不唯一,可能是: {candidates};请输入其中一个的编号或完整名称",
                             "{option}: {value} is ambiguous: it could be {candidates}; type the key or full name of one"),
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
    "export.col.id": ("工单编号", "id"),
    "export.col.type": ("工单类型", "type"),
    "export.col.title": ("标题", "title"),
    "export.col.description": ("描述", "description"),
    "export.col.channel": ("受理渠道", "channel"),
    "export.col.customer_id": ("客户编号", "customer_id"),
    "export.col.customer_name": ("客户姓名", "customer_name"),
    "export.col.customer_phone": ("客户电话", "customer_phone"),
    "export.col.customer_email": ("客户邮箱", "customer_email"),
    "export.col.customer_tier": ("客户等级", "customer_tier"),
    "export.col.priority": ("优先级", "priority"),
    "export.col.severity": ("严重程度", "severity"),
    "export.col.category": ("投诉原因", "category"),
    "export.col.status": ("状态", "status"),
    "export.col.group": ("处理班组", "group"),
    "export.col.assignee": ("处理人", "assignee"),
    "export.col.level": ("处理层级", "level"),
    "export.col.resolution": ("处理结果", "resolution"),
    "export.col.created": ("受理时间", "created"),
    "export.col.updated": ("更新时间", "updated"),
    "export.col.due": ("办结时限", "due"),
    "export.col.sla_policy": ("时限规则", "sla_policy"),
    "export.col.sla_first_response_target": ("首次响应时限", "sla_first_response_target"),
    "export.col.sla_first_response_due": ("首次响应截止", "sla_first_response_due"),
    "export.col.sla_resolution_target": ("解决时限", "sla_resolution_target"),
    "export.col.sla_resolution_due": ("解决截止", "sla_resolution_due"),
    "export.col.sla_first_response_at": ("首次响应时间", "sla_first_response_at"),
    "export.col.sla_resolved_at": ("解决时间", "sla_resolved_at"),
    "export.col.sla_paused_minutes": ("暂停分钟数", "sla_paused_minutes"),
    "export.col.followups": ("回访", "followups"),
    "export.col.links": ("关联工单", "links"),
    "export.col.history": ("处理记录", "history"),
    "export.col.ticket_id": ("所属工单", "ticket_id"),
    "export.col.at": ("时间", "at"),
    "export.col.by": ("操作人", "by"),
    "export.col.action": ("操作", "action"),
    "export.cust.id": ("客户编号", "id"),
    "export.cust.customer_id": ("客户编号", "customer_id"),
    "export.cust.at": ("回访时间", "at"),
    "export.cust.by": ("回访人", "by"),
    "export.cust.created": ("建档时间", "created"),
    "export.cust.updated": ("更新时间", "updated"),
    "export.cust.name": ("姓名", "name"),
    "export.cust.tier": ("客户等级", "tier"),
    "export.cust.tier_since": ("定级日期", "tier_since"),
    "export.cust.phone": ("电话", "phone"),
    "export.cust.email": ("邮箱", "email"),
    "export.cust.owner": ("回访负责人", "owner"),
    "export.cust.since": ("客户起始日期", "since"),
    "export.cust.note": ("备注", "note"),
    "export.cust.visits": ("回访记录", "visits"),
    "export.cust.result": ("回访结果", "result"),
    "export.fields_prefix": ("字段", "fields"),
    "export.sheet.tickets": ("工单", "tickets"),
    "export.sheet.history": ("处理记录", "history"),
    "export.sheet.customers": ("客户档案", "customers"),
    "export.sheet.visits": ("回访记录", "visits"),
    "export.sheet.audit": ("统计", "audit"),
    "xlsx.section": ("部分", "section"),
    "xlsx.metric": ("指标", "metric"),
    "xlsx.value": ("数值", "value"),
    "export.written": ("{n} 条 → {path}", "{n} rows → {path}"),
    "customer.imported": ("导入 {n} 份客户档案", "imported {n} customer records"),
    "customer.import_skipped": ("跳过已有的 {n} 份客户档案", "left out {n} customer records already in the desk"),
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
    "error.escalate.reason_required": ("需要说明上报原因:-m/--message TEXT(也可用 --reason)",
                                       "say why the ticket goes up the ladder: -m/--message TEXT (or --reason)"),
    "error.unknown_type": ("没有 {value} 这个工单类型(可用:{known})", "unknown ticket type {value} (types: {known})"),
    "error.create.missing": ("缺少:{missing}(`cstool types` 列出各类工单及其字段)",
                             "missing: {missing} (`cstool types` lists the ticket types and their fields)"),
    "error.create.missing_fields": ("{type} 类工单缺少:{missing};`cstool types {type}` 列出该类工单的字段",
                                    "type {type} needs {missing}; `cstool types {type}` lists its fields"),
    # ticket types and their template fields (types)
    "types.followup": ("(办结后回访)", "(follow-up call after closing)"),
    "types.no_template": ("本中心没有模板文件 templates/{name}.yaml:此类工单没有附加字段",
                          "the desk has no templates/{name}.yaml: tickets of this type have no fields"),
    "types.defaults": ("默认", "Defaults"),
    "types.no_fields": ("无附加字段", "No fields."),
    "types.col.field": ("字段", "field"),
    "types.col.label": ("名称", "label"),
    "types.col.required": ("必填", "required"),
    "types.col.choices": ("可选值", "choices"),
    "types.col.default": ("默认值", "default"),
    "types.required": ("是", "yes"),
    # create, asking on a terminal for what is missing
    "prompt.type": ("工单类型(编号、代码或名称)", "Ticket type (number, key or name)"),
    "prompt.no_such_type": ("没有这个类型;请输入上面列出的编号、代码或名称",
                            "no such type; give a number, key or name listed above"),
    "prompt.title": ("标题", "Title"),
    "prompt.field": ("{label}({field})", "{label} ({field})"),
    "error.calendar.no_working_time": ("日历在 {day} 之前的 {days} 天内没有任何工作时间,无法确定上一班的结束时间",
                                       "the calendar has no working time in the {days} days before {day}, so the "
                                       "previous shift's end cannot be found"),
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


class Both(NamedTuple):
    """A value that comes in both languages (a template field's ``label`` and ``label_en``):
    :func:`label` fills a placeholder with the one of the run's language."""

    zh: str
    en: str


def local_text(value: object, lang: str) -> str:
    """A :class:`Both` value in lang; any other value as text."""
    if isinstance(value, Both):
        return value.zh if lang == "zh" else value.en
    return str(value)


def label(key: str, lang: str, default: str | None = None, **fmt: object) -> str:
    """The catalogue's text for key in lang, its placeholders filled from fmt (a
    :class:`Both` value in lang); an unknown key (e.g. a status written by hand) gives
    default, else the key itself."""
    pair = LABELS.get(key)
    if pair is None:
        text = key if default is None else default
    else:
        text = pair[0 if lang == "zh" else 1]
    if not fmt:
        return text
    return text.format(**{k: local_text(v, lang) if isinstance(v, Both) else v for k, v in fmt.items()})


def local_name(item: Any, lang: str) -> str:
    """The name of a config entry (group, type, channel) in lang: ``name`` or ``name_en``."""
    return item.name if lang == "zh" else item.name_en
