"""Moves rewrite the code prefix of the whole subtree, in one transaction."""

import pytest

from jiceng.accounts.models import AuditLog
from jiceng.areas import services
from jiceng.areas.models import Area, Level
from jiceng.areas.services import AreaError, create_area, move_area, recompute_rollups


def codes_under(area):
    return sorted(Area.objects.subtree(area.code).values_list("code", flat=True))


def test_moving_a_grid_issues_a_new_code_and_rewrites_its_subtree(tree):
    compound = create_area(None, parent=tree.grid1, level=Level.COMPOUND, name="北安门小区")
    inner = create_area(None, parent=compound, level=Level.BUILDING, name="3栋")
    moved = move_area(None, tree.grid1, tree.meiyuan_cm)
    # 梅园新村社区 already has grid 001, so the moved grid becomes 002.
    assert moved.code == "320102002001002"
    assert moved.parent == tree.meiyuan_cm
    assert codes_under(moved) == [
        "320102002001002",
        "320102002001002001",  # the building (was 320102002011001001)
        "320102002001002002",  # the compound
        "320102002001002002001",
    ]
    tree.building.refresh_from_db()
    inner.refresh_from_db()
    assert tree.building.code == "320102002001002001"
    assert inner.code == "320102002001002002001"
    assert inner.parent.code == "320102002001002002"
    assert not Area.objects.filter(code__startswith="320102002011001").exists()
    assert codes_under(tree.beianmen) == ["320102002011", "320102002011002"]
    # The old community issues codes from its own remaining sequence.
    assert create_area(None, parent=tree.beianmen, level=Level.GRID, name="新网格").code == "320102002011003"
    assert recompute_rollups() == 0


def test_national_level_move_requires_new_code(tree):
    with pytest.raises(AreaError) as info:
        move_area(None, tree.beianmen, tree.fuzimiao)
    assert info.value.code == "code"
    assert "新编码" in info.value.messages[0]
    tree.beianmen.refresh_from_db()
    assert tree.beianmen.code == "320102002011"


@pytest.mark.parametrize(
    ("new_code", "reason"),
    [
        ("320102002012", "code"),  # still under the old street's prefix
        ("32010400101", "code"),  # too short
        ("3201040010ab", "code"),
        ("320104001001", "duplicate"),  # 贡院社区
    ],
)
def test_national_level_move_validates_new_code(tree, new_code, reason):
    before = codes_under(tree.city)
    with pytest.raises(AreaError) as info:
        move_area(None, tree.beianmen, tree.fuzimiao, new_code=new_code)
    assert info.value.code == reason
    assert codes_under(tree.city) == before


def test_moving_a_community_to_another_district_rewrites_every_code(tree):
    moved = move_area(None, tree.beianmen, tree.fuzimiao, new_code="320104001011")
    assert moved.code == "320104001011"
    assert codes_under(moved) == [
        "320104001011",
        "320104001011001",
        "320104001011001001",
        "320104001011002",
    ]
    tree.grid2.refresh_from_db()
    assert tree.grid2.parent_id == moved.pk  # parents are kept, only codes change
    assert tree.grid2.name == "北安门社区第二网格"
    assert not Area.objects.filter(code__startswith="320102002011").exists()
    assert recompute_rollups() == 0


def test_cannot_move_under_itself_or_a_descendant(tree):
    for target in (tree.beianmen, tree.grid1, tree.building):
        with pytest.raises(AreaError) as info:
            move_area(None, tree.beianmen, target, new_code="320102002099")
        assert info.value.code == "parent"
        assert "下级" in info.value.messages[0]
    with pytest.raises(AreaError):
        move_area(None, tree.grid1, tree.building)


def test_cannot_move_under_the_wrong_level_or_same_parent(tree):
    with pytest.raises(AreaError) as info:
        move_area(None, tree.grid1, tree.meiyuan)  # a grid under a street
    assert info.value.code == "parent"
    with pytest.raises(AreaError) as info:
        move_area(None, tree.grid1, tree.beianmen)
    assert info.value.code == "parent"
    assert "相同" in info.value.messages[0]


def test_move_is_audited_with_old_and_new_code(tree, make_user):
    actor = make_user("mover", is_superuser=True)
    move_area(actor, tree.grid2, tree.meiyuan_cm)
    log = AuditLog.objects.filter(action="move_area").get()
    assert log.actor == actor
    assert log.before["code"] == "320102002011002"
    assert log.after["code"] == "320102002001002"
    assert log.before["parent"] == tree.beianmen.pk
    assert log.after["parent"] == tree.meiyuan_cm.pk
    assert log.area_path == "320102002001002"


def test_move_is_all_or_nothing(tree, monkeypatch):
    """A failure after the codes were rewritten rolls the whole move back."""
    before = list(Area.objects.values_list("code", "parent_id", "total_households", "descendant_count", "child_count"))

    def boom(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit", boom)
    with pytest.raises(RuntimeError):
        move_area(None, tree.beianmen, tree.fuzimiao, new_code="320104001011")
    after = list(Area.objects.values_list("code", "parent_id", "total_households", "descendant_count", "child_count"))
    assert after == before


def test_move_rewrites_registered_area_paths(tree, monkeypatch):
    """Tables with a denormalised area_path follow the move in the same transaction."""
    monkeypatch.setattr(services, "AREA_PATH_MODELS", [(AuditLog, "area_path")])
    inside = AuditLog.objects.filter(area_path=tree.building.code).count()
    assert inside > 0
    untouched = AuditLog.objects.filter(area_path=tree.gongyuan.code).count()
    move_area(None, tree.beianmen, tree.fuzimiao, new_code="320104001011")
    assert AuditLog.objects.filter(area_path="320104001011001001").count() == inside
    assert not AuditLog.objects.filter(area_path__startswith="320102002011").exists()
    assert AuditLog.objects.filter(area_path=tree.gongyuan.code).count() == untouched
