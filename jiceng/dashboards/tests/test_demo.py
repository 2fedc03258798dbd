"""The demo city's 大屏 and its JSON (page, share link) hold no personal data, and the demo froze
last month's 月报 for the city and districts."""

import re
from datetime import date

import pytest
from django.urls import reverse

from jiceng.appeals.models import Appeal
from jiceng.dashboards.kiosk import create_share, token_for
from jiceng.dashboards.models import Snapshot
from jiceng.demo.dashboards import load_dashboards
from jiceng.demo.generator import load_demo
from jiceng.members.models import Member

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
TODAY = date(2025, 9, 30)


def test_demo_kiosk_has_no_personal_data(cheap_argon2, client, monkeypatch):
    monkeypatch.setenv("JICENG_DEMO_TIMEBANK_MOVEMENTS", "2000")  # the 1 M × scale ledger: CI stays flat
    load_demo(seed=7, scale=0.02, today=TODAY)
    assert Snapshot.objects.filter(period="2025-08", code="3201").exists()
    assert load_dashboards(today=TODAY)["created"] is False
    from jiceng.accounts.models import User

    user = User.objects.get(username="xuanwu_admin")  # a demo account (README)
    names = set(Member.objects.values_list("name", flat=True)[:2000])
    reporters = set(Appeal.objects.exclude(reporter_name="").values_list("reporter_name", flat=True)[:2000])
    people = {n for n in names | reporters if n and len(n) >= 2}
    assert people  # the demo has people to leak
    link = create_share(user, "areas", "320102", 1)
    client.force_login(user)
    texts = [
        client.get(reverse("dashboards:kiosk", args=["areas", "320102"])).content.decode(),
        client.get(reverse("dashboards:kiosk_data", args=["areas", "320102"])).content.decode(),
        client.get(reverse("dashboards:kiosk_data", args=["areas", "320102002"])).content.decode(),
    ]
    client.logout()
    texts.append(client.get(reverse("screen:shared", args=[token_for(link)])).content.decode())
    texts.append(client.get(reverse("screen:shared_data", args=[token_for(link)])).content.decode())
    for text in texts:
        assert "数据更新于" in text or '"updated_at"' in text
        assert not ID_NUMBER.search(text), ID_NUMBER.search(text)
        assert not PHONE.search(text), PHONE.search(text)
        leaked = [name for name in people if name in text]
        assert not leaked, leaked[:5]
