"""The appeals' rules with numbers (DOMAIN.md §7), as data with their basis; the city may override.

Deadline limits are written as short strings so a city can edit them without code:
``"30min"``, ``"2h"`` (clock time, 7×24), ``"3d"`` (calendar days, to the end of the day) and
``"7wd"`` (working days with the official calendar and 调休, to the end of the day).
"""

from dataclasses import dataclass

from jiceng.core.rules import (
    RULES,
    Choice,
    Integer,
    ListOf,
    Ratio,
    RuleType,
    RuleValueError,
    Table,
    WorkdayDuration,
    get_rule,
    register,
)

DEADLINES = "appeals.deadlines"
RATE_WEIGHTS = "appeals.rate_weights"
WHISTLE_REPORT_MINUTES = "appeals.whistle_report_minutes"
REMIND_BEFORE_RATIO = "appeals.remind_before_ratio"
PHOTO_MAX_BYTES = "appeals.photo_max_bytes"
PHOTO_TYPES = "appeals.photo_types"
PHOTO_MAX_COUNT = "appeals.photo_max_count"
MAX_GRID_DISTANCE_M = "appeals.max_grid_distance_m"
RATING_WAIT_DAYS = "appeals.rating_wait_days"
EXTENSION_MAX_WORKDAYS = "appeals.extension_max_workdays"
SUMMONS_RATING_SCALE = "appeals.summons_rating_scale"
DEPARTMENT_RATE_WEIGHTS = "appeals.department_rate_weights"
# The parts of a department's score: the three rates of its appeals, then its summons.
DEPARTMENT_PARTS = ("response", "resolution", "satisfaction", "summons_on_time", "summons_rating")

_URGENCIES = ("emergency", "urgent", "general", "complex")  # appeals.models.Urgency
_LIMITS = ("dispatch", "response", "answer")

register(
    DEADLINES,
    "诉求派单、签收和答复时限（按紧急程度）",
    {
        "emergency": {"dispatch": "1h", "response": "1h", "answer": "2h"},
        "urgent": {"dispatch": "2h", "response": "2h", "answer": "24h"},
        "general": {"dispatch": "24h", "response": "24h", "answer": "7d"},
        "complex": {"dispatch": "24h", "response": "24h", "answer": "15d"},
    },
    "北京市地方标准《12345市民服务热线服务与管理规范》（2023-01-01施行）：紧急、不稳定、公共卫生及危及生命财产"
    "安全的诉求1小时内派单，水电气热和极端天气类2小时内，一般诉求24小时内；反馈时限（征求意见稿）紧急2小时、"
    "水电气热类24小时、一般7日、疑难复杂15日（DOMAIN.md §7.1，[C]/[P]）。来源写“日”，未写“工作日”，"
    "故按自然日计，到期日结束（次日零时）为止；城市如按工作日考核，可改为“7wd”“15wd”。签收时限取与派单时限"
    "相同的值，为本平台约定（承办单位应7×24小时签收，DOMAIN.md §7.1；准格尔旗以“24小时签收率”为基础指标，"
    "§7.2，[P]）。各类别可在服务目录中覆盖。",
    type=Table(keys=_URGENCIES, value=Table(keys=_LIMITS, value=WorkdayDuration(), partial=True), partial=True),
)
register(
    RATE_WEIGHTS,
    "综合得分权重（响应率/解决率/满意率，合计100）",
    {"response": 30, "resolution": 35, "satisfaction": 35},
    "准格尔旗考核办法：响应30%、解决35%、满意35%（DOMAIN.md §7.2，[P]；北京权重未查到，[U]）。",
    type=Table(keys=("response", "resolution", "satisfaction"), value=Integer(min_value=0, max_value=100), total=100),
)
register(
    WHISTLE_REPORT_MINUTES,
    "吹哨后部门报到时限（分钟，按吹哨情形）",
    {"emergency": 30, "enforcement": 30, "resident_demand": 30},
    "平谷区金海湖镇“吹哨报到”：吹哨后部门须在30分钟内报到，并坚守到事情办完（DOMAIN.md §7.4，[C]）；来源对三种吹哨"
    "情形（群众诉求、综合执法、应急处置）未作区分，故均取30分钟，城市可按情形调整。",
    type=Table(keys=("emergency", "enforcement", "resident_demand"), value=Integer(min_value=1)),
)


POINTS = Integer(min_value=0, max_value=100)


@dataclass(frozen=True)
class Scale(Table):
    """``{"min": …, "max": …}``, with min below max: the points a rating may take."""

    keys: tuple[str, ...] = ("min", "max")
    value: RuleType = POINTS

    def parse(self, value) -> dict:
        parsed = super().parse(value)
        if parsed["min"] >= parsed["max"]:
            raise RuleValueError("最低分应小于最高分")
        return parsed


register(
    SUMMONS_RATING_SCALE,
    "街道（社区）评价报到部门的分值范围",
    {"min": 1, "max": 5},
    "“吹哨报到”赋予街乡对部门的评价权、考核权（DOMAIN.md §7.4，[C]）；评分档次来源未规定，取常见的1—5分，[U]，"
    "由城市调整。部门综合得分中按（平均分 − 最低分）÷（最高分 − 最低分）折算。",
    type=Scale(),
)
register(
    DEPARTMENT_RATE_WEIGHTS,
    "职能部门综合得分权重（响应率/解决率/满意率/按时报到率/报到评价，合计100）",
    {"response": 20, "resolution": 25, "satisfaction": 25, "summons_on_time": 15, "summons_rating": 15},
    "部门既承办诉求（三率，DOMAIN.md §7.1—7.2）又接受街乡吹哨后的评价和考核（§7.4，[C]）；三率按准格尔旗"
    "30/35/35的比例占70，报到的按时率和评价各占15，为本平台约定，[U]，由城市调整。",
    type=Table(keys=DEPARTMENT_PARTS, value=Integer(min_value=0, max_value=100), total=100),
)
register(
    REMIND_BEFORE_RATIO,
    "时限到期前提醒（剩余时间占总时限的比例）",
    0.25,
    "本平台约定：剩余四分之一时限时提醒承办单位或派单员，例如24小时时限提前6小时、2小时时限提前30分钟（[U]）。",
    type=Ratio(),
)
register(
    PHOTO_MAX_BYTES,
    "诉求照片单张最大字节数",
    10 * 1024 * 1024,
    "手机照片通常2—8 MB；10 MB上限兼顾清晰度和存储（本平台约定，[U]）。",
    type=Integer(min_value=1024),
)
register(
    PHOTO_TYPES,
    "诉求照片允许的格式",
    ["jpeg", "png", "webp", "heic"],
    "常见手机照片格式；按文件内容识别，不信任文件扩展名（本平台约定）。",
    type=ListOf(Choice(("jpeg", "png", "webp", "heic"))),
)
register(
    PHOTO_MAX_COUNT,
    "每件诉求最多照片数",
    9,
    "与常见手机应用一次最多选择9张照片一致（本平台约定，[U]）。",
    type=Integer(min_value=1, max_value=50),
)
register(
    MAX_GRID_DISTANCE_M,
    "按坐标匹配网格的最大距离（米）",
    3000,
    "网格无边界数据时取最近的网格中心点；超过此距离视为无法定位到网格，转为按地址派单（本平台约定，[U]）。",
    type=Integer(min_value=1),
)
register(
    RATING_WAIT_DAYS,
    "答复后等待回访评价的天数",
    7,
    "逾期未评价的诉求自动办结，不计入解决率、满意率（本平台约定；各地回访时限不一，[U]）。",
    type=Integer(min_value=1),
)
register(
    EXTENSION_MAX_WORKDAYS,
    "单次申请延期的最多工作日",
    15,
    "延期须在时限届满前申请、由派单单位批准（DOMAIN.md §7.1 部门时限示例，[C]）；单次上限与疑难复杂件时限一致，[U]。",
    type=Integer(min_value=1),
)


def rating_scale() -> tuple[int, int]:
    """The lowest and highest points of a street's rating of a department (``appeals.summons_rating_scale``)."""
    scale = get_rule(SUMMONS_RATING_SCALE)
    return scale["min"], scale["max"]


def deadline_limits(urgency: str, category=None) -> dict[str, str]:
    """``{"dispatch", "response", "answer"}`` limits for an urgency, with the category's overrides."""
    defaults = RULES[DEADLINES].default
    table = get_rule(DEADLINES)
    # The city's table may leave levels or limits out: the defaults fill the gaps.
    limits = dict(defaults.get(urgency) or defaults["general"])
    limits.update(table.get(urgency) or {})
    if category is not None:
        limits.update((category.deadlines or {}).get(urgency) or {})
    return limits


# --------------------------------------------------------------------------- Open311 public reads and rate limits
# (issue 13 point 5; kept apart from the deadline and rate rules above so merges stay simple)

OPEN311_REACH_DAYS = "appeals.open311_reach_days"
OPEN311_PUBLIC_FIELDS = "appeals.open311_public_fields"
OPEN311_RATE_LIMITS = "appeals.open311_rate_limits"

# The optional GeoReport fields of a request a city may show or leave blank (``lat_long``: both).
OPEN311_OPTIONAL_FIELDS = (
    "description",
    "status_notes",
    "agency_responsible",
    "expected_datetime",
    "address",
    "address_id",
    "lat_long",
    "media_url",
)
OPEN311_RATE_KEYS = ("read_per_address", "read_per_key", "write_per_address", "write_per_key")

register(
    OPEN311_REACH_DAYS,
    "Open311 公开查询可查到的诉求范围（受理后天数）",
    90,
    "GeoReport v2 规定查询默认返回最近90天、单次日期范围由服务方限定（OPEN311.md §1.2）；《个人信息保护法》"
    "第六条（最小必要）、第十九条（保存期限为实现目的所必要的最短时间）：公开数据只保留跟进办理所需的时段（[C]）。"
    "更早的诉求不再公开（按编号查询也答复不存在）；90天为本平台默认值，[U]。",
    type=Integer(min_value=1, max_value=3660),
)
register(
    OPEN311_PUBLIC_FIELDS,
    "Open311 公开答复中显示的可选字段",
    list(OPEN311_OPTIONAL_FIELDS),
    "GeoReport v2 中除编号、状态、服务类别和受理时间外的字段均为可选（OPEN311.md §1.2）；城市可按《个人信息"
    "保护法》第六条（最小必要）去掉不宜公开的字段，未列出的字段答复为空。位置只公开到小区或街道，描述中的"
    "电话、证件号码和姓名一律遮盖（不受本设置影响）。默认全部显示，[U]。",
    type=ListOf(Choice(OPEN311_OPTIONAL_FIELDS), min_length=0),
)
register(
    OPEN311_RATE_LIMITS,
    "Open311 每分钟请求上限（按客户端地址、按接口密钥；读取与提交分计）",
    {"read_per_address": 60, "read_per_key": 600, "write_per_address": 10, "write_per_key": 120},
    "Open311 读取对公众开放，须防止批量抓取和滥用（《网络安全法》第二十一条：采取防范网络攻击等危害网络安全"
    "行为的技术措施，[C]）。每个地址每分钟60次读取、10次提交，足够居民和小程序正常使用；接入系统（如12345"
    "热线平台）以密钥批量同步，每分钟读取600次、提交120件。数值为本平台默认值，[U]，由城市按接入量调整。",
    type=Table(keys=OPEN311_RATE_KEYS, value=Integer(min_value=1)),
)
