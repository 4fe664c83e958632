"""``parse_config`` on plain dicts, one section at a time: what it accepts and how it
names the key it refuses."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from cstool.config.parse import parse_config
from cstool.config.schema import ROLES
from cstool.errors import DeskError
from tests.test_help_language import english_runs

PATH = Path("cstool.yaml")


def minimal_config(**sections) -> dict:
    """The smallest valid config; ``sections`` replace (or add) whole top-level sections."""
    data = {
        "desk": {"name": "测试客服中心"},
        "groups": {"service": "客服组"},
        "roster": [{"id": "mgr@example.com", "name": "经理", "role": "manager", "groups": ["service"]}],
        "channels": {"phone": "电话"},
        "types": {"complaint": {"name": "投诉", "group": "service"}},
    }
    data.update(sections)
    return data


def parse(**sections):
    return parse_config(minimal_config(**sections), PATH)


def refusal(**sections) -> str:
    with pytest.raises(DeskError) as exc:
        parse(**sections)
    return exc.value.message


# --------------------------------------------------------------------------- the file


def test_the_minimal_config_parses_with_defaults():
    config = parse()
    assert (config.name, config.prefix, config.timezone, config.language) == ("测试客服中心", "CS", "Asia/Shanghai", None)
    assert config.ladder == ROLES
    assert config.categories == () and config.routing == [] and config.permissions == {}
    assert config.warn_at == (0.75,) and config.sla_policies == []
    assert config.followup_group is None and config.followup_policies == {} and config.periodic == {}
    assert set(config.work_order_due) == {"A", "B", "C"}
    assert config.calendar.hours["sat"] == () and config.calendar.hours["mon"]


@pytest.mark.parametrize(("data", "expected"), (
    (None, "cstool.yaml: the file is empty"),
    ([], "the file must be a mapping"),
    ({**minimal_config(), "extra": 1}, "unknown key 'extra' (known keys: calendar, categories, channels"),
    ({k: v for k, v in minimal_config().items() if k != "roster"}, "'roster' is required"),
    ({k: v for k, v in minimal_config().items() if k != "types"}, "'types' is required"),
))
def test_the_file_itself(data, expected):
    with pytest.raises(DeskError) as exc:
        parse_config(data, PATH)
    assert expected in exc.value.message


# --------------------------------------------------------------------------- sections


@pytest.mark.parametrize("desk", (
    {"name": "客服", "prefix": "SUP1"},
    {"name": "客服", "timezone": "Europe/Berlin", "language": "en"},
))
def test_desk_valid(desk):
    config = parse(desk=desk)
    assert config.prefix == desk.get("prefix", "CS") and config.timezone == desk.get("timezone", "Asia/Shanghai")


@pytest.mark.parametrize(("desk", "expected"), (
    ("客服", "'desk' must be a mapping"),
    ({}, "'desk.name' is required"),
    ({"name": "  "}, "'desk.name' must be a non-empty text"),
    ({"name": "客服", "prefix": "cs"}, "'desk.prefix': 'cs' must be 1-8 capital letters"),
    ({"name": "客服", "timezone": "Mars/Base"}, "'desk.timezone': unknown time zone 'Mars/Base'"),
    ({"name": "客服", "language": "fr"}, "'desk.language' must be zh or en"),
    ({"name": "客服", "colour": "red"}, "unknown key 'desk.colour'"),
))
def test_desk_invalid(desk, expected):
    assert expected in refusal(desk=desk)


def test_groups_valid():
    config = parse(groups={"service": "客服组",
                           "tech": {"name": "技术组", "name_en": "Tech", "assign": "least_open", "department": True}})
    assert config.groups["service"].name_en == "Service"
    tech = config.groups["tech"]
    assert (tech.name, tech.name_en, tech.assign, tech.department) == ("技术组", "Tech", "least_open", True)


@pytest.mark.parametrize(("groups", "expected"), (
    ({}, "'groups' must be a mapping of group keys to groups"),
    ({"service": "客服组", "Tech": "技术组"}, "'groups.Tech': group keys are lower-case"),
    ({"service": {"name_en": "Service"}}, "'groups.service.name' is required"),
    ({"service": {"name": "客服组", "assign": "random"}}, "'groups.service.assign' must be one of round_robin"),
    ({"service": {"name": "客服组", "department": "yes"}}, "'groups.service.department' must be true or false"),
    ({"service": {"name": "客服组", "size": 3}}, "unknown key 'groups.service.size'"),
))
def test_groups_invalid(groups, expected):
    assert expected in refusal(groups=groups)


def test_ladder_valid():
    assert parse(ladder=["agent", "manager"]).ladder == ("agent", "manager")


@pytest.mark.parametrize(("ladder", "expected"), (
    ("agent", "'ladder' must be a list"),
    (["agent", "boss"], "'ladder': unknown role 'boss'"),
    (["agent"], "'ladder' must list at least two different roles"),
    (["manager", "agent"], "'ladder' must go up: agent, manager"),
))
def test_ladder_invalid(ladder, expected):
    assert expected in refusal(ladder=ladder)


def test_roster_valid():
    config = parse(roster=[{"id": "a@example.com", "name": "甲", "role": "agent", "groups": "service"},
                           {"id": "b@example.com", "name": "乙", "role": "lead"}])
    assert [(p.id, p.groups) for p in config.roster] == [("a@example.com", ("service",)), ("b@example.com", ())]


AGENT = {"id": "a@example.com", "name": "甲", "role": "agent"}


@pytest.mark.parametrize(("roster", "expected"), (
    ({}, "'roster' must be a list"),
    ([], "'roster' must list at least one person"),
    (["a@example.com"], "'roster[0]' must be a mapping"),
    ([{"id": "a@example.com", "name": "甲"}], "'roster[0].role' is required"),
    ([{**AGENT, "id": "nobody"}], "'roster[0].id': 'nobody' is not an email address"),
    ([AGENT, {**AGENT, "id": "A@example.com"}], "'roster[1].id': A@example.com is listed twice"),
    ([{**AGENT, "role": "boss"}], "'roster[0].role': unknown role 'boss'"),
    ([{**AGENT, "groups": {"service": 1}}], "'roster[0].groups' must be a list of group keys"),
    ([{**AGENT, "groups": ["sales"]}], "'roster[0].groups': unknown group 'sales'"),
    ([{**AGENT, "phone": "110"}], "unknown key 'roster[0].phone'"),
    # a 40,000-character id is refused by its length before any pattern runs on it
    ([{**AGENT, "id": "a" * 20000 + "@" + "." * 20000}], "'roster[0].id' is 40001 characters long"),
    ([{**AGENT, "id": "a" * 64 + "@" + "b" * 186 + ".com"}], "'roster[0].id' is 255 characters long"),
))
def test_roster_invalid(roster, expected):
    assert expected in refusal(roster=roster)


def test_channels_valid():
    config = parse(channels={"phone": "电话", "web_chat": {"name": "在线", "name_en": "Chat"}})
    assert config.channels["phone"].name_en == "Phone"
    assert (config.channels["web_chat"].name, config.channels["web_chat"].name_en) == ("在线", "Chat")


@pytest.mark.parametrize(("channels", "expected"), (
    ([], "'channels' must be a mapping of channel keys to names"),
    ({"Phone": "电话"}, "'channels.Phone': channel keys are lower-case"),
    ({"phone": 3}, "'channels.phone' must be a name or a mapping"),
    ({"phone": {"name_en": "Phone"}}, "'channels.phone.name' is required"),
    ({"phone": {"name": "电话", "icon": "x"}}, "unknown key 'channels.phone.icon'"),
))
def test_channels_invalid(channels, expected):
    assert expected in refusal(channels=channels)


def test_types_valid():
    config = parse(types={"complaint": {"name": "投诉", "group": "service", "template": "complaint-v2",
                                        "followup": True, "name_en": "Complaint"}})
    t = config.types["complaint"]
    assert (t.group, t.template, t.followup, t.name_en) == ("service", "complaint-v2", True, "Complaint")
    assert parse().types["complaint"].template == "complaint"


@pytest.mark.parametrize(("types", "expected"), (
    ({}, "'types' must be a mapping of type keys to types"),
    ({"Complaint": {"name": "投诉", "group": "service"}}, "'types.Complaint': type keys are lower-case"),
    ({"complaint": {"name": "投诉"}}, "'types.complaint.group' is required"),
    ({"complaint": {"name": "投诉", "group": "sales"}}, "'types.complaint.group': unknown group 'sales'"),
    ({"complaint": {"name": "投诉", "group": "service", "template": "a b"}},
     "'types.complaint.template': 'a b' is not a template name"),
    ({"complaint": {"name": "投诉", "group": "service", "followup": 1}},
     "'types.complaint.followup' must be true or false"),
    ({"complaint": {"name": "投诉", "group": "service", "sla": "4h"}}, "unknown key 'types.complaint.sla'"),
))
def test_types_invalid(types, expected):
    assert expected in refusal(types=types)


def test_categories_valid():
    assert parse(categories=[" 账单 ", "物流"]).categories == ("账单", "物流")


@pytest.mark.parametrize(("categories", "expected"), (
    ("账单", "'categories' must be a list"),
    (["账单", ""], "'categories' must be a list of names"),
))
def test_categories_invalid(categories, expected):
    assert expected in refusal(categories=categories)


def test_routing_valid():
    config = parse(categories=["账单"], routing=[{"when": {"channel": "phone", "category": ["账单"]}, "group": "service"}])
    assert config.routing[0].when == {"channel": ("phone",), "category": ("账单",)}
    assert config.routing[0].group == "service"


@pytest.mark.parametrize(("routing", "expected"), (
    ({"when": {}}, "'routing' must be a list"),
    ([{"when": {"channel": "phone"}}], "'routing[0].group' is required"),
    ([{"when": {"channel": "phone"}, "group": "sales"}], "'routing[0].group': unknown group 'sales'"),
    ([{"when": {"colour": "red"}, "group": "service"}], "unknown key 'routing[0].when.colour'"),
    ([{"when": {"channel": "fax"}, "group": "service"}], "'routing[0].when.channel': unknown channel 'fax'"),
    ([{"when": {"keyword": []}, "group": "service"}], "'routing[0].when.keyword' must be a text or a list"),
    ([{"when": {"tier": "A"}, "group": "service", "stop": True}], "unknown key 'routing[0].stop'"),
))
def test_routing_invalid(routing, expected):
    assert expected in refusal(routing=routing)


def test_calendar_valid():
    config = parse(calendar={"hours": {"mon": "09:00-12:00", "sat": ["13:00-17:00", "09:00-12:00"]},
                             "holidays": ["2026-10-01"], "extra_workdays": [date(2026, 9, 27)]})
    cal = config.calendar
    assert cal.hours["mon"] == ((540, 720),) and cal.hours["sat"] == ((540, 720), (780, 1020))
    assert cal.hours["tue"] == () and cal.extra_workday_hours == ((540, 720),)
    assert cal.holidays == {date(2026, 10, 1)} and cal.extra_workdays == {date(2026, 9, 27)}


@pytest.mark.parametrize(("calendar", "expected"), (
    ([], "'calendar' must be a mapping"),
    ({"hours": {"monday": "09:00-12:00"}}, "unknown key 'calendar.hours.monday'"),
    ({"hours": {"mon": 9}}, "'calendar.hours.mon' must be a list of ranges"),
    ({"hours": {"mon": "9-12"}}, "'calendar.hours.mon': '9-12' is not a time range"),
    ({"hours": {"mon": "12:00-09:00"}}, "'calendar.hours.mon': '12:00-09:00' is not a valid range"),
    ({"hours": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "'calendar.hours.mon': working-hour ranges overlap"),
    ({"hours": {}}, "'calendar.hours' has no working time on any day"),
    ({"holidays": "2026-10-01"}, "'calendar.holidays' must be a list"),
    ({"holidays": ["1 October"]}, "'calendar.holidays': '1 October' is not a date"),
    ({"holidays": ["2026-10-01"], "extra_workdays": ["2026-10-01"]},
     "'calendar': 2026-10-01 is both a holiday and an extra workday"),
    ({"timezone": "UTC"}, "unknown key 'calendar.timezone'"),
))
def test_calendar_invalid(calendar, expected):
    assert expected in refusal(calendar=calendar)


def test_sla_valid():
    config = parse(sla={"warn_at": [0.9, 0.5], "escalate_after": ["1h", "2h"],
                        "policies": [{"name": "投诉", "when": {"type": "complaint"}, "first_response": "2h"}]})
    assert config.warn_at == (0.5, 0.9) and len(config.escalate_after) == 2
    (policy,) = config.sla_policies
    assert (policy.name, policy.when, policy.resolution) == ("投诉", {"type": ("complaint",)}, None)
    assert policy.first_response is not None


@pytest.mark.parametrize(("sla", "expected"), (
    ([], "'sla' must be a mapping"),
    ({"warn_at": 1.5}, "'sla.warn_at' must be fractions between 0 and 1"),
    ({"warn_at": [True]}, "'sla.warn_at' must be fractions between 0 and 1"),
    ({"escalate_after": "1h"}, "'sla.escalate_after' must be a list"),
    ({"escalate_after": ["soon"]}, "sla.escalate_after"),
    ({"policies": [{"when": {"type": "complaint"}}]}, "'sla.policies[0].name' is required"),
    ({"policies": [{"name": "x", "when": {"type": "refund"}}]}, "'sla.policies[0].when.type': unknown type 'refund'"),
    ({"policies": [{"name": "x", "resolution": "never"}]}, "sla.policies[0].resolution"),
    ({"policies": [{"name": "x", "pause": True}]}, "unknown key 'sla.policies[0].pause'"),
    ({"breach": "1h"}, "unknown key 'sla.breach'"),
))
def test_sla_invalid(sla, expected):
    assert expected in refusal(sla=sla)


def test_followups_valid():
    config = parse(groups={"service": "客服组", "followup": "回访组"},
                   followups={"policies": {"complaint": {"after": "2d", "attempts": 2}},
                              "periodic": {"A": "FREQ=MONTHLY;BYMONTHDAY=1"}})
    assert config.followup_group == "followup"
    assert config.followup_policies["complaint"].attempts == 2
    assert config.periodic == {"A": "FREQ=MONTHLY;BYMONTHDAY=1"}
    assert parse(followups={"group": "service"}).followup_group == "service"


def test_followup_retry_after_is_a_duration_with_a_default():
    config = parse(followups={"policies": {"complaint": {"after": "2d", "retry_after": "4h"}}})
    assert config.followup_policies["complaint"].retry_after.minutes == 240
    assert parse(followups={"policies": {"complaint": {"after": "2d"}}}).followup_policies["complaint"].retry_after.days == 1
    assert "followups.policies.complaint.retry_after: 'soon' is not a duration" in refusal(
        followups={"policies": {"complaint": {"after": "2d", "retry_after": "soon"}}})


@pytest.mark.parametrize(("followups", "expected"), (
    ([], "'followups' must be a mapping"),
    ({"group": "sales"}, "'followups.group': unknown group 'sales'"),
    ({"policies": {"refund": {"after": "1d"}}}, "unknown key 'followups.policies.refund'"),
    ({"policies": {"complaint": {"attempts": 2}}}, "'followups.policies.complaint.after' is required"),
    ({"policies": {"complaint": {"after": "1d", "attempts": 0}}},
     "'followups.policies.complaint.attempts' must be a whole number of at least 1"),
    ({"policies": {"complaint": {"after": "1d", "by": "phone"}}}, "unknown key 'followups.policies.complaint.by'"),
    ({"periodic": {"D": "FREQ=DAILY"}}, "unknown key 'followups.periodic.D'"),
    ({"periodic": {"A": "every day"}}, "'followups.periodic.A': 'every day' is not a recurrence rule"),
    ({"periodic": {"A": "FREQ=SECONDLY"}}, "'followups.periodic.A': 'FREQ=SECONDLY' repeats more often than once a day"),
    ({"periodic": {"A": "FREQ=HOURLY;INTERVAL=24"}}, "repeats more often than once a day"),
    ({"periodic": {"A": "FREQ=DAILY;BYHOUR=9,10"}}, "repeats more often than once a day"),
    ({"owner": "x"}, "unknown key 'followups.owner'"),
))
def test_followups_invalid(followups, expected):
    assert expected in refusal(followups=followups)


@pytest.mark.parametrize("rule", ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYHOUR=9", "FREQ=YEARLY"])
def test_periodic_rules_of_a_day_or_coarser_are_accepted(rule):
    assert parse(followups={"periodic": {"A": rule}}).periodic == {"A": rule}


def test_a_roster_id_of_254_characters_is_accepted():
    pid = "a" * 64 + "@" + "b" * 185 + ".com"
    assert len(pid) == 254
    assert parse(roster=[{**AGENT, "id": pid}]).roster[0].id == pid


def test_work_orders_valid():
    due = parse(work_orders={"due": {"A": "4h"}}).work_order_due
    assert due["A"] != parse().work_order_due["A"] and due["B"] == parse().work_order_due["B"]


@pytest.mark.parametrize(("work_orders", "expected"), (
    ([], "'work_orders' must be a mapping"),
    ({"due": {"D": "1d"}}, "unknown key 'work_orders.due.D'"),
    ({"due": {"A": "soon"}}, "work_orders.due.A"),
    ({"limit": 3}, "unknown key 'work_orders.limit'"),
))
def test_work_orders_invalid(work_orders, expected):
    assert expected in refusal(work_orders=work_orders)


def test_permissions_valid():
    config = parse(permissions={"close": ["assignee", "lead"], "reopen": "manager"})
    assert config.permissions == {"close": ("assignee", "lead"), "reopen": ("manager",)}


@pytest.mark.parametrize(("permissions", "expected"), (
    ([], "'permissions' must be a mapping"),
    ({"delete": ["manager"]}, "unknown key 'permissions.delete'"),
    ({"close": []}, "'permissions.close' must name at least one of assignee"),
    ({"close": ["boss"]}, "'permissions.close': unknown 'boss'"),
))
def test_permissions_invalid(permissions, expected):
    assert expected in refusal(permissions=permissions)


def test_problems_are_reported_in_section_order():
    """The first problem found is in the earliest section: desk before groups before roster."""
    message = refusal(desk={"name": "客服", "prefix": "x"}, groups={}, roster=[])
    assert "'desk.prefix'" in message
    assert "'groups'" in refusal(groups={}, roster=[])


# --------------------------------------------------------------------------- calendar.official, work_orders.late_unit


def test_calendar_official_defaults_to_cn_and_accepts_none():
    assert parse().calendar.official == "cn"
    assert parse(calendar={"official": "none"}).calendar.official == "none"


def test_calendar_official_refuses_other_sources():
    assert "'calendar.official' must be cn" in refusal(calendar={"official": "us"})


def test_work_orders_late_unit():
    assert parse().late_unit == "working_day"
    assert parse(work_orders={"late_unit": "day"}).late_unit == "day"
    assert "'work_orders.late_unit' must be working_day or day" in refusal(work_orders={"late_unit": "hour"})


def test_history_and_signing_keys_valid():
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0b7 zhang@laptop"
    config = parse(history={"backfill_tolerance": "2h"}, roster=[{**AGENT, "signing_key": key}],
                   permissions={"import": "lead", "config": ["supervisor"]})
    assert config.backfill_tolerance.minutes == 120
    assert config.roster[0].signing_key == key
    assert config.permissions == {"import": ("lead",), "config": ("supervisor",)}
    assert parse().backfill_tolerance.minutes == 60


@pytest.mark.parametrize(("sections", "expected"), (
    ({"history": []}, "'history' must be a mapping"),
    ({"history": {"backfill_tolerance": "soon"}}, "history.backfill_tolerance"),
    ({"history": {"tolerance": "1h"}}, "unknown key 'history.tolerance'"),
    ({"roster": [{**AGENT, "signing_key": "my key"}]}, "'roster[0].signing_key': not an SSH public key"),
))
def test_history_and_signing_keys_invalid(sections, expected):
    assert expected in refusal(**sections)


# --------------------------------------------------------------------------- language

CJK_TEXT = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("sections", (
    {"desk": {"name": "客服", "prefix": "cs"}},
    {"desk": {"name": "客服", "colour": "red"}},
    {"groups": {"Service": "客服组"}},
    {"ladder": ["manager", "agent"]},
    {"roster": [{"id": "not-an-email", "name": "经理", "role": "manager"}]},
    {"roster": [{"id": "mgr@example.com", "name": "经理", "role": "boss"}]},
    {"types": {"complaint": {"name": "投诉", "group": "nosuch"}}},
    {"routing": [{"when": {"channel": "fax"}, "group": "service"}]},
    {"calendar": {"hours": {"mon": "18:00-09:00"}}},
    {"sla": {"warn_at": [2]}},
    {"sla": {"policies": [{"name": "快", "resolution": "soon"}]}},
    {"followups": {"periodic": {"A": "FREQ=HOURLY"}}},
    {"work_orders": {"late_unit": "week"}},
    {"permissions": {"void": ["nobody"]}},
))
def test_a_refusal_is_put_into_chinese_with_its_file_and_key(sections):
    with pytest.raises(DeskError) as exc:
        parse(**sections)
    zh = exc.value.text("zh")
    assert zh.startswith("cstool.yaml") and CJK_TEXT.search(zh), zh
    assert english_runs(zh) == [], zh
    key = exc.value.message.split("'")[1] if "'" in exc.value.message else None
    assert key is None or key in zh  # the key path is named the same way in both languages
