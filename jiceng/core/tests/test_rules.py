"""Rules with numbers are data: a default with its basis, overridable by the city."""

from datetime import date
from decimal import Decimal

import pytest

from jiceng.core.models import Rule
from jiceng.core.rules import (
    RULES,
    Brackets,
    Choice,
    Day,
    DecimalNumber,
    Duration,
    Integer,
    ListOf,
    Ratio,
    RuleType,
    RuleValueError,
    Table,
    WorkdayDuration,
    forget_rule,
    get_rule,
    register,
)


@pytest.mark.django_db
def test_grid_target_default_and_basis():
    assert get_rule("grid.target_households") == 400
    definition = RULES["grid.target_households"]
    assert 300 <= definition.default <= 500
    assert "DOMAIN.md" in definition.basis


@pytest.mark.django_db
def test_city_override_wins_and_can_be_removed():
    Rule.objects.create(key="grid.target_households", value=350, note="本市网格化管理办法")
    forget_rule("grid.target_households")
    assert get_rule("grid.target_households") == 350
    Rule.objects.filter(key="grid.target_households").delete()
    forget_rule("grid.target_households")
    assert get_rule("grid.target_households") == 400


@pytest.mark.django_db
def test_unknown_rule_is_an_error():
    with pytest.raises(KeyError):
        get_rule("no.such.rule")


# --------------------------------------------------------------------------- typed values

# Every module that registers rules, so the walk below sees all of them.
RULE_MODULES = (
    "jiceng.core.excel_jobs",
    "jiceng.orgs.rules",
    "jiceng.appeals.rules",
    "jiceng.members.rules",
    "jiceng.members.dues",
    "jiceng.members.services.transfers",
)


@pytest.fixture
def all_rules():
    import importlib

    for module in RULE_MODULES:
        importlib.import_module(module)
    return RULES


def test_every_default_is_a_valid_value_of_its_own_type(all_rules):
    assert len(all_rules) >= 40
    for definition in all_rules.values():
        assert isinstance(definition.value_type, RuleType), definition.key
        value = definition.parse(definition.default)
        # What the admin stores for the default reads back as the same value.
        assert definition.parse(definition.value_type.to_json(value)) == value, definition.key


@pytest.mark.django_db
def test_get_rule_returns_the_typed_value(all_rules):
    assert get_rule("members.dues.farmer_amount") == Decimal("0.20")
    assert get_rule("members.detailed_rules_from") == date(2014, 6, 10)
    assert get_rule("members.dues.employed_brackets")[0] == (Decimal(3000), Decimal("0.5"))
    assert get_rule("appeals.remind_before_ratio") == 0.25
    Rule.objects.create(key="grid.target_households", value="350")  # text, as JSON may hold it
    forget_rule("grid.target_households")
    try:
        assert get_rule("grid.target_households") == 350
    finally:
        forget_rule("grid.target_households")


@pytest.mark.django_db
def test_a_stored_value_of_the_wrong_type_falls_back_to_the_default_and_is_logged(caplog):
    Rule.objects.create(key="grid.target_households", value="很多")
    forget_rule("grid.target_households")
    try:
        assert get_rule("grid.target_households") == 400
    finally:
        forget_rule("grid.target_households")
    assert "grid.target_households" in caplog.text


def test_register_refuses_a_default_that_does_not_fit_its_type():
    with pytest.raises(RuleValueError, match="应为正整数"):
        register("test.bad_default", "坏默认值", 0, "测试", type=Integer(min_value=1))
    assert "test.bad_default" not in RULES


@pytest.mark.parametrize(
    ("rule_type", "good", "parsed", "bad"),
    [
        (Integer(min_value=1), [" 12 ", 12, 12.0], 12, ["", "abc", 0, -3, 2.5, True, None, [1]]),
        (Integer(min_value=0, max_value=10), ["0", 10], None, [11, "-1"]),
        (DecimalNumber(places=2, min_value=Decimal(0)), ["0.5", 0.5, "1"], None, ["0.125", "abc", -1, None, "NaN"]),
        (Ratio(), ["0.25", 0.25], 0.25, [0, 1, "1.5", "abc", "nan"]),
        (Duration(), ["30min", "2h", " 3d "], None, ["7wd", "2 hours", "0h", 5, ""]),
        (WorkdayDuration(), ["7wd", "2h"], None, ["7w", "wd", None]),
        (Choice(("jpeg", "png")), ["jpeg", " png "], None, ["bmp", "", 1]),
        (ListOf(Choice(("jpeg", "png"))), [["jpeg", "png"]], None, [[], ["bmp"], ["png", "png"], "jpeg"]),
        (
            Table(keys=("a", "b"), value=Integer(min_value=0), total=10),
            [{"a": 4, "b": 6}],
            {"a": 4, "b": 6},
            [{"a": 4}, {"a": 4, "b": 5}, {"a": 4, "b": 6, "c": 0}, {"a": "x", "b": 10}, [4, 6]],
        ),
        (Table(keys=("a", "b"), value=WorkdayDuration(), partial=True), [{"a": "2h"}, {}], None, [{"a": "2"}]),
        (
            Brackets(),
            [[["3000", "0.5"], [None, "1"]], [[None, 2]]],
            None,
            [[], [["3000", "0.5"]], [[None, "1"], ["3000", "0.5"]], [["5000", "1"], ["3000", "2"], [None, "3"]]],
        ),
        (Day(), ["2014-06-10"], date(2014, 6, 10), ["2014-13-01", "", 20140610]),
    ],
)
def test_each_type_parses_good_values_and_refuses_bad_ones(rule_type, good, parsed, bad):
    for value in good:
        result = rule_type.parse(value)
        if parsed is not None:
            assert result == parsed, value
        assert rule_type.parse(rule_type.to_json(result)) == result, value
    for value in bad:
        with pytest.raises(RuleValueError):
            rule_type.parse(value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "text", "stored"),
    [
        ("grid.target_households", "350", 350),
        ("members.dues.farmer_amount", "0.5", "0.5"),
        ("appeals.remind_before_ratio", "0.3", 0.3),
        ("appeals.deadlines", '{"general": {"answer": "5wd"}}', {"general": {"answer": "5wd"}}),
        ("appeals.photo_types", '["jpeg", "png"]', ["jpeg", "png"]),
        ("appeals.rate_weights", '{"response": 20, "resolution": 40, "satisfaction": 40}', None),
        ("members.dues.retired_brackets", '[["4000", "0.5"], [null, "1"]]', [["4000", "0.5"], [None, "1"]]),
        ("members.detailed_rules_from", "2015-01-01", "2015-01-01"),  # plain text, no JSON quotes
    ],
)
def test_admin_form_accepts_a_value_of_the_rules_type(all_rules, key, text, stored):
    from jiceng.core.admin import RuleForm

    form = RuleForm(data={"key": key, "value": text, "note": ""})
    assert form.is_valid(), form.errors
    rule = form.save()
    if stored is not None:
        assert rule.value == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("grid.target_households", "0", "“每个网格目标户数”应为正整数"),
        ("grid.target_households", "三百", "“每个网格目标户数”应为正整数"),
        ("members.dues.farmer_amount", "0.123", "最多2位小数"),
        ("appeals.remind_before_ratio", "1.5", "0到1之间"),
        ("appeals.deadlines", '{"general": {"answer": "5 weeks"}}', "“general”“answer”应为时长"),
        ("appeals.photo_types", '["bmp"]', "第1项应为以下之一：jpeg、png、webp、heic"),
        ("appeals.rate_weights", '{"response": 20, "resolution": 40, "satisfaction": 30}', "各项合计应为100"),
        ("members.dues.retired_brackets", '[[null, "1"], ["4000", "0.5"]]', "只有最后一档的上限为空"),
        ("members.detailed_rules_from", "2015年1月1日", "应为日期"),
    ],
)
def test_admin_form_refuses_a_value_of_another_type_in_chinese(all_rules, key, text, message):
    from jiceng.core.admin import RuleForm

    form = RuleForm(data={"key": key, "value": text, "note": ""})
    assert not form.is_valid()
    assert message in " ".join(form.errors["value"])
    assert not Rule.objects.filter(key=key).exists()
