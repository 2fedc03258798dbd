"""共驻共建's rules with numbers (seed 001: agreements with duties and a yearly review)."""

from decimal import Decimal

from jiceng.core.rules import Integer, get_rule, register

register(
    "partners.duty_reminder_days",
    "共建责任到期前提醒天数",
    14,
    "本平台规则：责任到期前两周在待办中提醒社区（[U]，由本市调整）。",
    type=Integer(min_value=1, max_value=120),
)

# The score of a yearly review: each duty rated done / partly / not done, weighted, out of 100.
RATING_WEIGHTS = {"done": Decimal("1"), "partly": Decimal("0.5"), "not_done": Decimal("0")}
RATING_BASIS = (
    "种子001：共驻共建协议年度评议按履约情况打分（[P]）。本平台：完成计1、部分完成计0.5、未完成计0，"
    "得分 = 100 × 各项之和 ÷ 责任项数（[U]）。"
)


def reminder_days() -> int:
    return get_rule("partners.duty_reminder_days")
