"""The 大屏: page and JSON, today's counters, the map or treemap, share links, and no personal data."""

import json
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from jiceng.dashboards.kiosk import token_for
from jiceng.dashboards.models import Boundary, ShareLink

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

SQUARE_A = [[118.80, 32.05], [118.81, 32.05], [118.81, 32.06], [118.80, 32.05]]
SQUARE_B = [[118.81, 32.05], [118.82, 32.05], [118.82, 32.06], [118.81, 32.05]]
FIXTURE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "320102002011", "name": "北安门"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[118.80, 32.05], [118.81, 32.05], [118.81, 32.06], [118.80, 32.05]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"code": "320102002001", "name": "梅园新村"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[118.81, 32.05], [118.82, 32.05], [118.82, 32.06], [118.81, 32.05]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"code": "999999", "name": "外地"},
            "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 1]]]},
        },
    ],
}


def no_personal_data(text: str, people) -> None:
    assert not ID_NUMBER.search(text), ID_NUMBER.search(text)
    assert not PHONE.search(text), PHONE.search(text)
    for person in (people.resident, people.resident2):
        assert person.display_name not in text
        assert person.username not in text


def kiosk_json(client, code, **query):
    return client.get(reverse("dashboards:kiosk_data", args=["areas", code]), query)


def test_kiosk_page_and_json_show_aggregates_only(september, people, login):
    client = login(people.street)
    page = client.get(reverse("dashboards:kiosk", args=["areas", september.meiyuan.code]) + "?period=2025-09")
    assert page.status_code == 200
    html = page.content.decode()
    assert "数据更新于" in html and "梅园新村街道" in html and "今日受理" in html
    body = kiosk_json(client, september.meiyuan.code, period="2025-09")
    assert body.status_code == 200
    data = body.json()
    figures = {f["key"]: f["value"] for f in data["figures"]}
    assert figures["appeals.received"] > 0
    assert data["ranking"][0]["name"] in {"北安门社区", "梅园新村社区"}
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", data["updated_at"])
    assert data["refresh"] == 60
    assert data["map"]["kind"] == "treemap" and data["treemap"]
    no_personal_data(html, people)
    no_personal_data(body.content.decode(), people)


def test_today_counters(submit, people, login, tree):
    from jiceng.appeals.models import Appeal

    appeal = submit()
    Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now())
    data = kiosk_json(login(people.street), tree.meiyuan.code).json()
    assert data["today"] == {"received": 1, "closed": 0}
    assert kiosk_json(login(people.district), tree.meiyuan.code).json()["today"]["received"] == 1


def test_import_boundaries_draws_a_map(tmp_path, september, people, login):
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(FIXTURE), encoding="utf-8")
    out = __import__("io").StringIO()
    call_command("import_boundaries", str(path), stdout=out)
    assert "已导入 2 个区划的边界" in out.getvalue() and "999999" in out.getvalue()
    assert Boundary.objects.get(code="320102002011").name == "北安门社区"
    data = kiosk_json(login(people.street), september.meiyuan.code, period="2025-09").json()
    assert data["map"]["kind"] == "geo"
    assert {f["properties"]["name"] for f in data["map"]["geojson"]["features"]} == {"北安门社区", "梅园新村社区"}
    # Importing again replaces, never duplicates.
    call_command("import_boundaries", str(path), stdout=out)
    assert Boundary.objects.count() == 2


def test_import_boundaries_refuses_a_bad_file(tmp_path, tree):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(CommandError, match="FeatureCollection"):
        call_command("import_boundaries", str(bad))
    broken = dict(FIXTURE, features=[*FIXTURE["features"], {"type": "Feature", "properties": {}, "geometry": None}])
    bad.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(CommandError, match="第 4 个要素"):
        call_command("import_boundaries", str(bad))
    assert not Boundary.objects.exists()  # nothing partial
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_boundaries", str(bad))


# --------------------------------------------------------------------------- share links


def make_link(client, code, days=7):
    return client.post(reverse("dashboards:share", args=["areas", code]), {"days": days, "note": "指挥中心"})


def test_share_link_opens_without_login_until_revoked(september, people, login, client):
    staff = login(people.street)
    response = make_link(staff, september.meiyuan.code)
    assert response.status_code == 200 and "已生成分享链接" in response.content.decode()
    link = ShareLink.objects.get()
    assert link.node_name == "梅园新村街道" and link.created_by == people.street
    url = reverse("screen:shared", args=[token_for(link)])
    assert url in response.content.decode()
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "梅园新村街道" in html and "只读分享" in html and "返回看板" not in html
    no_personal_data(html, people)
    data = client.get(reverse("screen:shared_data", args=[token_for(link)]))
    assert data.status_code == 200 and data.json()["node"]["code"] == september.meiyuan.code
    no_personal_data(data.content.decode(), people)
    # Someone else cannot revoke it; the creator can.
    other = login(people.other_community)
    assert other.post(reverse("dashboards:share_revoke", args=[link.pk])).status_code == 404
    staff = login(people.street)
    assert staff.post(reverse("dashboards:share_revoke", args=[link.pk])).status_code == 302
    client.logout()
    gone = client.get(url)
    assert gone.status_code == 410 and "撤销" in gone.content.decode()
    assert client.get(reverse("screen:shared_data", args=[token_for(link)])).status_code == 410


def test_share_link_expired_or_forged(september, people, login, client):
    make_link(login(people.street), september.meiyuan.code)
    link = ShareLink.objects.get()
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    token = token_for(link)
    expired = client.get(reverse("screen:shared", args=[token]))
    assert expired.status_code == 410 and "已过期" in expired.content.decode()
    forged = client.get(reverse("screen:shared", args=[token[:-2] + ("AA" if not token.endswith("AA") else "BB")]))
    assert forged.status_code == 404 and "未找到" in forged.content.decode()
    assert client.get(reverse("screen:shared", args=["garbage"])).status_code == 404
    assert client.get(reverse("screen:shared_data", args=["garbage"])).status_code == 404


def test_share_link_ends_when_its_creator_loses_the_node(september, people, login, client):
    make_link(login(people.street), september.meiyuan.code)
    link = ShareLink.objects.get()
    people.street.is_active = False
    people.street.save()
    client.logout()
    assert client.get(reverse("screen:shared", args=[token_for(link)])).status_code == 410


def test_share_form_errors_and_scope(september, people, login, tree):
    staff = login(people.street)
    response = make_link(staff, september.meiyuan.code, days=400)
    assert response.status_code == 200 and "有效期最长 30 天" in response.content.decode()
    assert "有效期应为整数天数" in make_link(staff, september.meiyuan.code, days="x").content.decode()
    assert not ShareLink.objects.exists()
    assert make_link(staff, "320104001").status_code == 404  # another street: not found
    # A grid worker sees the area but holds no share right.
    assert make_link(login(people.grid), tree.grid1.code).status_code in (403, 404)


def test_kiosk_queries_do_not_grow_with_rows(september, people, login, submit, tree, client):
    """The 大屏's JSON, its page and a share link's JSON cost the same number of queries with more
    requests today and more areas below the node."""
    from jiceng.appeals.models import Appeal
    from jiceng.areas.models import Level
    from jiceng.areas.services import create_area
    from tests.queries import query_count

    staff = login(people.street)
    urls = [
        reverse("dashboards:kiosk_data", args=["areas", tree.meiyuan.code]),
        reverse("dashboards:kiosk", args=["areas", tree.meiyuan.code]),
    ]
    for url in urls:
        query_count(staff, url)  # warm: the rules and per-process caches are read once
    before = [query_count(staff, url) for url in urls]
    for _ in range(3):
        appeal = submit()
        Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now())
    for n in range(3):
        create_area(None, parent=tree.meiyuan, level=Level.COMMUNITY, code=f"32010200209{n}", name=f"新社区{n}")
    staff = login(people.street)
    after = [query_count(staff, url) for url in urls]
    assert after == before and max(after) <= 30, (before, after)
