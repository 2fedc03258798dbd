"""双报到's rules with numbers (DOMAIN.md §4.3), city-overridable through ``core.Rule``."""

from jiceng.core.rules import Integer, get_rule, register

register(
    "dualreport.yearly_target",
    "在职党员每年到社区服务次数（达标线）",
    2,
    "DOMAIN.md §4.3：双报到服务要求由各地自定，全国无统一数字（[U]）；佛山要求每半年报到并服务一次"
    "（即每年两次，[C]），邢台桥西区按年服务时长考核（[P]）。默认每年2次，由本市按本地文件调整。",
    type=Integer(min_value=1, max_value=52),
)
register(
    "dualreport.service_backdate_days",
    "服务记录可补登的最长天数",
    366,
    "本平台规则：服务记录在服务日期后一年内可补登，超过的由社区在备注中说明后另行处理（DOMAIN.md §4.3 "
    "要求社区每年至少评价一次，[P]）。",
    type=Integer(min_value=1, max_value=3660),
)


def yearly_target() -> int:
    return get_rule("dualreport.yearly_target")


def backdate_days() -> int:
    return get_rule("dualreport.service_backdate_days")
