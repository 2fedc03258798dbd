"""党员积分's default scheme (DOMAIN.md §4.4: points schemes are local, there is no national one).

The city edits the scheme on its 积分规则 page (:class:`jiceng.points.models.PointRule` rows); a
source kind without a row uses the default below. Each default says where it comes from and how
sure we are (C = confirmed by a published local document, P = a common local practice, U = our
assumption for the demo city).
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DefaultRule:
    kind: str
    label: str
    unit: str
    points_per_unit: Decimal
    yearly_cap: int
    basis: str


DEFAULTS: tuple[DefaultRule, ...] = (
    DefaultRule(
        "dual_service",
        "双报到服务",
        "次",
        Decimal("2"),
        24,
        "DOMAIN.md §4.4：各地“党员积分制管理”自定分值（[P]，如每参加一次社区服务记1–2分，年度该项有上限）。"
        "默认每次经社区确认的双报到服务记2分、每年该项最多24分（[U]，由本市调整）。",
    ),
    DefaultRule(
        "volunteer_hours",
        "志愿服务时长",
        "小时",
        Decimal("1"),
        30,
        "DOMAIN.md §4.4：志愿服务按时长计分（[P]）。默认每小时1分、每年最多30分（[U]）。"
        "党员志愿者的时长审核通过时计分。",
    ),
    DefaultRule(
        "cobuild_claim",
        "认领并完成清单项目",
        "项",
        Decimal("3"),
        30,
        "种子000/001：认领需求、资源、项目并完成（[P]）。默认每项3分、每年最多30分（[U]）。党员认领并完成时计分（单位认领不计）。",
    ),
    DefaultRule(
        "wish_claim",
        "认领并完成微心愿",
        "个",
        Decimal("2"),
        20,
        "种子003：党员认领微心愿（[P]）。默认每个经确认的微心愿2分、每年最多20分（[U]）。",
    ),
)
BY_KIND = {rule.kind: rule for rule in DEFAULTS}
KIND_CHOICES = [(rule.kind, rule.label) for rule in DEFAULTS]
