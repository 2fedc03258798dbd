"""Issue 12 point 1: every registered metric gives the same number on the dashboard page, in the
metrics API and in the workbook export, for a sample of nodes on both trees; and point 7: bad
input gets a Chinese message or a 404, never a 500."""

import io
import json
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.core.metrics import Period, metrics_for
from jiceng.core.registry import metric_sources, metrics
from jiceng.dashboards.services import find_node

pytestmark = pytest.mark.django_db

FIGURES = "/api/v1/metrics/figures/"
PERIOD = "2025-09"


def page_json(client, tree, code):
    response = client.get(reverse("dashboards:dashboard", args=[tree, code]), {"period": PERIOD})
    assert response.status_code == 200
    found = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found[1])


def workbook(client, tree, code):
    response = client.get(reverse("dashboards:export", args=[tree, code]), {"period": PERIOD, "source": "live"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    # The workbook names a figure by its label: unique within a tree (an area metric and its org
    # twin share the label, e.g. 双报到服务次数).
    sources = metric_sources()
    labels = {m.label: m.key for m in metrics().values() if sources[m.source].tree == tree}
    values = {}
    for row in book["概览"].iter_rows(min_row=3, values_only=True):
        values[labels[row[1]]] = row[2]
    children = {}
    for row in book["明细"].iter_rows(min_row=2, values_only=True):
        children.setdefault(row[1], {})[labels[row[2]]] = row[3]
    return values, children


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b)


def test_every_metric_is_the_same_number_on_the_page_in_the_api_and_in_the_workbook(
    september, people, login, api_client
):
    from jiceng.orgs.models import Org

    user = people.city
    client = login(user)
    api_client.force_authenticate(user)
    nodes = [("areas", c) for c in ("3201", september.xuanwu.code, september.meiyuan.code, september.beianmen.code)]
    nodes += [("orgs", code) for code in Org.objects.order_by("code").values_list("code", flat=True)[:3]]
    seen: set[str] = set()
    for tree, code in nodes:
        page = page_json(client, tree, code)
        api = api_client.get(FIGURES, {"tree": tree, "node": code, "period": PERIOD}).json()
        book, book_children = workbook(client, tree, code)
        expected = {m.key for m in metrics_for(user, tree, find_node(user, tree, code))}
        assert set(api["figures"]) == set(page["figures"]) == set(book) == expected, (tree, code)
        for key in expected:
            assert same(page["figures"][key], api["figures"][key]), (tree, code, key)
            assert same(book[key], api["figures"][key]), (tree, code, key)
        for child in api["children"]:
            for key, value in child["figures"].items():
                assert same(book_children[child["code"]][key], value), (tree, code, child["code"], key)
        seen |= expected
    # Every metric of a tree that has nodes here was compared at least once.
    sources = metric_sources()
    trees = {tree for tree, _ in nodes}
    assert seen == {m.key for m in metrics().values() if sources[m.source].tree in trees}


# --------------------------------------------------------------------------- bad input


def future_month():
    today = timezone.localdate()
    return f"{today.year + 1}-{today.month:02d}"


@pytest.mark.parametrize(
    "query, message",
    [
        ({"period": "FUTURE"}, "统计期不能晚于本月"),
        ({"period": "2001-01~2025-09"}, "统计期最长"),
        ({"period": "2025-13"}, "月份应在 1 至 12 之间"),
        ({"period": "gibberish"}, "统计期格式不正确"),
        ({"rank": "nope.metric"}, "没有这个指标"),
    ],
)
def test_bad_input_gets_a_chinese_message_everywhere(september, people, login, api_client, query, message):
    query = {k: (future_month() if v == "FUTURE" else v) for k, v in query.items()}
    client = login(people.district)
    api_client.force_authenticate(people.district)
    code = september.xuanwu.code
    api = api_client.get(FIGURES, {"node": code, **query})
    assert api.status_code == 400 and message in json.dumps(api.json(), ensure_ascii=False)
    kiosk = client.get(reverse("dashboards:kiosk_data", args=["areas", code]), query)
    assert kiosk.status_code == 400 and message in json.dumps(kiosk.json(), ensure_ascii=False)
    for name in ("kiosk", "report", "export"):
        response = client.get(reverse(f"dashboards:{name}", args=["areas", code]), query)
        assert response.status_code == 400 and message in response.content.decode(), name
    page = client.get(reverse("dashboards:dashboard", args=["areas", code]), query)
    assert page.status_code in (200, 400) and message in page.content.decode()
    # The generic Excel export of the kind answers a 404 with the reason, never a 500.
    excel = client.get(reverse("excel:export", args=["dashboard"]), {"tree": "areas", "node": code, **query})
    assert excel.status_code in (200, 404)


def test_the_range_maximum_is_a_rule(september, people, api_client):
    from jiceng.core.models import Rule
    from jiceng.core.rules import forget_rule
    from jiceng.dashboards.rules import RANGE_MAX_MONTHS

    api_client.force_authenticate(people.district)
    query = {"node": september.xuanwu.code, "period": "2025-01~2025-09"}
    assert api_client.get(FIGURES, query).status_code == 200
    Rule.objects.update_or_create(key=RANGE_MAX_MONTHS, defaults={"value": 6})
    forget_rule(RANGE_MAX_MONTHS)
    response = api_client.get(FIGURES, query)
    assert response.status_code == 400 and "最长 6 个月" in response.json()["error"]["fields"]["period"][0]


def test_a_node_outside_scope_or_unknown_is_not_found(september, people, login, api_client):
    client = login(people.street)  # 梅园新村街道
    other = "320104001"  # 夫子庙街道
    for name in ("dashboard", "kiosk", "kiosk_data", "report", "export", "share"):
        assert client.get(reverse(f"dashboards:{name}", args=["areas", other])).status_code == 404, name
        assert client.get(reverse(f"dashboards:{name}", args=["areas", "999"])).status_code == 404, name
        assert client.get(reverse(f"dashboards:{name}", args=["trees", "3201"])).status_code == 404, name
    assert client.post(reverse("dashboards:snapshot", args=["areas", other]), {"period": PERIOD}).status_code == 404
    assert (
        client.get(reverse("dashboards:report", args=["areas", september.meiyuan.code]), {"kind": "x"}).status_code
        == 404
    )
    api_client.force_authenticate(people.street)
    assert api_client.get(FIGURES, {"node": other}).status_code == 404
    excel = client.get(reverse("excel:export", args=["dashboard"]), {"tree": "areas", "node": other})
    assert excel.status_code == 404


def test_period_parsing_is_period_of_this_app():
    assert Period.parse("2025-09", date(2026, 1, 1)).label == "2025年9月"
