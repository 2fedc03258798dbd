"""月报 snapshots, the PDF reports and the workbook: frozen figures stay frozen, live ones move."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.appeals.models import AreaStat
from jiceng.core.metrics import Period
from jiceng.dashboards.models import Snapshot
from jiceng.dashboards.snapshots import SnapshotError, create_snapshot, snapshot_last_month
from tests.pdf import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

FIGURES = "/api/v1/metrics/figures/"
SEPT = Period.parse("2025-09", date(2026, 1, 1))


def received(api_client, code, source=""):
    return api_client.get(FIGURES, {"node": code, "period": "2025-09"}).json()["figures"]["appeals.received"]


def page_data(client, code, **query):
    import json
    import re

    html = client.get(reverse("dashboards:dashboard", args=["areas", code]), {"period": "2025-09", **query})
    assert html.status_code == 200
    found = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', html.content.decode(), re.S
    )
    return json.loads(found[1])


def correct_september(code, more=5):
    """A correction after the snapshot: five more requests counted in September."""
    AreaStat.objects.filter(path=code, month=date(2025, 9, 1)).update(received=models_F("received") + more)


def models_F(name):
    from django.db.models import F

    return F(name)


def test_snapshot_keeps_its_numbers_after_a_correction(september, people, login, api_client):
    client = login(people.district)
    code = september.xuanwu.code
    before = page_data(client, code)["figures"]["appeals.received"]
    response = client.post(reverse("dashboards:snapshot", args=["areas", code]), {"period": "2025-09"}, follow=True)
    assert "已冻结玄武区2025年9月的月报" in response.content.decode()
    snapshot = Snapshot.objects.get()
    assert snapshot.values[code]["appeals.received"] == before
    assert snapshot.created_by == people.district

    correct_september(code)
    api_client.force_authenticate(people.district)
    assert received(api_client, code) == before + 5  # live moved
    assert page_data(client, code)["figures"]["appeals.received"] == before + 5
    frozen = page_data(client, code, source="snapshot")
    assert frozen["source"] == "snapshot" and frozen["figures"]["appeals.received"] == before

    # The published report reads the snapshot; the live one the corrected figure.
    pdf = client.get(reverse("dashboards:report", args=["areas", code]), {"period": "2025-09", "kind": "minhu"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "月报快照" in text and f"受理量{before:,}件" in text.replace(" ", "")
    live = client.get(
        reverse("dashboards:report", args=["areas", code]), {"period": "2025-09", "kind": "minhu", "source": "live"}
    )
    assert f"受理量{before + 5:,}件" in pdf_text(live.content) and "实时数据" in pdf_text(live.content)

    # The workbook too.
    book = export(client, code, source="auto")
    assert overview(book)["受理量"] == before
    assert overview(export(client, code, source="live"))["受理量"] == before + 5

    # A second snapshot of the same node and period is refused.
    again = client.post(reverse("dashboards:snapshot", args=["areas", code]), {"period": "2025-09"}, follow=True)
    assert "不能重复冻结" in again.content.decode()
    assert Snapshot.objects.count() == 1


def test_snapshot_rules(september, people, login):
    with pytest.raises(SnapshotError, match="已经结束"):
        create_snapshot(people.district, "areas", september.xuanwu.code, Period.month_of(date.today()))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_snapshot(people.community, "areas", september.beianmen.code, SEPT)  # communities do not freeze
    with pytest.raises(SnapshotError):
        create_snapshot(people.district, "areas", "320104", SEPT)  # another district: not found
    assert not Snapshot.objects.exists()
    # A community user gets no freeze button and a 403 on the POST.
    response = login(people.community).post(
        reverse("dashboards:snapshot", args=["areas", september.beianmen.code]), {"period": "2025-09"}
    )
    assert response.status_code == 403


def test_the_monthly_job_freezes_last_month_once(september):
    made = snapshot_last_month(today=date(2025, 10, 1))
    assert made == Snapshot.objects.filter(period="2025-09").count() == 5  # city, 2 districts, 2 streets
    city = Snapshot.objects.get(code="3201")
    assert city.created_by is None and city.values["3201"]["appeals.received"] > 0
    assert snapshot_last_month(today=date(2025, 10, 2)) == 0


def test_pdf_report_has_a_toc_page_numbers_and_charts(september, people, login):
    client = login(people.district)
    response = client.get(
        reverse("dashboards:report", args=["areas", september.xuanwu.code]), {"period": "2025-09", "kind": "minhu"}
    )
    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert len(pages) > 3
    first = pages[0]
    assert "民呼我应月度报告" in first and "玄武区" in first and "目录" in first and "2025年9月" in first
    assert "第1页共" in first
    assert "响应率" in first and "梅园新村街道" in "".join(pages)  # the child in the charts' tables
    # Table of contents entries carry page numbers (target-counter): "受理量......3".
    import re

    assert re.search(r"受理量\.+\d", first)
    # The 述职 facts report names what party metrics exist (those of other apps when installed).
    facts = client.get(
        reverse("dashboards:report", args=["areas", september.xuanwu.code]), {"period": "2025-09", "kind": "shuzhi"}
    )
    assert facts.status_code == 200 and "书记抓基层党建工作述职事实材料" in pdf_text(facts.content)


def export(client, code, **query):
    response = client.get(reverse("dashboards:export", args=["areas", code]), {"period": "2025-09", **query})
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def overview(book) -> dict:
    sheet = book["概览"]
    return {row[1]: row[2] for row in sheet.iter_rows(min_row=3, values_only=True)}


def test_workbook_has_one_sheet_per_chart_and_the_detail(september, people, login):
    book = export(login(people.street), september.meiyuan.code)
    names = book.sheetnames
    assert names[0] == "概览" and "排行-受理量" in names and "近12个月趋势" in names and "明细" in names
    ranking = list(book["排行-受理量"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in ranking} == {"北安门社区", "梅园新村社区"}
    assert book["排行-受理量"]._charts  # the bar chart drawn from its table
    detail = list(book["明细"].iter_rows(min_row=2, values_only=True))
    received_rows = [r for r in detail if r[2] == "受理量"]
    assert received_rows and all(r[4].startswith("/appeals/") for r in received_rows)
