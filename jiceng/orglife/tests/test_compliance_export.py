"""The 落实情况 page's Excel export: exactly the page's filtered rows in the user's scope, through
the Excel jobs (audited), with the status per assessed type."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from jiceng.orglife.models import HeldMonth, MeetingType
from jiceng.orgs.models import Org

pytestmark = pytest.mark.django_db


def _book(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_export_is_the_filtered_page_in_scope(client, orgs, people):
    Org.objects.filter(pk__in=[orgs.grid1.pk, orgs.grid2.pk, orgs.gongyuan_branch.pk]).update(
        founded_on=date(2020, 1, 1)
    )
    HeldMonth.objects.create(
        org=orgs.grid1,
        org_path=orgs.grid1.code,
        area_path=orgs.grid1.area_path,
        type=MeetingType.CONGRESS,
        month=date(2026, 11, 1),
        held=1,
    )
    client.force_login(people.community)
    page = client.get(reverse("orglife:compliance"), {"period": "2026-Q4", "type": "congress", "status": "missed"})
    assert "period=2026-Q4&amp;type=congress&amp;status=missed" in page.content.decode()
    url = reverse("excel:export", args=["orglife_compliance"])
    rows = _book(client.get(url, {"period": "2026-Q4"}))
    assert rows[0] == ("党支部", "组织编码", "区划编码", "考核期", "支部党员大会", "党课")
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"第一网格党支部", "第二网格党支部"}  # not 贡院 (another community)
    assert by_name["第一网格党支部"][4:] == ("按期召开", "未召开")
    assert by_name["第二网格党支部"][3:] == ("2026年第4季度", "未召开", "未召开")
    missed = _book(client.get(url, {"period": "2026-Q4", "type": "congress", "status": "missed"}))
    assert [r[0] for r in missed[1:]] == ["第二网格党支部"]
    client.force_login(people.member_user)
    assert client.get(url).status_code == 403
