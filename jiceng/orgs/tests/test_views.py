"""Org pages: scope (404 outside), drill-down, forms with Chinese errors, bounded queries."""

from datetime import date

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditLog
from jiceng.members.models import Status
from jiceng.orgs import services
from jiceng.orgs.models import CommitteePost, Department, DepartmentLevel, Org, PartTimeMember, Post, ResidentUnit
from jiceng.orgs.tests.conftest import make_members
from tests.queries import query_count


def detail(org):
    return reverse("orgs:org_detail", args=[org.code])


# --- the tree --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_attr", "root_attr"),
    [
        ("city", "city"),
        ("district", "xuanwu"),
        ("street", "meiyuan"),
        ("community", "beianmen"),
        ("secretary", "grid1"),
    ],
)
def test_tree_opens_at_the_single_scope_root(login, orgtree, org_users, user_attr, root_attr):
    response = login(getattr(org_users, user_attr)).get(reverse("orgs:org_tree"))
    assert response.status_code == 302
    assert response.url == detail(getattr(orgtree, root_attr))


def test_tree_lists_roots_for_a_superuser(login, orgtree, superuser):
    response = login(superuser).get(reverse("orgs:org_tree"))
    assert response.status_code == 200
    assert "中共南京市委员会" in response.text and "新增顶级党组织" in response.text


def test_tree_lists_several_roots(login, orgtree, users):
    from jiceng.accounts.services import assign_role

    assign_role(None, users.community, "community", users.other_community.role_assignments.get().area)
    response = login(users.community).get(reverse("orgs:org_tree"))
    assert response.status_code == 200
    assert "北安门社区党委" in response.text and "贡院社区党委" in response.text
    assert "第一网格党支部" not in response.text  # a child, not a root


def test_tree_for_a_user_without_org_scope(login, orgtree, users):
    response = login(users.nobody).get(reverse("orgs:org_tree"))
    assert response.status_code == 200
    assert "您没有任何党组织的查看权限" in response.text


def test_tree_search_is_scoped(login, orgtree, users):
    client = login(users.community)
    response = client.get(reverse("orgs:org_tree"), {"q": "党支部"})
    assert "第一网格党支部" in response.text and "贡院社区第一党支部" not in response.text
    response = client.get(reverse("orgs:org_tree"), {"q": orgtree.grid2.code})
    assert "第二网格党支部" in response.text and "第一网格党支部" not in response.text


# --- the org page ----------------------------------------------------------------------------


def test_org_page_shows_committee_groups_children_members_and_checks(login, orgtree, users):
    make_members(orgtree.grid1, 4)
    make_members(orgtree.grid1, 2, Status.PROBATIONARY)
    make_members(orgtree.group, 1)
    services.appoint_post(None, orgtree.grid1, post=Post.SECRETARY, holder_name="张书记", start_on=date(2023, 3, 1))
    services.record_vacancy(None, orgtree.grid1, post=Post.ORGANISATION, since=date(2024, 1, 1))
    client = login(users.community)

    response = client.get(detail(orgtree.beianmen))
    assert response.status_code == 200
    assert "第一网格党支部" in response.text and "第二网格党支部" in response.text
    assert response.context["children"][0].total_members == 7
    assert 'href="/members/?org=001001001001"' in response.text
    assert "组织设置检查" in response.text and "未登记现任书记" in response.text

    response = client.get(detail(orgtree.grid1))
    assert [g.name for g in response.context["groups"]] == ["1栋党小组"]
    assert response.context["children"] == []
    assert "张书记" in response.text and "空缺" in response.text
    assert "table-phone-cards" in response.text  # the phone layout turns tables into cards


def test_org_page_is_404_outside_the_scope(login, orgtree, org_users):
    assert login(org_users.other_community).get(detail(orgtree.beianmen)).status_code == 404
    assert login(org_users.community).get(detail(orgtree.gongyuan)).status_code == 404
    assert login(org_users.community).get(detail(orgtree.meiyuan)).status_code == 404  # an ancestor
    assert login(org_users.community).get("/orgs/999999/").status_code == 404
    assert login(org_users.nobody).get(detail(orgtree.grid1)).status_code == 404


def test_branch_secretary_sees_the_branch_subtree(login, orgtree, org_users):
    client = login(org_users.secretary)
    assert client.get(detail(orgtree.grid1)).status_code == 200
    assert client.get(detail(orgtree.group)).status_code == 200
    assert client.get(detail(orgtree.grid2)).status_code == 404
    assert client.get(detail(orgtree.beianmen)).status_code == 404
    # The grant is on the org tree: the branch's area page stays out of reach.
    assert client.get(reverse("areas:area_detail", args=[orgtree.grid1.area_path])).status_code == 404


def test_breadcrumbs_show_only_visible_ancestors(login, orgtree, users):
    response = login(users.community).get(detail(orgtree.group))
    assert [o.name for o in response.context["org_crumbs"]] == ["北安门社区党委", "第一网格党支部", "1栋党小组"]


def test_org_page_queries_do_not_grow(login, orgtree, users, tree):
    client = login(users.community)
    client.get(detail(orgtree.beianmen))  # warm the rule cache

    small = query_count(client, detail(orgtree.beianmen))
    for i in range(15):
        branch = services.create_org(
            None, parent=orgtree.beianmen, name=f"支部{i}", org_type="branch", category="grid", area=tree.grid1
        )
        make_members(branch, 2)
        services.appoint_post(None, orgtree.beianmen, post=Post.MEMBER, holder_name=f"委员{i}")
        services.add_part_time_member(None, orgtree.beianmen, role="part_time_member", person_name=f"兼职{i}")
    big = query_count(client, detail(orgtree.beianmen))
    assert big == small
    assert big <= 20


def test_tree_page_queries_are_bounded(login, orgtree, superuser, django_assert_max_num_queries):
    client = login(superuser)
    with django_assert_max_num_queries(8):
        client.get(reverse("orgs:org_tree"))


# --- setup check pages -----------------------------------------------------------------------


def test_check_pages_are_scoped(login, orgtree, org_users):
    make_members(orgtree.grid1, 51)
    client = login(org_users.community)
    response = client.get(reverse("orgs:check_list"))
    assert response.status_code == 200
    assert "党支部规模过大" in response.text and "贡院社区" not in response.text
    response = client.get(reverse("orgs:org_checks", args=[orgtree.grid1.code]), {"severity": "warning"})
    assert response.status_code == 200
    assert {f.severity for f in response.context["page"]} == {"warning"}
    assert (
        login(org_users.other_community).get(reverse("orgs:org_checks", args=[orgtree.grid1.code])).status_code == 404
    )
    response = login(org_users.secretary).get(reverse("orgs:check_list"))
    assert {f.org.code for f in response.context["page"]} == {orgtree.grid1.code}


def test_check_list_queries_do_not_grow(login, orgtree, users, tree):
    client = login(users.district)
    client.get(reverse("orgs:check_list"))
    small = query_count(client, reverse("orgs:check_list"))
    for i in range(20):
        branch = services.create_org(
            None, parent=orgtree.beianmen, name=f"支部{i}", org_type="branch", category="grid", area=tree.grid1
        )
        services.record_vacancy(None, branch, post=Post.SECRETARY, since=date(2024, 1, 1))
    assert query_count(client, reverse("orgs:check_list")) == small


# --- org forms -------------------------------------------------------------------------------


def test_add_a_branch(login, orgtree, users, tree):
    client = login(users.community)
    url = reverse("orgs:org_add", args=[orgtree.beianmen.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "第三网格党支部",
            "org_type": "branch",
            "category": "grid",
            "area": tree.grid2.code,
            "term_start": "2024-03-01",
        },
    )
    org = Org.objects.get(name="第三网格党支部")
    assert response.status_code == 302 and response.url == detail(org)
    assert org.code == "001001001001003" and org.term_end == date(2029, 3, 1)
    assert AuditLog.objects.filter(action="create_org", object_id=str(org.pk), actor=users.community).exists()


def test_add_form_errors_are_in_chinese(login, orgtree, users, tree):
    client = login(users.community)
    url = reverse("orgs:org_add", args=[orgtree.beianmen.code])
    response = client.post(url, {"name": "", "org_type": "group", "category": "grid", "area": tree.gongyuan.code})
    assert response.status_code == 200
    assert "请填写此项" in response.text
    assert "不在可选范围内，请重新选择" in response.text  # a 党小组 cannot sit under a 党委
    response = client.post(url, {"name": "甲", "org_type": "branch", "category": "grid", "area": tree.gongyuan.code})
    assert "不存在，或不在您的管理范围内" in response.text
    response = client.post(
        url,
        {
            "name": "甲",
            "org_type": "branch",
            "category": "grid",
            "area": tree.grid1.code,
            "term_start": "2024-01-01",
            "term_end": "2023-01-01",
        },
    )
    assert "任期届满日期必须晚于任期开始日期" in response.text
    assert not Org.objects.filter(name="甲").exists()


def test_adding_is_404_outside_and_403_for_groups_and_roots(login, orgtree, org_users):
    assert (
        login(org_users.other_community).get(reverse("orgs:org_add", args=[orgtree.beianmen.code])).status_code == 404
    )
    # A 党支部书记 may change the branch but not add orgs.
    assert login(org_users.secretary).get(reverse("orgs:org_add", args=[orgtree.grid1.code])).status_code == 404
    assert login(org_users.community).get(reverse("orgs:org_add", args=[orgtree.group.code])).status_code == 403
    assert login(org_users.city).get(reverse("orgs:org_add_root")).status_code == 403


def test_superuser_adds_a_root(login, orgtree, superuser, tree):
    response = login(superuser).post(
        reverse("orgs:org_add_root"),
        {"name": "市直机关工委", "org_type": "working_committee", "category": "organ", "area": tree.city.code},
    )
    assert response.status_code == 302
    assert Org.objects.get(name="市直机关工委").code == "002"


def test_edit_an_org(login, orgtree, org_users):
    client = login(org_users.secretary)
    url = reverse("orgs:org_edit", args=[orgtree.grid1.code])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="第一网格党支部（新）", is_active="on", term_start="2024-01-01", term_end="")
    response = client.post(url, data)
    assert response.status_code == 302
    org = Org.objects.get(pk=orgtree.grid1.pk)
    assert org.name == "第一网格党支部（新）" and org.term_end == date(2029, 1, 1)
    assert login(org_users.other_community).get(url).status_code == 404


def test_edit_refuses_to_move_an_org_out_of_scope(login, orgtree, users, tree):
    client = login(users.community)
    url = reverse("orgs:org_edit", args=[orgtree.grid1.code])
    data = {
        "name": "第一网格党支部",
        "org_type": "branch",
        "category": "grid",
        "area": tree.meiyuan.code,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert "不存在，或不在您的管理范围内" in response.text
    response = client.post(url, {**data, "area": tree.grid2.code, "is_active": ""})
    assert "还有未撤销的下级组织" in response.text


def test_move_an_org(login, orgtree, users):
    response = login(users.community).post(
        reverse("orgs:org_move", args=[orgtree.grid2.code]), {"new_parent": orgtree.meiyuan_cm.code}
    )
    assert "不存在，或不在您的管理范围内" in response.text
    response = login(users.street).post(
        reverse("orgs:org_move", args=[orgtree.grid2.code]), {"new_parent": orgtree.meiyuan_cm.code}
    )
    assert response.status_code == 302
    assert Org.objects.get(pk=orgtree.grid2.pk).parent_id == orgtree.meiyuan_cm.pk
    response = login(users.street).post(
        reverse("orgs:org_move", args=[orgtree.meiyuan_cm.code]), {"new_parent": orgtree.grid1.code}
    )
    assert "的上级应为" in response.text


def test_record_an_election(login, orgtree, users):
    response = login(users.community).post(
        reverse("orgs:org_election", args=[orgtree.beianmen.code]), {"term_start": "2021-05-01"}
    )
    assert response.status_code == 302
    assert Org.objects.get(pk=orgtree.beianmen.pk).term_end == date(2026, 5, 1)


# --- posts and part-time members -------------------------------------------------------------


def test_appoint_end_and_refill_a_post(login, orgtree, org_users):
    (member,) = make_members(orgtree.grid1, 1)
    (probationary,) = make_members(orgtree.grid1, 1, Status.PROBATIONARY)
    client = login(org_users.secretary)
    url = reverse("orgs:post_add", args=[orgtree.grid1.code])
    choices = dict(client.get(url).context["form"].fields["member"].choices)
    assert member.pk in choices and probationary.pk not in choices

    response = client.post(url, {"post": "secretary", "member": member.pk, "start_on": "2024-01-01"})
    assert response.status_code == 302
    seat = CommitteePost.objects.get(org=orgtree.grid1, end_on__isnull=True)
    assert seat.member == member and seat.holder_name == member.name

    response = client.post(url, {"post": "secretary", "holder_name": "另一人", "start_on": "2024-02-01"})
    assert f"已有现任书记（{member.name}），请先办理离任" in response.text
    response = client.post(url, {"post": "secretary", "start_on": "2024-02-01"})
    assert "请选择党员或填写任职人姓名" in response.text
    response = client.post(url, {"post": "secretary", "member": probationary.pk, "start_on": "2024-02-01"})
    assert "不在可选范围内，请重新选择" in response.text

    response = client.post(reverse("orgs:post_end", args=[seat.pk]), {"end_on": "2024-06-01", "leave_vacant": "on"})
    assert response.status_code == 302
    vacancy = CommitteePost.objects.get(org=orgtree.grid1, end_on__isnull=True)
    assert vacancy.vacant_since == date(2024, 6, 1)
    response = client.post(url, {"post": "secretary", "holder_name": "新书记", "start_on": "2024-07-01"})
    vacancy.refresh_from_db()
    assert vacancy.holder_name == "新书记"
    # Someone outside the org cannot touch its posts.
    assert login(org_users.other_community).get(reverse("orgs:post_end", args=[vacancy.pk])).status_code == 404
    assert login(org_users.other_community).get(url).status_code == 404


def test_record_a_vacancy_page(login, orgtree, users):
    client = login(users.community)
    url = reverse("orgs:vacancy_add", args=[orgtree.grid2.code])
    assert client.post(url, {"post": "secretary", "since": "2099-01-01"}).status_code == 200
    assert client.post(url, {"post": "secretary", "since": "2024-01-01"}).status_code == 302
    assert CommitteePost.objects.get(org=orgtree.grid2).vacant_since == date(2024, 1, 1)


def test_part_time_members_pages(login, orgtree, users, tree):
    unit = services.create_resident_unit(None, name="某医院", kind="hospital", area=tree.grid1)
    client = login(users.community)
    url = reverse("orgs:part_time_add", args=[orgtree.beianmen.code])
    response = client.post(
        url, {"role": "first_secretary", "person_name": "陈院长", "unit": unit.pk, "start_on": "2024-01-01"}
    )
    assert response.status_code == 302
    record = PartTimeMember.objects.get()
    assert record.unit == unit
    response = client.post(url, {"role": "first_secretary", "person_name": "另一人", "start_on": "2024-01-01"})
    assert "已有现任兼职第一书记（陈院长）" in response.text
    assert "兼职委员" in client.get(detail(orgtree.beianmen)).text
    response = client.post(reverse("orgs:part_time_end", args=[record.pk]), {"end_on": "2023-01-01"})
    assert "离任日期不能早于任职日期" in response.text
    response = client.post(reverse("orgs:part_time_end", args=[record.pk]), {"end_on": "2024-06-01"})
    assert response.status_code == 302
    response = client.post(
        reverse("orgs:part_time_add", args=[orgtree.grid1.code]),
        {"role": "part_time_member", "person_name": "甲", "start_on": "2024-01-01"},
    )
    assert "兼职委员只设在街道“大工委”和社区“大党委”" in response.text


# --- resident units and departments ----------------------------------------------------------


def test_unit_list_is_scoped_and_filterable(login, orgtree, org_users, tree):
    services.create_resident_unit(None, name="北安门某公司", kind="private_enterprise", area=tree.grid1)
    services.create_resident_unit(None, name="北安门某学校", kind="school", area=tree.grid2, party_org=orgtree.grid2)
    services.create_resident_unit(None, name="贡院某公司", kind="private_enterprise", area=tree.gongyuan)
    client = login(org_users.community)
    response = client.get(reverse("orgs:unit_list"))
    assert [u.name for u in response.context["units"]] == ["北安门某公司", "北安门某学校"]
    response = client.get(reverse("orgs:unit_list"), {"has_org": "no"})
    assert [u.name for u in response.context["units"]] == ["北安门某公司"]
    response = client.get(reverse("orgs:unit_list"), {"area": tree.grid2.code})
    assert [u.name for u in response.context["units"]] == ["北安门某学校"]
    response = login(org_users.secretary).get(reverse("orgs:unit_list"))
    assert response.context["units"] == []


def test_unit_list_pages_by_keyset(login, orgtree, users, tree):
    for i in range(55):
        services.create_resident_unit(None, name=f"单位{i:02d}", kind="other", area=tree.grid1)
    client = login(users.community)
    first = client.get(reverse("orgs:unit_list"))
    assert len(first.context["units"]) == 50 and first.context["next_cursor"]
    second = client.get(reverse("orgs:unit_list"), {"after": first.context["next_cursor"]})
    assert len(second.context["units"]) == 5 and not second.context["next_cursor"]
    assert not {u.pk for u in first.context["units"]} & {u.pk for u in second.context["units"]}


def test_add_and_edit_a_unit(login, orgtree, users, tree):
    client = login(users.community)
    response = client.post(
        reverse("orgs:unit_add"), {"name": "某银行", "kind": "state_enterprise", "area": tree.gongyuan.code}
    )
    assert "不存在，或不在您的管理范围内" in response.text
    response = client.post(
        reverse("orgs:unit_add"),
        {"name": "某银行", "kind": "state_enterprise", "area": tree.grid1.code, "contact_phone": "电话"},
    )
    assert "联系电话“电话”格式不正确" in response.text
    response = client.post(
        reverse("orgs:unit_add"), {"name": "某银行", "kind": "state_enterprise", "area": tree.grid1.code}
    )
    assert response.status_code == 302
    unit = ResidentUnit.objects.get(name="某银行")
    url = reverse("orgs:unit_edit", args=[unit.pk])
    response = client.post(
        url, {"name": "某银行", "kind": "state_enterprise", "area": tree.grid1.code, "party_org": orgtree.grid1.code}
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.party_org == orgtree.grid1
    assert login(users.other_community).get(url).status_code == 404
    assert login(users.grid).get(reverse("orgs:unit_add")).status_code == 403


def test_departments_pages(login, orgtree, users, tree):
    client = login(users.street)
    response = client.post(
        reverse("orgs:department_add"),
        {
            "name": "梅园新村街道城管科",
            "level": "street",
            "area": tree.meiyuan.code,
            "areas_served": tree.beianmen.code,
        },
    )
    assert response.status_code == 302
    department = Department.objects.get()
    assert list(department.areas_served.values_list("code", flat=True)) == [tree.beianmen.code]
    response = client.post(
        reverse("orgs:department_add"), {"name": "甲", "level": "district", "area": tree.meiyuan.code}
    )
    assert "区级部门应属于区一级区划" in response.text
    response = client.post(
        reverse("orgs:department_edit", args=[department.pk]),
        {"name": "梅园新村街道城管科", "level": "street", "area": tree.meiyuan.code, "areas_served": "abc"},
    )
    assert "区划编码只能是数字" in response.text
    assert [d.name for d in client.get(reverse("orgs:department_list")).context["departments"]] == [
        "梅园新村街道城管科"
    ]
    Department.objects.create(
        name="秦淮区住建局", level=DepartmentLevel.DISTRICT, area=tree.qinhuai, area_path=tree.qinhuai.code
    )
    assert [d.name for d in client.get(reverse("orgs:department_list")).context["departments"]] == [
        "梅园新村街道城管科"
    ]
    assert login(users.community).get(reverse("orgs:department_edit", args=[department.pk])).status_code == 404


def test_menu_entries_follow_permissions(login, orgtree, org_users):
    text = login(org_users.community).get(reverse("orgs:unit_list")).text
    for label in ("党组织", "组织设置检查", "驻区单位", "职能部门"):
        assert label in text
    text = login(org_users.secretary).get(detail(orgtree.grid1)).text
    assert "组织设置检查" in text and 'href="/orgs/units/"' not in text


def test_a_department_handler_sees_their_own_department(login, api_client, orgtree, make_user, tree):
    from jiceng.accounts.services import assign_role

    own = services.create_department(None, name="玄武区城管局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu)
    other = services.create_department(None, name="玄武区住建局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu)
    handler = make_user("chengguan")
    assign_role(None, handler, "department", department=own)
    response = login(handler).get(reverse("orgs:department_list"))
    assert [d.name for d in response.context["departments"]] == ["玄武区城管局"]
    api_client.force_authenticate(handler)
    assert api_client.get(f"/api/v1/departments/{own.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/departments/{other.pk}/").status_code == 404


def test_org_page_shows_the_term_rule_of_the_type_and_none_for_a_temporary_branch(login, orgtree, users, tree):
    client = login(users.community)
    response = client.get(detail(orgtree.beianmen))  # a 社区党委: the 村/社区 rule
    assert "本届任期（每届5年）" in response.text
    assert reverse("orgs:org_election", args=[orgtree.beianmen.code]) in response.text
    temporary = services.create_org(
        None,
        parent=orgtree.beianmen,
        name="北安门社区临时党支部",
        org_type="temporary_branch",
        category="other",
        area=tree.beianmen,
    )
    response = client.get(detail(temporary))
    assert response.status_code == 200
    assert "负责人由上级党组织指派，不实行任期制" in response.text
    assert "本届任期" not in response.text
    assert reverse("orgs:org_election", args=[temporary.code]) not in response.text


def test_an_election_date_out_of_range_is_a_form_error(login, orgtree, users):
    """9999-12-31 plus a five-year term overflowed (a 500); a date outside 1900–2099 is refused."""
    client = login(users.community)
    for day in ("9999-12-31", "0001-01-01"):
        response = client.post(reverse("orgs:org_election", args=[orgtree.beianmen.code]), {"term_start": day})
        assert response.status_code == 200
        assert "日期应在 1900-01-01 至 2099-12-31 之间" in response.text
    assert Org.objects.get(pk=orgtree.beianmen.pk).term_start is None
