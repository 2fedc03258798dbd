"""The service catalogue, extra attributes (Open311 service definitions), photos, and suggestions."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from jiceng.appeals import services
from jiceng.appeals.intake import get_category
from jiceng.appeals.models import Category, Channel, ResponsibleLevel
from jiceng.appeals.rules import PHOTO_MAX_BYTES
from jiceng.appeals.services import AppealError, create_category, update_category
from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule

from .conftest import T0


def test_codes_are_paths_and_full_names_follow_renames(catalogue):
    assert catalogue.city_look.code == "001"
    assert catalogue.stall.code == "001001" and catalogue.building.code == "001002"
    assert catalogue.water.full_name == "水电气热/停水"
    update_category(None, catalogue.city_look, name="城市管理")
    catalogue.stall.refresh_from_db()
    assert catalogue.stall.full_name == "城市管理/占道经营"
    assert catalogue.stall.group == "城市管理"
    assert list(Category.objects.subtree("001").values_list("code", flat=True)) == ["001", "001001", "001002"]


def test_only_the_city_edits_the_catalogue(catalogue, people):
    with pytest.raises(PermissionDenied, match="市级"):
        create_category(people.district, name="新类别")
    create_category(people.city, name="新类别")


def test_definitions_are_validated(catalogue):
    with pytest.raises(AppealError, match="格式不正确"):
        update_category(None, catalogue.stall, deadlines={"general": {"answer": "soon"}})
    with pytest.raises(AppealError, match="紧急程度"):
        update_category(None, catalogue.stall, deadlines={"whenever": {"answer": "1d"}})
    with pytest.raises(AppealError, match="可选值"):
        update_category(None, catalogue.stall, attributes=[{"code": "x", "datatype": "singlevaluelist"}])
    with pytest.raises(AppealError, match="重复"):
        update_category(None, catalogue.stall, attributes=[{"code": "x"}, {"code": "x"}])
    with pytest.raises(AppealError, match="不能直接修改"):
        update_category(None, catalogue.stall, code="999")


def test_attributes_are_checked_on_intake(submit, catalogue, tree):
    base = {"category": catalogue.parking, "description": "停车难", "area": tree.grid1}
    with pytest.raises(AppealError, match="请填写“涉及车位数”"):
        submit(**base)
    with pytest.raises(AppealError, match="应为数字"):
        submit(**base, attributes={"spaces": "很多"})
    with pytest.raises(AppealError, match="不在可选范围内"):
        submit(**base, attributes={"spaces": "3", "when": "noon"})
    appeal = submit(**base, attributes={"spaces": "3", "when": "night", "unknown": "dropped"})
    assert appeal.attributes == {"spaces": "3", "when": "night"}


def test_category_restricted_to_an_area_and_inactive(submit, catalogue, tree, people):
    update_category(None, catalogue.consult, area_paths=[tree.qinhuai.code])
    with pytest.raises(AppealError, match="不受理"):
        submit(category=catalogue.consult, description="咨询")
    assert catalogue.consult not in Category.objects.available_at(tree.beianmen.code)
    assert any(c.pk == catalogue.consult.pk for c in Category.objects.available_at(tree.gongyuan.code))
    update_category(None, catalogue.stall, is_active=False)
    with pytest.raises(AppealError, match="已停用"):
        submit()


def test_photo_limits_are_rules(submit, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    webp = SimpleUploadedFile("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"0" * 20)
    heic = SimpleUploadedFile("a.heic", b"\x00\x00\x00\x18ftypheic" + b"0" * 20)
    assert services.validate_photo(webp) == "webp" and services.validate_photo(heic) == "heic"
    with pytest.raises(AppealError, match="只能上传照片"):
        services.validate_photo(SimpleUploadedFile("a.jpg", b"GIF89a" + b"0" * 20))
    with pytest.raises(AppealError, match="空的"):
        services.validate_photo(SimpleUploadedFile("a.jpg", b""))
    Rule.objects.create(key=PHOTO_MAX_BYTES, value=1024 * 1024)
    forget_rule(PHOTO_MAX_BYTES)
    big = io.BytesIO(b"\xff\xd8\xff" + b"0" * (1024 * 1024))
    with pytest.raises(AppealError, match="不能超过1 MB"):
        services.validate_photo(big)
    photos = [SimpleUploadedFile(f"{n}.jpg", b"\xff\xd8\xff" + b"0" * 10) for n in range(10)]
    with pytest.raises(AppealError, match="最多上传9张"):
        submit(photos=photos)


def test_add_photo_later_by_the_handler(submit, people, tree, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    photo = services.add_photo(people.grid, appeal, SimpleUploadedFile("p.jpg", b"\xff\xd8\xff1"), stage="progress")
    assert photo.uploaded_by == people.grid and photo.event.kind == "photo"
    with pytest.raises(PermissionDenied):
        services.add_photo(people.grid2, appeal, SimpleUploadedFile("p.jpg", b"\xff\xd8\xff1"), stage="progress")


def test_department_suggestion_prefers_the_most_local_department(submit, catalogue, departments, tree):
    from jiceng.orgs.models import Department, DepartmentLevel

    appeal = submit(category=catalogue.water, description="停水")
    assert services.suggest_dispatch(appeal).department == departments.xw_water
    street_office = Department.objects.create(
        name="梅园新村街道水务站", level=DepartmentLevel.STREET, area=tree.meiyuan, area_path=tree.meiyuan.code
    )
    assert services.suggest_dispatch(appeal).department == street_office
    # No department with the keyword serves the place: the district, by 首接负责.
    update_category(None, catalogue.water, department_keyword="燃气")
    appeal.category.refresh_from_db()
    suggestion = services.suggest_dispatch(appeal)
    assert suggestion.area == tree.xuanwu and "首接负责" in suggestion.reason


def test_a_department_serving_named_areas_is_reachable(submit, catalogue, tree):
    from jiceng.orgs.models import Department, DepartmentLevel

    city_bureau = Department.objects.create(
        name="南京市城市管理局", level=DepartmentLevel.CITY, area=tree.city, area_path=tree.city.code
    )
    qinhuai_only = Department.objects.create(
        name="秦淮区城管执法大队", level=DepartmentLevel.DISTRICT, area=tree.qinhuai, area_path=tree.qinhuai.code
    )
    appeal = submit(category=catalogue.building, description="违建")
    assert services.check_target(appeal, department=city_bureau) == "南京市城市管理局"
    with pytest.raises(AppealError):
        services.check_target(appeal, department=qinhuai_only)
    qinhuai_only.areas_served.add(tree.meiyuan)
    assert services.check_target(appeal, department=qinhuai_only)


def test_open311_style_system_intake_without_a_user(catalogue, tree):
    appeal = services.create_appeal(
        None,
        channel=Channel.OPEN311,
        category=catalogue.stall.code,
        description="路灯不亮",
        area=tree.grid1,
        reporter_name="Open311 用户",
        client_token="device-1:42",
        now=T0,
    )
    assert appeal.created and appeal.created_by is None and appeal.channel == Channel.OPEN311
    again = services.create_appeal(
        None,
        channel=Channel.OPEN311,
        category=catalogue.stall.code,
        description="x",
        area=tree.grid1,
        client_token="device-1:42",
    )
    assert again.pk == appeal.pk and not again.created


def test_responsible_levels_cover_every_choice():
    from jiceng.appeals.services import LEVEL_LENGTH

    assert set(LEVEL_LENGTH) | {ResponsibleLevel.DEPARTMENT} == set(ResponsibleLevel.values)


def test_a_category_edit_reaches_the_next_create(catalogue, django_assert_num_queries):
    code = catalogue.stall.code
    assert get_category(code).is_active
    with django_assert_num_queries(0):
        get_category(code)
    update_category(None, catalogue.stall, is_active=False)
    assert get_category(code).is_active is False
