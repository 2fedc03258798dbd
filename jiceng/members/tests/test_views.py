"""Pages: scope (404 outside), masking per role, audited full view, actions with Chinese errors,
keyset pagination, bounded query counts."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.members import services
from jiceng.members.models import DuesPayment, Member, Status, Transfer, TransferStatus

pytestmark = pytest.mark.django_db

FULL_ID = "11010519800109001X"
PHONE = "13812341234"


@pytest.fixture
def zhang(make_member, tree):
    return make_member(name="张建国", id_number=FULL_ID, phone=PHONE, residence=tree.building, is_employed=True)


@pytest.fixture
def stranger(make_member, orgs):
    return make_member(org=orgs.gongyuan_branch, name="贡院党员")


def detail(pk):
    return reverse("members:member_detail", args=[pk])


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["city", "district", "street", "community", "grid"])
def test_member_page_visible_in_scope(login, users, zhang, who):
    response = login(getattr(users, who)).get(detail(zhang.pk))
    assert response.status_code == 200
    assert "张建国" in response.content.decode()


@pytest.mark.parametrize("who", ["other_community", "nobody"])
def test_member_of_another_community_is_404(login, users, zhang, who):
    client = login(getattr(users, who))
    assert client.get(detail(zhang.pk)).status_code == 404
    assert client.post(reverse("members:member_pii", args=[zhang.pk])).status_code == 404
    assert client.get(reverse("members:member_advance", args=[zhang.pk])).status_code == 404


def test_list_shows_only_scope(login, users, zhang, stranger):
    body = login(users.community).get(reverse("members:member_list")).content.decode()
    assert "张建国" in body and "贡院党员" not in body
    body = login(users.other_community).get(reverse("members:member_list")).content.decode()
    assert "张建国" not in body and "贡院党员" in body


def test_branch_secretary_by_org_grant(login, secretary, zhang, make_member, orgs):
    other = make_member(org=orgs.branch2, name="第二支部党员")
    client = login(secretary)
    assert client.get(detail(zhang.pk)).status_code == 200
    assert client.get(detail(other.pk)).status_code == 404
    body = client.get(reverse("members:member_list")).content.decode()
    assert "张建国" in body and "第二支部党员" not in body


def test_anonymous_redirected(client, zhang):
    assert client.get(reverse("members:member_list")).status_code == 302


# --- masking -----------------------------------------------------------------------------------


def test_grid_worker_sees_masked_everywhere(login, users, zhang):
    client = login(users.grid)
    for url in (reverse("members:member_list"), detail(zhang.pk)):
        body = client.get(url).content.decode()
        assert "1****************X" in body and "138****1234" in body
        assert FULL_ID not in body and PHONE not in body
    assert "显示完整信息" not in client.get(detail(zhang.pk)).content.decode()
    assert client.post(reverse("members:member_pii", args=[zhang.pk])).status_code == 403
    assert not AuditLog.objects.filter(action="view_pii").exists()


def test_community_sees_full_after_audited_action(login, users, zhang):
    client = login(users.community)
    body = client.get(detail(zhang.pk)).content.decode()
    assert "1****************X" in body and FULL_ID not in body and "显示完整信息" in body
    list_body = client.get(reverse("members:member_list")).content.decode()
    assert FULL_ID not in list_body  # lists are always masked
    body = client.post(reverse("members:member_pii", args=[zhang.pk])).content.decode()
    assert FULL_ID in body and PHONE in body
    client.post(reverse("members:member_pii", args=[zhang.pk]))
    logs = AuditLog.objects.filter(action="view_pii", object_id=str(zhang.pk))
    assert logs.count() == 2 and {log.actor_id for log in logs} == {users.community.pk}
    assert all(FULL_ID not in str(log.after) for log in logs)
    assert client.get(reverse("members:member_pii", args=[zhang.pk])).status_code == 405


# --- list: filters, search, keyset ------------------------------------------------------------


def test_filters_and_search(login, users, zhang, make_member, orgs, tree):
    make_member(org=orgs.branch2, name="李红", is_center_household=True)
    make_member(status=Status.APPLICANT, name="王小明")
    make_member(name="流动者", is_mobile=True, mobile_place="上海", mobile_since=date(2024, 1, 1))
    client = login(users.community)

    def names(**params):
        body = client.get(reverse("members:member_list"), params).content.decode()
        return {n for n in ("张建国", "李红", "王小明", "流动者") if n in body}

    assert names() == {"张建国", "李红", "王小明", "流动者"}
    assert names(org=orgs.branch2.code) == {"李红"}
    assert names(org=orgs.beianmen.code) == {"张建国", "李红", "王小明", "流动者"}
    assert names(area=tree.grid1.code) == {"张建国", "王小明", "流动者"}
    assert names(status="applicant") == {"王小明"}
    assert names(employed="true") == {"张建国"}
    assert names(center="true") == {"李红"}
    assert names(mobile="true") == {"流动者"}
    assert names(q="张") == {"张建国"}
    assert names(q="001x") == {"张建国"}
    assert names(q="110105800109001") == {"张建国"}
    assert names(org="abc") == set()


def test_keyset_pages_cover_everything_once(login, users, make_member, orgs, monkeypatch):
    monkeypatch.setattr("jiceng.members.views.roster.PAGE_SIZE", 3)
    created = {make_member(org=orgs.branch1 if i % 2 else orgs.branch2, name=f"翻页{i:02d}").name for i in range(8)}
    client = login(users.community)
    seen, url = [], reverse("members:member_list")
    for _ in range(5):
        response = client.get(url)
        seen += [n for n in sorted(created) if n in response.content.decode()]
        url = response.context["next_url"]
        if not url:
            break
        url = reverse("members:member_list") + url
    assert sorted(seen) == sorted(created)
    assert "OFFSET" not in str(response.context)


def test_list_query_count_bounded(login, users, make_member, django_assert_max_num_queries):
    client = login(users.community)
    for i in range(3):
        make_member(name=f"计数{i}")
    client.get(reverse("members:member_list"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("members:member_list"))
    for i in range(30):
        make_member(name=f"更多{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("members:member_list"))
    sql = " ".join(q["sql"].upper() for q in few.captured_queries)
    assert "COUNT(" not in sql and "OFFSET" not in sql
    assert response.status_code == 200


def test_detail_query_count_bounded(login, users, zhang, django_assert_max_num_queries):
    client = login(users.community)
    client.get(detail(zhang.pk))
    with django_assert_max_num_queries(16):
        client.get(detail(zhang.pk))


# --- actions -----------------------------------------------------------------------------------


def test_advance_with_chinese_errors(login, users, make_member):
    person = make_member(status=Status.APPLICANT, application_date=date(2024, 1, 10))
    client = login(users.community)
    url = reverse("members:member_advance", args=[person.pk])
    response = client.post(url, {"to_status": "activist", "on_date": "2024-03-01", "talk_date": "2024-02-11"})
    assert response.status_code == 200
    assert "1个月内" in response.content.decode()
    response = client.post(url, {"to_status": "activist", "on_date": "2024-03-01", "talk_date": "2024-02-10"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == Status.ACTIVIST


def test_grid_worker_cannot_change(login, users, zhang):
    client = login(users.grid)
    assert client.get(reverse("members:member_advance", args=[zhang.pk])).status_code == 404
    assert client.get(reverse("members:member_transfer", args=[zhang.pk])).status_code == 403
    assert client.get(reverse("members:member_dues", args=[zhang.pk])).status_code == 403


def test_branch_vote_and_approval_pages(login, users, make_member):
    intro1 = make_member(name="介绍人甲", id_number="11010519491231002X")
    make_member(name="介绍人乙")
    person = make_member(status=Status.CANDIDATE, name="发展对象丙")
    client = login(users.community)
    url = reverse("members:member_branch_vote", args=[person.pk])
    response = client.post(url, {"on_date": "2024-06-01", "introducers": "002X", "training_hours": 24})
    assert "须有2名正式党员作入党介绍人" in response.content.decode()
    response = client.post(url, {"on_date": "2024-06-01", "introducers": "002X，介绍人乙", "training_hours": 24})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.admission_date == date(2024, 6, 1) and intro1 in person.introducers.all()
    body = client.get(detail(person.pk)).content.decode()
    assert "上级党委审批期限" in body
    response = client.post(
        reverse("members:member_advance", args=[person.pk]), {"to_status": "probationary", "on_date": "2024-09-01"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == Status.PROBATIONARY


def test_transfer_through_pages(login, users, zhang, orgs):
    client = login(users.community)
    response = client.post(
        reverse("members:member_transfer", args=[zhang.pk]), {"kind": "internal", "to_org": orgs.gongyuan_branch.code}
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    # The sending side sees it under 本方转出, the receiving side under 待本方接收.
    assert transfer.letter_no in client.get(reverse("members:transfer_list") + "?tab=outgoing").content.decode()
    receiver = login(users.other_community)
    assert transfer.letter_no in receiver.get(reverse("members:transfer_list")).content.decode()
    assert "确认接收" in receiver.get(reverse("members:transfer_detail", args=[transfer.pk])).content.decode()
    response = receiver.post(reverse("members:transfer_accept", args=[transfer.pk]))
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.org_id == orgs.gongyuan_branch.pk
    # Now the member belongs to 贡院: the old community no longer sees the member page.
    assert login(users.community).get(detail(zhang.pk)).status_code == 404


def test_transfer_reject_needs_reason(login, users, zhang, orgs):
    transfer = services.request_transfer(users.community, zhang, orgs.gongyuan_branch)
    receiver = login(users.other_community)
    response = receiver.post(reverse("members:transfer_reject", args=[transfer.pk]), {"reason-reason": ""})
    assert "请填写退回原因" in response.content.decode()
    receiver.post(reverse("members:transfer_reject", args=[transfer.pk]), {"reason-reason": "不在本社区居住"})
    assert Transfer.objects.get().status == TransferStatus.REJECTED
    # A third community cannot even see it.
    assert login(users.grid).get(reverse("members:transfer_detail", args=[transfer.pk])).status_code in (403, 404)


def test_outgoing_and_receipt_pages(login, users, zhang):
    client = login(users.community)
    response = client.post(
        reverse("members:member_transfer", args=[zhang.pk]),
        {"kind": "outgoing", "external_org_name": "中共上海某支部", "letter_no": "沪001"},
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("members:transfer_receipt", args=[transfer.pk]),
        {"receipt-receipt_no": "回001", "receipt-received_on": today},
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.left_on is not None
    assert "张建国" not in client.get(reverse("members:member_list")).content.decode()
    assert "张建国" in client.get(reverse("members:member_list") + "?left=true").content.decode()


def test_incoming_registration_page(login, users, orgs):
    from .conftest import make_id

    client = login(users.community)
    response = client.post(
        reverse("members:transfer_incoming_add"),
        {
            "to_org": orgs.branch1.code,
            "person_name": "外来党员",
            "person_id_number": make_id(date(1988, 8, 8)),
            "external_org_name": "中共苏州某支部",
            "letter_no": "苏002",
            "issued_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    response = client.post(
        reverse("members:transfer_accept", args=[transfer.pk]),
        {
            "accept-status": "full",
            "accept-application_date": "2010-01-01",
            "accept-activist_date": "2010-03-01",
            "accept-candidate_date": "2011-03-01",
            "accept-admission_date": "2011-06-01",
            "accept-approval_date": "2011-07-01",
            "accept-full_member_date": "2012-06-01",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Member.objects.get(name="外来党员").org_id == orgs.branch1.pk


def test_dues_page_and_ledger(login, users, zhang, orgs):
    client = login(users.community)
    url = reverse("members:member_dues", args=[zhang.pk])
    client.post(url, {"form": "base", "base-dues_category": "employed", "base-dues_base": "5400"})
    zhang.refresh_from_db()
    assert zhang.dues_base == 5400
    data = {"form": "pay", "pay-month": "2025-03", "pay-amount": "81.00", "pay-paid_on": "2025-03-05"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # double submit
    assert DuesPayment.objects.count() == 1
    response = client.post(url, {**data, "pay-amount": "70"})
    assert "党费已登记" in response.content.decode()
    ledger = client.get(reverse("members:dues_ledger", args=[orgs.branch1.code]) + "?year=2025").content.decode()
    assert "81.00" in ledger and "张建国" in ledger
    home = client.get(reverse("members:dues")).content.decode()
    assert "连续6个月以上未交党费" in home
    assert login(users.other_community).get(reverse("members:dues_ledger", args=[orgs.branch1.code])).status_code == 404


def test_ledger_flags_arrears(login, users, make_member, orgs):
    make_member(name="欠费者")  # admitted 2016, never paid
    body = login(users.community).get(reverse("members:dues_ledger", args=[orgs.branch1.code])).content.decode()
    assert "个月未交" in body and "table-danger" in body


def test_pipeline_board(login, users, make_member, orgs):
    make_member(status=Status.APPLICANT, name="申请人甲", application_date=timezone.localdate())
    make_member(status=Status.PROBATIONARY, name="预备党员乙")
    client = login(users.community)
    body = client.get(reverse("members:pipeline_board", args=[orgs.branch1.code])).content.decode()
    assert "申请人甲" in body and "谈话期限" in body
    assert "预备党员乙" in body and "预备期满" in body
    assert client.get(reverse("members:pipeline_board", args=[orgs.beianmen.code])).status_code == 404  # not a branch
    other = login(users.other_community)
    assert other.get(reverse("members:pipeline_board", args=[orgs.branch1.code])).status_code == 404
    chooser = login(users.community).get(reverse("members:pipeline")).content.decode()
    assert orgs.branch1.name in chooser and orgs.gongyuan_branch.name not in chooser


def test_add_member_page(login, users, orgs):
    client = login(users.community)
    url = reverse("members:member_add") + f"?org={orgs.branch1.code}"
    response = client.post(
        url,
        {
            "name": "新申请人",
            "id_number": "110105194912310021",
            "status": "applicant",
            "ethnicity": "汉族",
            "application_date": "2024-01-01",
        },
    )
    assert "校验码错误" in response.content.decode()
    response = client.post(
        url,
        {
            "name": "新申请人",
            "id_number": "11010519491231002x",
            "status": "applicant",
            "ethnicity": "汉族",
            "application_date": "2024-01-01",
        },
    )
    assert response.status_code == 302
    assert login(users.grid).get(url).status_code == 404


def test_menu_entries(login, users):
    body = login(users.community).get(reverse("members:member_list")).content.decode()
    for label in ("党员", "发展党员", "组织关系转接", "党费"):
        assert label in body
    grid_body = login(users.grid).get(reverse("members:member_list")).content.decode()
    assert "组织关系转接" not in grid_body


def test_the_filter_form_submitted_as_it_loads_lists_the_same_rows(login, users, make_member):
    """全部状态 sends ``status=``: an empty choice must not make the whole filter invalid."""
    made = {make_member().pk for _ in range(3)}
    client = login(users.community)
    loaded = client.get("/members/")
    submitted = client.get("/members/?q=&org=&area=&status=")
    assert {m.pk for m in submitted.context["rows"]} == {m.pk for m in loaded.context["rows"]} == made
    assert not submitted.context["form"].errors
    assert [m.pk for m in client.get("/members/?status=&status=full").context["rows"]] == sorted(made)


def test_dues_page_asks_for_a_reason_when_the_amount_differs(login, users, zhang):
    client = login(users.community)
    url = reverse("members:member_dues", args=[zhang.pk])
    client.post(url, {"form": "base", "base-dues_category": "employed", "base-dues_base": "5400"})
    data = {"form": "pay", "pay-month": "2025-03", "pay-amount": "50.00", "pay-paid_on": "2025-03-05"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "金额50.00元与每月应交81.00元不符，请在“说明”中写明原因" in response.content.decode()
    assert not DuesPayment.objects.exists()
    assert client.post(url, {**data, "pay-note": "困难党员，经支部同意减交"}).status_code == 302
    assert DuesPayment.objects.get().note == "困难党员，经支部同意减交"


def test_an_id_number_with_an_abolished_county_code_is_saved_with_a_warning(login, users, orgs):
    """GB/T 2260 codes abolished since (白下区 320103, merged in 2013) stay valid for life."""
    from .conftest import make_id

    client = login(users.community)
    url = reverse("members:member_add") + f"?org={orgs.branch1.code}"
    data = {"name": "老城南居民", "status": "applicant", "ethnicity": "汉族", "application_date": "2024-01-01"}
    response = client.post(url, {**data, "id_number": make_id(area="320103")}, follow=True)
    assert response.redirect_chain and Member.objects.filter(name="老城南居民").exists()
    assert "身份证号前六位“320103”不在现行县级行政区划代码表中" in response.content.decode()
    response = client.post(url, {**data, "name": "新街口居民", "id_number": make_id(area="320102")}, follow=True)
    assert response.redirect_chain and "不在现行县级行政区划代码表中" not in response.content.decode()


@pytest.mark.parametrize("year", ["99999", "0", "10000"])
def test_ledger_year_out_of_range_shows_this_year(login, users, orgs, year):
    response = login(users.community).get(reverse("members:dues_ledger", args=[orgs.branch1.code]) + f"?year={year}")
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2025-13"])
def test_a_payment_month_out_of_range_is_a_form_error(login, users, zhang, month):
    client = login(users.community)
    data = {"form": "pay", "pay-month": month, "pay-amount": "81.00", "pay-paid_on": "2025-03-05"}
    response = client.post(reverse("members:member_dues", args=[zhang.pk]), data)
    assert response.status_code == 200
    assert not DuesPayment.objects.exists()
