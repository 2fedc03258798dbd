"""Rules with numbers are data: a default from DOMAIN.md with its basis, overridable by the city.

``get_rule(key)`` returns the city's value if one is stored in :class:`core.Rule`, else the
default declared here, so the default stays testable and the city can still change it.

Every rule declares its type (:class:`Integer`, :class:`DecimalNumber`, :class:`Ratio`,
:class:`Duration`, :class:`WorkdayDuration`, :class:`Choice`, :class:`Text`, :class:`ListOf`,
:class:`Table`, :class:`Brackets`, :class:`Day`), with bounds or choices where they make sense. The type parses the
stored JSON into the Python value callers use (so call sites need no casts),
refuses a city's bad edit in the admin with the reason in Chinese, and checks the default when the
rule is registered.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


class RuleValueError(ValueError):
    """A value does not fit the rule's type; the message says why in Chinese."""


# --------------------------------------------------------------------------- types


class RuleType:
    """Parses a stored (JSON) value into the rule's Python value, or raises RuleValueError.

    ``description`` says in Chinese what a valid value looks like: a property where it depends on
    the type's parameters, a plain class attribute where it is fixed.
    """

    @property
    def description(self) -> str:
        return ""

    def parse(self, value):
        raise NotImplementedError

    def to_json(self, value):
        """The parsed value as it is stored (JSON)."""
        return value


def _bounds_text(low, high, unit: str = "") -> str:
    if low is not None and high is not None:
        return f"{low}{unit}至{high}{unit}之间"
    if low is not None:
        return f"不小于{low}{unit}"
    return f"不大于{high}{unit}"


@dataclass(frozen=True)
class Integer(RuleType):
    min_value: int | None = None
    max_value: int | None = None

    @property
    def description(self) -> str:
        if self.min_value == 1 and self.max_value is None:
            return "正整数"
        if self.min_value == 0 and self.max_value is None:
            return "非负整数"
        if self.min_value is None and self.max_value is None:
            return "整数"
        return f"{_bounds_text(self.min_value, self.max_value)}的整数"

    def parse(self, value) -> int:
        if isinstance(value, bool):
            raise RuleValueError(f"应为{self.description}")
        text_number = isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value)
        if text_number or (isinstance(value, float) and value.is_integer()):
            value = int(value)
        if not isinstance(value, int):
            raise RuleValueError(f"应为{self.description}")
        if (self.min_value is not None and value < self.min_value) or (
            self.max_value is not None and value > self.max_value
        ):
            raise RuleValueError(f"应为{self.description}")
        return value


@dataclass(frozen=True)
class DecimalNumber(RuleType):
    """A number with at most ``places`` decimals; stored as text ("0.20") so it stays exact."""

    places: int = 2
    min_value: Decimal | None = None
    max_value: Decimal | None = None

    @property
    def description(self) -> str:
        text = f"最多{self.places}位小数的数"
        if self.min_value is None and self.max_value is None:
            return text
        return f"{_bounds_text(self.min_value, self.max_value)}、{text}"

    def parse(self, value) -> Decimal:
        if isinstance(value, bool) or value is None:
            raise RuleValueError(f"应为{self.description}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise RuleValueError(f"应为{self.description}") from None
        exponent = number.as_tuple().exponent  # a letter only for NaN and infinity
        if not number.is_finite() or not isinstance(exponent, int) or exponent < -self.places:
            raise RuleValueError(f"应为{self.description}")
        if (self.min_value is not None and number < self.min_value) or (
            self.max_value is not None and number > self.max_value
        ):
            raise RuleValueError(f"应为{self.description}")
        return number

    def to_json(self, value) -> str:
        return str(value)


@dataclass(frozen=True)
class Ratio(RuleType):
    """A share of a whole, strictly between 0 and 1 (a float: it scales time spans)."""

    description = "0到1之间（不含0和1）的小数，如 0.25"

    def parse(self, value) -> float:
        if isinstance(value, bool):
            raise RuleValueError(f"应为{self.description}")
        try:
            number = float(str(value).strip())
        except ValueError:
            raise RuleValueError(f"应为{self.description}") from None
        if not 0 < number < 1:
            raise RuleValueError(f"应为{self.description}")
        return number


_LIMIT = re.compile(r"^\s*(\d+)\s*(min|h|d|wd)\s*$")


@dataclass(frozen=True)
class Duration(RuleType):
    """A time limit as text: ``30min``, ``2h``, ``3d`` (calendar days). Kept as that text, which
    the deadline code reads (``appeals.deadlines.parse_limit``)."""

    units: ClassVar[tuple[str, ...]] = ("min", "h", "d")
    description = "时长，如 30min、2h、3d"

    def parse(self, value) -> str:
        match = _LIMIT.match(value) if isinstance(value, str) else None
        if match is None or match.group(2) not in self.units or int(match.group(1)) == 0:
            raise RuleValueError(f"应为{self.description}")
        return f"{int(match.group(1))}{match.group(2)}"


@dataclass(frozen=True)
class WorkdayDuration(Duration):
    """A time limit that may also count working days (``7wd``, with the official calendar)."""

    units: ClassVar[tuple[str, ...]] = ("min", "h", "d", "wd")
    description = "时长，如 30min、2h、3d 或 7wd（工作日）"


@dataclass(frozen=True)
class Choice(RuleType):
    choices: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        return f"以下之一：{'、'.join(self.choices)}"

    def parse(self, value) -> str:
        text = value.strip() if isinstance(value, str) else value
        if text not in self.choices:
            raise RuleValueError(f"应为{self.description}")
        return text


@dataclass(frozen=True)
class Text(RuleType):
    """A line of text up to ``max_length``; ``pattern`` (a regular expression the whole text must
    match, described by ``pattern_text``) if given. Empty text is allowed when ``blank``."""

    max_length: int = 200
    blank: bool = True
    pattern: str = ""
    pattern_text: str = ""

    @property
    def description(self) -> str:
        text = f"不超过{self.max_length}个字符的文字"
        return f"{text}，{self.pattern_text}" if self.pattern_text else text

    def parse(self, value) -> str:
        if not isinstance(value, str) or len(value.strip()) > self.max_length:
            raise RuleValueError(f"应为{self.description}")
        text = value.strip()
        if not text and not self.blank:
            raise RuleValueError("不能为空")
        if text and self.pattern and not re.fullmatch(self.pattern, text):
            raise RuleValueError(f"应为{self.description}")
        return text


@dataclass(frozen=True)
class ListOf(RuleType):
    item: RuleType = Integer()
    min_length: int = 1
    unique: bool = True

    @property
    def description(self) -> str:
        return f"列表，每项为{self.item.description}"

    def parse(self, value) -> list:
        if not isinstance(value, list) or len(value) < self.min_length:
            raise RuleValueError(f"应为{self.description}（至少{self.min_length}项）")
        items = []
        for i, raw in enumerate(value, start=1):
            try:
                items.append(self.item.parse(raw))
            except RuleValueError as exc:
                raise RuleValueError(f"第{i}项{exc}") from None
        if self.unique and len(set(items)) < len(items):
            raise RuleValueError("列表中有重复项")
        return items

    def to_json(self, value) -> list:
        return [self.item.to_json(v) for v in value]


@dataclass(frozen=True)
class Table(RuleType):
    """A mapping of known keys to values of one type. ``partial``: keys may be left out (the
    caller fills them from the default); ``total``: the values must add up to it."""

    keys: tuple[str, ...] = ()
    value: RuleType = Integer()
    partial: bool = False
    total: int | None = None

    @property
    def description(self) -> str:
        text = f"表，键为 {'、'.join(self.keys)}，值为{self.value.description}"
        return text + (f"，合计{self.total}" if self.total is not None else "")

    def parse(self, value) -> dict:
        if not isinstance(value, dict):
            raise RuleValueError(f"应为{self.description}")
        unknown = [k for k in value if k not in self.keys]
        if unknown:
            raise RuleValueError(f"不认识的键“{unknown[0]}”，应为 {'、'.join(self.keys)} 之一")
        missing = [k for k in self.keys if k not in value]
        if missing and not self.partial:
            raise RuleValueError(f"缺少“{missing[0]}”")
        parsed = {}
        for key, raw in value.items():
            try:
                parsed[key] = self.value.parse(raw)
            except RuleValueError as exc:
                raise RuleValueError(f"“{key}”{exc}") from None
        if self.total is not None and sum(parsed.values()) != self.total:
            raise RuleValueError(f"各项合计应为{self.total}")
        return parsed

    def to_json(self, value) -> dict:
        return {k: self.value.to_json(v) for k, v in value.items()}


@dataclass(frozen=True)
class Brackets(RuleType):
    """Rate brackets ``[[upper, rate], …, [null, rate]]``: increasing upper limits (元), the last
    open-ended, rates in percent. Parsed to ``[(Decimal | None, Decimal), …]``."""

    description = "分档表：[[上限, 比例%], …, [null, 比例%]]，上限递增，最后一档上限为空"

    def parse(self, value) -> list[tuple[Decimal | None, Decimal]]:
        if not isinstance(value, list) or not value:
            raise RuleValueError(f"应为{self.description}")
        number = DecimalNumber(places=2, min_value=Decimal(0))
        brackets: list[tuple[Decimal | None, Decimal]] = []
        for i, pair in enumerate(value, start=1):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise RuleValueError(f"第{i}档应为[上限, 比例%]")
            upper, rate = pair
            last = i == len(value)
            if last != (upper is None):
                raise RuleValueError("只有最后一档的上限为空")
            try:
                limit = None if upper is None else number.parse(upper)
                percent = number.parse(rate)
            except RuleValueError as exc:
                raise RuleValueError(f"第{i}档{exc}") from None
            # Only the last bracket is open-ended (checked above), so an earlier upper is a number.
            previous = brackets[-1][0] if brackets else None
            if limit is not None and previous is not None and limit <= previous:
                raise RuleValueError(f"第{i}档的上限应大于上一档")
            brackets.append((limit, percent))
        return brackets

    def to_json(self, value) -> list:
        return [[None if upper is None else str(upper), str(rate)] for upper, rate in value]


@dataclass(frozen=True)
class Day(RuleType):
    """A calendar date, stored as ``YYYY-MM-DD``."""

    description = "日期，如 2014-06-10"

    def parse(self, value) -> date:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise RuleValueError(f"应为{self.description}")

    def to_json(self, value) -> str:
        return value.isoformat()


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class RuleDef:
    key: str
    label: str
    default: object  # as declared (the stored form); ``value_type.parse(default)`` is the value
    basis: str
    value_type: RuleType

    def parse(self, value):
        """The typed value of a stored value; RuleValueError names the rule."""
        try:
            return self.value_type.parse(value)
        except RuleValueError as exc:
            raise RuleValueError(f"“{self.label}”{exc}") from None


RULES: dict[str, RuleDef] = {}


def register(key: str, label: str, default, basis: str, *, type: RuleType) -> RuleDef:
    """Declare a rule; its default must be a valid value of its type."""
    definition = RuleDef(key, label, default, basis, type)
    definition.parse(default)
    RULES[key] = definition
    return definition


register(
    "grid.target_households",
    "每个网格目标户数",
    400,
    "城市综合网格一般按300—500户划分（DOMAIN.md §5.2，省级指导意见，[P]）；取中间值400。",
    type=Integer(min_value=1),
)
register(
    "grid.min_households",
    "综合网格户数一般不少于",
    300,
    "城市综合网格一般按300—500户划分（DOMAIN.md §5.2，省级指导意见，[P]）；"
    "超出范围的网格在区划页和组织设置检查中提示。",
    type=Integer(min_value=0),
)
register(
    "grid.max_households",
    "综合网格户数一般不超过",
    500,
    "城市综合网格一般按300—500户划分（DOMAIN.md §5.2，省级指导意见，[P]；农村网格约300户）。",
    type=Integer(min_value=1),
)

_CACHE_KEY = "jiceng:rule:{}"
# Bumped whenever a rule is forgotten in this process. A caller that keeps its own snapshot of
# several values (members.rules.rule_values, read per imported row) compares it to drop the
# snapshot at once instead of serving an old value until its timer runs out.
_generation = 0


def generation() -> int:
    """This process's rule generation: it changes whenever a rule value may have changed."""
    return _generation


def drop_local_snapshots() -> None:
    """Make every process-local snapshot of rule values stale (a rule write, a cleared cache)."""
    global _generation
    _generation += 1


def get_rule(key: str):
    """The rule's typed value: the city's if stored and valid, else the default."""
    from jiceng.core.models import Rule

    definition = RULES[key]
    cache_key = _CACHE_KEY.format(key)
    value = cache.get(cache_key)
    if value is None:
        stored = Rule.objects.filter(key=key).values_list("value", flat=True).first()
        value = _typed(definition, stored)
        cache.set(cache_key, value, 60)
    return value


def _typed(definition: RuleDef, stored):
    if stored is not None:
        try:
            return definition.parse(stored)
        except RuleValueError as exc:
            # Stored before the admin checked types, or edited in the database: the default
            # keeps the platform working, and the log says which city value is ignored.
            logger.error("rule %s: stored value %r ignored: %s", definition.key, stored, exc)
    return definition.parse(definition.default)


def forget_rule(key: str) -> None:
    """Drop the cached value of ``key``: now, and again once the writing transaction has committed
    (a process reading in between would otherwise cache the old value again)."""
    cache_key = _CACHE_KEY.format(key)
    cache.delete(cache_key)
    drop_local_snapshots()

    def again() -> None:
        cache.delete(cache_key)
        drop_local_snapshots()

    transaction.on_commit(again)


def forget_rule_on_write(rule_model) -> None:
    """Forget a rule whenever its stored value is saved or deleted, whatever the way in."""
    from django.db.models.signals import post_delete, post_save

    def receiver(instance, **kwargs) -> None:
        forget_rule(instance.key)

    post_save.connect(receiver, sender=rule_model, weak=False, dispatch_uid="jiceng-rule-save")
    post_delete.connect(receiver, sender=rule_model, weak=False, dispatch_uid="jiceng-rule-delete")
