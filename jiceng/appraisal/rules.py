"""民主评议党员's rules with numbers or switches (DOMAIN.md §1.3, §4.3), with their basis.

The pure check ``grade_cap_reasons`` reads nothing but its arguments and the rule values."""

from jiceng.core.rules import Choice, Integer, get_rule, register

from .models import Grade, grade_rank

register(
    "appraisal.cap_without_service",
    "未参加双报到服务的党员，建议等次不得高于上限（1=执行，0=不执行）",
    1,
    "地方做法：佛山市规定在职党员未按要求到社区报到服务的，年度民主评议不能评为“合格”及以上"
    "（DOMAIN.md §4.3，[C] 单一城市来源）；其他城市未见同类规定（[U]）。默认执行，城市可关闭。",
    type=Integer(min_value=0, max_value=1),
)
register(
    "appraisal.cap_grade",
    "未参加双报到服务的党员可建议的最高等次",
    Grade.QUALIFIED.value,
    "issue 10 要求“不得高于合格”，作为默认值（[P]）；佛山做法更严，为不能评为“合格”及以上，"
    "即最高“基本合格”（DOMAIN.md §4.3，[C]），城市可改为 basic。",
    type=Choice(tuple(Grade.values)),
)
register(
    "appraisal.min_services",
    "视为参加双报到服务的年度已确认服务次数（至少）",
    1,
    "平台设定（[U]）：当年至少有1次经社区确认的服务即视为参加了服务；年度服务目标见“双报到年度服务次数”。",
    type=Integer(min_value=1, max_value=50),
)


def cap_applies() -> bool:
    return bool(get_rule("appraisal.cap_without_service"))


def served(services: int | None) -> bool:
    return (services or 0) >= get_rule("appraisal.min_services")


def applies_to(is_employed: bool) -> bool:
    """The cap reads 双报到, which concerns 在职党员 only: a retired member is never capped."""
    return is_employed and cap_applies()


def grade_cap_reasons(grade: str, *, employed: bool, services: int | None) -> list[str]:
    """Why ``grade`` may not be given to a member; empty when it may."""
    if not applies_to(employed) or served(services):
        return []
    cap = get_rule("appraisal.cap_grade")
    if grade_rank(grade) < grade_rank(cap):
        return [
            f"该党员为在职党员，本年度双报到已确认服务{services or 0}次，未达到{get_rule('appraisal.min_services')}次，"
            f"按本市规定等次不得高于“{Grade(cap).label}”。"
        ]
    return []
