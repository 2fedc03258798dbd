"""志愿服务's rules with numbers, as data with their source (a city may change each)."""

from decimal import Decimal

from jiceng.core.rules import DecimalNumber, Integer, register

register(
    "volunteers.daily_hours_cap",
    "每人每日志愿服务时长上限（小时）",
    "8",
    "《志愿服务记录与证明出具办法（试行）》(民政部 2020) 要求时长如实记录；多地时间银行规定每人每日"
    "计入时长不超过8小时（如南京市时间银行管理办法，[P]），超出部分不予记录。",
    type=DecimalNumber(min_value=Decimal("0.5"), max_value=Decimal("24"), places=1),
)
register(
    "volunteers.signin_early_minutes",
    "活动开始前可提前签到（分钟）",
    30,
    "平台设定（[U]）：签到仅在活动时间内有效，允许提前到场签到；活动结束后不能再签到。",
    type=Integer(min_value=0, max_value=240),
)
register(
    "volunteers.signout_late_minutes",
    "活动结束后仍可签退（分钟）",
    60,
    "平台设定（[U]）：签退晚于此时间的，按活动结束时间核定时长。",
    type=Integer(min_value=0, max_value=720),
)
register(
    "volunteers.report_past_days",
    "本人申报时长最早可追溯（天）",
    30,
    "平台设定（[U]）：志愿服务记录应及时记录（《志愿服务条例》第十九条），逾期申报不予受理。",
    type=Integer(min_value=1, max_value=366),
)
