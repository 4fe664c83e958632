"""Labels in Chinese and English, and the choice of language.

The language is ``--lang`` / ``CSTOOL_LANG``, else the desk's ``desk.language``, else
the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: zh_* gives Chinese), else English.
Names of groups, types and channels come from the desk config (``name``/``name_en``).
"""

from __future__ import annotations

import os

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
    # deadline kinds (due, show)
    "kind.first_response": ("首次响应", "first response"),
    "kind.resolution": ("解决", "resolution"),
    "kind.followup": ("回访", "follow-up"),
    "kind.work_order": ("联系单办结", "work order"),
    "kind.visit": ("客户定期回访", "customer visit"),
    # units of a time span (due, handover)
    "unit.d": ("天", "d"),
    "unit.h": ("小时", "h"),
    "unit.m": ("分", "m"),
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


def label(key: str, lang: str, **fmt: object) -> str:
    """The label for key in lang; unknown keys fall back to the key itself."""
    pair = LABELS.get(key)
    text = key if pair is None else pair[0 if lang == "zh" else 1]
    return text.format(**fmt) if fmt else text
