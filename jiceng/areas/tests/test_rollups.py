"""Households, population and node counts roll up to every ancestor and stay right."""

import pytest

from jiceng.areas.models import Area, Level
from jiceng.areas.services import AreaError, create_area, move_area, recompute_rollups, update_area


def expected_rollups():
    """Totals computed from scratch, from each node's own values and the codes alone."""
    rows = list(Area.objects.values_list("code", "households", "population"))
    expected = {}
    for code, _, _ in rows:
        below = [r for r in rows if r[0].startswith(code)]
        children = [r for r in rows if r[0].startswith(code) and r[0] != code]
        child_count = Area.objects.filter(parent__code=code).count()
        expected[code] = (sum(r[1] for r in below), sum(r[2] for r in below), child_count, len(children))
    return expected


def actual_rollups():
    return {
        code: rest
        for code, *rest in Area.objects.values_list(
            "code", "total_households", "total_population", "child_count", "descendant_count"
        )
    }


def assert_rollups_correct():
    actual = {code: tuple(v) for code, v in actual_rollups().items()}
    assert actual == expected_rollups()
    # The nightly recomputation agrees with the incremental maintenance: nothing to change.
    assert recompute_rollups() == 0


def totals(area):
    area.refresh_from_db()
    return area.total_households, area.total_population, area.child_count, area.descendant_count


def test_rollups_after_create(tree):
    assert totals(tree.beianmen) == (350, 875, 2, 3)
    assert totals(tree.meiyuan) == (400, 995, 2, 6)
    assert totals(tree.xuanwu) == (400, 995, 1, 7)
    assert totals(tree.qinhuai) == (300, 800, 1, 2)
    assert totals(tree.city) == (700, 1795, 2, 11)
    assert totals(tree.building) == (40, 90, 0, 0)
    assert_rollups_correct()


def test_rollups_after_adding_deep_node(tree):
    create_area(None, parent=tree.grid2, level=Level.COMPOUND, name="新小区", households=7, population=11)
    assert totals(tree.grid2) == (207, 511, 1, 1)
    assert totals(tree.beianmen) == (357, 886, 2, 4)
    assert totals(tree.city) == (707, 1806, 2, 12)
    assert totals(tree.qinhuai) == (300, 800, 1, 2)  # a different branch is untouched
    assert_rollups_correct()


def test_rollups_after_edit(tree):
    update_area(None, tree.building, households=45, population=100)
    assert totals(tree.building) == (45, 100, 0, 0)
    assert totals(tree.grid1) == (145, 360, 1, 1)
    assert totals(tree.beianmen) == (355, 885, 2, 3)
    assert totals(tree.city) == (705, 1805, 2, 11)
    update_area(None, tree.beianmen, households=0)
    assert totals(tree.beianmen) == (345, 885, 2, 3)
    assert totals(tree.xuanwu)[0] == 395
    update_area(None, tree.gongyuan, name="贡院社区（改名）")  # a rename changes no count
    assert totals(tree.city) == (695, 1805, 2, 11)
    assert_rollups_correct()


def test_rejected_edit_changes_nothing(tree):
    before = actual_rollups()
    with pytest.raises(AreaError):
        update_area(None, tree.building, households=-3)
    with pytest.raises(AreaError):
        update_area(None, tree.building, name="")
    with pytest.raises(AreaError):
        update_area(None, tree.building, code="320102002011001009")  # codes change only by moving
    assert actual_rollups() == before
    tree.building.refresh_from_db()
    assert tree.building.name == "1栋"


def test_rollups_after_move_within_a_street(tree):
    move_area(None, tree.grid1, tree.meiyuan_cm)
    assert totals(tree.beianmen) == (210, 525, 1, 1)
    assert totals(tree.meiyuan_cm) == (190, 470, 2, 3)
    assert totals(tree.meiyuan) == (400, 995, 2, 6)  # the common ancestor keeps its totals
    assert totals(tree.city) == (700, 1795, 2, 11)
    assert_rollups_correct()


def test_rollups_after_move_across_districts(tree):
    move_area(None, tree.beianmen, tree.fuzimiao, new_code="320104001011")
    assert totals(tree.xuanwu) == (50, 120, 1, 3)
    assert totals(tree.meiyuan) == (50, 120, 1, 2)
    assert totals(tree.fuzimiao) == (650, 1675, 2, 5)
    assert totals(tree.qinhuai) == (650, 1675, 1, 6)
    assert totals(tree.city) == (700, 1795, 2, 11)
    assert_rollups_correct()


def test_rollups_after_a_sequence_of_writes(tree):
    create_area(None, parent=tree.xuanwu, level=Level.STREET, code="320102003", name="新街口街道")
    street = Area.objects.get(code="320102003")
    community = create_area(
        None, parent=street, level=Level.COMMUNITY, code="320102003001", name="香铺营社区", households=5
    )
    grid = create_area(None, parent=community, level=Level.GRID, name="香铺营第一网格", households=12, population=30)
    move_area(None, tree.grid2, community)
    update_area(None, grid, households=20)
    move_area(None, community, tree.fuzimiao, new_code="320104001002")
    update_area(None, tree.city, population=1)
    assert_rollups_correct()


def test_recompute_repairs_drift(tree):
    Area.objects.filter(code__in=[tree.city.code, tree.grid1.code]).update(total_households=0, descendant_count=99)
    assert recompute_rollups() == 2
    assert totals(tree.city) == (700, 1795, 2, 11)
    assert totals(tree.grid1) == (140, 350, 1, 1)
    assert recompute_rollups() == 0
