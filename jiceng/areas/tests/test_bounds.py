"""Households, population and coordinates have bounds, at the service and on the pages; a count
past them used to overflow the ancestors' totals and leave them wrong after it was set back."""

from decimal import Decimal

import pytest

from jiceng.areas.models import HOUSEHOLDS_MAX, POPULATION_MAX, Level
from jiceng.areas.services import AreaError, create_area, update_area

from .test_rollups import actual_rollups, assert_rollups_correct, totals

INT64_MAX = 9223372036854775807


@pytest.mark.parametrize(
    "changes",
    [
        {"households": INT64_MAX},
        {"households": HOUSEHOLDS_MAX + 1},
        {"population": POPULATION_MAX + 1},
        {"households": 2**31},
        {"latitude": Decimal("90"), "longitude": Decimal("118.8")},
        {"latitude": Decimal("32.06"), "longitude": Decimal("-118.8")},
        {"latitude": "NaN", "longitude": "118.8"},
        {"latitude": Decimal("32.06")},  # the other one missing
    ],
)
def test_an_edit_out_of_bounds_is_refused_and_changes_nothing(tree, changes):
    before = actual_rollups()
    with pytest.raises(AreaError):
        update_area(None, tree.building, **changes)
    assert actual_rollups() == before
    assert_rollups_correct()


def test_the_largest_counts_roll_up_and_back(tree):
    update_area(None, tree.building, households=HOUSEHOLDS_MAX, population=POPULATION_MAX)
    assert totals(tree.city)[:2] == (700 - 40 + HOUSEHOLDS_MAX, 1795 - 90 + POPULATION_MAX)
    update_area(None, tree.building, households=40, population=90)
    assert totals(tree.city)[:2] == (700, 1795)
    assert_rollups_correct()


def test_create_checks_the_same_bounds(tree):
    with pytest.raises(AreaError):
        create_area(None, parent=tree.grid2, level=Level.BUILDING, name="2栋", households=INT64_MAX)
    with pytest.raises(AreaError):
        create_area(None, parent=tree.grid2, level=Level.BUILDING, name="2栋", latitude=0, longitude=0)
    building = create_area(
        None, parent=tree.grid2, level=Level.BUILDING, name="2栋", latitude="32.0601234", longitude=118.8
    )
    assert (building.latitude, building.longitude) == (Decimal("32.060123"), Decimal("118.800000"))
    assert_rollups_correct()


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"households": INT64_MAX}, "households"),
        ({"population": POPULATION_MAX + 1}, "population"),
        ({"latitude": "91", "longitude": "118.8"}, "latitude"),
        ({"latitude": "32.06", "longitude": "200"}, "longitude"),
    ],
)
def test_the_edit_page_shows_the_bound_on_the_field(login, tree, users, post, field):
    data = {"name": "北安门社区第一网格", "households": 100, "population": 260, **post}
    response = login(users.community).post(f"/areas/{tree.grid1.code}/edit/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert_rollups_correct()
