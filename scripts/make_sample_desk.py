"""Build the sample desk in records/ by running cstool's own commands with a fixed clock.

    python scripts/make_sample_desk.py [TARGET]     (default: records/, replaced)

Every ticket is created and moved through its workflow by the CLI, so the files are
exactly what a team would have after those actions, histories included.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

from click.testing import CliRunner

from cstool.cli import cli
from cstool.domain import ids

# the sample team (one roster for the sample desk, the benchmark desks and the tests)
ROSTER_FILE = Path(__file__).resolve().parent.parent / "team" / "roster.yaml"

LEAD = "zhao.lei@example.com"
SUP = "sun.li@example.com"
CALLER = "he.xue@example.com"  # the follow-up group (回访调查组) makes the calls
FIXED_ACTORS = {LEAD, SUP, CALLER, "chen.jing@example.com", "qian.hui@example.com"}

# (type, title, channel, priority, extra create options, customer, phone, steps)
# steps: (time, actor, command, args...) applied in order after the create.
TICKETS = [
    ("complaint", "空调维修后仍然漏水,要求上门复查", "phone", "B", [], "张建国", "13812345678", [
        ("2026-11-02T09:20", "wang.fang@example.com", "reply", "-m", "已致歉并登记,安排维修师傅明天上午复查"),
        ("2026-11-02T09:40", "wang.fang@example.com", "pending", "--reason", "等待客户确认上门时间"),
        ("2026-11-03T10:00", "wang.fang@example.com", "resume", "--note", "客户确认周三上午在家"),
        ("2026-11-04T11:00", "wang.fang@example.com", "escalate", "--reason", "客户要求赔偿损坏的地板"),
        ("2026-11-04T15:00", LEAD, "escalate", "--reason", "涉及赔偿金额,需主管协调"),
        ("2026-11-06T16:00", SUP, "close", "--resolution", "更换排水管并赔偿地板维修费 300 元,客户认可"),
        ("2026-11-10T10:00", CALLER, "followup", "--result", "satisfied", "--note", "客户表示满意,感谢及时处理"),
    ]),
    ("complaint", "客服热线长时间无人接听", "phone", "C", ["--category", "服务态度"], "李秀英", "13900001111", [
        ("2026-11-05T10:05", "liu.yang@example.com", "reply", "-m", "已向客户致歉,说明高峰时段排队情况"),
        ("2026-11-05T16:00", "liu.yang@example.com", "close", "--resolution", "已致歉并登记为服务改进项,增加午间值班人员"),
        ("2026-11-09T14:00", CALLER, "followup", "--result", "unreachable", "--note", "无人接听"),
        ("2026-11-10T10:30", CALLER, "followup", "--result", "satisfied"),
    ]),
    ("complaint", "快递员态度恶劣并拒绝送货上楼", "online", "B", ["--category", "物流配送"], "王磊", None, [
        ("2026-11-09T14:03", "wang.fang@example.com", "reply", "-m", "您好,已收到您的投诉,正在联系物流公司核实"),
        ("2026-11-09T14:30", "wang.fang@example.com", "note", "-m", "物流公司站点电话已拨打,对方承诺今日回电", "--chase"),
    ]),
    ("complaint", "安装师傅多收费用,要求退还", "phone", "A", ["--category", "收费争议", "--severity", "major", "--field", "compensation=是"], "赵丽华", "13700002222", [
        ("2026-11-16T09:10", "chen.jing@example.com", "reply", "-m", "经理已接手,承诺两个工作日内给出处理结果"),
        ("2026-11-17T15:00", "chen.jing@example.com", "pending", "--reason", "等待安装服务商提供收费凭证"),
    ]),
    ("complaint", "产品到货外包装破损,内部零件缺失", "email", "B", ["--category", "产品质量"], "孙强", None, [
        ("2026-11-18T10:00", "liu.yang@example.com", "reply", "-m", "已收到照片,正在安排补发零件"),
        ("2026-11-19T11:00", "liu.yang@example.com", "resolve", "--resolution", "已补发缺失零件,快递单号已告知客户"),
    ]),
    ("complaint", "维修后一周内同一故障再次出现", "visit", "A", ["--category", "维修质量"], "周芳", "13600003333", [
        ("2026-10-20T10:00", "wang.fang@example.com", "reply", "-m", "已安排技术主管上门检测"),
        ("2026-10-22T16:00", "wang.fang@example.com", "close", "--resolution", "更换主板,延长保修半年"),
        ("2026-10-26T10:00", CALLER, "followup", "--result", "unsatisfied", "--note", "客户反映故障再次出现"),
        ("2026-10-27T10:30", LEAD, "note", "-m", "已联系厂家技术支持,安排二次上门"),
    ]),
    ("complaint", "来函投诉物业收费标准不透明", "letter", "C", ["--category", "收费争议"], "吴志明", None, []),
    ("complaint", "短信通知错误导致客户白跑一趟", "sms", "B", ["--category", "服务态度"], "郑伟", "13500004444", [
        ("2026-11-20T09:00", "liu.yang@example.com", "reply", "-m", "已电话致歉,核实是短信模板日期错误"),
    ]),
    ("inquiry", "发票如何开具增值税专用发票", "phone", "C", [], "冯敏", "13400005555", [
        ("2026-11-10T09:31", "li.na@example.com", "reply", "-m", "已告知开票所需资料及办理流程"),
        ("2026-11-10T09:35", "li.na@example.com", "close", "--resolution", "已答复开票流程,客户无其他问题"),
    ]),
    ("inquiry", "会员积分什么时候到期", "online", "C", [], "陈晨", None, [
        ("2026-11-11T14:02", "zhou.min@example.com", "reply", "-m", "积分有效期为获得后 24 个月"),
        ("2026-11-11T14:05", "zhou.min@example.com", "close", "--resolution", "已答复积分规则"),
    ]),
    ("inquiry", "咨询产品保修期限及范围", "email", "C", [], "楚云", None, [
        ("2026-11-12T10:00", "li.na@example.com", "reply", "-m", "整机保修一年,压缩机保修三年"),
    ]),
    ("inquiry", "门店营业时间及地址", "sms", "C", [], "魏东", "13300006666", []),
    ("inquiry", "企业采购是否有批量优惠", "visit", "B", [], "蒋涛", None, [
        ("2026-11-13T15:00", "zhou.min@example.com", "reply", "-m", "已转销售部,销售经理将在一个工作日内联系"),
        ("2026-11-13T15:10", "zhou.min@example.com", "pending", "--reason", "等待销售部报价"),
    ]),
    ("inquiry", "如何修改账户绑定手机号", "online", "C", [], "沈佳", None, [
        ("2026-11-19T20:01", "li.na@example.com", "reply", "-m", "请在 App 我的-账户安全中修改"),
        ("2026-11-19T20:03", "li.na@example.com", "resolve", "--resolution", "已指导客户自助修改"),
    ]),
    ("inquiry", "来函询问年度服务合同续签事宜", "letter", "B", [], "韩梅", None, []),
    ("suggestion", "建议增加晚间在线客服时段", "online", "C", [], "杨帆", None, [
        ("2026-11-04T19:00", "zhou.min@example.com", "reply", "-m", "感谢建议,已提交运营部评估"),
        ("2026-11-06T10:00", "zhou.min@example.com", "close", "--resolution", "已纳入下季度排班优化方案"),
    ]),
    ("suggestion", "建议短信通知中附上维修人员电话", "sms", "C", [], "朱琳", None, []),
    ("suggestion", "建议官网增加维修进度查询", "email", "B", [], "秦川", None, [
        ("2026-11-17T10:00", "li.na@example.com", "reply", "-m", "感谢您的建议,已转技术部门"),
    ]),
    ("suggestion", "来访建议门店增设休息区", "visit", "C", [], "许静", None, [
        ("2026-11-05T11:00", "li.na@example.com", "close", "--resolution", "已转行政部,门店改造时增设"),
    ]),
    ("repair", "冰箱不制冷,无法开机", "phone", "A", ["--field", "address=浦东新区张江路 88 弄 3 号 502", "--field", "product=BCD-520W"], "何平", "13200007777", [
        ("2026-11-14T09:05", "zheng.tao@example.com", "reply", "-m", "已预约明天上午上门检修"),
        ("2026-11-15T16:00", "zheng.tao@example.com", "close", "--resolution", "更换温控器,试机正常"),
        ("2026-11-18T10:00", CALLER, "followup", "--result", "satisfied", "--note", "冰箱使用正常"),
    ]),
    ("repair", "洗衣机脱水时噪音大", "online", "B", ["--field", "product=XQG100"], "吕梁", None, [
        ("2026-11-18T14:01", "zheng.tao@example.com", "reply", "-m", "请先检查运输螺栓是否已拆除"),
        ("2026-11-18T16:00", "zheng.tao@example.com", "pending", "--reason", "等待客户自查后反馈"),
    ]),
    ("repair", "热水器报错 E3", "phone", "B", ["--field", "address=徐汇区漕溪北路 200 号"], "施磊", "13100008888", []),
    ("repair", "空调遥控器失灵", "visit", "C", [], "张云", None, [
        ("2026-11-02T10:00", "zheng.tao@example.com", "close", "--resolution", "现场更换遥控器"),
    ]),
    ("repair", "电视机无信号,需上门", "email", "B", [], "孔亮", None, [
        ("2026-11-19T09:00", "zheng.tao@example.com", "reply", "-m", "已安排 11 月 21 日上门"),
    ]),
    ("after_sales", "申请七天无理由退货", "online", "B", ["--field", "order_no=SO20261101001", "--field", "request=退货", "--field", "amount=1299"], "曹阳", None, [
        ("2026-11-08T10:02", "wu.qiang@example.com", "reply", "-m", "已审核通过,请按地址寄回"),
        ("2026-11-12T15:00", "wu.qiang@example.com", "close", "--resolution", "已收到退货,1299 元已原路退回"),
        ("2026-11-16T11:00", CALLER, "followup", "--result", "unsatisfied", "--note", "退款到账比承诺晚两天"),
    ]),
    ("after_sales", "收到商品颜色不符要求换货", "phone", "B", ["--field", "order_no=SO20261105017", "--field", "request=换货"], "严华", "15800009999", [
        ("2026-11-16T10:00", "wu.qiang@example.com", "reply", "-m", "已安排换货,新品明日发出"),
        ("2026-11-18T17:00", "wu.qiang@example.com", "resolve", "--resolution", "新品已签收,旧品已回收"),
    ]),
    ("after_sales", "订单取消后退款未到账", "email", "A", ["--field", "order_no=SO20261110033", "--field", "request=退款", "--field", "amount=560"], "华强", None, [
        ("2026-11-20T09:30", "wu.qiang@example.com", "reply", "-m", "已联系财务核查退款进度"),
    ]),
    ("after_sales", "来函要求退还延保费用", "letter", "C", ["--field", "order_no=SO20260930008", "--field", "request=退款"], "金鑫", None, []),
    ("after_sales", "短信咨询换货进度", "sms", "C", ["--field", "order_no=SO20261102021", "--field", "request=换货"], "陶然", "15900001234", [
        ("2026-11-06T11:00", "wu.qiang@example.com", "close", "--resolution", "已告知物流单号"),
    ]),
    ("special_service", "预约家电深度清洗服务", "phone", "C", ["--field", "service=空调深度清洗", "--field", "fee=150"], "姜文", "15000002345", [
        ("2026-11-09T10:00", "wu.qiang@example.com", "reply", "-m", "已预约 11 月 12 日下午"),
        ("2026-11-12T17:00", "wu.qiang@example.com", "close", "--resolution", "清洗完成,客户现场确认"),
    ]),
    ("special_service", "预约节假日上门安装", "online", "B", ["--field", "service=新机安装"], "戚薇", None, [
        ("2026-11-19T10:05", "wu.qiang@example.com", "reply", "-m", "已为您预约周六上午"),
    ]),
    ("special_service", "来访预约旧机回收", "visit", "C", ["--field", "service=旧机回收"], "谢娜", None, []),
    ("work_order", "协调工程部排查 3 号楼供水压力不足", "email", "A", ["--field", "from_department=客户服务中心", "--group", "engineering"], None, None, [
        ("2026-11-10T10:00", "ma.jun@example.com", "reply", "-m", "已签收,今日派人排查"),
        ("2026-11-11T16:00", "ma.jun@example.com", "close", "--resolution", "更换加压泵阀门,水压恢复正常"),
    ]),
    ("work_order", "请财务部核对 10 月退款差异", "email", "B", ["--field", "from_department=客户服务中心", "--group", "finance"], None, None, [
        ("2026-11-13T09:00", "gao.yan@example.com", "reply", "-m", "已签收,正在核对"),
        ("2026-11-17T10:00", LEAD, "note", "-m", "已发跟催性工作联系单", "--chase"),
    ]),
    ("work_order", "工程部更换小区路灯", "phone", "C", ["--field", "from_department=客户服务中心", "--group", "engineering"], None, None, []),
    ("work_order", "财务部出具赔付审批意见", "letter", "A", ["--field", "from_department=客户服务中心", "--field", "kind=协助指令", "--group", "finance"], None, None, [
        ("2026-11-19T09:00", "gao.yan@example.com", "pending", "--reason", "等待分管领导签字"),
    ]),
    ("complaint", "在线客服答复前后矛盾", "online", "C", ["--category", "服务态度"], "方圆", None, [
        ("2026-10-14T10:01", "liu.yang@example.com", "reply", "-m", "抱歉给您带来困扰,已核实正确信息"),
        ("2026-10-14T15:00", "liu.yang@example.com", "close", "--resolution", "更正答复内容并对坐席进行复训"),
        ("2026-10-16T10:00", CALLER, "followup", "--result", "satisfied"),
    ]),
    ("inquiry", "咨询旧机以旧换新政策", "phone", "C", [], "邓超", "18600003456", [
        ("2026-10-09T10:10", "li.na@example.com", "reply", "-m", "已说明补贴标准"),
        ("2026-10-09T10:12", "li.na@example.com", "close", "--resolution", "已答复以旧换新政策"),
    ]),
    ("repair", "燃气灶点火困难", "phone", "B", [], "柳青", "18700004567", [
        ("2026-10-15T09:00", "zheng.tao@example.com", "reply", "-m", "已预约上门"),
        ("2026-10-16T15:00", "zheng.tao@example.com", "close", "--resolution", "清理点火针,恢复正常"),
        ("2026-10-20T09:30", CALLER, "followup", "--result", "satisfied"),
    ]),
    ("after_sales", "要求维修发票重开", "email", "C", ["--field", "order_no=SO20261008002", "--field", "request=维修"], "白露", None, [
        ("2026-10-21T09:00", "wu.qiang@example.com", "close", "--resolution", "已重开发票并邮寄"),
    ]),
]

# creation times: spread over October and November 2026, working hours mostly
CREATED = [
    "2026-11-02T09:05", "2026-11-05T09:50", "2026-11-09T14:01", "2026-11-16T09:00", "2026-11-18T09:30",
    "2026-10-19T16:40", "2026-11-20T10:15", "2026-11-19T17:10", "2026-11-10T09:30", "2026-11-11T14:00",
    "2026-11-12T09:00", "2026-11-21T10:00", "2026-11-13T14:20", "2026-11-19T20:00", "2026-11-20T11:00",
    "2026-11-04T18:55", "2026-11-20T13:00", "2026-11-16T16:00", "2026-11-05T10:30", "2026-11-14T08:50",
    "2026-11-18T14:00", "2026-11-20T15:30", "2026-11-02T09:00", "2026-11-18T11:00", "2026-11-08T10:00",
    "2026-11-16T09:20", "2026-11-19T16:30", "2026-11-17T09:00", "2026-11-06T10:30", "2026-11-09T09:40",
    "2026-11-19T10:00", "2026-11-20T14:00", "2026-11-10T08:45", "2026-11-12T16:00", "2026-11-18T15:00",
    "2026-11-18T16:30", "2026-10-14T09:58", "2026-10-09T10:00", "2026-10-15T08:40", "2026-10-20T14:00",
]


# graded customers (分级管理): name, tier, phone, owner, since, visits [(time, result, note)]
CUSTOMERS = [
    ("上海华联商厦", "A", "02163001234", LEAD, "2025-03-10", [("2026-10-12T10:00", "satisfied", "季度合作回顾")]),
    ("张建国", "A", "13812345678", CALLER, "2024-11-02", [("2026-09-28T15:00", "satisfied", None)]),
    ("赵丽华", "B", "13700002222", CALLER, "2025-06-16", [("2026-08-20T11:00", "satisfied", None)]),
    ("何平", "B", "13200007777", CALLER, "2026-02-14", []),
    ("周芳", "C", "13600003333", CALLER, "2025-10-19", []),
]


def roster_block() -> str:
    """The roster file's ``roster:`` block, to put in place of the one init wrote."""
    text = ROSTER_FILE.read_text(encoding="utf-8")
    return text[text.index("\nroster:") + 1:].rstrip("\n")


def _seeded_ids(seed: int = 2026) -> None:
    """Mint the sample's IDs from a fixed seed, so regenerating it gives the same files."""
    rng = random.Random(seed)

    def mint(prefix: str, year: int) -> str:
        return f"{prefix}-{year:04d}-" + "".join(rng.choice(ids.ALPHABET) for _ in range(ids.RANDOM_LEN))

    ids.mint_ticket_id = mint
    ids.mint_customer_id = lambda: "C-" + "".join(rng.choice(ids.ALPHABET) for _ in range(6))


def main(target: Path) -> None:
    _seeded_ids()
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["--store", str(target), "--no-commit", *args], catch_exceptions=False)
        if result.exit_code != 0:
            raise SystemExit(f"cstool {' '.join(args)} failed: {result.output}")
        return result.output.strip()

    if target.exists():
        shutil.rmtree(target)
    init = runner.invoke(cli, ["--as", "chen.jing@example.com", "init", str(target), "--name", "华东客户服务中心", "--no-git", "--user-name", "陈静"])
    assert init.exit_code == 0, init.output
    config = (target / "cstool.yaml").read_text(encoding="utf-8")
    start = config.index("roster:")
    end = config.index("\n\n", start)
    (target / "cstool.yaml").write_text(config[:start] + roster_block() + config[end:], encoding="utf-8")

    customer_ids = {}
    for name, tier, phone, owner, since, visits in CUSTOMERS:
        cid = run("--as", LEAD, "--now", since + "T09:00", "customer", "add", "--name", name, "--tier", tier,
                  "--phone", phone, "--owner", owner, "--since", since)
        customer_ids[name] = cid
        for when, result, note in visits:
            run("--as", owner, "--now", when, "customer", "visit", cid, "--result", result,
                *(["--note", note] if note else []))

    assert len(CREATED) >= len(TICKETS)
    for (ttype, title, channel, priority, extra, customer, phone, steps), created in zip(TICKETS, CREATED):
        args = ["--as", LEAD if ttype != "work_order" else SUP, "--now", created, "create", "-q", "--type", ttype,
                "--title", title, "--channel", channel, "--priority", priority, *extra]
        if customer in customer_ids:
            args += ["--customer", customer_ids[customer]]
        elif customer:
            args += ["--customer", customer]
            if phone:
                args += ["--phone", phone]
        ticket_id = run(*args)
        for when, actor, cmd, *rest in steps:
            if actor not in FIXED_ACTORS:
                # agents act on the tickets the group's method gave them
                current = json.loads(run("show", ticket_id, "--json")).get("assignee")
                actor = current or LEAD
            run("--as", actor, "--now", when, cmd, ticket_id, *rest)
    print(f"sample desk written to {target}: {len(TICKETS)} tickets, {len(CUSTOMERS)} customers")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "records")
