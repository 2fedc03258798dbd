"""``can(user, action, obj)`` and ``visible_to(user, action)`` give the same answer, everywhere.

The models are found by walking the installed apps for managers whose queryset is a
``ScopedQuerySet`` (so a new app's model is checked without editing this file); the actions are
those its permissions define (Django's defaults, ``Meta.permissions`` and every role's
permissions). For each demo role and a sample of rows in and out of every scope, the object form
and the queryset form of the scope, the apps' own visibility rules included, must agree.
"""

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.accounts.roles import ROLES
from jiceng.accounts.services import assign_role
from jiceng.appeals.models import Appeal, Category, Channel, Whistle, WhistleCase, WhistleSummons
from jiceng.appraisal.tests.scope_rows import add_rows as add_appraisal_rows
from jiceng.cobuild.tests.scope_rows import add_rows as add_cobuild_rows
from jiceng.core.scope import ScopedQuerySet, VisibilityRule, add_visibility_rule, can, scoped_querysets
from jiceng.dualreport.tests.scope_rows import add_rows as add_dual_rows
from jiceng.members.models import DuesPayment, Gender, Member, Status, Transfer, TransferKind
from jiceng.orgs.models import Department, DepartmentLevel, ResidentUnit
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.volunteers.tests.scope_rows import add_rows as add_volunteer_rows

SAMPLE = 12  # rows per model: the first and last of the table, then evenly spread


def model_actions(model) -> set[str]:
    """Actions the model's permissions define: ``<app>.<action>_<model>``."""
    name = model._meta.model_name
    codenames = {f"{action}_{name}" for action in model._meta.default_permissions}
    codenames |= {codename for codename, _ in model._meta.permissions}
    prefix = f"{model._meta.app_label}."
    for role in ROLES.values():
        codenames |= {p[len(prefix) :] for p in role.permissions if p.startswith(prefix)}
    return {c[: -len(name) - 1] for c in codenames if c.endswith(f"_{name}")}


def sample(queryset) -> list:
    rows = list(queryset.model._default_manager.order_by("pk"))
    if len(rows) <= SAMPLE:
        return rows
    step = (len(rows) - 1) / (SAMPLE - 1)
    return [rows[round(i * step)] for i in range(SAMPLE)]


def member(org, seq: int) -> Member:
    return Member.objects.create(
        name=f"党员{seq}",
        gender=Gender.MALE,
        birth_date=date(1980, 1, 1),
        id_number=f"9{seq:017d}",
        id_last4=f"{seq:04d}",
        status=Status.FULL,
        org=org,
        org_path=org.code,
        area_path=org.area_path,
    )


def appeal(category, area, **extra) -> Appeal:
    return Appeal.objects.create(
        channel=Channel.RESIDENT, category=category, description="测试诉求", area=area, area_path=area.code, **extra
    )


def whistle(area, appeal=None, *departments) -> Whistle:
    now = timezone.now()
    w = Whistle.objects.create(
        area=area,
        area_path=area.code,
        appeal=appeal,
        case=WhistleCase.RESIDENT_DEMAND,
        title="吹哨",
        report_due=now + timedelta(hours=2),
        blown_at=now,
    )
    for department in departments:
        WhistleSummons.objects.create(whistle=w, department=department, area_path=w.area_path, report_due=w.report_due)
    return w


def orglife_rows(orgs, inside, outside, u, make_user, tree) -> None:
    """Held meetings in and out of 玄武 (attendance, 补学, held facts), a plan, a 党小组 member,
    and a member login whose own rows are seen through the own-rows rules."""
    from jiceng.orglife import services as orglife

    now = timezone.now()
    for org in (orgs.grid1, orgs.gongyuan_branch):
        meeting = orglife.create_meeting(
            None, org=org, types=["congress"], topic=f"{org.name}大会", planned_start=now - timedelta(hours=1)
        )
        orglife.open_signin(None, meeting)
        orglife.close_meeting(None, meeting)
        # 免于考核: a branch in dissolution asks its higher org, inside and outside 玄武.
        orglife.request_exemption(None, org=org, kind="dissolving", period=str(now.year), reason="拟撤销")
    orglife.create_plan(
        None,
        org=orgs.grid2,
        year=now.year + 1,
        types=["lecture"],
        frequency="yearly",
        day=1,
        start_time=time(9),
        topic="党课",
    )
    orglife.set_group_members(None, orgs.group, [inside])
    u.member = make_user("dangyuan")
    assign_role(None, u.member, "member", tree.beianmen)
    Member.objects.filter(pk=inside.pk).update(user=u.member)


def issue11_rows(demo) -> None:
    """微心愿 (claimed and delivered), 共驻共建 agreements with a duty and a review, 协商议事 records,
    each in 北安门 and in 贡院 (玄武 and 秦淮); 党员积分 come from the 双报到 services confirmed
    by ``add_dual_rows``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiceng.consult import services as consult
    from jiceng.orgs.models import UnitKind
    from jiceng.orgs.services import create_resident_unit
    from jiceng.partners import services as partners
    from jiceng.wishes import services as wishes
    from tests.route_sweep.data import PNG

    tree, orgs = demo.tree, demo.orgs
    today = timezone.localdate()
    for area, committee, branch, tag in (
        (tree.beianmen, orgs.beianmen, orgs.grid1, "北安门"),
        (tree.gongyuan, orgs.gongyuan, orgs.gongyuan_branch, "贡院"),
    ):
        member = Member.objects.filter(org__in=[branch, *branch.children.all()]).first() or Member.objects.first()
        wish = wishes.publish(None, area, area, title=f"{tag}微心愿", name="心愿人", phone="13911112222", address="9号")
        wishes.claim(None, wish, member=member)
        wishes.deliver(None, wish, SimpleUploadedFile("送达.png", PNG))
        unit = create_resident_unit(
            None, name=f"{tag}共建单位", kind=UnitKind.STATE_ENTERPRISE, area=area, party_org=branch
        )
        agreement = partners.sign(
            None,
            committee,
            unit,
            title=f"{tag}共建协议",
            content="共同开展志愿服务",
            community_contact="王书记",
            unit_contact="李主任",
            signed_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            duties=[("unit", "提供活动场地", today)],
        )
        partners.review(None, agreement, today.year, {d.pk: "done" for d in agreement.duties.all()})
        consult.record(
            None,
            area,
            kind="council",
            held_on=today - timedelta(days=2),
            title=f"{tag}议事会",
            topics="加装电梯",
            residents=9,
        )


@pytest.fixture
def demo(tree, make_user):
    """A demo-like slice: every scoped model with rows inside and outside each user's scope, and
    one user per demo role."""
    orgs = build_orgs(tree)
    d = SimpleNamespace(tree=tree, orgs=orgs)
    xw = Department.objects.create(
        name="玄武区城市管理局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu, area_path=tree.xuanwu.code
    )
    qh = Department.objects.create(
        name="秦淮区城市管理局", level=DepartmentLevel.DISTRICT, area=tree.qinhuai, area_path=tree.qinhuai.code
    )
    ResidentUnit.objects.create(name="北安门医院", kind="hospital", area=tree.grid1, area_path=tree.grid1.code)
    ResidentUnit.objects.create(name="贡院学校", kind="school", area=tree.gongyuan, area_path=tree.gongyuan.code)

    u = SimpleNamespace()
    u.city = make_user("city_admin", role="city_org", area=tree.city)
    u.district = make_user("xuanwu_admin", role="district_org", area=tree.xuanwu)
    u.street = make_user("meiyuan_street", role="street", area=tree.meiyuan)
    u.community = make_user("beianmen", role="community", area=tree.beianmen)
    u.secretary = make_user("grid1_secretary")
    assign_role(None, u.secretary, "branch_secretary", org=orgs.grid1)
    u.grid = make_user("beianmen_grid1", role="grid_worker", area=tree.grid1)
    u.department = make_user("xw_chengguan")
    assign_role(None, u.department, "department", department=xw)
    u.resident = make_user("resident_zhang")
    assign_role(None, u.resident, "resident", tree.beianmen)
    u.nobody = make_user("nobody")
    u.inactive = make_user("left_city_admin", role="city_org", area=tree.city, is_active=False)
    d.users = u

    members = [member(org, i) for i, org in enumerate([orgs.group, orgs.grid1, orgs.grid2, orgs.gongyuan_branch])]
    for m in members:
        DuesPayment.objects.create(member=m, month=date(2025, 1, 1), amount="1.00", paid_on=date(2025, 1, 5))
    inside, outside = members[1], members[3]
    Transfer.objects.create(
        kind=TransferKind.INTERNAL,
        member=inside,
        from_org=orgs.grid1,
        to_org=orgs.gongyuan_branch,
        issued_on=date(2025, 1, 1),
        valid_until=date(2025, 4, 1),
        area_path=orgs.gongyuan_branch.area_path,
        from_area_path=orgs.grid1.area_path,
        org_path=orgs.gongyuan_branch.code,
        from_org_path=orgs.grid1.code,
    )
    Transfer.objects.create(
        kind=TransferKind.INTERNAL,
        member=outside,
        from_org=orgs.gongyuan_branch,
        to_org=orgs.grid2,
        issued_on=date(2025, 1, 1),
        valid_until=date(2025, 4, 1),
        area_path=orgs.grid2.area_path,
        from_area_path=orgs.gongyuan_branch.area_path,
        org_path=orgs.grid2.code,
        from_org_path=orgs.gongyuan_branch.code,
    )

    category = Category.objects.create(code="001", name="市容环境")
    appeal(category, tree.building, reporter=u.resident)  # the reporter's own, in 北安门
    appeal(category, tree.gongyuan, reporter=u.resident)  # the reporter's own, outside every office grant
    appeal(category, tree.grid2, assigned_department=xw)  # assigned to the department
    appeal(category, tree.gongyuan, assigned_department=qh)  # another department's
    summoned = appeal(category, tree.gongyuan)  # 秦淮, but the 玄武 department is summoned to it
    whistle(tree.fuzimiao, summoned, xw, qh)
    whistle(tree.meiyuan, None, qh)  # an incident in 梅园, another department summoned
    appeal(category, tree.meiyuan_grid)
    orglife_rows(orgs, inside, outside, u, make_user, tree)
    assert AuditLog.objects.exists()  # the services that built the trees wrote some
    return d


def test_every_scoped_model_is_found():
    models = {model._meta.label for model, _ in scoped_querysets()}
    assert {
        "areas.Area",
        "orgs.Org",
        "orgs.ResidentUnit",
        "orgs.Department",
        "members.Member",
        "members.Transfer",
        "members.DuesPayment",
        "appeals.Appeal",
        "appeals.Whistle",
        "appeals.WhistleSummons",
        "accounts.AuditLog",
    } <= models


def test_can_agrees_with_visible_to_for_every_model_role_and_action(demo, make_user):
    add_dual_rows(demo, make_user)  # 双报到's rows (added here: the counts below stay the slice's own)
    add_appraisal_rows(demo, make_user)  # 民主评议's rounds, after 双报到's member login
    add_cobuild_rows(demo, make_user)  # 共建清单's rows
    issue11_rows(demo)  # 微心愿, 共驻共建, 协商议事 (党员积分 from the 双报到 services above)
    add_volunteer_rows(demo, make_user)  # 志愿服务 and 时间银行's rows, likewise
    checked = 0
    failures = []
    for model, queryset in scoped_querysets():
        rows = sample(queryset)
        assert rows, f"the demo slice has no {model._meta.label}: add some so its scope is checked"
        for action in sorted(model_actions(model)):
            for role, user in vars(demo.users).items():
                visible = set(
                    queryset.visible_to(user, action).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
                )
                for row in rows:
                    checked += 1
                    if can(user, action, row) != (row.pk in visible):
                        failures.append(f"{model._meta.label} {action} {role} pk={row.pk}: can={row.pk not in visible}")
    assert failures == [], failures[:20]
    assert checked > 1000


def test_the_sample_holds_rows_in_and_out_of_scope(demo):
    """Agreement alone would pass if everybody saw nothing: the rules must also show and hide."""
    u, t = demo.users, demo.tree
    appeals = Appeal.objects
    assert appeals.visible_to(u.resident).count() == 2  # own appeals, one outside any office grant
    assert appeals.visible_to(u.resident, "handle").count() == 0  # seeing is not handling
    assert appeals.visible_to(u.department).count() == 2  # assigned + summoned (in 秦淮)
    assert Whistle.objects.visible_to(u.department).count() == 1
    assert appeals.visible_to(u.community).filter(area_path__lt=t.beianmen.code).count() == 0
    assert appeals.visible_to(u.nobody).count() == 0 and appeals.visible_to(u.inactive).count() == 0
    assert Member.objects.visible_to(u.secretary).count() == 2  # 第一网格党支部 and its 党小组
    assert 0 < Transfer.objects.visible_to(u.secretary).count() < Transfer.objects.count()
    assert 0 < DuesPayment.objects.visible_to(u.community).count() < DuesPayment.objects.count()


class _Unscoped(VisibilityRule):
    """A rule whose object form forgets its Q form: what the agreement test is there to catch."""

    def q(self, user, action, scope):
        return None

    def allows(self, user, action, scope, obj):
        return True


def test_a_rule_whose_two_forms_differ_is_caught(demo, monkeypatch):
    from jiceng.core import scope as scope_module

    monkeypatch.setattr(scope_module, "_EXTRA_RULES", {})
    add_visibility_rule(ResidentUnit, _Unscoped())
    unit = ResidentUnit.objects.get(name="贡院学校")
    assert can(demo.users.nobody, "view", unit)
    assert not ResidentUnit.objects.visible_to(demo.users.nobody).filter(pk=unit.pk).exists()


def test_a_rule_with_only_a_q_form_gets_its_object_form_from_the_database(demo, monkeypatch):
    from django.db.models import Q

    from jiceng.core import scope as scope_module

    class SchoolsForEveryone(VisibilityRule):
        def q(self, user, action, scope):
            return Q(kind="school") if action == "view" else None

    monkeypatch.setattr(scope_module, "_EXTRA_RULES", {})
    add_visibility_rule(ResidentUnit, SchoolsForEveryone())
    school, hospital = ResidentUnit.objects.get(kind="school"), ResidentUnit.objects.get(kind="hospital")
    nobody = demo.users.nobody
    assert can(nobody, "view", school) and not can(nobody, "view", hospital)
    assert not can(nobody, "change", school)
    assert list(ResidentUnit.objects.visible_to(nobody)) == [school]
    assert isinstance(ResidentUnit.objects.all(), ScopedQuerySet)
