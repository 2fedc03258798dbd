"""The printed 工单: fields, the whole timeline for staff, the public one for the reporter, the
reporter's phone masked for a role that may not see it, 404 outside scope."""

import pytest
from django.urls import reverse

from jiceng.appeals import services
from tests.pdf import pdf_text

from .conftest import T0, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(submit, people, tree):
    appeal = submit(description="1栋楼下有人占道摆摊，影响通行，请尽快处理。")
    services.dispatch_appeal(people.street, appeal, area=tree.grid1, note="请网格员核实", now=T0)
    services.supervise_appeal(people.district, appeal, note="区级挂牌，三日内办结", now=at(2025, 9, 10, 10, 0))
    appeal.refresh_from_db()
    return appeal


def _text(client, appeal):
    response = client.get(reverse("appeals:ticket_pdf", args=[appeal.pk]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def test_staff_ticket_has_fields_and_whole_timeline(login, people, ticket):
    text = _text(login(people.street), ticket)
    assert "民呼我应工单" in text
    assert ticket.number in text
    assert "1栋楼下有人占道摆摊" in text
    assert "玄武区" in text and "梅园新村街道" in text
    assert "请网格员核实" in text
    assert "区级挂牌，三日内办结" in text  # 督办 is internal but staff print it
    assert "第1页共" in text


def test_reporter_prints_public_steps_only(login, people, ticket):
    text = _text(login(people.resident), ticket)
    assert "1栋楼下有人占道摆摊" in text
    assert "区级挂牌，三日内办结" not in text


def test_department_prints_the_reporter_masked(login, people, submit, departments):
    appeal = submit()
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan, now=T0)
    assert "13812345678" in _text(login(people.street), appeal)  # a dispatcher calls the resident back
    text = _text(login(people.chengguan), appeal)
    assert "玄武区城市管理局" in text
    assert "13812345678" not in text
    assert "138****5678" in text


def test_ticket_outside_scope_is_404(login, people, ticket):
    client = login(people.qh_chengguan)
    assert client.get(reverse("appeals:ticket_pdf", args=[ticket.pk])).status_code == 404


def test_detail_page_offers_the_print_button(login, people, ticket):
    page = login(people.street).get(reverse("appeals:detail", args=[ticket.pk])).content.decode()
    assert reverse("appeals:ticket_pdf", args=[ticket.pk]) in page
