"""The dashboards' rules with numbers (a city may change them on the rules page).

Each carries where its default comes from and how sure we are of it ([C] confirmed by a document,
[P] common practice, [G] our own guess), like ``orglife/rules.py``.
"""

from jiceng.core.rules import Integer, get_rule, register

KIOSK_REFRESH_SECONDS = "dashboards.kiosk_refresh_seconds"
SHARE_MAX_DAYS = "dashboards.share_max_days"
RANGE_MAX_MONTHS = "dashboards.range_max_months"
KIOSK_RANK_ROWS = "dashboards.kiosk_rank_rows"

register(
    KIOSK_REFRESH_SECONDS,
    "大屏自动刷新间隔（秒）",
    60,
    "大屏的数据来自按月维护的汇总表和今日受理计数，刷新一次只读几行；每分钟一次足以让值班人员看到新受理的诉求，"
    "又不给服务器增加负担（[G] 本平台默认值，可按城市需要调整）。",
    type=Integer(min_value=10, max_value=3600),
)
register(
    SHARE_MAX_DAYS,
    "大屏分享链接最长有效期（天）",
    30,
    "分享链接无需登录即可查看，只含汇总数字；有效期越短泄露后影响越小。个人信息保护法第五十一条要求采取相应的安全技术措施，"
    "一个月覆盖一次展会或一个月度的值班展示（[G] 本平台默认值）。",
    type=Integer(min_value=1, max_value=366),
)
register(
    RANGE_MAX_MONTHS,
    "看板自定义统计期最长月数",
    60,
    "自定义月份区间最长 5 年：月度汇总表按年份分区保存，更长的区间既无业务需要（述职、年报最长跨一个任期 5 年），"
    "也会让一次查询读过多的月份"
    "（[G] 本平台默认值；村（社区）“两委”任期 5 年见《中华人民共和国村民委员会组织法》第十三条）。",
    type=Integer(min_value=1, max_value=60),
)
register(
    KIOSK_RANK_ROWS,
    "大屏下级排行显示条数",
    10,
    "1920×1080 的大屏一栏能清楚显示约 10 行（[G] 本平台默认值）。",
    type=Integer(min_value=3, max_value=30),
)


def refresh_seconds() -> int:
    return get_rule(KIOSK_REFRESH_SECONDS)


def share_max_days() -> int:
    return get_rule(SHARE_MAX_DAYS)


def range_max_months() -> int:
    return get_rule(RANGE_MAX_MONTHS)


def kiosk_rank_rows() -> int:
    return get_rule(KIOSK_RANK_ROWS)
