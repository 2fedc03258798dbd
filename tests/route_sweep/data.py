"""The route sweep's demo-like world: two disjoint subtrees with one of everything in each.

``inside`` hangs under 玄武区 (梅园新村街道, 北安门社区) and ``outside`` under 秦淮区 (夫子庙街道,
贡院社区). The sweep's users hold their roles inside 玄武区 only, so every object of ``outside``
is out of their scope. Everything is built through the services, as the demo generator does.
Each side lists ``markers``: strings that appear on a page or in an API response only when that
side's objects are shown (names chosen not to be substrings of anything else).
"""

from datetime import date, timedelta
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import UserFactory, build_tree
from jiceng.accounts.services import assign_role, issue_token, onboard_user
from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Channel, Notification, ResponsibleLevel
from jiceng.appeals.services import create_category
from jiceng.appraisal import services as appraisal_services
from jiceng.cobuild import services as cobuild_services
from jiceng.cobuild.models import Category as CobuildCategory
from jiceng.cobuild.models import Kind as CobuildKind
from jiceng.core.models import ExcelJob
from jiceng.dualreport import services as dual_services
from jiceng.members import services as member_services
from jiceng.members.models import Member, Status
from jiceng.members.tests.conftest import FULL_DATES, make_id
from jiceng.orglife import services as orglife_services
from jiceng.orglife.models import MakeupTask
from jiceng.orgs.models import DepartmentLevel, OrgCategory, OrgType, PartTimeRole, Post, UnitKind
from jiceng.orgs.services import add_part_time_member, appoint_post, create_department, create_org, create_resident_unit
from jiceng.orgs.tests.conftest import build_orgs

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _member(org, name: str, seq: int):
    return member_services.create_member(
        None, org=org, name=name, id_number=make_id(date(1980, 1, 9), seq=seq), status=Status.FULL, **FULL_DATES
    )


def _side(tag: str, *, area, street, district, committee, branch, second_branch, category, dispatcher, admin):
    """One subtree's objects; ``tag`` (北安 or 贡院) makes every marker unique to its side."""
    s = SimpleNamespace(area=area, org=branch, committee=committee, category=category)
    s.member = _member(branch, f"{tag}甲党员", 101 if tag == "北安" else 201)
    mover = _member(branch, f"{tag}乙党员", 102 if tag == "北安" else 202)
    s.transfer = member_services.request_transfer(None, mover, second_branch, issued_on=date(2025, 9, 1))
    s.post = appoint_post(None, committee, post=Post.SECRETARY, member=s.member, start_on=date(2024, 1, 1))
    s.unit = create_resident_unit(None, name=f"{tag}驻区单位", kind=UnitKind.STATE_ENTERPRISE, area=area)
    s.part_time = add_part_time_member(
        None, committee, role=PartTimeRole.PART_TIME_MEMBER, person_name=f"{tag}兼职委员", unit=s.unit
    )
    s.department = create_department(None, name=f"{tag}区城市管理局", level=DepartmentLevel.DISTRICT, area=district)
    s.appeal = appeal_services.create_appeal(
        dispatcher,
        channel=Channel.HOTLINE,
        category=category,
        title=f"{tag}占道诉求",
        description=f"{tag}路口有人占道摆摊。",
        area=area,
        # Coordinates put it on the 诉求地图 (appeals:map) as a pin, whose title is a marker.
        latitude="32.061000" if tag == "北安" else "32.021000",
        longitude="118.801000" if tag == "北安" else "118.789000",
        reporter_name="王五",
        reporter_phone="13700001111",
        photos=[SimpleUploadedFile("site.png", PNG, content_type="image/png")],
    )
    s.photo = s.appeal.photos.get()
    # Dispatched, so that it is on the department's desk and workbench.
    appeal_services.dispatch_appeal(dispatcher, s.appeal, department=s.department)
    s.appeal.refresh_from_db()
    s.event = s.appeal.events.order_by("pk").first()
    s.whistle = appeal_services.blow_whistle(
        dispatcher, area=street, case="enforcement", title=f"{tag}吹哨事项", departments=[s.department]
    )
    s.summons = s.whistle.summons.get()
    # An account homed on the side's community, with a grant there and an API token (系统管理).
    s.account = onboard_user(
        admin, username=f"{tag}职员", password="Sweep-Pass-2026", display_name=f"{tag}职员姓名", area=area
    )
    s.grant = assign_role(admin, s.account, "grid_worker", area)
    s.token, _ = issue_token(admin, s.account, label=f"{tag}对接")
    _orglife(s, tag, area, branch)
    _dual(s, tag, branch=branch, area=area)
    # 民主评议党员: the branch's round of this year, open (its members self-assess and vote).
    s.appraisal_round = appraisal_services.open_round(None, branch, timezone.localdate().year)
    _cobuild(s, tag, area=area)
    _issue11(s, tag, area=area, committee=committee, branch=branch)
    _volunteers(s, tag, area=area, admin=admin)
    s.markers = [
        s.meeting.topic,
        s.exemption.reason,
        area.name,
        s.member.name,
        mover.name,
        branch.name,
        s.unit.name,
        s.department.name,
        s.appeal.number,
        s.appeal.title,
        s.whistle.title,
        f"{tag}兼职委员",
        s.account.username,
        s.dual_member.name,
        s.dual_post.title,
        s.service.content,
        s.cobuild_item.title,
        s.cobuild_event.title,
        s.wish.title,
        s.agreement.title,
        s.consultation.title,
        s.vol_team.name,
        s.vol_activity.title,
        s.vol_person.name,
        s.cobuild_resource.title,
        s.backfilled.topic,
        s.tb_redemption.content,
    ]
    return s


def _issue11(s, tag: str, *, area, committee, branch) -> None:
    """微心愿 (delivered with a photo), a 共驻共建 agreement with a duty, a 协商议事 record; the
    confirmed 双报到 service above has already awarded its 党员积分."""
    from jiceng.consult import services as consult_services
    from jiceng.partners import services as partner_services
    from jiceng.points.models import Award
    from jiceng.wishes import services as wish_services

    today = timezone.localdate()
    s.wish = wish_services.publish(
        None, area, area, title=f"{tag}微心愿", name=f"{tag}心愿人", phone="13911112222", address=f"{tag}街9号"
    )
    wish_services.claim(None, s.wish, member=s.dual_member)
    wish_services.deliver(None, s.wish, SimpleUploadedFile("送达.png", PNG))
    s.wish.refresh_from_db()
    s.partner_unit = create_resident_unit(
        None, name=f"{tag}共建单位", kind=UnitKind.STATE_ENTERPRISE, area=area, party_org=branch
    )
    s.agreement = partner_services.sign(
        None,
        committee,
        s.partner_unit,
        title=f"{tag}共建协议",
        content="共同开展志愿服务",
        community_contact="王书记",
        unit_contact="李主任",
        signed_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
        duties=[("unit", "提供活动场地", today + timedelta(days=5))],
    )
    s.duty = s.agreement.duties.get()
    s.consultation = consult_services.record(
        None,
        area,
        kind="council",
        held_on=today - timedelta(days=2),
        title=f"{tag}议事会",
        topics="加装电梯",
        residents=9,
    )
    s.consultation.items.add(s.cobuild_item)  # 来源：协商议事 on the item's page
    s.cobuild_resource = cobuild_services.publish_item(
        None,
        kind=CobuildKind.RESOURCE,
        title=f"{tag}共建资源",
        category=s.cobuild_item.category,
        area=area,
        offered_by_unit=s.partner_unit,
    )
    partner_services.link_resources(None, s.agreement, [s.cobuild_resource])  # shown on both pages
    s.award = Award.objects.filter(member=s.dual_member).first()


def _volunteers(s, tag: str, *, area, admin) -> None:
    """志愿服务 and 时间银行: a volunteer of the side's community in a team, signed up for an
    activity, with approved hours (an earning movement on their account) and a pending report."""
    from jiceng.timebank.models import Account
    from jiceng.volunteers import services as vol_services

    s.vol_person = vol_services.register_volunteer(admin, area, f"{tag}志愿者", birth_date=date(1950, 5, 1))
    s.vol_team = vol_services.create_team(admin, area, f"{tag}志愿服务队")
    vol_services.add_team_member(admin, s.vol_team, s.vol_person)
    start = timezone.now() + timedelta(days=2)
    s.vol_activity = vol_services.create_activity(
        admin,
        s.vol_team,
        title=f"{tag}助老活动",
        place=f"{tag}服务站",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        places=5,
    )
    s.vol_signup = vol_services.sign_up(admin, s.vol_activity, s.vol_person)
    earned = vol_services.report_hours(admin, s.vol_person, "2", timezone.localdate(), f"{tag}助餐服务")
    vol_services.approve_hours(admin, earned)
    s.vol_hours = vol_services.report_hours(admin, s.vol_person, "1", timezone.localdate(), f"{tag}待审服务")
    s.tb_account = Account.objects.get(volunteer=s.vol_person)
    s.tb_movement = s.tb_account.credits.get()
    # 兑换服务: the elderly volunteer redeems an hour served by another volunteer of the side.
    from jiceng.timebank import services as timebank_services

    server = vol_services.register_volunteer(admin, area, f"{tag}服务志愿者")
    s.tb_redemption, _ = timebank_services.redeem(admin, s.vol_person, server, "1", f"{tag}上门助餐")


def _orglife(s, tag: str, area, branch) -> None:
    """A held 支部党员大会 of the branch (the side's member missed it: a 补学), with a photo, and
    a 党小组 of the branch."""
    s.meeting = orglife_services.create_meeting(
        None,
        org=branch,
        types=["congress"],
        topic=f"{tag}支部党员大会",
        planned_start=timezone.now() - timedelta(hours=2),
        place=f"{tag}党群服务中心",
    )
    orglife_services.open_signin(None, s.meeting)
    orglife_services.close_meeting(None, s.meeting)
    s.makeup = MakeupTask.objects.get(meeting=s.meeting, member=s.member)
    s.attendance = s.meeting.attendances.get(member=s.member)
    s.attachment = orglife_services.add_attachment(None, s.meeting, SimpleUploadedFile("会场.png", PNG))
    # 补录: a 支部党员大会 held last week, recorded afterwards.
    s.backfilled = orglife_services.backfill_meeting(
        None,
        org=branch,
        types=["congress"],
        topic=f"{tag}补录支部党员大会",
        held_at=timezone.now() - timedelta(days=7),
        present=[s.member],
    )
    s.exemption, _ = orglife_services.request_exemption(
        None, org=branch, kind="dissolving", period=str(timezone.localdate().year), reason=f"{tag}支部拟撤销"
    )
    s.group = branch.children.filter(org_type=OrgType.GROUP).first() or create_org(
        None, parent=branch, name=f"{tag}楼栋党小组", org_type=OrgType.GROUP, category=OrgCategory.BUILDING, area=area
    )


def _dual(s, tag: str, *, branch, area) -> None:
    """双报到: an employed member of the side's branch living in its community, registered and
    confirmed there, signed up for the community's post, one confirmed service and a feedback."""
    s.dual_member = member_services.create_member(
        None,
        org=branch,
        name=f"{tag}双报到党员",
        id_number=make_id(date(1986, 3, 3), seq=103 if tag == "北安" else 203),
        status=Status.FULL,
        is_employed=True,
        residence=area,
        phone="13955556666",
        **FULL_DATES,
    )
    today = timezone.localdate()
    s.registration = dual_services.register_member(None, s.dual_member, area, on=today - timedelta(days=30))
    dual_services.confirm_registration(None, s.registration)
    s.dual_post = dual_services.create_post(
        None,
        area,
        title=f"{tag}服务岗位",
        needs="周末值守",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        places=5,
    )
    s.signup = dual_services.sign_up(None, s.dual_post, s.dual_member)
    s.service = dual_services.record_service(
        None, s.registration, served_on=today - timedelta(days=10), hours="2", content=f"{tag}服务内容", confirm=True
    )
    s.feedback = dual_services.send_feedback(None, s.registration, year=today.year, comment="按时参加服务")


def _cobuild(s, tag: str, *, area) -> None:
    """共建清单: a 民生菜单 event and a need of the side's community (community visibility), claimed
    by the side's unit, confirmed and completed with a photo."""
    category = CobuildCategory.objects.filter(parent__isnull=False).order_by("id").first()
    if category is None:
        parent, _ = CobuildCategory.objects.get_or_create(parent=None, name="为老服务")
        category, _ = CobuildCategory.objects.get_or_create(parent=parent, name="助餐送餐")
    s.cobuild_event = cobuild_services.create_event(
        None, area=area, title=f"{tag}招亲会", opens_at=timezone.now() - timedelta(days=1)
    )
    s.cobuild_item = cobuild_services.publish_item(
        None,
        kind=CobuildKind.NEED,
        title=f"{tag}共建需求",
        category=category,
        area=area,
        quantity=5,
        unit_label="人",
        event=s.cobuild_event,
    )
    s.cobuild_claim = cobuild_services.claim_item(None, s.cobuild_item, quantity=2, unit=s.unit)
    cobuild_services.confirm_claim(None, s.cobuild_claim)
    cobuild_services.complete_claim(
        None, s.cobuild_claim, result="完成", files=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")]
    )
    s.cobuild_evidence = s.cobuild_claim.evidence.get()


def _notification(user, appeal):
    return Notification.objects.create(
        recipient=user, key=f"sweep:{appeal.pk}", kind="appeal_dispatched", title=f"提醒 {appeal.number}", appeal=appeal
    )


def build_world():
    """``world.inside``, ``world.outside`` (see the module docstring) and ``world.users``."""
    tree = build_tree()
    orgs = build_orgs(tree)
    extra_qinhuai = create_org(
        None,
        parent=orgs.gongyuan,
        name="贡院社区第二党支部",
        org_type=OrgType.BRANCH,
        category=OrgCategory.COMMUNITY,
        area=tree.gongyuan,
    )
    category = create_category(None, name="占道经营", responsible_level=ResponsibleLevel.GRID)
    u = SimpleNamespace()
    u.root = UserFactory(username="sweep_root", is_superuser=True, is_staff=True)
    u.district = _user("sweep_district", "district_org", area=tree.xuanwu)
    u.street = _user("sweep_street", "street", area=tree.meiyuan)
    u.community = _user("sweep_community", "community", area=tree.beianmen)
    u.grid = _user("sweep_grid", "grid_worker", area=tree.grid1)
    u.nobody = _user("sweep_nobody", None)
    other_street = _user("sweep_other_street", "street", area=tree.fuzimiao)
    inside = _side(
        "北安",
        area=tree.beianmen,
        street=tree.meiyuan,
        district=tree.xuanwu,
        committee=orgs.beianmen,
        branch=orgs.grid1,
        second_branch=orgs.grid2,
        category=category,
        dispatcher=u.street,
        admin=u.root,
    )
    outside = _side(
        "贡院",
        area=tree.gongyuan,
        street=tree.fuzimiao,
        district=tree.qinhuai,
        committee=orgs.gongyuan,
        branch=orgs.gongyuan_branch,
        second_branch=extra_qinhuai,
        category=category,
        dispatcher=other_street,
        admin=u.root,
    )
    u.department = _user("sweep_department", "department", department=inside.department)
    u.resident = _user("sweep_resident", "resident", area=tree.beianmen)
    inside.mine = appeal_services.create_appeal(
        u.resident, channel=Channel.RESIDENT, category=category, description="北安自报诉求。", area=tree.building
    )
    inside.markers.append(inside.mine.number)
    # A party member with their own login (我的会议, 签到码, 补学): the inside side's member.
    u.member = _user("sweep_member", "member", area=tree.beianmen)
    Member.objects.filter(pk=inside.member.pk).update(user=u.member)
    # The resident is the inside side's volunteer (我的志愿服务, 扫码签到, 捐赠).
    type(inside.vol_person).objects.filter(pk=inside.vol_person.pk).update(user=u.resident)
    # Notifications are their recipient's only: the other side's is another user's.
    inside.notification = _notification(u.district, inside.appeal)
    outside.notification = _notification(other_street, outside.appeal)
    # One's own API tokens: the in-scope user's, and another user's on the other side.
    inside.own_token, _ = issue_token(u.district, u.district, label="区级对接")
    outside.own_token, _ = issue_token(other_street, other_street, label="他人对接")
    # Excel jobs are seen only by the user who started them: the other side's job is another user's.
    inside.job = _finished_job(u.district)
    outside.job = _finished_job(other_street)
    # 大屏 share links: the in-scope user's over their district, another user's over theirs.
    inside.share_link, inside.share_token = _share_link(u.district, tree.xuanwu.code)
    outside.share_link, outside.share_token = _share_link(other_street, tree.fuzimiao.code)
    return SimpleNamespace(tree=tree, orgs=orgs, inside=inside, outside=outside, users=u)


def _share_link(user, code: str):
    from jiceng.dashboards.kiosk import create_share, token_for

    link = create_share(user, "areas", code, 7, "路由巡检")
    return link, token_for(link)


def _finished_job(user) -> ExcelJob:
    job = ExcelJob.objects.create(
        direction=ExcelJob.Direction.IMPORT, kind="members", user=user, status=ExcelJob.Status.REJECTED
    )
    job.result.save("result.xlsx", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    job.error_report.save("errors.xlsx", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    job.save()
    return job


def _user(username: str, role: str | None, **node):
    user = UserFactory(username=username)
    if role is not None:
        assign_role(None, user, role, **node)
    return user
