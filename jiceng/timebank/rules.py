"""时间银行's rules with numbers, as data with their source (a city may change each)."""

from decimal import Decimal

from jiceng.core.rules import DecimalNumber, Integer, register

register(
    "timebank.balance_cap_hours",
    "个人时间银行账户余额上限（小时）",
    "1500",
    "南京市做法（seed 001「时间银行」；南京市养老服务时间银行实施办法，[P]）：个人存储时长上限1500小时，"
    "超出部分自动捐入社区公益基金。",
    type=DecimalNumber(min_value=Decimal("1"), max_value=Decimal("100000"), places=1),
)
register(
    "timebank.redeem_min_age",
    "兑换服务的受益人最低年龄（周岁）",
    60,
    "各地养老服务时间银行以60周岁以上老年人为兑换对象（南京、上海等地实施办法，[P]）。",
    type=Integer(min_value=0, max_value=120),
)
