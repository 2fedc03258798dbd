"""Printed documents of the members' app: 党员信息表, 组织关系介绍信 (with 回执), 党费收缴清单.

Each test renders the PDF through its page's URL and reads the text back, as a user checks a
print-out: the right person, organisations, amounts and page numbers; masked numbers for a role
without the personal-data permission; 404 outside the user's scope.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditLog
from jiceng.members import services
from jiceng.members.models import Transfer
from tests.pdf import pdf_pages, pdf_text

from .conftest import make_id

pytestmark = pytest.mark.django_db

ZHANG_ID = make_id(date(1985, 6, 15), seq=31)


@pytest.fixture
def zhang(make_member):
    return make_member(name="张建国", id_number=ZHANG_ID, birth=date(1985, 6, 15), phone="13912345678")


def _pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_member_sheet_full_for_pii_holder_and_audited(login, users, zhang):
    client = login(users.district)
    text = pdf_text(_pdf(client, reverse("members:member_sheet_pdf", args=[zhang.pk])))
    assert "党员信息表" in text
    assert "张建国" in text
    assert "北安门社区第一网格党支部" in text
    assert ZHANG_ID in text
    assert "13912345678" in text
    pages = pdf_pages(_pdf(client, reverse("members:member_sheet_pdf", args=[zhang.pk])))
    assert all(f"第{n}页共{len(pages)}页" in page for n, page in enumerate(pages, start=1))
    assert AuditLog.objects.filter(action="view_pii", object_id=str(zhang.pk)).exists()


def test_member_sheet_masked_for_grid_worker(login, users, zhang):
    client = login(users.grid)
    text = pdf_text(_pdf(client, reverse("members:member_sheet_pdf", args=[zhang.pk])))
    assert "张建国" in text
    assert ZHANG_ID not in text
    assert "13912345678" not in text
    assert "1985年" in text
    assert "1985-06" not in text
    assert not AuditLog.objects.filter(action="view_pii").exists()


def test_member_sheet_outside_scope_is_404(login, users, zhang):
    client = login(users.other_community)
    assert client.get(reverse("members:member_sheet_pdf", args=[zhang.pk])).status_code == 404


def test_transfer_letter_and_receipt(login, users, zhang, orgs):
    client = login(users.district)
    client.post(
        reverse("members:member_transfer", args=[zhang.pk]), {"kind": "internal", "to_org": orgs.gongyuan_branch.code}
    )
    transfer = Transfer.objects.get()
    text = pdf_text(_pdf(client, reverse("members:transfer_letter_pdf", args=[transfer.pk])))
    assert "中国共产党党员组织关系介绍信" in text
    assert transfer.letter_no in text
    assert "张建国同志" in text
    assert "由北安门社区第一网格党支部转去贡院社区第一党支部" in text
    assert "回执" in text and "特此回执" in text
    assert ZHANG_ID in text


def test_transfer_letter_outside_scope_is_404(login, users, zhang, orgs):
    transfer = services.issue_outgoing(
        users.district, zhang, external_org_name="中共苏州市某某支部", letter_no="宁组转2026001"
    )
    assert (
        login(users.other_community).get(reverse("members:transfer_letter_pdf", args=[transfer.pk])).status_code == 404
    )
    text = pdf_text(_pdf(login(users.district), reverse("members:transfer_letter_pdf", args=[transfer.pk])))
    assert "宁组转2026001" in text
    assert "转去中共苏州市某某支部" in text


def test_dues_list_for_a_month(login, users, orgs, make_member):
    paid = make_member(name="王立", dues_category="retired", dues_base=Decimal("4000"))
    make_member(name="赵红", dues_category="retired", dues_base=Decimal("4000"))
    services.record_payment(users.district, paid, "2026-11-01", "20.00", paid_on=date(2026, 11, 20))
    url = reverse("members:dues_list_pdf", args=[orgs.branch1.code]) + "?month=2026-11"
    text = pdf_text(_pdf(login(users.district), url))
    assert "党费收缴清单" in text
    assert "2026年11月" in text
    assert "王立" in text and "2026-11-20" in text
    assert "赵红" in text and "未交" in text
    assert "合计（2人，已交1人）" in text


def test_long_dues_list_breaks_pages_with_numbers(login, users, orgs, make_member):
    for i in range(60):
        make_member(name=f"党员甲{i:02d}", dues_category="retired", dues_base=Decimal("3000"))
    url = reverse("members:dues_list_pdf", args=[orgs.branch1.code]) + "?month=2026-10"
    pages = pdf_pages(_pdf(login(users.district), url))
    assert len(pages) >= 2
    assert f"第1页共{len(pages)}页" in pages[0]
    assert "序号" in pages[1]  # the header row repeats on every page
    assert "党员甲59" in "".join(pages)


def test_dues_list_of_another_branch_is_404(login, users, orgs):
    url = reverse("members:dues_list_pdf", args=[orgs.branch1.code])
    assert login(users.other_community).get(url).status_code == 404


def test_pages_offer_the_print_buttons(login, users, zhang, orgs):
    client = login(users.district)
    page = client.get(reverse("members:member_detail", args=[zhang.pk])).content.decode()
    assert reverse("members:member_sheet_pdf", args=[zhang.pk]) in page
    ledger = client.get(reverse("members:dues_ledger", args=[orgs.branch1.code])).content.decode()
    assert reverse("members:dues_list_pdf", args=[orgs.branch1.code]) in ledger
