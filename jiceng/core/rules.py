"""Rules with numbers are data: a default from DOMAIN.md with its basis, overridable by the city.

``get_rule(key)`` returns the city's value if one is stored in :class:`core.Rule`, else the
default declared here, so the default stays testable and the city can still change it.
"""

from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class RuleDef:
    key: str
    label: str
    default: object
    basis: str


RULES: dict[str, RuleDef] = {}


def register(key: str, label: str, default, basis: str) -> RuleDef:
    RULES[key] = RuleDef(key, label, default, basis)
    return RULES[key]


register(
    "grid.target_households",
    "每个网格目标户数",
    400,
    "城市综合网格一般按300—500户划分（DOMAIN.md §5.2，省级指导意见，[P]）；取中间值400。",
)

_CACHE_KEY = "jiceng:rule:{}"


def get_rule(key: str):
    from jiceng.core.models import Rule

    definition = RULES[key]
    cache_key = _CACHE_KEY.format(key)
    value = cache.get(cache_key)
    if value is None:
        stored = Rule.objects.filter(key=key).values_list("value", flat=True).first()
        value = definition.default if stored is None else stored
        cache.set(cache_key, value, 60)
    return value


def forget_rule(key: str) -> None:
    cache.delete(_CACHE_KEY.format(key))
