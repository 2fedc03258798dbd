"""A month's dashboard reads each metric source once (``core.metrics.figures_and_trend``): the
month's figures of the node and its children and the node's 12-month trend from one per-month read,
the same numbers as the period's read (:func:`figures`) and the trend's read (:func:`trend`)."""

from datetime import date

import pytest

from jiceng.core.metrics import Period, figures, metrics_for, trend
from jiceng.core.registry import metric_sources

from . import test_rates

september = test_rates.september  # the fixture: a worked month of requests (docs/appeals-rates.md)

pytestmark = pytest.mark.django_db

FIGURES = "/api/v1/metrics/figures/"


@pytest.mark.parametrize("text", ["2025-09", "2025-10"])
def test_a_month_gives_the_figures_and_trend_of_the_separate_reads(september, people, api_client, text):
    api_client.force_authenticate(people.city)
    body = api_client.get(FIGURES, {"node": september.xuanwu.code, "period": text}).json()
    period = Period.parse(text, date(2026, 12, 1))
    chosen = metrics_for(people.city, "areas", september.xuanwu)
    codes = [september.xuanwu.code, *(child["code"] for child in body["children"])]
    expected = figures(chosen, codes, period)
    assert body["children"] and body["figures"] == expected[september.xuanwu.code]
    for child in body["children"]:
        assert child["figures"] == expected[child["code"]]
    assert body["trend"]["series"] == trend(chosen, september.xuanwu.code, period.trend(12))
    assert body["trend"]["series"]["appeals.received"][-1] == body["figures"]["appeals.received"]
    if text == "2025-09":
        assert body["figures"]["appeals.received"] > 0  # the worked month has requests


def test_a_month_reads_each_source_once(september, people, api_client, django_assert_max_num_queries):
    # A fixed cost (grants, the node, its children, its ancestors) plus one read per source of the
    # area tree: the trend comes from the same per-month read as the month's figures.
    sources = sum(1 for source in metric_sources().values() if source.tree == "areas")
    api_client.force_authenticate(people.city)
    api_client.get(FIGURES, {"node": september.city.code, "period": "2025-09"})  # the rules, cached
    with django_assert_max_num_queries(4 + sources):
        assert api_client.get(FIGURES, {"node": september.city.code, "period": "2025-09"}).status_code == 200
