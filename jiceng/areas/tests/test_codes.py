"""Code rules: digits, length per level, child extends parent, no duplicates, issued grid codes."""

import pytest

from jiceng.accounts.models import AuditLog
from jiceng.areas.models import Area, Level, ancestor_codes
from jiceng.areas.services import AreaError, create_area, issue_code


def refused(reason_code, **kwargs):
    """Create must fail with ``reason_code`` and leave no row and no audit record behind."""
    areas, logs = Area.objects.count(), AuditLog.objects.count()
    with pytest.raises(AreaError) as info:
        create_area(None, **kwargs)
    assert info.value.code == reason_code, info.value.messages
    assert Area.objects.count() == areas
    assert AuditLog.objects.count() == logs
    message = info.value.messages[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # a Chinese message
    return message


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["320", "32010", "3201a", "", "32O1", "３２０１", "3201 ", " 3201"])
def test_city_code_must_be_four_digits(code):
    refused("code", parent=None, level=Level.CITY, code=code, name="某市")


@pytest.mark.parametrize(
    ("level", "parent_attr", "code"),
    [
        (Level.DISTRICT, "city", "32010"),  # 5 digits
        (Level.DISTRICT, "city", "3201020"),  # 7 digits
        (Level.STREET, "xuanwu", "32010200"),  # 8
        (Level.STREET, "xuanwu", "3201020021"),  # 10
        (Level.COMMUNITY, "meiyuan", "32010200201"),  # 11
        (Level.COMMUNITY, "meiyuan", "3201020020111"),  # 13
        (Level.GRID, "beianmen", "32010200201101"),  # 14: a grid is the community + 3 digits
        (Level.GRID, "beianmen", "3201020020110011"),  # 16
        (Level.BUILDING, "grid1", "320102002011001"),  # the grid's own length
    ],
)
def test_wrong_length_for_level_is_refused(tree, level, parent_attr, code):
    message = refused("code", parent=getattr(tree, parent_attr), level=level, code=code, name="新区划")
    assert "位" in message


@pytest.mark.parametrize(
    ("level", "parent_attr", "code"),
    [
        (Level.DISTRICT, "city", "330102"),
        (Level.STREET, "xuanwu", "320104002"),  # a 秦淮区 code under 玄武区
        (Level.COMMUNITY, "meiyuan", "320102003011"),
        (Level.GRID, "beianmen", "320102002001009"),  # the neighbouring community's prefix
    ],
)
def test_child_code_must_extend_parent(tree, level, parent_attr, code):
    message = refused("code", parent=getattr(tree, parent_attr), level=level, code=code, name="新区划")
    assert getattr(tree, parent_attr).code in message


@pytest.mark.parametrize(
    ("level", "parent_attr", "code"),
    [
        (Level.CITY, "city", "3202"),  # a city has no parent
        (Level.DISTRICT, None, "320199"),  # a district needs one
        (Level.STREET, "city", "320102099"),  # skipping the district
        (Level.COMMUNITY, "xuanwu", "320102002099"),
        (Level.STREET, "meiyuan", "320102002"),  # a street under a street
        (Level.GRID, "meiyuan", None),
        (Level.COMPOUND, "beianmen", None),
        (Level.BUILDING, "beianmen", None),
        (Level.BUILDING, "building", None),
    ],
)
def test_wrong_parent_level_is_refused(tree, level, parent_attr, code):
    parent = getattr(tree, parent_attr) if parent_attr else None
    refused("parent", parent=parent, level=level, code=code, name="新区划")


def test_unknown_level_is_refused(tree):
    refused("level", parent=tree.beianmen, level="province", code="320102002011999", name="新区划")


def test_duplicates_are_refused(tree):
    refused("duplicate", parent=tree.city, level=Level.DISTRICT, code="320102", name="玄武区（重复）")
    refused("duplicate", parent=tree.meiyuan, level=Level.COMMUNITY, code="320102002011", name="北安门社区")
    refused("duplicate", parent=None, level=Level.CITY, code="3201", name="南京市")
    refused("duplicate", parent=tree.beianmen, level=Level.GRID, code=tree.grid2.code, name="又一个第二网格")


def test_all_zero_sequence_is_refused(tree):
    refused("code", parent=tree.xuanwu, level=Level.STREET, code="320102000", name="零街道")
    refused("code", parent=tree.beianmen, level=Level.GRID, code="320102002011000", name="零网格")


def test_empty_name_and_negative_counts_are_refused(tree):
    refused("name", parent=tree.xuanwu, level=Level.STREET, code="320102003", name="   ")
    refused("counts", parent=tree.xuanwu, level=Level.STREET, code="320102003", name="新街口街道", households=-1)
    refused("counts", parent=tree.xuanwu, level=Level.STREET, code="320102003", name="新街口街道", population=-5)


def test_valid_codes_are_accepted_at_every_level(tree):
    street = create_area(None, parent=tree.xuanwu, level=Level.STREET, code="320102003", name="  新街口街道 ")
    assert street.name == "新街口街道"
    community = create_area(None, parent=street, level=Level.COMMUNITY, code="320102003001", name="香铺营社区")
    grid = create_area(None, parent=community, level=Level.GRID, name="香铺营社区第一网格")
    compound = create_area(None, parent=grid, level=Level.COMPOUND, name="香铺营小区")
    building = create_area(None, parent=compound, level=Level.BUILDING, name="1栋")
    direct = create_area(None, parent=grid, level=Level.BUILDING, name="临街楼")
    assert [len(a.code) for a in (street, community, grid, compound, building)] == [9, 12, 15, 18, 21]
    assert grid.code == "320102003001001"
    assert compound.code == "320102003001001001"
    assert building.code == "320102003001001001001"
    # A building straight under the grid takes the next number beside the compound.
    assert direct.code == "320102003001001002"
    assert ancestor_codes(building.code) == ["3201", "320102", "320102003", "320102003001", grid.code, compound.code]
    for area in (street, community, grid, compound, building, direct):
        area.refresh_from_db()
        assert area.parent.code == area.code[: len(area.parent.code)]


def test_grid_codes_are_issued_in_sequence(tree):
    assert tree.grid1.code == "320102002011001"
    assert tree.grid2.code == "320102002011002"
    third = create_area(None, parent=tree.beianmen, level=Level.GRID, name="第三网格")
    assert third.code == "320102002011003"
    # Another community's numbering is independent: 梅园新村社区 already has 001.
    other = create_area(None, parent=tree.meiyuan_cm, level=Level.GRID, name="梅园新村社区第二网格")
    assert other.code == "320102002001002"


def test_issued_sequence_continues_after_the_highest_code(tree):
    create_area(None, parent=tree.beianmen, level=Level.GRID, code="320102002011010", name="第十网格")
    assert create_area(None, parent=tree.beianmen, level=Level.GRID, name="第十一网格").code == "320102002011011"
    # The compound and building codes under a grid (longer codes) do not disturb the grid sequence.
    assert issue_code(tree.beianmen) == "320102002011012"


def test_issued_codes_run_out_at_999(tree):
    create_area(None, parent=tree.beianmen, level=Level.GRID, code="320102002011999", name="最后一个网格")
    message = refused("code", parent=tree.beianmen, level=Level.GRID, name="溢出网格")
    assert "999" in message


def test_national_levels_need_a_code(tree):
    refused("code", parent=tree.xuanwu, level=Level.STREET, name="无编码街道")
