"""Org services: code issuing, tree rules, moves, committees, part-time members, units, departments."""

from datetime import date

import pytest

from jiceng.accounts.models import AuditLog
from jiceng.areas.models import Level
from jiceng.areas.services import create_area, move_area
from jiceng.members.models import Member, Status
from jiceng.orgs import services
from jiceng.orgs.models import (
    CommitteePost,
    DepartmentLevel,
    Org,
    OrgCategory,
    OrgType,
    PartTimeRole,
    Post,
    ResidentUnit,
    UnitKind,
)
from jiceng.orgs.services import OrgError
from jiceng.orgs.tests.conftest import make_members


def audit_actions(obj):
    return list(
        AuditLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- codes -----------------------------------------------------------------------------------


def test_codes_are_issued_as_paths(orgtree):
    o = orgtree
    assert o.city.code == "001"
    assert o.xuanwu.code == "001001"
    assert o.qinhuai.code == "001002"
    assert o.beianmen.code == "001001001001"
    assert o.group.code == "001001001001001001"
    assert o.city.child_count == 2
    assert o.beianmen.child_count == 2


def test_second_root_gets_002(orgtree, tree):
    root = services.create_org(
        None, parent=None, name="市直机关工委", org_type=OrgType.WORKING_COMMITTEE, category="organ", area=tree.city
    )
    assert root.code == "002"


def test_code_follows_the_highest_sibling(orgtree, tree):
    # A gap (a sibling moved away) is not reused before the end: max + 1.
    services.move_org(None, orgtree.grid1, orgtree.meiyuan_cm)
    new = services.create_org(
        None, parent=orgtree.beianmen, name="第三网格党支部", org_type="branch", category="grid", area=tree.grid2
    )
    assert new.code == "001001001001003"


def test_codes_run_out_at_999(orgtree, tree):
    Org.objects.create(
        code=orgtree.grid2.code[:-3] + "999",
        name="占位",
        org_type="branch",
        category="grid",
        parent=orgtree.beianmen,
        area=tree.grid2,
        area_path=tree.grid2.code,
    )
    with pytest.raises(OrgError, match="已用完"):
        services.create_org(
            None, parent=orgtree.beianmen, name="又一个", org_type="branch", category="grid", area=tree.grid2
        )


def test_create_is_audited_with_the_area_path(orgtree):
    assert audit_actions(orgtree.beianmen) == ["create_org"]
    log = AuditLog.objects.get(object_type="orgs.org", object_id=str(orgtree.beianmen.pk))
    assert log.area_path == orgtree.beianmen.area_path == "320102002011"
    assert log.after["code"] == "001001001001"


@pytest.mark.parametrize(
    ("org_type", "parent_attr", "message"),
    [
        ("group", "beianmen", "党小组的上级应为"),
        ("branch", None, "党支部必须有上级党组织"),
        ("general_branch", "grid1", "党总支的上级应为"),
        ("committee", "grid1", "党委的上级应为"),
    ],
)
def test_parent_type_rules(orgtree, tree, org_type, parent_attr, message):
    parent = getattr(orgtree, parent_attr) if parent_attr else None
    with pytest.raises(OrgError, match=message):
        services.create_org(None, parent=parent, name="新组织", org_type=org_type, category="grid", area=tree.grid1)


def test_create_validates_name_type_category_area(orgtree, tree):
    parent = orgtree.beianmen
    with pytest.raises(OrgError, match="名称不能为空"):
        services.create_org(None, parent=parent, name="  ", org_type="branch", category="grid", area=tree.grid1)
    with pytest.raises(OrgError, match="未知的组织类型"):
        services.create_org(None, parent=parent, name="甲", org_type="club", category="grid", area=tree.grid1)
    with pytest.raises(OrgError, match="未知的类别"):
        services.create_org(None, parent=parent, name="甲", org_type="branch", category="x", area=tree.grid1)
    with pytest.raises(OrgError, match="必须选择所在区划"):
        services.create_org(None, parent=parent, name="甲", org_type="branch", category="grid", area=None)
    with pytest.raises(OrgError, match="任期届满日期必须晚于"):
        services.create_org(
            None,
            parent=parent,
            name="甲",
            org_type="branch",
            category="grid",
            area=tree.grid1,
            term_start=date(2024, 1, 1),
            term_end=date(2023, 1, 1),
        )


def test_default_term_is_five_years_for_communities_three_otherwise(orgtree, tree):
    community = services.create_org(
        None,
        parent=orgtree.beianmen,
        name="社区第三党支部",
        org_type="branch",
        category=OrgCategory.COMMUNITY,
        area=tree.beianmen,
        term_start=date(2024, 2, 29),
    )
    assert community.term_end == date(2029, 2, 28)
    enterprise = services.create_org(
        None,
        parent=orgtree.beianmen,
        name="某公司党支部",
        org_type="branch",
        category=OrgCategory.PRIVATE_ENTERPRISE,
        area=tree.beianmen,
        term_start=date(2024, 3, 1),
    )
    assert enterprise.term_end == date(2027, 3, 1)


def test_cannot_add_under_an_inactive_parent(orgtree, tree):
    services.update_org(None, orgtree.grid2, is_active=False)
    with pytest.raises(OrgError, match="已撤销"):
        services.create_org(
            None, parent=orgtree.grid2, name="小组", org_type="group", category="building", area=tree.grid2
        )


# --- update ----------------------------------------------------------------------------------


def test_update_org_changes_area_path_and_members_follow(orgtree, tree):
    members = make_members(orgtree.grid1, 2)
    org = services.update_org(None, orgtree.grid1, area=tree.grid2, name=" 第一网格党支部（调整） ")
    assert org.area_path == tree.grid2.code
    assert org.name == "第一网格党支部（调整）"
    assert set(Member.objects.filter(pk__in=[m.pk for m in members]).values_list("area_path", flat=True)) == {
        tree.grid2.code
    }
    log = AuditLog.objects.filter(action="update_org", object_id=str(org.pk)).get()
    assert log.before["area"] == tree.grid1.pk and log.after["area"] == tree.grid2.pk


def test_update_without_change_writes_no_audit(orgtree):
    services.update_org(None, orgtree.grid1, name=orgtree.grid1.name)
    assert audit_actions(orgtree.grid1) == ["create_org"]


def test_update_refuses_code_and_parent(orgtree):
    with pytest.raises(OrgError, match="不能直接修改"):
        services.update_org(None, orgtree.grid1, code="999")


def test_type_change_respects_parent_and_children(orgtree):
    with pytest.raises(OrgError, match="该组织下有党小组"):
        services.update_org(None, orgtree.grid1, org_type=OrgType.GENERAL_BRANCH)
    org = services.update_org(None, orgtree.grid2, org_type=OrgType.JOINT_BRANCH)
    assert org.org_type == OrgType.JOINT_BRANCH
    with pytest.raises(OrgError, match="党总支的上级应为"):
        services.update_org(None, orgtree.group, org_type=OrgType.GENERAL_BRANCH)


def test_deactivation_needs_no_children_and_no_members(orgtree):
    with pytest.raises(OrgError, match="未撤销的下级组织"):
        services.update_org(None, orgtree.beianmen, is_active=False)
    make_members(orgtree.grid2, 1)
    with pytest.raises(OrgError, match="还有1名党员"):
        services.update_org(None, orgtree.grid2, is_active=False)


def test_record_election_sets_the_default_term(orgtree):
    org = services.record_election(None, orgtree.beianmen, term_start=date(2021, 5, 10))
    assert (org.term_start, org.term_end) == (date(2021, 5, 10), date(2026, 5, 10))
    org = services.record_election(None, orgtree.xuanwu, term_start=date(2022, 1, 1))
    assert org.term_end == date(2027, 1, 1)  # a 党委: 3–5 years (党章第三十一条), the city's default 5
    org = services.record_election(None, orgtree.grid1, term_start=date(2024, 2, 29))
    assert org.term_end == date(2029, 2, 28)  # a grid branch: 5 years; 29 February → 28 February


# --- move ------------------------------------------------------------------------------------


def test_move_rewrites_the_subtree_members_and_counts(orgtree):
    o = orgtree
    branch_members = make_members(o.grid1, 3)
    group_members = make_members(o.group, 2, Status.PROBATIONARY)
    for org in (o.beianmen, o.meiyuan_cm, o.meiyuan, o.xuanwu, o.city):
        org.refresh_from_db()
    assert (o.beianmen.total_members, o.meiyuan_cm.total_members, o.city.total_members) == (5, 0, 5)

    moved = services.move_org(None, o.grid1, o.meiyuan_cm)

    assert moved.code == "001001001002001"
    assert moved.parent_id == o.meiyuan_cm.pk
    group = Org.objects.get(pk=o.group.pk)
    assert group.code == "001001001002001001"
    assert set(Member.objects.filter(pk__in=[m.pk for m in branch_members]).values_list("org_path", flat=True)) == {
        moved.code
    }
    assert set(Member.objects.filter(pk__in=[m.pk for m in group_members]).values_list("org_path", flat=True)) == {
        group.code
    }
    counts = dict(Org.objects.values_list("code", "total_members"))
    assert counts[o.beianmen.code] == 0
    assert counts[o.meiyuan_cm.code] == 5
    assert counts[o.meiyuan.code] == 5 and counts[o.city.code] == 5
    children = dict(Org.objects.values_list("code", "child_count"))
    assert children[o.beianmen.code] == 1 and children[o.meiyuan_cm.code] == 1
    log = AuditLog.objects.get(action="move_org")
    assert log.before["code"] == "001001001001001" and log.after["code"] == moved.code
    # The incremental bookkeeping agrees with a full recount.
    before = list(Org.objects.order_by("id").values_list("total_members", "total_full_members", "child_count"))
    assert services.refresh_member_counts() == 0
    assert list(Org.objects.order_by("id").values_list("total_members", "total_full_members", "child_count")) == (
        before
    )


def test_move_refuses_cycles_same_parent_and_wrong_types(orgtree):
    o = orgtree
    with pytest.raises(OrgError, match="它自己或它的下级"):
        services.move_org(None, o.beianmen, o.grid1)
    with pytest.raises(OrgError, match="它自己或它的下级"):
        services.move_org(None, o.beianmen, o.beianmen)
    with pytest.raises(OrgError, match="与原上级相同"):
        services.move_org(None, o.grid1, o.beianmen)
    with pytest.raises(OrgError, match="党小组的上级应为"):
        services.move_org(None, o.group, o.beianmen)
    with pytest.raises(OrgError, match="必须有上级"):
        services.move_org(None, o.grid1, None)


def test_move_to_root(orgtree):
    moved = services.move_org(None, orgtree.qinhuai, None)
    assert moved.code == "002"
    assert Org.objects.get(pk=orgtree.gongyuan_branch.pk).code == "002001001001"


def test_move_refuses_to_exceed_the_depth(orgtree, tree):
    parent = orgtree.city
    # Build committees down to depth 15, then try to move a 3-deep subtree under the bottom.
    for i in range(14):
        parent = services.create_org(
            None, parent=parent, name=f"层{i}", org_type="committee", category="other", area=tree.city
        )
    assert len(parent.code) == 45
    with pytest.raises(OrgError, match="层级过深"):
        services.move_org(None, orgtree.beianmen, parent)
    deepest = services.create_org(
        None, parent=parent, name="最深一层", org_type="committee", category="other", area=tree.city
    )
    assert len(deepest.code) == 48
    with pytest.raises(OrgError, match="层级过深"):
        services.create_org(
            None, parent=deepest, name="再下一层", org_type="committee", category="other", area=tree.city
        )


def test_area_move_rewrites_org_unit_and_department_paths(orgtree, tree):
    unit = services.create_resident_unit(None, name="某医院", kind=UnitKind.HOSPITAL, area=tree.grid2)
    department = services.create_department(
        None, name="梅园新村街道城管科", level=DepartmentLevel.STREET, area=tree.meiyuan
    )
    new_street = create_area(None, parent=tree.xuanwu, level=Level.STREET, code="320102003", name="新街道")
    move_area(None, tree.beianmen, new_street, "320102003011")
    assert Org.objects.get(pk=orgtree.grid2.pk).area_path == "320102003011002"
    assert Org.objects.get(pk=orgtree.beianmen.pk).area_path == "320102003011"
    assert ResidentUnit.objects.get(pk=unit.pk).area_path == "320102003011002"
    department.refresh_from_db()
    assert department.area_path == tree.meiyuan.code  # not under the moved community


# --- committee posts -------------------------------------------------------------------------


def test_appoint_and_end_a_secretary_with_vacancy_tracking(orgtree):
    org = orgtree.beianmen
    (member,) = make_members(orgtree.grid1, 1)
    seat = services.appoint_post(None, org, post=Post.SECRETARY, member=member, start_on=date(2021, 5, 1))
    assert seat.holder_name == member.name and seat.is_current
    with pytest.raises(OrgError, match="已有现任书记"):
        services.appoint_post(None, org, post=Post.SECRETARY, holder_name="李四", start_on=date(2022, 1, 1))

    vacancy = services.end_post(None, seat, end_on=date(2024, 3, 1))
    seat.refresh_from_db()
    assert seat.end_on == date(2024, 3, 1)
    assert vacancy.vacant_since == date(2024, 3, 1) and vacancy.holder_name == "" and vacancy.is_current

    with pytest.raises(OrgError, match="不能早于空缺起始日期"):
        services.appoint_post(None, org, post=Post.SECRETARY, holder_name="李四", start_on=date(2024, 2, 1))
    filled = services.appoint_post(None, org, post=Post.SECRETARY, holder_name="李四", start_on=date(2024, 7, 1))
    assert filled.pk == vacancy.pk
    assert (filled.vacant_since, filled.start_on, filled.holder_name) == (date(2024, 3, 1), date(2024, 7, 1), "李四")
    assert CommitteePost.objects.filter(org=org, end_on__isnull=True).count() == 1
    assert audit_actions(seat) == ["appoint_post", "vacate_post"]
    assert audit_actions(vacancy) == ["record_vacancy", "appoint_post"]


def test_end_without_vacancy_and_close_a_vacancy(orgtree):
    org = orgtree.beianmen
    seat = services.appoint_post(None, org, post=Post.DISCIPLINE, holder_name="王五", start_on=date(2022, 1, 1))
    assert services.end_post(None, seat, end_on=date(2023, 1, 1), leave_vacant=False) is None
    vacancy = services.record_vacancy(None, org, post=Post.PROPAGANDA, since=date(2023, 1, 1))
    with pytest.raises(OrgError, match="已登记为空缺"):
        services.record_vacancy(None, org, post=Post.PROPAGANDA, since=date(2023, 2, 1))
    assert services.end_post(None, vacancy, end_on=date(2023, 6, 1)) is None
    assert not CommitteePost.objects.filter(org=org, end_on__isnull=True).exists()
    with pytest.raises(OrgError, match="已离任"):
        services.end_post(None, seat)
    deputy = services.appoint_post(None, org, post=Post.MEMBER, holder_name="赵六", start_on=date(2022, 1, 1))
    with pytest.raises(OrgError, match="离任日期不能早于任职日期"):
        services.end_post(None, deputy, end_on=date(2021, 1, 1))
    # Ending a multi-holder post leaves no vacancy behind.
    assert services.end_post(None, deputy, end_on=date(2023, 1, 1)) is None


def test_probationary_members_cannot_hold_posts(orgtree):
    (probationary,) = make_members(orgtree.grid1, 1, Status.PROBATIONARY)
    with pytest.raises(OrgError, match="预备党员没有表决权、选举权和被选举权"):
        services.appoint_post(None, orgtree.grid1, post=Post.SECRETARY, member=probationary)
    (activist,) = make_members(orgtree.grid1, 1, Status.ACTIVIST)
    with pytest.raises(OrgError, match="不是正式党员"):
        services.appoint_post(None, orgtree.grid1, post=Post.SECRETARY, member=activist)
    with pytest.raises(OrgError, match="任职人姓名不能为空"):
        services.appoint_post(None, orgtree.grid1, post=Post.SECRETARY)


def test_group_leader_only_in_groups(orgtree):
    with pytest.raises(OrgError, match="党小组只设组长"):
        services.appoint_post(None, orgtree.group, post=Post.SECRETARY, holder_name="甲")
    with pytest.raises(OrgError, match="只能设在党小组"):
        services.appoint_post(None, orgtree.grid1, post=Post.GROUP_LEADER, holder_name="甲")
    seat = services.appoint_post(None, orgtree.group, post=Post.GROUP_LEADER, holder_name="甲")
    assert seat.post == Post.GROUP_LEADER


def test_several_committee_members_but_not_twice_the_same_person(orgtree):
    a, b = make_members(orgtree.grid1, 2)
    services.appoint_post(None, orgtree.grid1, post=Post.MEMBER, member=a)
    services.appoint_post(None, orgtree.grid1, post=Post.MEMBER, member=b)
    with pytest.raises(OrgError, match="已是现任委员"):
        services.appoint_post(None, orgtree.grid1, post=Post.MEMBER, member=a)


def test_update_post_corrects_a_name(orgtree):
    seat = services.appoint_post(None, orgtree.grid1, post=Post.SECRETARY, holder_name="张散")
    seat = services.update_post(None, seat, holder_name="张三")
    assert seat.holder_name == "张三"
    assert audit_actions(seat) == ["appoint_post", "update_post"]


# --- part-time members -----------------------------------------------------------------------


def test_part_time_members_for_community_and_street(orgtree, tree):
    unit = services.create_resident_unit(None, name="玄武区人民医院", kind=UnitKind.HOSPITAL, area=tree.grid1)
    first = services.add_part_time_member(
        None, orgtree.beianmen, role=PartTimeRole.FIRST_SECRETARY, person_name="陈院长", unit=unit, job_title="院长"
    )
    with pytest.raises(OrgError, match="已有现任兼职第一书记"):
        services.add_part_time_member(None, orgtree.beianmen, role=PartTimeRole.FIRST_SECRETARY, person_name="另一人")
    services.add_part_time_member(None, orgtree.meiyuan, role=PartTimeRole.PART_TIME_MEMBER, person_name="街道兼职委员")
    with pytest.raises(OrgError, match="兼职第一书记只设在社区"):
        services.add_part_time_member(None, orgtree.meiyuan, role=PartTimeRole.FIRST_SECRETARY, person_name="甲")
    with pytest.raises(OrgError, match="只设在街道“大工委”和社区“大党委”"):
        services.add_part_time_member(None, orgtree.xuanwu, role=PartTimeRole.PART_TIME_MEMBER, person_name="甲")
    other_unit = services.create_resident_unit(
        None, name="贡院某公司", kind=UnitKind.PRIVATE_ENTERPRISE, area=tree.gongyuan
    )
    with pytest.raises(OrgError, match="不在本组织所在区划内"):
        services.add_part_time_member(
            None, orgtree.beianmen, role=PartTimeRole.PART_TIME_MEMBER, person_name="甲", unit=other_unit
        )
    services.end_part_time_member(None, first, end_on=date.today())
    services.add_part_time_member(None, orgtree.beianmen, role=PartTimeRole.FIRST_SECRETARY, person_name="接任者")
    record = services.update_part_time_member(None, first, job_title="党委书记")
    assert record.job_title == "党委书记"
    assert audit_actions(first) == ["create_part_time_member", "vacate_part_time_member", "update_part_time_member"]


# --- resident units and departments ----------------------------------------------------------


def test_resident_units(orgtree, tree):
    unit = services.create_resident_unit(
        None, name=" 某银行 ", kind=UnitKind.STATE_ENTERPRISE, area=tree.grid1, contact_phone="025-8888 1234"
    )
    assert unit.name == "某银行" and unit.area_path == tree.grid1.code
    with pytest.raises(OrgError, match="联系电话"):
        services.update_resident_unit(None, unit, contact_phone="电话")
    with pytest.raises(OrgError, match="未知的单位类型"):
        services.create_resident_unit(None, name="甲", kind="bank", area=tree.grid1)
    unit = services.update_resident_unit(None, unit, area=tree.grid2, party_org=orgtree.grid2)
    assert unit.area_path == tree.grid2.code and unit.party_org == orgtree.grid2
    assert audit_actions(unit) == ["create_resident_unit", "update_resident_unit"]


def test_departments(tree):
    department = services.create_department(
        None, name="玄武区住建局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu, areas_served=[tree.meiyuan]
    )
    assert list(department.areas_served.all()) == [tree.meiyuan]
    with pytest.raises(OrgError, match="服务区域须在"):
        services.update_department(None, department, areas_served=[tree.gongyuan])
    with pytest.raises(OrgError, match="区级部门应属于区一级区划"):
        services.create_department(None, name="甲", level=DepartmentLevel.DISTRICT, area=tree.meiyuan)
    department = services.update_department(None, department, name="玄武区住房和城乡建设局", areas_served=[])
    assert department.areas_served.count() == 0
    log = AuditLog.objects.filter(action="update_department").get()
    assert log.before["areas_served"] == [tree.meiyuan.code] and log.after["areas_served"] == []
