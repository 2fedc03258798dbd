"""Rules with numbers are data: a default with its basis, overridable by the city."""

import pytest

from jiceng.core.models import Rule
from jiceng.core.rules import RULES, forget_rule, get_rule


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
