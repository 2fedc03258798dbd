"""Demo 民呼我应 data: the service catalogue and a year of requests across the demo city.

Each request is simulated through the same steps the services take (受理 → 派单 → 签收 → 办理 →
答复 → 回访 → 办结, with 退单, 延期, 重办, 超期, 督办, 合并, 撤销 and 吹哨报到 on some), with the
same fields, event kinds, notes and event data, and cut off at "now": requests of the last days
are still open in every state. Calling the services for each step would take about a minute per
hundred requests; writing rows takes seconds for thousands, and tests/test_demo_replay.py replays
a sample that walks every path through the services and checks both write the same rows. Rows go
in as tuples through :class:`jiceng.core.bulk.SpoolSink` in chunks (memory stays flat up to
millions of requests); :func:`jiceng.appeals.stats.rebuild_sql` then recomputes the rate tables
from the timeline in SQL (the same rows as the replay).
Deterministic for a seed and a day. From ``BULK_LOAD_FROM`` requests on PostgreSQL the tables'
plain indexes and foreign keys are made after the rows (5 M requests: see docs/benchmarks-appeals.md).
"""

import bisect
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from json import dumps

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.appeals import stats
from jiceng.appeals.deadlines import compute_due, describe_limit, extend_due
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    Category,
    Channel,
    EventKind,
    Extension,
    ExtensionStatus,
    Kind,
    LocationSource,
    Outcome,
    ResponsibleLevel,
    Satisfaction,
    Status,
    SummonsStatus,
    Urgency,
    Whistle,
    WhistleCase,
    WhistleStatus,
    WhistleSummons,
)
from jiceng.appeals.rules import REMIND_BEFORE_RATIO, deadline_limits
from jiceng.appeals.services import appeal_number, create_category
from jiceng.areas.models import Area, Level
from jiceng.core.bulk import SpoolSink, reset_sequences
from jiceng.core.dates import add_years
from jiceng.core.rules import get_rule
from jiceng.demo.party import _name
from jiceng.orgs.models import Department

CHUNK = 20_000  # appeals per insert round: memory stays bounded whatever the count
RESIDENT_POOL = 300  # demo resident accounts that report through the phone pages
BULK_LOAD_FROM = 200_000  # requests from which PostgreSQL loads without indexes, then builds them
C = Channel
G, CM, ST, DP, DI = (
    ResponsibleLevel.GRID,
    ResponsibleLevel.COMMUNITY,
    ResponsibleLevel.STREET,
    ResponsibleLevel.DEPARTMENT,
    ResponsibleLevel.DISTRICT,
)
E, U, N, X = Urgency.EMERGENCY, Urgency.URGENT, Urgency.GENERAL, Urgency.COMPLEX

# (group, [(name, level, department keyword, urgency, weight, season, whistle departments, texts)])
# season: months (1–12) with more requests; texts: descriptions with {place} and {b} (building).
CATALOGUE = [
    (
        "市容环境",
        "城市管理",
        [
            (
                "占道经营",
                G,
                "",
                N,
                40,
                (5, 6, 7, 8, 9),
                (),
                [
                    "{place}门口有流动摊贩占道经营，晚上七点以后尤其多，影响行人通行。",
                    "{place}路口早餐摊占用人行道，垃圾随地丢，希望管一管。",
                    "{place}附近有人在盲道上摆摊卖水果，老人推车过不去。",
                ],
            ),
            (
                "乱堆乱放",
                G,
                "",
                N,
                35,
                (),
                (),
                [
                    "{place}{b}楼道里堆满杂物和纸箱，存在消防隐患，请社区清理。",
                    "{place}绿化带里有人堆放建筑垃圾已经一个多星期了。",
                    "{place}{b}楼下停车棚堆放废旧家具，占用公共空间。",
                ],
            ),
            (
                "户外广告",
                DP,
                "城市管理",
                N,
                8,
                (),
                (),
                [
                    "{place}沿街店铺私自安装的广告牌松动，刮风时摇晃，担心掉下来砸人。",
                    "{place}围墙上小广告贴得到处都是，反复清理又反复出现。",
                ],
            ),
        ],
    ),
    (
        "物业管理",
        "物业",
        [
            (
                "物业服务",
                CM,
                "",
                N,
                60,
                (),
                (),
                [
                    "{place}物业长期不打扫楼道，{b}单元门禁坏了一个月没人修。",
                    "{place}物业费每年都收，但小区路灯坏了好几盏一直不修。",
                    "{place}{b}电梯经常停运，物业只贴通知不维修，老人上下楼很困难。",
                ],
            ),
            (
                "物业收费",
                CM,
                "",
                N,
                18,
                (1, 12),
                (),
                [
                    "{place}物业今年突然上调物业费，没有开业主大会，请问是否合规？",
                    "{place}停车费收费标准不透明，物业拒绝公示收支情况。",
                ],
            ),
            (
                "业委会事务",
                ST,
                "",
                X,
                6,
                (),
                (),
                [
                    "{place}业委会换届拖了两年没有进行，请街道指导召开业主大会。",
                    "{place}维修资金使用不公开，业主要求查看账目。",
                ],
            ),
        ],
    ),
    (
        "违章建筑",
        "违建",
        [
            (
                "违法建设",
                DP,
                "城市管理",
                X,
                22,
                (3, 4, 5),
                ("城市管理局", "住房和城乡建设局", "公安分局"),
                [
                    "{place}{b}顶楼住户在楼顶加盖彩钢房，影响楼下防水和安全。",
                    "{place}一楼住户私自扩建院子、砌围墙，占用公共绿地。",
                    "{place}{b}有住户正在拆承重墙装修，楼上楼下都很担心。",
                ],
            ),
            (
                "群租房",
                CM,
                "",
                N,
                10,
                (2, 3, 9),
                ("公安分局", "住房和城乡建设局"),
                [
                    "{place}{b}一套房子隔成十几个小间出租，人员进出复杂，存在安全隐患。",
                    "{place}有群租房，晚上吵闹，楼道里电动车充电很危险。",
                ],
            ),
        ],
    ),
    (
        "噪音扰民",
        "噪音",
        [
            (
                "施工噪音",
                DP,
                "生态环境",
                N,
                28,
                (4, 5, 6, 7, 8, 9, 10),
                ("生态环境分局", "城市管理局"),
                [
                    "{place}旁边工地晚上十点以后还在施工打桩，严重影响休息。",
                    "{place}附近工地凌晨运渣土车来回，噪音很大。",
                ],
            ),
            (
                "生活噪音",
                G,
                "",
                N,
                30,
                (6, 7, 8),
                (),
                [
                    "{place}广场舞音响声音太大，每天晚上持续到九点半以后。",
                    "{place}{b}楼上住户深夜经常拖动家具、跳绳，协商多次无果。",
                    "{place}楼下烧烤店夜间营业喧哗，空调外机噪音也很大。",
                ],
            ),
        ],
    ),
    (
        "停车管理",
        "停车",
        [
            (
                "小区停车",
                ST,
                "",
                X,
                30,
                (),
                ("公安分局", "城市管理局"),
                [
                    "{place}车位严重不足，晚上车辆停满消防通道，希望规划停车位。",
                    "{place}外来车辆随意进出停放，居民回家没有车位。",
                ],
            ),
            (
                "占道停车",
                DP,
                "公安",
                N,
                20,
                (),
                (),
                [
                    "{place}门口机动车长期占用人行道和盲道停放。",
                    "{place}路边僵尸车停放半年以上，落满灰尘，占用车位。",
                ],
            ),
            (
                "电动车充电",
                CM,
                "",
                N,
                16,
                (5, 6, 7, 8),
                (),
                [
                    "{place}{b}有住户从楼道里拉飞线给电动车充电，非常危险。",
                    "{place}希望增设电动自行车集中充电桩，方便居民充电。",
                ],
            ),
        ],
    ),
    (
        "老旧小区改造",
        "改造",
        [
            (
                "改造施工",
                ST,
                "",
                X,
                14,
                (3, 4, 5, 9, 10, 11),
                ("住房和城乡建设局", "城市管理局"),
                [
                    "{place}老旧小区改造施工期间道路开挖后一直没有恢复，出行不便。",
                    "{place}改造中外墙保温施工质量差，{b}有几户出现渗水。",
                ],
            ),
            (
                "改造需求",
                ST,
                "",
                X,
                10,
                (),
                (),
                [
                    "{place}建成三十多年，雨污管网老化，希望纳入老旧小区改造计划。",
                    "{place}屋面漏水严重，{b}顶楼住户希望尽快维修。",
                ],
            ),
        ],
    ),
    (
        "加装电梯",
        "电梯",
        [
            (
                "加装电梯",
                ST,
                "",
                X,
                12,
                (),
                ("住房和城乡建设局", "市场监督管理局"),
                [
                    "{place}{b}多数住户同意加装电梯，一楼住户反对，希望街道协调。",
                    "{place}{b}加装电梯审批材料已提交两个月，请问进度如何？",
                    "{place}{b}加装电梯施工影响低层采光，要求停工协商。",
                ],
            ),
        ],
    ),
    (
        "供水供电供气",
        "水电气",
        [
            (
                "停水",
                DP,
                "水务",
                U,
                20,
                (6, 7, 8, 1),
                ("水务局", "住房和城乡建设局"),
                [
                    "{place}{b}从早上开始停水，没有看到任何通知。",
                    "{place}楼下水管爆裂，水漫到路面上，请尽快抢修。",
                    "{place}自来水发黄有异味，已经持续两天。",
                ],
            ),
            (
                "停电",
                DP,
                "住房和城乡建设",
                U,
                14,
                (7, 8),
                (),
                [
                    "{place}{b}整栋楼停电三个多小时，家里有老人需要用制氧机。",
                    "{place}楼道公共照明线路老化，经常跳闸停电。",
                ],
            ),
            (
                "燃气",
                DP,
                "住房和城乡建设",
                E,
                6,
                (12, 1, 2),
                ("住房和城乡建设局", "城市管理局"),
                [
                    "{place}{b}楼道里闻到明显的燃气味，请马上派人检查！",
                    "{place}燃气管道被施工挖断，现场有漏气声。",
                ],
            ),
        ],
    ),
    (
        "道路设施",
        "道路",
        [
            (
                "道路破损",
                DP,
                "城市管理",
                N,
                18,
                (6, 7, 8),
                (),
                [
                    "{place}门口路面坑洼，下雨天积水，电动车容易滑倒。",
                    "{place}人行道地砖松动翘起，已经有老人绊倒。",
                ],
            ),
            (
                "窨井盖",
                DP,
                "城市管理",
                E,
                6,
                (),
                ("城市管理局", "水务局"),
                [
                    "{place}路边窨井盖缺失，只放了个塑料桶，夜里非常危险！",
                    "{place}窨井盖破损下陷，车辆经过声响很大。",
                ],
            ),
            (
                "路灯",
                DP,
                "城市管理",
                N,
                12,
                (10, 11, 12, 1),
                (),
                [
                    "{place}附近一段路灯全部不亮，晚上走路很不安全。",
                    "{place}路灯白天也亮着，浪费电。",
                ],
            ),
            (
                "积水内涝",
                DP,
                "水务",
                U,
                10,
                (6, 7),
                ("水务局", "城市管理局"),
                [
                    "{place}暴雨后积水没过脚踝，下水道堵塞排不出去。",
                    "{place}地下车库进水，请尽快抽排。",
                ],
            ),
        ],
    ),
    (
        "绿化",
        "绿化",
        [
            (
                "树木修剪",
                CM,
                "",
                N,
                16,
                (4, 5, 6, 7),
                (),
                [
                    "{place}{b}窗前的树长得太高，挡住采光，树枝还碰到电线。",
                    "{place}梧桐飞絮严重，希望提前修剪。",
                ],
            ),
            (
                "绿地养护",
                CM,
                "",
                N,
                10,
                (3, 4, 5),
                (),
                [
                    "{place}绿地被人种菜，搭了架子，影响小区环境。",
                    "{place}草坪长期无人养护，杂草丛生有蚊虫。",
                ],
            ),
        ],
    ),
    (
        "养老服务",
        "养老",
        [
            (
                "居家养老",
                CM,
                "",
                N,
                14,
                (),
                (),
                [
                    "{place}{b}独居老人行动不便，希望社区安排上门助餐服务。",
                    "{place}请问社区老年食堂怎么办理助餐卡？",
                ],
            ),
            (
                "养老补贴",
                DP,
                "民政",
                N,
                8,
                (1, 2),
                (),
                [
                    "家里老人满80周岁，请问高龄津贴怎么申请？住在{place}。",
                    "{place}居民咨询居家适老化改造补贴的申请条件。",
                ],
            ),
        ],
    ),
    (
        "社会保障",
        "社保",
        [
            (
                "低保救助",
                DP,
                "民政",
                N,
                10,
                (1, 12),
                (),
                [
                    "{place}居民家庭困难，丈夫重病，咨询低保申请流程。",
                    "{place}困难家庭临时救助申请已经一个月，没有回音。",
                ],
            ),
            (
                "医保社保",
                CM,
                "",
                N,
                12,
                (1, 2, 9),
                (),
                [
                    "{place}居民咨询城乡居民医保缴费时间和标准。",
                    "{place}灵活就业人员社保断缴了三个月，怎么补缴？",
                ],
            ),
        ],
    ),
    (
        "邻里纠纷",
        "纠纷",
        [
            (
                "邻里纠纷",
                G,
                "",
                N,
                24,
                (),
                (),
                [
                    "{place}{b}楼上卫生间漏水到我家，对方不愿意维修，请网格员调解。",
                    "{place}邻居在公共楼道安装摄像头对着我家门口，多次沟通无果。",
                    "{place}{b}邻居家养的狗经常半夜叫，还在楼道里随地大小便。",
                ],
            ),
            (
                "宠物管理",
                G,
                "",
                N,
                10,
                (4, 5, 6),
                (),
                [
                    "{place}有人遛狗不牵绳，小孩被吓到，希望加强管理。",
                    "{place}流浪猫聚集，有居民投喂，气味很大。",
                ],
            ),
        ],
    ),
    (
        "消防安全",
        "消防",
        [
            (
                "消防通道",
                DP,
                "公安",
                U,
                10,
                (),
                ("公安分局", "城市管理局"),
                [
                    "{place}消防通道被私家车长期堵占，出了事消防车进不来！",
                    "{place}消防通道被设置地锁和栏杆，请检查。",
                ],
            ),
            (
                "消防设施",
                CM,
                "",
                N,
                8,
                (11, 12, 1),
                (),
                [
                    "{place}{b}楼道灭火器过期了，消火栓里没有水带。",
                    "{place}{b}应急照明灯不亮，安全出口指示牌坏了。",
                ],
            ),
        ],
    ),
    (
        "垃圾分类",
        "垃圾",
        [
            (
                "垃圾清运",
                G,
                "",
                N,
                22,
                (6, 7, 8, 9),
                (),
                [
                    "{place}垃圾桶满了没有及时清运，夏天气味很大，招苍蝇。",
                    "{place}大件垃圾堆放点一周没有清运。",
                ],
            ),
            (
                "分类投放",
                CM,
                "",
                N,
                10,
                (),
                (),
                [
                    "{place}垃圾分类投放点定时定点时间太早，上班族来不及投放。",
                    "{place}厨余垃圾桶破损，希望更换。",
                ],
            ),
        ],
    ),
    (
        "市场监管",
        "食品",
        [
            (
                "食品安全",
                DP,
                "市场监督",
                N,
                10,
                (6, 7, 8),
                (),
                [
                    "{place}附近一家小餐馆后厨卫生很差，吃完拉肚子。",
                    "{place}超市售卖过期食品，已保留购物小票。",
                ],
            ),
            (
                "消费投诉",
                DP,
                "市场监督",
                N,
                8,
                (),
                (),
                [
                    "{place}附近健身房突然关门，预付卡无法退款。",
                    "{place}理发店办卡后拒绝按约定服务，要求退卡。",
                ],
            ),
        ],
    ),
    (
        "卫生健康",
        "卫生",
        [
            (
                "医疗服务",
                DP,
                "卫生健康",
                N,
                6,
                (1, 2, 12),
                (),
                [
                    "{place}社区卫生服务中心周末不开门，看病不方便。",
                    "{place}居民咨询家庭医生签约怎么办理。",
                ],
            ),
            (
                "病媒防治",
                CM,
                "",
                N,
                6,
                (6, 7, 8, 9),
                (),
                [
                    "{place}地下室老鼠很多，希望社区统一灭鼠。",
                    "{place}积水处蚊虫滋生，请组织消杀。",
                ],
            ),
        ],
    ),
    (
        "其他",
        "",
        [
            (
                "政策咨询",
                CM,
                "",
                N,
                14,
                (),
                (),
                [
                    "{place}居民咨询新生儿落户需要哪些材料。",
                    "{place}居民咨询居住证办理地点和时间。",
                    "请问{place}所在片区的学区划分是怎样的？",
                ],
            ),
            (
                "意见建议",
                ST,
                "",
                N,
                6,
                (),
                (),
                [
                    "建议在{place}附近增设公交站点，方便老人出行。",
                    "建议{place}周边增加公共厕所和休息座椅。",
                ],
            ),
        ],
    ),
]

CHANNELS = [(C.HOTLINE, 52), (C.GRID, 24), (C.RESIDENT, 14), (C.OPEN311, 4), (C.TRANSFER, 6)]
KINDS = [(Kind.APPEAL, 52), (Kind.COMPLAINT, 24), (Kind.HELP, 10), (Kind.CONSULT, 10), (Kind.SUGGESTION, 4)]
# Season of the whole hotline (Nanjing: summer heat and rain, the new year holidays).
MONTH_WEIGHT = {1: 0.9, 2: 0.75, 3: 0.95, 4: 1.0, 5: 1.05, 6: 1.15, 7: 1.3, 8: 1.3, 9: 1.05, 10: 0.9, 11: 0.9, 12: 0.9}
WEEKDAY_WEIGHT = [1.08, 1.05, 1.03, 1.02, 1.0, 0.72, 0.66]
HOUR_WEIGHT = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 2, 5, 9, 11, 11, 9, 6, 7, 9, 10, 9, 8, 6, 6, 7, 6, 4, 2]
PROGRESS_NOTES = [
    "已电话联系诉求人，约定今天下午到现场查看。",
    "网格员到现场核实，情况属实，已拍照留存。",
    "已联系物业公司负责人，要求限期整改。",
    "已会同社区民警上门做工作。",
    "已协调施工单位，明确整改时间表。",
    "已约谈相关当事人，正在调解。",
]
ANSWERS = {
    Outcome.RESOLVED: [
        "经现场核实，问题已处理完毕，已电话告知诉求人。",
        "已协调相关单位完成整改，现场已恢复正常。",
        "已安排人员维修，诉求人确认问题已解决。",
        "已向诉求人详细解答相关政策和办理流程，诉求人表示清楚。",
        "执法队员已到场处置，责令当事人立即整改，现已整改到位。",
    ],
    Outcome.PARTLY: [
        "已完成临时处置，长期解决方案需纳入改造计划，将持续跟进。",
        "已协调物业先行整改部分问题，其余问题需业主大会表决。",
        "当事人已部分整改，我们将继续督促。",
    ],
    Outcome.UNRESOLVED: [
        "该问题涉及历史遗留产权纠纷，暂无法解决，已向诉求人说明情况。",
        "经核实，诉求超出政策规定范围，已做好解释工作。",
    ],
}
COMMENTS_GOOD = ["", "", "", "处理很及时，谢谢！", "网格员很负责。", "态度很好。"]
COMMENTS_BAD = ["问题还在，没有实质解决。", "只打了电话，没有人来现场。", "答复敷衍。", "处理太慢。"]
RETURN_REASONS = [
    "经核实，该事项不属于本单位职责范围，请重新派单。",
    "诉求地址不在本辖区，请核实后改派。",
    "该事项需职能部门执法，请派至相关部门。",
]
REOPEN_NOTES = ["诉求人反映问题仍未解决，请重新办理并上门核实。", "回访不满意，请重新研判，务必见到实效。"]
CLOSE_NOTES = ["经研判，诉求超出政策范围，已做好解释，按不满意办结。", "诉求人诉求不合理，已多次沟通，予以办结。"]
CANCEL_REASONS = [
    "诉求人来电表示问题已自行解决，申请撤销。",
    "诉求人误报，申请撤销。",
    "无效来电，内容与政务服务无关。",
]
SUPERVISE_NOTES = ["群众反映强烈，请于3个工作日内办结并报告结果。", "该诉求已超期，请主要负责同志亲自督办。"]
EXTENSION_REASONS = ["需协调多个部门现场会商，申请延期。", "维修需要采购材料，工期较长，申请延期。"]
WHISTLE_PLANS = [
    "已派执法中队到场，依法责令停工整改。",
    "已安排技术人员到场勘查，制定处置方案。",
    "已到场对接，明天上午组织联合会商。",
    "抢修队伍已出发，预计1小时内到场。",
]
WHISTLE_FEEDBACK = [
    "已完成现场处置，后续纳入常态化巡查。",
    "已依法立案处理，当事人已签署整改承诺书。",
    "抢修完毕，已恢复正常。",
]
INCIDENTS = [
    (WhistleCase.EMERGENCY, "{place}主干道路面塌陷应急处置", ("城市管理局", "水务局", "公安分局")),
    (WhistleCase.EMERGENCY, "{place}供水管道爆裂抢修", ("水务局", "城市管理局")),
    (WhistleCase.ENFORCEMENT, "{place}沿街违法建设集中整治", ("城市管理局", "住房和城乡建设局")),
    (WhistleCase.ENFORCEMENT, "{place}无证餐饮油烟扰民联合执法", ("市场监督管理局", "生态环境分局", "城市管理局")),
]


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def _choice(rnd: random.Random, weighted: list):
    return rnd.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def ensure_catalogue() -> list[Category]:
    """The demo service catalogue, created through the catalogue service once; its leaves."""
    if not Category.objects.exists():
        for order, (group, keyword, leaves) in enumerate(CATALOGUE, start=1):
            parent = create_category(
                None, name=group, keywords=keyword, responsible_level=ResponsibleLevel.COMMUNITY, sort_order=order
            )
            for n, (name, level, dept, urgency, *_rest) in enumerate(leaves, start=1):
                deadlines = {}
                if name in ("加装电梯", "业委会事务"):  # 疑难: 20 working days in this city
                    deadlines = {X: {"answer": "20wd"}}
                create_category(
                    None,
                    name=name,
                    parent=parent,
                    responsible_level=level,
                    department_keyword=dept,
                    default_urgency=urgency,
                    deadlines=deadlines,
                    keywords=f"{group},{name}",
                    description=f"{group}类诉求：{name}",
                    sort_order=n,
                )
    return list(Category.objects.filter(parent__isnull=False, is_active=True).order_by("code"))


class Places:
    """The demo city's nodes: grids to report from, their buildings, the units to dispatch to."""

    def __init__(self):
        rows = Area.objects.filter(
            level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID, Level.COMPOUND]
        ).values_list("id", "code", "name", "level")
        self.nodes: dict[str, tuple[int, str]] = {}
        self.compounds: dict[str, list[tuple[int, str, str]]] = {}
        self.grids: list[tuple[int, str, str]] = []
        for pk, code, name, level in rows.iterator(chunk_size=5000):
            if level == Level.COMPOUND:
                self.compounds.setdefault(code[:15], []).append((pk, code, name))
            else:
                self.nodes[code] = (pk, name, level)
                if level == Level.GRID:
                    self.grids.append((pk, code, name))
        self.grids.sort(key=lambda g: g[1])
        # Buildings as (first id, count) per compound: the generator issues them in a run (ids and
        # codes 001, 002 …), so a building is found without holding millions of rows in memory.
        self.buildings: dict[int, tuple[int, int]] = {}
        runs = (
            Area.objects.filter(level=Level.BUILDING, parent__level=Level.COMPOUND)
            .values("parent_id")
            .annotate(lo=Min("id"), hi=Max("id"), n=Count("id"), last=Max("code"))
            .values_list("parent_id", "lo", "hi", "n", "last")
        )
        for parent, lo, hi, n, last in runs.iterator(chunk_size=20000):
            if hi - lo + 1 == n and last.endswith(f"{n:03d}"):
                self.buildings[parent] = (lo, n)
        # Departments that serve a path: anchored on it or above, or serving an area covering it.
        self.departments: dict[str, list[tuple[int, str, str]]] = {}
        for pk, name, path in Department.objects.values_list("id", "name", "area_path"):
            self.departments.setdefault(path, []).append((pk, name, path))
        for pk, name, path, served in Department.objects.filter(areas_served__isnull=False).values_list(
            "id", "name", "area_path", "areas_served__code"
        ):
            self.departments.setdefault(served, []).append((pk, name, path))

    def serving(self, path: str, keyword: str = "") -> list[tuple[int, str, str]]:
        found = {}
        for n in range(4, len(path) + 1):
            for dept in self.departments.get(path[:n], ()):
                if keyword in dept[1]:
                    found[dept[0]] = dept
        return sorted(found.values(), key=lambda d: (-len(d[2]), d[1], d[0]))

    def area(self, code: str):
        node = self.nodes.get(code)
        return (node[0], code, node[1], node[2]) if node else None


LEVEL_LENGTH = {G: 15, CM: 12, ST: 9, DI: 6}
DISPATCH_LEVELS = {Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT}


def suggest(places: Places, cat: dict, path: str):
    """(area, department) as services.suggest_dispatch picks them: (id, code, name) or None."""
    if cat["level"] == DP:
        found = places.serving(path, cat["keyword"])
        if found:
            return None, found[0]
    else:
        code = path[: LEVEL_LENGTH[cat["level"]]]
        node = places.area(code)
        if node is not None and node[3] in DISPATCH_LEVELS and node[3] != Level.DISTRICT:
            return node[:3], None
    district = places.area(path[:6])
    return (district[:3] if district else None), None


# Events whose service changes the appeal's row (so its updated_at) without a new status; flags
# the scan sets (overdue) and 吹哨 steps leave it as it was.
SAVES_APPEAL = {EventKind.SUPERVISE, EventKind.EXTEND_REQUEST, EventKind.EXTEND_APPROVE}


class Timeline:
    """One appeal's events, stopped at ``now``: anything later has not happened yet."""

    def __init__(self, appeal: dict, now: datetime):
        self.appeal = appeal
        self.now = now
        self.events: list[dict] = []
        self.stopped = False

    def add(self, kind, at, actor, note, from_status="", to_status="", public=True, dept=..., target="", data=None):
        """One event, as services._event writes it: by default on the department the appeal is with."""
        if at > self.now or (self.stopped and to_status):
            self.stopped = self.stopped or bool(to_status)
            return False
        self.events.append(
            dict(
                kind=kind,
                at=at,
                actor_id=actor[0] if actor else None,
                actor_name=(actor[1] if actor else "系统")[:100],
                from_status=from_status,
                to_status=to_status,
                note=note,
                public=public,
                department_id=self.appeal.get("assigned_department_id") if dept is ... else dept,
                target_name=target[:120],
                data=data or {},
            )
        )
        if to_status:
            self.appeal["status"] = to_status
        if to_status or kind in SAVES_APPEAL:
            self.appeal["updated_at"] = at
        return True


@dataclass(slots=True)
class Case:
    """One appeal while it is generated: what was drawn for it, and the state of its current round."""

    t0: datetime
    cat: dict
    grid: tuple  # (id, code, name)
    area: tuple  # where it is: the grid, a compound or a building
    place: str
    b: str = ""  # the building's name, if any
    address: str = ""
    community: tuple = ()
    street: tuple = ()
    district: tuple = ()
    channel: str = ""
    urgency: str = ""
    limits: dict | None = None
    reporter: tuple | None = None  # a demo resident (id, name, phone)
    dispatch_due: datetime | None = None
    tl: Timeline | None = None
    dispatcher: tuple = ()
    supervisor: tuple = ()
    key: tuple = ()
    merge_target: tuple | None = None
    assignee: str = ""
    handler: tuple = ()
    supervised: bool = False
    overdue_round: bool = False
    whistle_round: bool = False
    round_no: int = 0
    start: datetime | None = None
    due: datetime | None = None
    answer_at: datetime | None = None
    rated_at: datetime | None = None


class Generator:
    def __init__(self, seed: int, count: int, now: datetime, stdout=None):
        self.rnd = random.Random(f"{seed}:appeals")
        self.count = count
        self.now = now
        self.stdout = stdout
        self.places = Places()
        self.ratio = get_rule(REMIND_BEFORE_RATIO)
        self.wait_days = get_rule("appeals.rating_wait_days")
        self.categories = []
        leaves = {(g, leaf[0]): leaf for g, _k, ls in CATALOGUE for leaf in ls}
        for category in ensure_catalogue():
            leaf = leaves.get(tuple(category.full_name.split("/")[:2]))
            self.categories.append(
                dict(
                    obj=category,
                    id=category.pk,
                    name=category.name,
                    level=category.responsible_level,
                    keyword=category.department_keyword,
                    urgency=category.default_urgency,
                    weight=leaf[4] if leaf else 5,
                    season=leaf[5] if leaf else (),
                    whistle=leaf[6] if leaf else (),
                    texts=leaf[7] if leaf else [f"{{place}}居民反映{category.name}问题，请协调处理。"],
                    limits={u: deadline_limits(u, category) for u in Urgency.values},
                )
            )
        self.month_cum = {}
        for month in range(1, 13):
            weights = [c["weight"] * (1.6 if month in c["season"] else 1.0) for c in self.categories]
            self.month_cum[month] = list(_cumulate(weights))
        self.residents = _resident_pool(seed)
        self.ids = {m: _next_id(m) for m in (Appeal, AppealEvent, Whistle, WhistleSummons, Extension)}
        self.recent: dict[tuple, tuple[int, str, str]] = {}
        self.counts = dict.fromkeys(["appeals", "events", "whistles", "summons", "extensions"], 0)

    # ------------------------------------------------------------------ deadlines, as the services

    @lru_cache(maxsize=4096)  # noqa: B019 - one generator per load
    def _day_due(self, day: date, limit: str):
        return compute_due(timezone.make_aware(datetime.combine(day, time(12))), limit)

    def due(self, start: datetime, limit: str):
        if limit.endswith("d"):
            return self._day_due(timezone.localtime(start).date(), limit)
        return compute_due(start, limit)

    def remind(self, start, due):
        return due - (due - start) * self.ratio

    def take(self, model) -> int:
        pk = self.ids[model]
        self.ids[model] += 1
        return pk

    # ------------------------------------------------------------------ the year

    def days(self):
        today = timezone.localtime(self.now).date()
        days = [today - timedelta(days=n) for n in range(365, -1, -1)]
        weights = [MONTH_WEIGHT[d.month] * WEEKDAY_WEIGHT[d.weekday()] for d in days]
        weights[-1] *= min(1.0, timezone.localtime(self.now).hour / 24)  # today so far
        total = sum(weights)
        cum, done = 0.0, 0
        for day, weight in zip(days, weights, strict=True):
            cum += weight
            upto = round(cum / total * self.count)
            yield day, upto - done
            done = upto

    def run(self) -> dict:
        fields = {m: _fields(m) for m in (Appeal, AppealEvent, Whistle, WhistleSummons, Extension)}
        self.sinks = None
        self._open_sinks(fields)
        done = 0
        for day, n in self.days():
            if day.day == 1:
                self.recent.clear()
            times = sorted(self._moment(day) for _ in range(n))
            for t0 in times:
                if t0 > self.now:
                    continue
                self.appeal(t0)
                done += 1
            if sum(s.count for s in self.sinks.values()) >= CHUNK * 10:
                self._flush(fields)
                if self.stdout:
                    self.stdout.write(f"  已生成诉求 {done}/{self.count}")
        for _ in range(max(1, self.count // 2500)):
            self.incident()
        self._flush(fields, reopen=False)
        reset_sequences(Appeal, AppealEvent, Whistle, WhistleSummons, Extension)
        return self.counts

    def _open_sinks(self, fields):
        self.sinks = {m: SpoolSink(m, f).__enter__() for m, f in fields.items()}
        self.plans = {
            m: [(f.attname, isinstance(f, models.JSONField), f.get_default()) for f in fs] for m, fs in fields.items()
        }

    def _flush(self, fields, reopen=True):
        # Parents first: appeals, whistles, then the rows that point at them.
        for model in (Appeal, Whistle, WhistleSummons, Extension, AppealEvent):
            sink = self.sinks[model]
            try:
                if sink.count:
                    sink.commit()
            finally:
                sink.__exit__(None, None, None)
        if reopen:
            self._open_sinks(fields)

    def _row(self, model, values: dict) -> None:
        get = values.get
        self.sinks[model].add(
            tuple(
                (dumps(get(name, default)) if is_json else get(name, default))
                for name, is_json, default in self.plans[model]
            )
        )

    def _moment(self, day: date) -> datetime:
        hour = self.rnd.choices(range(24), weights=HOUR_WEIGHT)[0]
        local = datetime.combine(day, time(hour, self.rnd.randrange(60), self.rnd.randrange(60)))
        return timezone.make_aware(local)

    # ------------------------------------------------------------------ one appeal
    #
    # An appeal is a fixed sequence of steps (the tables below), each a method that writes what the
    # matching service verb writes and says whether the appeal goes on. Random draws happen in the
    # order of the steps, so a seed gives the same year. test_demo_replay.py drives the same steps
    # through the services and checks both write the same rows.

    def appeal(self, t0: datetime) -> None:
        case = self._intake(t0)
        for step in self.STEPS:
            if not step(self, case):
                break
        self._finish(case.tl)

    def _intake(self, t0: datetime) -> Case:
        """受理: what, where, who, and the CREATE event."""
        rnd = self.rnd
        cum = self.month_cum[timezone.localtime(t0).month]
        cat = self.categories[bisect.bisect(cum, rnd.random() * cum[-1])]
        grid = rnd.choice(self.places.grids)
        case = Case(t0=t0, cat=cat, grid=grid, area=grid, place=grid[2])
        self._pick_building(case)
        case.community = self.places.area(grid[1][:12])
        case.street = self.places.area(grid[1][:9])
        case.district = self.places.area(grid[1][:6])
        case.channel = _choice(rnd, CHANNELS)
        kind = self._pick_kind(cat)
        case.urgency = cat["urgency"]
        if case.urgency == N and rnd.random() < 0.04:
            case.urgency = X
        case.limits = cat["limits"][case.urgency]
        description = rnd.choice(cat["texts"]).format(place=case.place, b=case.b)
        if rnd.random() < 0.3:
            description += rnd.choice(["希望尽快处理。", "已经反映过多次。", "谢谢！", "请相关部门重视。", ""])
        name, phone = self._pick_reporter(case)
        lat, lng, source = self._pick_location(case)
        pk = self.take(Appeal)
        dispatch_due, answer_due = self.due(t0, case.limits["dispatch"]), self.due(t0, case.limits["answer"])
        case.dispatch_due = dispatch_due.at
        a = dict(
            id=pk,
            number=appeal_number(t0, pk),
            channel=case.channel,
            kind=kind,
            category_id=cat["id"],
            urgency=case.urgency,
            title=description[:30],
            description=description,
            attributes={},
            area_id=case.area[0],
            area_path=case.area[1],
            latitude=lat,
            longitude=lng,
            address=case.address,
            location_source=source,
            reporter_id=case.reporter[0] if case.reporter else None,
            reporter_name=name,
            reporter_phone=phone,
            created_by_id=case.reporter[0] if case.reporter else None,
            client_token=None,
            status=Status.ACCEPTED,
            created_at=t0,
            updated_at=t0,
            dispatch_due=dispatch_due.at,
            answer_due=answer_due.at,
            deadline_fallback=dispatch_due.fallback or answer_due.fallback,
            dispatch_remind_at=self.remind(t0, dispatch_due.at),
            answer_remind_at=self.remind(t0, answer_due.at),
        )
        case.tl = Timeline(a, self.now)
        self._created(case, dispatch_due, answer_due)
        case.dispatcher = (None, f"{case.street[2]}派单员")
        case.supervisor = (None, f"{case.district[2]}接诉即办督办组")
        case.key = (grid[1][:12], cat["id"])  # the same matter reported twice in a community
        case.merge_target = self.recent.get(case.key)
        self.recent[case.key] = (pk, a["number"], a["area_path"], case.tl)
        return case

    def _pick_building(self, case: Case) -> None:
        """Most requests name a compound, many a building in it; the rest only the grid."""
        rnd = self.rnd
        compounds = self.places.compounds.get(case.grid[1])
        if not compounds:
            return
        compound = rnd.choice(compounds)
        case.place = compound[2]
        run = self.places.buildings.get(compound[0])
        roll = rnd.random()
        if run and roll < 0.6:
            k = rnd.randrange(run[1])
            case.b = f"{k + 1}栋"
            case.area = (run[0] + k, f"{compound[1]}{k + 1:03d}", case.b)
        elif roll < 0.85:
            case.area = compound

    def _pick_kind(self, cat: dict) -> str:
        rnd = self.rnd
        kind = _choice(rnd, KINDS)
        if cat["name"] in ("政策咨询", "医保社保", "养老补贴"):
            kind = Kind.CONSULT if rnd.random() < 0.8 else Kind.HELP
        elif cat["name"] == "意见建议":
            kind = Kind.SUGGESTION
        return kind

    def _pick_reporter(self, case: Case) -> tuple[str, str]:
        """A demo resident reports for themselves; other channels record a name (or not) and a phone."""
        rnd = self.rnd
        if case.channel == C.RESIDENT:
            case.reporter = rnd.choice(self.residents)
            return case.reporter[1], case.reporter[2]
        name = _name(rnd) if rnd.random() < 0.85 else ""
        return name, f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}"

    def _pick_location(self, case: Case) -> tuple:
        """(latitude, longitude, source): phones send coordinates (the grid they fall in), hotlines an address."""
        rnd = self.rnd
        if case.channel in (C.RESIDENT, C.OPEN311) and rnd.random() < 0.5:
            lat = Decimal(f"{32.0 + rnd.uniform(-0.3, 0.4):.6f}")
            lng = Decimal(f"{118.78 + rnd.uniform(-0.4, 0.4):.6f}")
            case.area = case.grid
            return lat, lng, LocationSource.COORDINATES
        if case.channel == C.HOTLINE and rnd.random() < 0.3:
            case.address = f"南京市{case.district[2]}{case.street[2]}{case.place}{case.b}"
        return None, None, LocationSource.AREA

    def _created(self, case: Case, dispatch_due, answer_due) -> None:
        limits, channel = case.limits, case.channel
        recorder = {
            C.RESIDENT: case.reporter,
            C.GRID: (None, f"{case.grid[2]}网格员"),
            C.HOTLINE: (None, "12345热线座席"),
            C.OPEN311: None,
            C.TRANSFER: (None, "南京市12345政务服务便民热线"),
        }[channel]
        fallback_days = sorted({*dispatch_due.fallback_days, *answer_due.fallback_days})
        note = (
            f"受理（{Channel(channel).label}）。派单时限{describe_limit(limits['dispatch'])}，"
            f"答复时限{describe_limit(limits['answer'])}，至{timezone.localtime(answer_due.at):%Y-%m-%d %H:%M}"
        )
        if fallback_days:
            note += "（含日历未公布的日期，按周一至周五推算）"
        case.tl.add(
            EventKind.CREATE,
            case.t0,
            recorder,
            note + "。",
            to_status=Status.ACCEPTED,
            data={"channel": channel, "fallback_days": [d.isoformat() for d in fallback_days]},
        )

    def _remind_dispatch(self, a: dict, until: datetime) -> None:
        """The scan reminds the dispatchers when the reminder time comes while it waits (till ``until``)."""
        a["dispatch_reminded"] = until > a["dispatch_remind_at"] and a["dispatch_remind_at"] <= self.now

    # Duplicates (重复件) and withdrawals come before the unit is at work.

    def _withdraw(self, case: Case) -> bool:
        """合并 or 撤销 for a few; False when the appeal ends here."""
        fate = self.rnd.random()
        quick = (case.dispatch_due - case.t0).total_seconds() / 60 * 0.8
        if case.merge_target is not None and fate < 0.25:
            self._merge(case, quick)
            return False
        if fate > 0.985:
            self._cancel(case, quick)
            return False
        return True

    def _merge(self, case: Case, quick: float) -> None:
        tl, a, target = case.tl, case.tl.appeal, case.merge_target
        at = case.t0 + _minutes(self.rnd.uniform(2, min(240, quick)))
        self._remind_dispatch(case.tl.appeal, at)
        if tl.add(
            EventKind.MERGE,
            at,
            case.dispatcher,
            f"重复件，合并到工单{target[1]}办理。",
            from_status=Status.ACCEPTED,
            to_status=Status.MERGED,
            data={"into": target[0]},
        ):
            a.update(merged_into_id=target[0], closed_at=at)
            merged_here = dict(kind=EventKind.MERGED_HERE, at=at, actor_id=None, actor_name=case.dispatcher[1])
            merged_here.update(note=f"并入重复件工单{a['number']}。", public=False)
            self._event_row(target[0], target[2], dict(merged_here, department_id=_assigned_at(target[3], at)))
            self.recent[case.key] = target

    def _cancel(self, case: Case, quick: float) -> None:
        rnd, reporter = self.rnd, case.reporter
        at = case.t0 + _minutes(rnd.uniform(2, min(600, quick)))
        self._remind_dispatch(case.tl.appeal, at)
        self.recent.pop(case.key, None)
        if case.tl.add(
            EventKind.CANCEL,
            at,
            reporter or case.dispatcher,
            f"{'诉求人撤销' if reporter else '撤销'}。理由：{rnd.choice(CANCEL_REASONS)}",
            from_status=Status.ACCEPTED,
            to_status=Status.CANCELLED,
        ):
            case.tl.appeal["closed_at"] = at

    # 派单: usually within minutes; a few late, a few sent to the wrong unit first (退单).

    def _first_dispatch(self, case: Case) -> bool:
        rnd, tl, a = self.rnd, case.tl, case.tl.appeal
        target_area, target_dept = suggest(self.places, case.cat, case.area[1])
        limit_minutes = (case.dispatch_due - case.t0).total_seconds() / 60
        delay = (
            rnd.uniform(2, min(90, limit_minutes * 0.8))
            if rnd.random() < 0.985
            else limit_minutes + rnd.uniform(5, 300)
        )
        at = case.t0 + _minutes(delay)
        self._remind_dispatch(a, at)
        if at > case.dispatch_due and case.dispatch_due + _minutes(2) <= self.now:
            a["dispatch_overdue"] = True
            tl.add(
                EventKind.DISPATCH_OVERDUE,
                case.dispatch_due + _minutes(rnd.uniform(0.5, 2)),
                None,
                "已超过派单时限，尚未派单。",
                public=False,
            )
        if rnd.random() < 0.04:
            at = self._misrouted(case, at, target_area)
            if at is None:
                return False
            verb, before = "重新派单", Status.RETURNED
        else:
            verb, before = "派单", Status.ACCEPTED
        if not self._dispatch(tl, at, case.dispatcher, target_area, target_dept, verb, before, case.limits):
            return False
        case.assignee = _target_name(target_area, target_dept)
        unit = "网格员" if target_area and len(target_area[1]) == 15 else "工作人员"
        case.handler = (None, f"{case.assignee}{unit}")
        case.supervised = rnd.random() < 0.006
        case.overdue_round = rnd.random() < 0.035
        case.whistle_round = bool(case.cat["whistle"]) and rnd.random() < 0.05
        return True

    def _misrouted(self, case: Case, at: datetime, target_area):
        """派单 to the wrong unit, which (perhaps signs and) returns it; when to re-dispatch, or None."""
        rnd, tl, a, community = self.rnd, case.tl, case.tl.appeal, case.community
        wrong_area = community[:3] if target_area and target_area[1] != community[1] else case.street[:3]
        if not self._dispatch(tl, at, case.dispatcher, wrong_area, None, "派单", Status.ACCEPTED, case.limits):
            return None
        at += _minutes(rnd.uniform(20, 600))
        signs = rnd.random() < 0.5
        if signs:
            self._flag_response_late(tl, at)
            if not self._sign(tl, at, case.limits, wrong_area[2]):
                return None
        at += _minutes(rnd.uniform(5, 120))
        if not signs:
            self._flag_response_late(tl, at)  # returned without a sign-for, perhaps after the deadline
        reason = rnd.choice(RETURN_REASONS)
        if not tl.add(
            EventKind.RETURN,
            at,
            (None, f"{wrong_area[2]}工作人员"),
            f"{wrong_area[2]}退单，等待重新派单。理由：{reason}",
            from_status=a["status"],
            to_status=Status.RETURNED,
            target=wrong_area[2],
            data={"reason": reason},
        ):
            return None
        a.update(assigned_area_id=None, assigned_department_id=None, signed_at=None)
        a["return_count"] = a.get("return_count", 0) + 1
        return at + _minutes(rnd.uniform(10, 240))

    # Rounds of 签收 → 办理 → 答复 → 回访, again after a 重办 (at most twice).

    def _rounds(self, case: Case) -> bool:
        for round_no in range(3):
            case.round_no = round_no
            if not all(step(self, case) for step in self.ROUND_STEPS):
                break
        return False

    def _sign_round(self, case: Case) -> bool:
        rnd, a = self.rnd, case.tl.appeal
        at = a["dispatched_at"]
        response_minutes = (a["response_due"] - at).total_seconds() / 60
        late = rnd.random() < 0.03
        at += _minutes(
            response_minutes + rnd.uniform(5, 240) if late else rnd.uniform(1, max(2, response_minutes * 0.5))
        )
        case.start = at
        self._flag_response_late(case.tl, at)
        return self._sign(case.tl, at, case.limits, case.assignee, case.handler)

    def _flag_response_late(self, tl, sign_at: datetime) -> None:
        """签收超时: the scan flags it a minute after the deadline (or the late sign-for does)."""
        due = tl.appeal["response_due"]
        when = min(due + _minutes(1), sign_at)
        if sign_at > due and when <= self.now:
            note = f"已超过签收时限（{timezone.localtime(due):%Y-%m-%d %H:%M}），尚未签收。"
            if tl.add(EventKind.RESPONSE_OVERDUE, when, None, note, public=False):
                tl.appeal["response_overdue"] = True

    def _plan_answer(self, case: Case) -> bool:
        """When the answer comes: a share of the time allowed (over it in an overdue round), after a 延期."""
        rnd, a, start = self.rnd, case.tl.appeal, case.start
        due, base = a["answer_due"], start
        if case.urgency in (N, X) and case.round_no == 0 and due > start and rnd.random() < 0.02:
            due, base = self._extend(case.tl, start, due, case.handler, case.dispatcher)
        span = due - base if due > base else timedelta(hours=rnd.uniform(1, 24))
        first_overdue = case.overdue_round and case.round_no == 0
        share = rnd.uniform(1.02, 1.6) if first_overdue else rnd.betavariate(1.6, 4.5)
        case.due, case.answer_at = due, max(base + span * share, base + _minutes(5))
        return True

    def _while_handling(self, case: Case) -> bool:
        """吹哨, 督办 and 办理 notes between 签收 and 答复."""
        rnd, tl, start, until = self.rnd, case.tl, case.start, case.answer_at
        if case.whistle_round and case.round_no == 0:
            self.whistle(tl, case.cat, start + (until - start) * rnd.uniform(0.05, 0.5), case.street, case.community)
        if case.supervised and case.round_no == 0:
            at = start + (until - start) * rnd.uniform(0.1, 0.9)
            note = rnd.choice(SUPERVISE_NOTES)
            if tl.add(EventKind.SUPERVISE, at, case.supervisor, f"挂牌督办：{note}", public=False):
                tl.appeal.update(supervised=True, supervised_at=at, supervise_note=note)
        if case.urgency in (N, X) and rnd.random() < 0.5:
            tl.add(
                EventKind.PROGRESS,
                start + (until - start) * rnd.uniform(0.1, 0.8),
                case.handler,
                rnd.choice(PROGRESS_NOTES),
                from_status=Status.SIGNED,
                to_status=Status.HANDLING,
            )
        return True

    def _flag_late(self, case: Case) -> bool:
        """The scheduler flags a missed deadline within minutes; or the late answer does."""
        a, due, ans_at = case.tl.appeal, case.due, case.answer_at
        flag_at = due + _minutes(self.rnd.uniform(0.2, 2))
        when = min(flag_at, ans_at)
        if ans_at > due and when <= self.now and not a.get("extension_pending"):
            note = f"已超过答复时限（{timezone.localtime(due):%Y-%m-%d %H:%M}）。"
            if case.tl.add(EventKind.OVERDUE, when, None if when == flag_at else case.handler, note, public=False):
                a["answer_overdue"] = True
        a["answer_reminded"] = a["answer_remind_at"] <= min(ans_at, self.now) and a["answer_remind_at"] < due
        return True

    def _answer(self, case: Case) -> bool:
        rnd, a, ans_at = self.rnd, case.tl.appeal, case.answer_at
        result = _choice(rnd, [(Outcome.RESOLVED, 86), (Outcome.PARTLY, 10), (Outcome.UNRESOLVED, 4)])
        text = rnd.choice(ANSWERS[result])
        if not case.tl.add(
            EventKind.ANSWER,
            ans_at,
            case.handler,
            f"答复（{Outcome(result).label}）：{text}",
            from_status=a["status"],
            to_status=Status.ANSWERED,
            data={"on_time": ans_at <= case.due, "result": result},
        ):
            return False
        a.update(answered_at=ans_at, answer_text=text, answer_result=result, outcome="", satisfaction="")
        a.update(rating_comment="", rated_at=None, extension_pending=False)
        self._close_whistles(case.tl, ans_at)
        return True

    def _rate(self, case: Case) -> bool:
        """回访: most within a day; some never (closed by the scheduler after the wait). True: not settled."""
        rnd, tl, a, ans_at = self.rnd, case.tl, case.tl.appeal, case.answer_at
        if rnd.random() < 0.07:
            at = ans_at + timedelta(days=self.wait_days, hours=rnd.uniform(1, 23))
            self._close(tl, at, None, f"答复后{self.wait_days}天未评价，自动办结（不计入解决率、满意率）。")
            return False
        at = ans_at + _minutes(rnd.uniform(30, 2880))
        outcome, satisfaction = _rating(rnd, a["answer_result"])
        good = outcome != Outcome.UNRESOLVED and satisfaction != Satisfaction.UNSATISFIED
        comment = rnd.choice(COMMENTS_GOOD if good else COMMENTS_BAD)
        reporter = case.reporter
        rater = reporter if reporter and rnd.random() < 0.7 else (None, f"{case.street[2]}回访员")
        who = "诉求人评价" if rater is reporter else "回访"
        if not tl.add(
            EventKind.RATE,
            at,
            rater,
            f"{who}：{Outcome(outcome).label}，{Satisfaction(satisfaction).label}。{comment}".strip(),
            from_status=Status.ANSWERED,
            to_status=Status.RATED,
            data={"outcome": outcome, "satisfaction": satisfaction},
        ):
            return False
        a.update(outcome=outcome, satisfaction=satisfaction, rating_comment=comment, rated_at=at)
        if good:
            self._close(tl, at, rater, "评价为已解决且满意，办结。")
            return False
        case.rated_at = at
        return True

    def _decide(self, case: Case) -> bool:
        """After an unsatisfied rating the dispatcher has it redone (True: another round) or closes it."""
        rnd = self.rnd
        at = case.rated_at + _minutes(rnd.uniform(30, 1440))
        if case.round_no < 2 and rnd.random() < 0.6:
            return self._reopen(case.tl, at, case.dispatcher, case.limits, case.assignee)
        self._close(case.tl, at, case.dispatcher, rnd.choice(CLOSE_NOTES))
        return False

    STEPS = (_withdraw, _first_dispatch, _rounds)
    ROUND_STEPS = (_sign_round, _plan_answer, _while_handling, _flag_late, _answer, _rate, _decide)

    def _dispatch(self, tl, at, dispatcher, area, dept, verb, before, limits) -> bool:
        a = tl.appeal
        target = _target_name(area, dept)
        if not tl.add(
            EventKind.DISPATCH,
            at,
            dispatcher,
            f"{verb}至{target}。",
            from_status=before,
            to_status=Status.DISPATCHED,
            dept=dept[0] if dept else None,
            target=target,
            data={"area": area[1] if area else None, "department": dept[0] if dept else None, "verb": verb},
        ):
            return False
        response_due = self.due(at, limits["response"])
        a.update(
            assigned_area_id=area[0] if area else None,
            assigned_department_id=dept[0] if dept else None,
            dispatched_at=at,
            signed_at=None,
            response_due=response_due.at,
            response_overdue=False,
        )
        if before == Status.ACCEPTED and at > a["dispatch_due"]:
            a["dispatch_overdue"] = True
        return True

    def _sign(self, tl, at, limits, assignee, handler=None) -> bool:
        a = tl.appeal
        on_time = at <= a["response_due"]
        if not tl.add(
            EventKind.SIGN,
            at,
            handler or (None, f"{assignee}工作人员"),
            f"{assignee}签收。",
            from_status=Status.DISPATCHED,
            to_status=Status.SIGNED,
            data={"on_time": on_time},
        ):
            return False
        a.update(signed_at=at, response_overdue=not on_time)
        return True

    def _extend(self, tl, start, due, handler, dispatcher):
        a, rnd = tl.appeal, self.rnd
        asked = start + (due - start) * rnd.uniform(0.3, 0.7)
        workdays = rnd.choice([3, 5, 5, 7, 10])
        reason = rnd.choice(EXTENSION_REASONS)
        ext_pk = self.take(Extension)
        if not tl.add(
            EventKind.EXTEND_REQUEST,
            asked,
            handler,
            f"申请延长{workdays}个工作日。理由：{reason}",
            public=False,
            data={"extension": ext_pk, "workdays": workdays},
        ):
            self.ids[Extension] -= 1
            return due, start
        row = dict(
            id=ext_pk,
            appeal_id=a["id"],
            workdays=workdays,
            reason=reason,
            status=ExtensionStatus.PENDING,
            requested_by_id=None,
            requested_at=asked,
            old_due=due,
        )
        a["extension_pending"] = True
        decided = asked + _minutes(rnd.uniform(30, 600))
        new = extend_due(due, workdays)
        text = f"批准延期{workdays}个工作日，答复时限延至{timezone.localtime(new.at):%Y-%m-%d %H:%M}"
        if new.fallback:
            text += "（含日历未公布的日期，按周一至周五推算）"
        if tl.add(
            EventKind.EXTEND_APPROVE,
            decided,
            dispatcher,
            f"{text}。",
            data={"extension": ext_pk, "fallback": new.fallback},
        ):
            row.update(status=ExtensionStatus.APPROVED, new_due=new.at, new_due_fallback=new.fallback)
            row.update(decided_at=decided, decision_note="")
            a.update(
                answer_due=new.at,
                deadline_fallback=a["deadline_fallback"] or new.fallback,
                answer_remind_at=self.remind(decided, new.at),
                answer_reminded=False,
                extension_pending=False,
                extension_count=a.get("extension_count", 0) + 1,
            )
            due = new.at
        self._row(Extension, row)
        self.counts["extensions"] += 1
        return due, decided  # still pending at "now": the answer comes after the decision

    def _reopen(self, tl, at, dispatcher, limits, assignee) -> bool:
        a = tl.appeal
        n = a.get("reopen_count", 0) + 1
        note = self.rnd.choice(REOPEN_NOTES)
        if not tl.add(
            EventKind.REOPEN,
            at,
            dispatcher,
            f"第{n}次重办，交{assignee}。{note}",
            from_status=Status.RATED,
            to_status=Status.DISPATCHED,
            target=assignee,
        ):
            return False
        response_due, answer_due = self.due(at, limits["response"]), self.due(at, limits["answer"])
        a.update(
            reopen_count=n,
            dispatched_at=at,
            signed_at=None,
            response_due=response_due.at,
            response_overdue=False,
            answer_due=answer_due.at,
            answer_remind_at=self.remind(at, answer_due.at),
            answer_reminded=False,
            answer_overdue=False,
            deadline_fallback=a["deadline_fallback"] or answer_due.fallback,
            outcome="",
            satisfaction="",
            rating_comment="",
            rated_at=None,
        )
        return True

    def _close(self, tl, at, actor, note) -> bool:
        a = tl.appeal
        on_time = bool(a.get("answered_at") and a["answered_at"] <= a["answer_due"])
        rated = bool(a.get("outcome") and a.get("satisfaction"))
        ok = tl.add(
            EventKind.CLOSE,
            at,
            actor,
            note,
            from_status=a["status"],
            to_status=Status.CLOSED,
            data={
                "on_time": on_time,
                "outcome": a["outcome"] if rated else "",
                "satisfaction": a["satisfaction"] if rated else "",
            },
        )
        if ok:
            a["closed_at"] = at
        return ok

    # ------------------------------------------------------------------ 吹哨报到

    def whistle(self, tl, cat, at, street, community) -> None:
        rnd = self.rnd
        a = tl.appeal
        blower = street if rnd.random() < 0.8 else community
        departments = [d for d in self.places.serving(blower[1]) if any(d[1].endswith(k) for k in cat["whistle"])]
        if not departments:
            return
        departments = rnd.sample(departments, min(len(departments), rnd.randint(1, 3)))
        case = (
            WhistleCase.EMERGENCY
            if cat["urgency"] in (E, U)
            else (WhistleCase.ENFORCEMENT if cat["level"] == DP else WhistleCase.RESIDENT_DEMAND)
        )
        if at > self.now:
            return
        self._blow(tl, at, blower, case, f"{cat['name']}：{a['title']}"[:100], departments, a["description"])

    def incident(self) -> None:
        rnd = self.rnd
        case, title, kinds = rnd.choice(INCIDENTS)
        grid = rnd.choice(self.places.grids)
        street = self.places.area(grid[1][:9])
        departments = [d for d in self.places.serving(street[1]) if any(d[1].endswith(k) for k in kinds)]
        if not departments:
            return
        start = add_years(self.now, -1)
        at = start + (self.now - start) * rnd.random()
        self._blow(None, at, street, case, title.format(place=street[2]), departments, "")

    def _blow(self, tl, at, blower, case, title, departments, description) -> None:
        rnd = self.rnd
        from jiceng.appeals.services import report_minutes

        wpk = self.take(Whistle)
        due = at + _minutes(report_minutes(case))
        actor = (None, f"{blower[2]}{'党工委' if len(blower[1]) == 9 else '党委'}")
        names = "、".join(d[1] for d in departments)
        appeal_id = tl.appeal["id"] if tl else None
        events = []
        if tl is not None:
            tl.add(
                EventKind.WHISTLE,
                at,
                actor,
                f"{blower[2]}吹哨（{WhistleCase(case).label}），召集{names}，"
                f"须于{timezone.localtime(due):%m-%d %H:%M}前报到。",
                dept=None,
                data={"whistle": wpk},
            )
        whistle = dict(
            id=wpk,
            area_id=blower[0],
            area_path=blower[1],
            appeal_id=appeal_id,
            case=case,
            title=title,
            description=description,
            address="",
            report_due=due,
            status=WhistleStatus.OPEN,
            blown_by_id=None,
            blown_at=at,
        )
        minutes = report_minutes(case)
        last = at
        for pk, name, _path in departments:
            s = dict(
                id=self.take(WhistleSummons),
                whistle_id=wpk,
                department_id=pk,
                area_path=blower[1],
                status=SummonsStatus.SUMMONED,
                report_due=due,
            )
            last = max(last, self._summons(s, name, at, minutes, actor, events))
            self._row(WhistleSummons, s)
            self.counts["summons"] += 1
        if tl is None:
            end = last + _minutes(rnd.uniform(30, 600))
            if last > at and end <= self.now:
                whistle.update(status=WhistleStatus.CLOSED, closed_at=end, close_note="处置完毕。")
            self._row(Whistle, whistle)
        else:
            self.pending_whistles = getattr(self, "pending_whistles", [])
            self.pending_whistles.append((whistle, last))
            for at_, kind, who, note, dept, public in sorted(events, key=lambda e: e[0]):
                # Summons events are not status steps: they go in whatever the appeal does next.
                tl.events.append(
                    dict(
                        kind=kind,
                        at=at_,
                        actor_id=None,
                        actor_name=(who[1] if who else "系统")[:100],
                        from_status="",
                        to_status="",
                        note=note,
                        public=public,
                        department_id=dept,
                        target_name="",
                        data={"whistle": wpk},
                    )
                )
        self.counts["whistles"] += 1

    def _summons(self, s: dict, name: str, at: datetime, minutes: int, actor, events: list) -> datetime:
        """One department called: it reports (most on time), or is escalated by the scan; when it was rated."""
        rnd, due, pk = self.rnd, s["report_due"], s["department_id"]
        roll = rnd.random()
        reported = at + _minutes(minutes * rnd.uniform(0.1, 0.9)) if roll < 0.82 else None
        if reported is None and roll < 0.95:
            reported = due + _minutes(rnd.uniform(10, 600))  # late
        escalate = due + _minutes(rnd.uniform(0.5, 2))
        if (reported is None or reported > escalate) and escalate <= self.now:
            s["escalated_at"] = escalate
            note = f"{name}超过报到时限（{timezone.localtime(due):%m-%d %H:%M}）未报到，已上报区。"
            events.append((escalate, EventKind.ESCALATE, None, note, pk, False))
        if reported is None or reported > self.now:
            return at
        on_time = reported <= due
        plan = rnd.choice(WHISTLE_PLANS)
        s.update(status=SummonsStatus.REPORTED, reported_at=reported, on_time=on_time, plan=plan)
        dep_actor = (None, f"{name}工作人员")
        note = f"{name}报到{'' if on_time else '（超时）'}：{plan}"
        events.append((reported, EventKind.SUMMONS_REPORT, dep_actor, note, pk, True))
        fed = reported + _minutes(rnd.uniform(60, 2880))
        if fed > self.now:
            return at
        feedback = rnd.choice(WHISTLE_FEEDBACK)
        s.update(status=SummonsStatus.FED_BACK, feedback=feedback, fed_back_at=fed)
        events.append((fed, EventKind.SUMMONS_FEEDBACK, dep_actor, f"{name}反馈：{feedback}", pk, True))
        rated = fed + _minutes(rnd.uniform(30, 1440))
        if rated > self.now:
            return at
        rating = rnd.choices([5, 4, 3, 2], weights=[55, 30, 11, 4])[0] if on_time else rnd.choice([2, 3, 3, 4])
        s.update(status=SummonsStatus.RATED, rating=rating, rated_at=rated)
        events.append((rated, EventKind.SUMMONS_RATE, actor, f"评价{name}：{rating}分。", pk, False))
        return rated

    def _close_whistles(self, tl, answered_at) -> None:
        for whistle, last in getattr(self, "pending_whistles", []):
            end = max(answered_at, last) + _minutes(self.rnd.uniform(30, 600))
            if end <= self.now:
                whistle.update(status=WhistleStatus.CLOSED, closed_at=end, close_note="诉求已答复，结束吹哨。")
        self._flush_whistles()

    def _flush_whistles(self) -> None:
        for whistle, _last in getattr(self, "pending_whistles", []):
            self._row(Whistle, whistle)
        self.pending_whistles = []

    # ------------------------------------------------------------------ rows

    def _event_row(self, appeal_id, area_path, event) -> None:
        row = dict(
            id=self.take(AppealEvent),
            appeal_id=appeal_id,
            area_path=area_path,
            from_status="",
            to_status="",
            target_name="",
            department_id=None,
            data={},
        )
        row.update(event)
        self._row(AppealEvent, row)
        self.counts["events"] += 1

    def _finish(self, tl) -> None:
        self._flush_whistles()
        a = tl.appeal
        if a["status"] not in (Status.DISPATCHED, Status.SIGNED, Status.HANDLING):
            a.setdefault("assigned_area_id", None)
        for event in sorted(tl.events, key=lambda e: e["at"]):
            self._event_row(a["id"], a["area_path"], event)
        self._row(Appeal, a)
        self.counts["appeals"] += 1


def _assigned_at(tl: Timeline, at: datetime):
    """The department an appeal was with at ``at`` (events name it as the services do)."""
    department = None
    for event in sorted(tl.events, key=lambda e: e["at"]):
        if event["at"] > at:
            break
        if event["kind"] == EventKind.DISPATCH:
            department = event["department_id"]
        elif event["kind"] == EventKind.RETURN:
            department = None
    return department


def _target_name(area, dept) -> str:
    """Areas are (id, code, name), departments (id, name, path)."""
    return dept[1] if dept else (area[2] if area else "")


def _rating(rnd: random.Random, result: str) -> tuple[str, str]:
    if result == Outcome.RESOLVED:
        outcome = _choice(rnd, [(Outcome.RESOLVED, 94), (Outcome.PARTLY, 4), (Outcome.UNRESOLVED, 2)])
    elif result == Outcome.PARTLY:
        outcome = _choice(rnd, [(Outcome.RESOLVED, 15), (Outcome.PARTLY, 65), (Outcome.UNRESOLVED, 20)])
    else:
        outcome = _choice(rnd, [(Outcome.PARTLY, 20), (Outcome.UNRESOLVED, 80)])
    satisfaction = {
        Outcome.RESOLVED: [(Satisfaction.SATISFIED, 88), (Satisfaction.BASICALLY, 10), (Satisfaction.UNSATISFIED, 2)],
        Outcome.PARTLY: [(Satisfaction.SATISFIED, 30), (Satisfaction.BASICALLY, 50), (Satisfaction.UNSATISFIED, 20)],
        Outcome.UNRESOLVED: [(Satisfaction.SATISFIED, 5), (Satisfaction.BASICALLY, 20), (Satisfaction.UNSATISFIED, 75)],
    }[outcome]
    return outcome, _choice(rnd, satisfaction)


def _cumulate(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields]


def _next_id(model) -> int:
    return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def _resident_pool(seed: int) -> list[tuple[int, str, str]]:
    """Demo residents who report through the phone pages (accounts without a usable password)."""
    rnd = random.Random(f"{seed}:residents")
    existing = list(
        User.objects.filter(username__startswith="demo_resident_")
        .order_by("id")
        .values_list("id", "display_name", "phone")
    )
    if existing:
        return existing
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"demo_resident_{n:04d}",
                display_name=_name(rnd),
                phone=f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}",
                password=unusable,
            )
            for n in range(1, RESIDENT_POOL + 1)
        ]
    )
    return list(
        User.objects.filter(username__startswith="demo_resident_")
        .order_by("id")
        .values_list("id", "display_name", "phone")
    )


@contextmanager
def _plain_indexes_dropped(model_list, stdout=None):
    """PostgreSQL bulk load: drop the tables' plain indexes and foreign keys, make them again after.

    As PostgreSQL's manual advises for bulk loads: at millions of rows, maintaining every index
    row by row and one foreign-key trigger per row cost far more than one sorted index build and
    one validating join per key at the end. Primary keys and unique constraints stay in place.
    Runs inside the loader's transaction, so a failure leaves the tables as they were.
    """
    dropped = []
    with connection.cursor() as cursor:
        if model_list:
            # Rows written earlier in this transaction (the catalogue) have deferred foreign-key
            # checks pending, and PostgreSQL refuses to ALTER a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [table],
            )
            foreign_keys = cursor.fetchall()
            quoted = connection.ops.quote_name(table)
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            dropped.append((quoted, indexes, foreign_keys))
    yield
    if dropped and stdout:
        stdout.write("  正在重建索引和外键")
    with connection.cursor() as cursor:
        for quoted, indexes, foreign_keys in dropped:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        if dropped:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@transaction.atomic
def load_appeals(seed: int = 2024, count: int = 20_000, today: date | None = None, stdout=None) -> dict:
    """Insert the demo catalogue and ``count`` requests of the year before ``today``; returns counts.

    Does nothing when requests exist. ``today`` (a date) fixes "now" at 18:00 that day for tests.
    """
    if Appeal.objects.exists():
        return {
            "created": False,
            "appeals": Appeal.objects.count(),
            "events": AppealEvent.objects.count(),
            "whistles": Whistle.objects.count(),
        }
    now = timezone.make_aware(datetime.combine(today, time(18))) if today else timezone.now()
    generator = Generator(seed, count, now, stdout)
    if not generator.places.grids:
        return {"created": False, "appeals": 0, "events": 0, "whistles": 0}
    bulk = connection.vendor == "postgresql" and count >= BULK_LOAD_FROM
    with _plain_indexes_dropped((Appeal, AppealEvent, WhistleSummons, Extension) if bulk else (), stdout):
        counts = generator.run()
    if stdout:
        stdout.write(f"  已生成诉求 {counts['appeals']} 件，正在重算响应率、解决率、满意率")
    areas, departments = stats.rebuild_sql()
    return {"created": True, **counts, "stat_rows": areas + departments, "categories": len(generator.categories)}


__all__ = ["ensure_catalogue", "load_appeals"]
