"""Issue 13, point 1: masking that cannot be undone (DOMAIN.md §11, PIPL minimum necessary).

A grid worker (no ``members.view_pii_member``) saw ``320***********3896`` next to the full birth
date and an ``area_path`` starting with the same six digits, and rebuilt every number of the grid;
``?q=<number>`` then confirmed it. These tests play that attack against the API and the pages,
and check the searches, the export and the duplicate-number answers of the import and forms.
"""

import calendar
from dataclasses import replace
from datetime import date

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditLog
from jiceng.accounts.roles import ROLES
from jiceng.core.ids import check_char
from jiceng.members import services
from jiceng.members.importer import import_members
from jiceng.members.models import Member
from jiceng.members.permissions import MEMBER_CHANGE, MEMBER_EXPORT
from jiceng.members.services import MemberError
from jiceng.members.tests.conftest import grant_org, make_id

from . import conftest_import
from .conftest_import import member_row, workbook_bytes

xl_orgs = conftest_import.xl_orgs  # the fixtures
xl_media = conftest_import.xl_media

pytestmark = pytest.mark.django_db

BIRTH = date(1992, 3, 7)
PHONE = "13912343896"


@pytest.fixture
def api(api_client):
    def as_user(user):
        api_client.force_authenticate(user)
        return api_client

    return as_user


@pytest.fixture
def grid_member(make_member, tree):
    """A member of the grid worker's grid, born where the branch is (the usual case)."""
    return make_member(name="网格党员", id_number=make_id(BIRTH, seq=389), phone=PHONE, residence=tree.building)


def candidates(masked: str, birth: str | None, birth_year: int, area_path: str, gender: str) -> int:
    """How many valid ID numbers agree with everything one answer shows: the masked number, the
    birth date (or only its year), the branch's county (first six digits of its area) and the
    gender (parity of the 17th digit). One means the number is rebuilt."""
    region = area_path[:6]
    if birth:
        days = [birth.replace("-", "")]
    else:
        days = [
            f"{birth_year}{month:02d}{day:02d}"
            for month in range(1, 13)
            for day in range(1, calendar.monthrange(birth_year, month)[1] + 1)
        ]
    found = 0
    for day in days:
        for seq in range(1 if gender == "M" else 0, 1000, 2):
            first17 = f"{region}{day}{seq:03d}"
            number = first17 + check_char(first17)
            if all(shown in ("*", real) for shown, real in zip(masked, number, strict=True)):
                found += 1
    return found


def test_the_api_gives_a_grid_worker_no_way_to_rebuild_the_number(api, users, grid_member):
    number = grid_member.id_number
    old_mask = number[:3] + "*" * 11 + number[-4:]  # what the API showed before, with the birth date
    assert candidates(old_mask, f"{BIRTH:%Y-%m-%d}", 1992, grid_member.area_path, "M") == 1
    client = api(users.grid)
    listed = next(r for r in client.get("/api/v1/members/").json()["results"] if r["id"] == grid_member.pk)
    detail = client.get(f"/api/v1/members/{grid_member.pk}/").json()
    for row in (listed, detail):
        assert row["birth_date"] is None and row["birth_year"] == 1992
        assert row["phone"] == "139****3896"
        assert grid_member.id_number not in str(row) and PHONE not in str(row)
        shown = candidates(row["id_number"], row["birth_date"], row["birth_year"], row["area_path"], row["gender"])
        assert shown > 10_000, f"{row['id_number']} with the rest of the row leaves {shown} candidates"


def test_the_pages_show_a_grid_worker_the_birth_year_only(login, users, grid_member):
    client = login(users.grid)
    for url in (reverse("members:member_list"), reverse("members:member_detail", args=[grid_member.pk])):
        body = client.get(url).content.decode()
        assert "网格党员" in body and "1992年" in body
        assert "1992-03-07" not in body and grid_member.id_number not in body and PHONE not in body
        assert grid_member.id_number[:1] + "*" * 16 + grid_member.id_number[-1:] in body


def test_a_holder_still_sees_the_full_birth_date_and_the_full_number_on_the_audited_view(
    api, login, users, grid_member
):
    data = api(users.community).get(f"/api/v1/members/{grid_member.pk}/").json()
    assert data["birth_date"] == "1992-03-07" and data["id_number"] == grid_member.id_number
    body = login(users.community).get(reverse("members:member_list")).content.decode()
    assert "1992-03-07" in body and grid_member.id_number not in body  # lists stay masked


@pytest.mark.parametrize("query", ["full", "full15", "tail", "digits"])
def test_a_grid_worker_cannot_search_by_number(api, login, users, grid_member, query):
    number = grid_member.id_number
    q = {"full": number, "full15": number[:6] + number[8:17], "tail": number[-4:], "digits": number[6:14]}[query]
    response = api(users.grid).get("/api/v1/members/", {"q": q})
    assert response.status_code == 400
    assert "不能按号码查询" in response.json()["error"]["fields"]["q"][0]
    body = login(users.grid).get(reverse("members:member_list"), {"q": q}).content.decode()
    assert "不能按号码查询" in body and "网格党员" not in body
    assert "网格党员" in login(users.grid).get(reverse("members:member_list"), {"q": "网格"}).content.decode()


def test_a_phone_number_finds_nobody(api, users, grid_member):
    assert api(users.grid).get("/api/v1/members/", {"q": PHONE}).status_code == 400
    assert api(users.community).get("/api/v1/members/", {"q": PHONE}).json()["results"] == []


def test_a_holder_searches_by_number_only_where_the_right_reaches(api, users, grid_member, make_member, orgs):
    """A user who is grid worker here and branch secretary of 贡院 finds by number only in 贡院."""
    there = make_member(org=orgs.gongyuan_branch, name="贡院党员", id_number=make_id(BIRTH, seq=391))
    both = grant_org(users.grid, "branch_secretary", orgs.gongyuan_branch)
    client = api(both)
    names = {r["name"] for r in client.get("/api/v1/members/").json()["results"]}
    assert {"网格党员", "贡院党员"} <= names
    for member, found in ((grid_member, []), (there, ["贡院党员"])):
        for q in (member.id_number, member.id_number[-4:]):
            assert [r["name"] for r in client.get("/api/v1/members/", {"q": q}).json()["results"]] == found
    assert [
        r["name"]
        for r in api(users.community).get("/api/v1/members/", {"q": grid_member.id_number[-4:]}).json()["results"]
    ] == ["网格党员"]


def test_an_export_with_a_number_search_exports_nothing_for_a_role_without_the_right(users, grid_member, monkeypatch):
    """A grid worker granted the export (as in test_export) still cannot confirm a number with it."""
    from jiceng.members.exporter import MemberExporter

    grid = ROLES["grid_worker"]
    monkeypatch.setitem(ROLES, "grid_worker", replace(grid, permissions=grid.permissions | {MEMBER_EXPORT}))
    users.grid.forget_grants()
    exporter = MemberExporter()
    assert list(exporter.queryset(users.grid, {})) == [grid_member]
    assert list(exporter.queryset(users.grid, {"q": grid_member.id_number})) == []
    assert list(exporter.queryset(users.grid, {"q": grid_member.id_number[-4:]})) == []
    assert list(exporter.queryset(users.community, {"q": grid_member.id_number})) == [grid_member]


# --- a number already on the roster -----------------------------------------------------------


def test_the_import_answers_the_same_for_a_number_in_another_district(superuser, users, xl_orgs, tree):
    own = member_row(xl_orgs.branch1.code, 姓名="本社区")
    far = member_row(xl_orgs.gongyuan_branch.code, 姓名="秦淮区党员")
    assert import_members(superuser, workbook_bytes([own, far])).ok
    again = [
        member_row(xl_orgs.branch1.code, 姓名="再导本社区", 公民身份号码=own["公民身份号码"]),
        member_row(xl_orgs.branch1.code, 姓名="再导外区", 公民身份号码=far["公民身份号码"]),
    ]
    result = import_members(users.community, workbook_bytes(again))
    reasons = [e.reason for e in result.errors.preview]
    assert not result.ok and len(reasons) == 2 and reasons[0] == reasons[1]
    assert "已登记在册" not in reasons[0] and "组织关系转接" in reasons[0] and "不能导入" in reasons[0]
    assert Member.objects.filter(name__startswith="再导").count() == 0


def test_the_member_form_answers_the_same_for_a_number_in_another_district(login, users, make_member, orgs):
    far = make_member(org=orgs.gongyuan_branch, name="贡院党员")
    response = login(users.community).post(
        f"{reverse('members:member_add')}?org={orgs.branch1.code}",
        {
            "org": orgs.branch1.code,
            "name": "新登记",
            "id_number": far.id_number,
            "ethnicity": "汉族",
            "status": "applicant",
            "application_date": "2024-03-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "已登记在册" not in body
    assert "请由其现所在党组织发起组织关系转接" in body
    assert not Member.objects.filter(name="新登记").exists()


# --- phones ------------------------------------------------------------------------------------


def test_a_members_phone_is_checked_on_the_form_the_service_and_the_import(
    login, users, orgs, grid_member, superuser, xl_orgs
):
    response = login(users.community).post(
        reverse("members:member_edit", args=[grid_member.pk]), {"name": "网格党员", "phone": "8456123"}
    )
    assert response.status_code == 200 and "手机号“8456123”格式不正确" in response.content.decode()
    with pytest.raises(MemberError, match="格式不正确"):
        services.update_member(None, grid_member, phone="1391234389")
    services.update_member(None, grid_member, phone="139 1234 3896")
    assert Member.objects.get(pk=grid_member.pk).phone == PHONE
    result = import_members(superuser, workbook_bytes([member_row(xl_orgs.branch1.code, 手机号="84561234")]))
    assert not result.ok and "电话号码格式不正确" in result.errors.preview[0].reason


def test_the_edit_form_is_an_audited_full_view_without_a_phone_for_others(login, users, grid_member, monkeypatch):
    url = reverse("members:member_edit", args=[grid_member.pk])
    body = login(users.community).get(url).content.decode()
    assert PHONE in body
    assert AuditLog.objects.filter(action="view_pii", actor=users.community, after__channel="edit").count() == 1
    grid = ROLES["grid_worker"]
    monkeypatch.setitem(ROLES, "grid_worker", replace(grid, permissions=grid.permissions | {MEMBER_CHANGE}))
    users.grid.forget_grants()
    body = login(users.grid).get(url).content.decode()
    assert PHONE not in body and 'name="phone"' not in body and 'name="name"' in body


def test_an_incoming_letter_for_a_number_on_the_roster_answers_the_same(users, make_member, orgs):
    """A letter from outside the platform for someone already on it, in another district or here."""
    far = make_member(org=orgs.gongyuan_branch, name="贡院党员")
    near = make_member(org=orgs.branch2, name="本社区党员")
    reasons = []
    for member in (far, near):
        with pytest.raises(MemberError) as exc:
            services.register_incoming(
                users.community,
                orgs.branch1,
                person_name="周九",
                person_id_number=member.id_number,
                external_org_name="中共苏州市某某支部",
                letter_no="苏组转〔2025〕088号",
                issued_on=date(2025, 9, 1),
            )
        reasons.append(exc.value.message_dict["person_id_number"])
    assert reasons[0] == reasons[1] and "请由其现所在党组织发起组织关系转接" in reasons[0][0]
    assert "已在本平台登记" not in reasons[0][0]
