"""The pages: 我的双报到 on the phone, the community's desk, the branch's feedback and the letter."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.dualreport import services
from jiceng.dualreport.models import Feedback, Registration, Service, ServiceStatus
from tests.pdf import pdf_text

from .test_services import confirmed, make_post

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def test_member_registers_from_the_phone_page(world, client):
    client.force_login(world.member_user)
    page = client.get(reverse("dualreport:mine"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "到居住地社区报到" in text and "北安门社区" in text
    # The residence's community is chosen already.
    assert 'value="320102002011" selected' in text
    bad = client.post(reverse("dualreport:mine"), {"community": "320102002", "phone": "", "skills": ""})
    assert "请从列表中选择本市的社区" in bad.content.decode()
    assert not Registration.objects.exists()
    done = client.post(
        reverse("dualreport:mine"), {"community": "320102002011", "phone": "", "skills": "理发"}, follow=True
    )
    assert "已提交报到，等待社区确认" in done.content.decode()
    assert Registration.objects.get().skills == "理发"


def test_member_signs_up_and_reports_a_service(world, client):
    confirmed(world)
    post = make_post(world, places=1)
    client.force_login(world.member_user)
    assert "周末助老" in client.get(reverse("dualreport:mine")).content.decode()
    page = client.post(reverse("dualreport:mine_sign_up", args=[post.pk]), follow=True)
    assert "已报名“周末助老”" in page.content.decode()
    bad = client.post(
        reverse("dualreport:mine_service_add"),
        {"service-served_on": str(today() + timedelta(days=2)), "service-hours": "0", "service-content": "助老"},
    )
    assert "服务时长应大于0小时" in bad.content.decode()
    client.post(
        reverse("dualreport:mine_service_add"),
        {"service-served_on": str(today()), "service-hours": "2", "service-content": "助老"},
    )
    assert Service.objects.get().status == ServiceStatus.PENDING


def test_community_confirms_on_the_registration_page_and_phones_are_masked(world, client):
    registration = services.register_member(world.member_user, world.member, world.tree.beianmen)
    client.force_login(world.users.community)
    page = client.get(reverse("dualreport:registration_detail", args=[registration.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    client.post(reverse("dualreport:registration_act", args=[registration.pk, "confirm"]))
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    page = client.post(
        reverse("dualreport:registration_service_add", args=[registration.pk]),
        {"service-served_on": str(today()), "service-hours": "3", "service-content": "垃圾分类值守"},
        follow=True,
    ).content.decode()
    assert "已登记并确认服务" in page and "垃圾分类值守" in page
    service = Service.objects.get()
    client.post(
        reverse("dualreport:service_act", args=[service.pk, "correct"]),
        {"correct-reason": "时长录错", "correct-hours": "2.5"},
    )
    page = client.get(reverse("dualreport:service_detail", args=[service.pk])).content.decode()
    assert "时长录错" in page and "已确认（已锁定）" in page


def test_branch_reads_the_feedback_and_prints_the_letter(world, client):
    registration = confirmed(world)
    services.record_service(
        world.users.community, registration, served_on=today(), hours="2", content="助老服务", confirm=True
    )
    feedback = services.send_feedback(world.users.community, registration, year=today().year, comment="表现积极")
    client.force_login(world.secretary)
    listing = client.get(reverse("dualreport:feedback_list")).content.decode()
    assert "张在职" in listing and "未读" in listing
    detail = client.get(reverse("dualreport:feedback_detail", args=[feedback.pk])).content.decode()
    assert "表现积极" in detail and "助老服务" in detail
    assert Feedback.objects.get().read_by == world.secretary
    letter = client.get(reverse("dualreport:feedback_letter", args=[feedback.pk]))
    assert letter["Content-Type"] == "application/pdf"
    text = pdf_text(letter.content)
    assert "在职党员双报到情况反馈函" in text
    assert "贡院社区第一党支部：" in text
    assert f"{today().year}年度经社区确认的服务共1次、2.0小时（本市要求每年不少于2次），未达到要求" in text
    assert "助老服务" in text and "表现积极" in text and "北安门社区党组织（盖章）" in text
    # Another branch cannot open it.
    client.force_login(world.other_secretary)
    assert client.get(reverse("dualreport:feedback_letter", args=[feedback.pk])).status_code == 404


def test_below_target_page(world, client, make_user):
    confirmed(world)
    # The street of the community reported to sees the member (and their branch in 秦淮区).
    client.force_login(world.users.street)
    page = client.get(reverse("dualreport:below_target")).content.decode()
    assert "张在职" in page and "贡院社区第一党支部" in page
    # 贡院's staff see it too (the member's branch is theirs); a third community's staff do not.
    client.force_login(world.users.other_community)
    assert "张在职" in client.get(reverse("dualreport:below_target")).content.decode()
    client.force_login(make_user("meiyuan_cm", role="community", area=world.tree.meiyuan_cm))
    assert "张在职" not in client.get(reverse("dualreport:below_target")).content.decode()


def test_posts_pages(world, client):
    client.force_login(world.users.community)
    bad = client.post(
        reverse("dualreport:post_add"),
        {
            "title": "",
            "needs": "x",
            "starts_on": str(today()),
            "ends_on": str(today()),
            "places": "1",
            "community": "320102002011",
        },
    )
    assert "请填写此项。" in bad.content.decode()
    done = client.post(
        reverse("dualreport:post_add"),
        {
            "title": "文明劝导",
            "needs": "路口劝导",
            "starts_on": str(today()),
            "ends_on": str(today()),
            "places": "3",
            "community": "320102002011",
        },
        follow=True,
    ).content.decode()
    assert "已发布岗位“文明劝导”" in done
    assert "文明劝导" in client.get(reverse("dualreport:post_list")).content.decode()
