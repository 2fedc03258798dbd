"""Party dues (党费), DOMAIN.md §3: one rate for the whole base, chosen by the base's bracket.

The rate is not progressive: 5,000 元 → 50.00 but 5,001 元 → 75.02. The brackets, fixed amounts and
the arrears threshold are rule data (``jiceng.core.rules``), editable by the city.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from jiceng.core.dates import add_months
from jiceng.core.rules import Brackets, DecimalNumber, Integer, get_rule, register

from .models import DuesCategory

_BASIS = "中组部《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）（DOMAIN.md §3，[C]）"

register(
    "members.dues.employed_brackets",
    "在职党员党费比例（税后月工资收入上限（元）, 比例%），最后一档上限为空",
    [["3000", "0.5"], ["5000", "1"], ["10000", "1.5"], [None, "2"]],
    _BASIS + "：3000元以下（含）0.5%；3000至5000元（含）1%；5000至10000元（含）1.5%；10000元以上2%。"
    "按所在档次对全部基数计算，不累进。",
    type=Brackets(),
)
register(
    "members.dues.retired_brackets",
    "离退休党员党费比例（月离退休费上限（元）, 比例%）",
    [["5000", "0.5"], [None, "1"]],
    _BASIS + "：离退休费5000元以下（含）0.5%，5000元以上1%。",
    type=Brackets(),
)
register(
    "members.dues.fixed_amount",
    "学生、下岗失业、享受低保党员每月党费（元）",
    "0.20",
    _BASIS + "：学生党员、下岗失业党员、依靠抚恤或救济生活的党员、领取当地最低生活保障金的党员，每月交纳党费0.2元。",
    type=DecimalNumber(places=2, min_value=Decimal(0)),
)
register(
    "members.dues.farmer_amount",
    "农民党员每月党费（元，0.2至1元之间由省级组织确定）",
    "0.20",
    _BASIS + "：农民党员每月交纳党费0.2元至1元，具体由各省（区、市）党委组织部确定。",
    type=DecimalNumber(places=2, min_value=Decimal(0)),
)
register(
    "members.dues.arrears_months",
    "连续未交党费提示月数",
    6,
    "党章第三十八条：党员无正当理由连续六个月不交纳党费，就被认为是自行脱党（DOMAIN.md §3，[C]）。"
    "至多 24 个月（党员统计按此期限保存欠交起始月份，members/stats.py）。",
    type=Integer(min_value=1, max_value=24),
)

register(
    "members.dues.back_payment_months",
    "补交党费一般不超过（月，超过须写明原因）",
    6,
    _BASIS + "：党员因特殊原因未按月交纳党费的，经党支部同意可以补交，补交时间一般不超过6个月（DOMAIN.md §3，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.dues.prepay_max_months",
    "预交党费最多（月）",
    12,
    "党员可以按季度或更长期限预交党费（DOMAIN.md §3：经党支部同意可按季度交纳，[C]）；"
    "一次预交不超过12个月是各地常见做法（未见全国性规定，[U]，本市可调整）。",
    type=Integer(min_value=1, max_value=120),
)

CENT = Decimal("0.01")
FARMER_MIN, FARMER_MAX = Decimal("0.20"), Decimal("1.00")


def _rate(brackets, base: Decimal) -> Decimal:
    for upper, percent in brackets:
        if upper is None or base <= upper:
            return percent / 100
    return brackets[-1][1] / 100


def monthly_dues(category: str, base) -> Decimal:
    """The monthly amount in 元 for a member of ``category`` with monthly ``base`` (after tax)."""
    base = Decimal(str(base or 0))
    if base < 0:
        raise ValueError("党费基数不能为负数")
    if category == DuesCategory.EMPLOYED:
        rate = _rate(get_rule("members.dues.employed_brackets"), base)
    elif category == DuesCategory.RETIRED:
        rate = _rate(get_rule("members.dues.retired_brackets"), base)
    elif category == DuesCategory.FARMER:
        amount = get_rule("members.dues.farmer_amount")
        return min(max(amount, FARMER_MIN), FARMER_MAX).quantize(CENT, rounding=ROUND_HALF_UP)
    elif category in (DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.SUBSISTENCE):
        return get_rule("members.dues.fixed_amount").quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        raise ValueError(f"未知党费类别“{category}”")
    return (base * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_month(d: date, months: int) -> date:
    """The first day of the month ``months`` after ``d``'s month (:func:`core.dates.add_months`)."""
    return add_months(month_start(d), months)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s month."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def unpaid_months(paid_through: date | None, dues_from: date | None, today: date) -> int:
    """Months before the current one that are unpaid (the current month is not yet late).

    ``paid_through`` is the last month paid (first of month); ``dues_from`` the first month the
    person owed dues (probationary members pay from the branch vote, DOMAIN.md §2).
    """
    current = month_start(today)
    if paid_through is not None:
        first_unpaid = add_month(month_start(paid_through), 1)
    elif dues_from is not None:
        first_unpaid = month_start(dues_from)
    else:
        return 0
    return max(0, months_between(first_unpaid, current))


def arrears_threshold() -> int:
    return get_rule("members.dues.arrears_months")


def prepay_max_months() -> int:
    return get_rule("members.dues.prepay_max_months")


def payment_exceptions(month: date, amount: Decimal, due: Decimal, paid_on: date) -> list[str]:
    """Why a payment departs from the rules and needs a written reason (empty: it does not).

    A back-payment more than ``members.dues.back_payment_months`` months before the month it is
    paid in; an amount other than the one due (when the amount due is known: a base of 0 for a
    bracket category means the base is not on file yet).
    """
    reasons = []
    back = get_rule("members.dues.back_payment_months")
    if months_between(month_start(month), month_start(paid_on)) > back:
        reasons.append(f"补交{month:%Y年%m月}党费超过{back}个月（补交一般不超过{back}个月）")
    if due > 0 and amount != due:
        reasons.append(f"金额{amount}元与每月应交{due}元不符")
    return reasons
