"""The statement export (core Excel jobs) and the monthly hours metric."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.excel_jobs import start_export
from jiceng.timebank import services
from jiceng.timebank.exporter import StatementExporter
from jiceng.timebank.models import Account
from jiceng.volunteers import services as vs
from jiceng.volunteers.metrics import area_months

pytestmark = pytest.mark.django_db


def test_statement_export_is_scoped_and_masks_a_person_outside_scope(vol):
    record = vs.report_hours(vol.my_user, vol.me, "3", timezone.localdate(), "助老陪伴")
    vs.approve_hours(vol.community, record)
    services.donate(vol.my_user, vol.me, "1", to_volunteer=vol.far)  # a relative in 贡院
    account = Account.objects.get(volunteer=vol.me)
    exporter = StatementExporter()
    rows = list(exporter.rows(vol.community, exporter.queryset(vol.community, {"account": [str(account.pk)]})))
    assert len(rows) == 2
    assert rows[1][4].startswith("贡") and "*" in rows[1][4]  # 贡院志愿者 is outside 北安门's scope
    # Another community's staff get nothing of it.
    other = StatementExporter()
    assert not other.queryset(vol.other_community, {"account": [str(account.pk)]}).exists()
    job, inline = start_export(vol.community, "timebank_statement", {"account": [str(account.pk)]})
    assert job is None and inline[1] == 2


def test_hours_metric_reads_the_monthly_rows(vol):
    day = timezone.localdate() - timedelta(days=1)
    record = vs.report_hours(vol.my_user, vol.me, "2.5", day, "助老陪伴")
    vs.approve_hours(vol.community, record)
    month = day.replace(day=1)
    figures = area_months(["320102", "320102002011", "320104"], month, month, False)
    assert figures["320102"]["hours"] == figures["320102002011"]["hours"] == 2.5
    assert "320104" not in figures
