"""The 民呼我应 figures of the metric registry: the same number on the dashboard, in the metrics API,
in the 三率统计 API and from ``stats.area_rates`` (one definition, jiceng/core/metrics.py)."""

import pytest
from django.urls import reverse

from jiceng.appeals import stats
from jiceng.core.metrics import Period

from . import test_rates
from .test_rates import SEPTEMBER

september = test_rates.september  # the fixture: a worked month of requests (docs/appeals-rates.md)

pytestmark = pytest.mark.django_db

FIGURES = "/api/v1/metrics/figures/"


def page_figure(client, code: str, key: str) -> str:
    html = client.get(reverse("dashboards:dashboard", args=["areas", code]) + "?period=2025-09").content.decode()
    start = html.index(f'data-metric="{key}">') + len(f'data-metric="{key}">')
    return html[start : html.index("<", start)].strip()


def test_the_same_figures_on_the_page_in_the_api_and_in_the_rates(september, people, login, api_client):
    street = september.meiyuan
    api_client.force_authenticate(people.district)
    client = login(people.district)
    for node in (september.beianmen, street, september.xuanwu):
        rates = stats.area_rates(node.code, SEPTEMBER)
        body = api_client.get(FIGURES, {"node": node.code, "period": "2025-09"}).json()
        figures = body["figures"]
        assert figures["appeals.received"] == rates.counts["received"]
        assert figures["appeals.response_rate"] == pytest.approx(rates.response_rate)
        assert figures["appeals.satisfaction_rate"] == pytest.approx(rates.satisfaction_rate)
        assert figures["appeals.composite"] == pytest.approx(rates.composite())
        # The 三率统计 API reads the same rows.
        api_rates = api_client.get("/api/v1/appeal-rates/", {"area": node.code, "month": "2025-09"}).json()
        assert api_rates["response_rate"] == pytest.approx(figures["appeals.response_rate"])
        # The page prints the same figure.
        assert page_figure(client, node.code, "appeals.received") == f"{rates.counts['received']:,}"
        expected = f"{rates.response_rate * 100:.1f}%" if rates.response_rate is not None else "—"
        assert page_figure(client, node.code, "appeals.response_rate") == expected
    # 北安门社区 by hand (docs/appeals-rates.md): 响应率 5/6, 解决率 2/3, 满意率 3/3, score 83.3.
    body = api_client.get(FIGURES, {"node": september.beianmen.code, "period": "2025-09"}).json()
    assert body["figures"]["appeals.response_rate"] == pytest.approx(5 / 6)
    assert body["figures"]["appeals.resolution_rate"] == pytest.approx(2 / 3)
    assert body["figures"]["appeals.composite"] == pytest.approx(83.333, abs=0.01)


def test_children_are_ranked_and_the_trend_has_twelve_months(september, people, api_client):
    api_client.force_authenticate(people.street)
    body = api_client.get(
        FIGURES, {"node": september.meiyuan.code, "period": "2025-09", "rank": "appeals.composite"}
    ).json()
    assert body["rank"] == "appeals.composite"
    scores = [(c["name"], c["figures"]["appeals.composite"]) for c in body["children"]]
    assert scores[0] == ("北安门社区", pytest.approx(83.333, abs=0.01))
    assert scores[1][0] == "梅园新村社区" and scores[1][1] == pytest.approx(65.0)
    assert body["trend"]["months"][-1] == "2025-09" and len(body["trend"]["months"]) == 12
    assert body["trend"]["series"]["appeals.received"][-1] == body["figures"]["appeals.received"]
    assert body["trend"]["series"]["appeals.received"][0] == 0  # 2024-10: nothing then


def test_a_quarter_sums_its_months(september, people, api_client):
    api_client.force_authenticate(people.district)
    code = september.beianmen.code
    month = api_client.get(FIGURES, {"node": code, "period": "2025-09"}).json()["figures"]
    quarter = api_client.get(FIGURES, {"node": code, "period": "2025-Q3"}).json()
    assert quarter["period"]["label"] == "2025年第3季度"
    assert quarter["figures"]["appeals.received"] == month["appeals.received"]  # all in September


def test_scope_nodes_and_metrics(september, people, users, api_client, login):
    # Another street's node is not found, as everywhere (ADR 0012).
    api_client.force_authenticate(users.other_community)
    assert api_client.get(FIGURES, {"node": september.beianmen.code}).status_code == 404
    assert (
        login(users.other_community).get(reverse("dashboards:dashboard", args=["areas", "320102002"])).status_code
        == 404
    )
    # A community sees its own node; the street above is not in its scope.
    api_client.force_authenticate(people.community)
    assert api_client.get(FIGURES, {"node": september.meiyuan.code}).status_code == 404
    body = api_client.get(FIGURES, {"node": september.beianmen.code}).json()
    assert {c["code"] for c in body["children"]} <= {september.grid1.code, september.grid2.code}
    # A department's handler holds no area: no figures of the area tree.
    api_client.force_authenticate(people.chengguan)
    assert api_client.get(FIGURES, {"node": september.xuanwu.code}).status_code == 404


def test_bad_periods_are_refused_in_chinese(people, api_client, login, tree):
    api_client.force_authenticate(people.district)
    response = api_client.get(FIGURES, {"node": tree.xuanwu.code, "period": "2025-13"})
    assert response.status_code == 400 and "月份" in response.json()["error"]["fields"]["period"][0]
    response = api_client.get(FIGURES, {"node": tree.xuanwu.code, "period": "上个月"})
    assert response.status_code == 400 and "2026-Q4" in response.json()["error"]["fields"]["period"][0]
    html = (
        login(people.district)
        .get(reverse("dashboards:dashboard", args=["areas", tree.xuanwu.code]) + "?period=2025-09~2025-01")
        .content.decode()
    )
    assert "结束月份早于开始月份" in html


def test_the_cost_does_not_grow_with_the_children(september, people, api_client, django_assert_max_num_queries):
    from jiceng.core.registry import metric_sources

    # A fixed cost (session, grants, the node, its children) plus at most two reads per source of
    # the area tree (the period's figures for the node and its children, and the trend), whatever
    # the number of children or rows.
    sources = sum(1 for source in metric_sources().values() if source.tree == "areas")
    api_client.force_authenticate(people.city)
    with django_assert_max_num_queries(6 + 2 * sources):
        assert api_client.get(FIGURES, {"node": september.city.code, "period": "2025"}).status_code == 200


def test_periods():
    from datetime import date

    today = date(2026, 12, 6)
    assert Period.parse("", today).text == "2026-12"
    assert Period.parse("2026-q4", today).months == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert Period.parse("2026", today).label == "2026年"
    assert Period.parse("2026-1～2026-3", today).label == "2026年1月—2026年3月"
    assert Period.parse("2026-11", today).trend(3) == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]


def test_drill_to_detail_lists_exactly_the_requests_counted(september, people, login):
    client = login(people.community)
    html = client.get(reverse("dashboards:dashboard", args=["areas", september.beianmen.code]) + "?period=2025-09")
    link = html.content.decode().split('data-detail="appeals.received"')[0].rsplit('href="', 1)[1].split('"')[0]
    link = link.replace("&amp;", "&")
    assert "area=320102002011" in link and "created_after=2025-09-01" in link and "created_before=2025-09-30" in link
    rows = client.get(link).context["rows"]
    assert len(rows) == stats.area_rates(september.beianmen.code, SEPTEMBER).counts["received"] > 0
    assert {row.area_path[:12] for row in rows} == {september.beianmen.code}
    # A grid worker sees the figure but not the 派单台 behind it: no link.
    html = login(people.grid).get(reverse("dashboards:dashboard", args=["areas", september.grid1.code])).content
    assert b'data-detail="appeals.received"' not in html


def test_the_home_page_shows_this_months_figures_of_the_dashboard(people, login, submit, tree, api_client):
    submit(client_token="now-1", now=None)  # received today
    html = login(people.community).get(reverse("accounts:home")).content.decode()
    block = html.split(f'data-month-figures="{tree.beianmen.code}"')[1].split("</div>\n          ")[0]
    api_client.force_authenticate(people.community)
    received = api_client.get(FIGURES, {"node": tree.beianmen.code}).json()["figures"]["appeals.received"]
    assert received == 1 and '受理量</div><div class="h3">1</div>' in block
    assert reverse("dashboards:dashboard", args=["areas", tree.beianmen.code]) in html
