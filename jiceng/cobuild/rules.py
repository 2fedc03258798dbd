"""共建清单's rules with numbers, city-overridable through ``core.Rule``.

No national document fixes how long a list item stays open; the defaults follow the yearly rhythm
the seeds describe (共驻共建 agreements and 民生菜单招亲会 are yearly: seed 003, Nanjing) and are
marked [U]: the city sets its own.
"""

from datetime import date, timedelta

from jiceng.core.rules import Integer, get_rule, register

_YEARLY = "种子材料003：各区每年与驻区单位签订共驻共建协议，双方列出资源清单、需求清单，项目化推进供需对接"

register(
    "cobuild.expiry_days.need",
    "需求默认认领期限（天）",
    90,
    f"{_YEARLY}；需求清单一般按季度更新（地方做法，[U]），默认发布后90天截止，发布时可另定。",
    type=Integer(min_value=1, max_value=730),
)
register(
    "cobuild.expiry_days.resource",
    "资源默认有效期（天）",
    180,
    f"{_YEARLY}（[U]）：资源由驻区单位每半年确认一次，默认发布后180天截止。",
    type=Integer(min_value=1, max_value=730),
)
register(
    "cobuild.expiry_days.project",
    "项目默认认领期限（天）",
    365,
    f"{_YEARLY}（[U]）：项目按年度推进，默认发布后365天截止。",
    type=Integer(min_value=1, max_value=1095),
)
register(
    "cobuild.expiry_warning_days",
    "即将到期提醒（截止前天数）",
    7,
    "平台设定：截止前一周在社区待办中提醒续期或关闭（[U]）。",
    type=Integer(min_value=1, max_value=60),
)
register(
    "cobuild.evidence_max_bytes",
    "完成凭证单个文件大小上限（字节）",
    10 * 1024 * 1024,
    "平台设定：与会议附件相同，现场照片一般在 10 MB 以内。",
    type=Integer(min_value=1024, max_value=100 * 1024 * 1024),
)
register(
    "cobuild.evidence_max_count",
    "每次认领完成凭证数量上限",
    9,
    "平台设定：手机一次最多选择9张照片。",
    type=Integer(min_value=1, max_value=50),
)


def expiry_days(kind: str) -> int:
    return get_rule(f"cobuild.expiry_days.{kind}")


def default_expiry(kind: str, published: date) -> date:
    """The day an item stops taking claims when the publisher names none."""
    return published + timedelta(days=expiry_days(kind))


def warning_days() -> int:
    return get_rule("cobuild.expiry_warning_days")


def expiring_soon(expires_on: date, today: date, days: int) -> bool:
    """Pure check: the item closes within ``days`` (today included) and has not closed yet."""
    return today <= expires_on <= today + timedelta(days=days)
