"""Issue 12 point 1 (dashboards): the figures under one heading per metric group, headline first;
the 指标设置 panel saves the user's choice (and 恢复默认), which the home page follows too."""

import json
import re

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditLog
from jiceng.dashboards.choice import HEADLINE, HEADLINE_TITLE
from jiceng.dashboards.models import DashboardChoice

pytestmark = pytest.mark.django_db


def page(client, code, **query):
    response = client.get(reverse("dashboards:dashboard", args=["areas", code]), {"period": "2025-09", **query})
    assert response.status_code == 200
    return response.content.decode()


def headings(html):
    return re.findall(r'<h2 class="jc-figure-heading" id="group-\d+">(.*?)</h2>', html)


def cards(html):
    charts = '<div class="row row-cards">\n  <div class="col-12 col-lg-6">'
    block = html.split("data-dashboard-figures>")[1].split(charts)[0]
    return re.findall(r'data-metric="([^"]+)"', block)


def embedded(html):
    return json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)[1])


def choose(client, code, keys, **extra):
    return client.post(
        reverse("dashboards:choice", args=["areas", code]),
        {"metric": keys, "period": "2025-09", "rank": "appeals.closed", **extra},
    )


def test_figures_are_grouped_headline_first_and_the_default_is_curated(september, people, login):
    html = page(login(people.street), september.meiyuan.code)
    titles = headings(html)
    assert titles[0] == HEADLINE_TITLE and "民呼我应" in titles
    assert titles.index("民呼我应") < titles.index("组织生活") if "组织生活" in titles else True
    shown = cards(html)
    # The headline figures first, in their order.
    first = [k for k in HEADLINE["areas"] if k in shown]
    assert shown[: len(first)] == first and shown[0] == "appeals.received"
    # Not every figure is a card by default, but every one is still in the page's data (= API).
    data = embedded(html)
    assert len(shown) == len(set(shown)) < len(data["figures"])
    assert "areas.descendants" not in shown and "areas.descendants" in data["figures"]
    # Ranked by default by the first figure shown.
    assert data["rank"] == "appeals.received"


def test_the_choice_is_saved_kept_on_reload_and_on_the_home_page_and_reset(september, people, login):
    client = login(people.community)
    code = september.beianmen.code
    response = choose(client, code, ["appeals.closed", "areas.population", "appeals.overdue"])
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:dashboard", args=["areas", code]) + (
        "?period=2025-09&rank=appeals.closed"
    )
    html = page(client, code)
    assert "已保存指标设置：显示 3 项指标。" in html
    # 办结量 and 超期量 under 民呼我应 (in the registry's order), 人口 under 区划; no headline section.
    assert cards(html) == ["appeals.closed", "appeals.overdue", "areas.population"]
    assert headings(html) == ["民呼我应", "区划"]
    assert "自定义：显示 3 / " in html
    # Reloaded: the boxes of the panel keep the choice.
    html = page(client, code)
    ticked = set(re.findall(r'name="metric" value="([^"]+)" checked', html))
    assert ticked == {"appeals.closed", "areas.population", "appeals.overdue"}
    # The table's columns follow it too; ranked by a figure not shown, that one comes first.
    assert re.findall(r'title="按(.*?)排行"', html) == ["办结量", "超期量", "人口"]
    ranked = page(client, code, rank="appeals.received")
    assert re.findall(r'title="按(.*?)排行"', ranked) == ["受理量", "办结量", "超期量", "人口"]
    # The home page's figures under the 待办 list: the same choice.
    home = client.get(reverse("accounts:home")).content.decode()
    block = home.split(f'data-month-figures="{code}"')[1].split("</div>\n          ")[0]
    assert re.findall(r'<div class="subheader">(.*?)</div>', block) == ["办结量", "超期量", "人口"]
    # Another user still has the default.
    assert cards(page(login(people.street), september.meiyuan.code))[0] == "appeals.received"
    # 恢复默认.
    client = login(people.community)
    assert choose(client, code, [], reset="1").status_code == 302
    html = page(client, code)
    assert "已恢复默认的指标。" in html and cards(html)[0] == "appeals.received"
    assert not DashboardChoice.objects.filter(user=people.community).exists()
    actions = list(AuditLog.objects.filter(actor=people.community).values_list("action", flat=True))
    assert "save_dashboardchoice" in actions and "reset_dashboardchoice" in actions


@pytest.mark.parametrize(
    "keys, message",
    [
        (["appeals.closed", "no.such.metric"], "没有这个指标：no.such.metric"),
        ([], "请至少选择一个指标"),
        (["orgs.members"], "没有这个指标：orgs.members"),  # a metric of the other tree
    ],
)
def test_a_bad_choice_is_refused_with_a_message_and_nothing_saved(september, people, login, keys, message):
    client = login(people.community)
    code = september.beianmen.code
    assert choose(client, code, keys).status_code == 302
    html = page(client, code)
    assert "指标设置未保存：" + message in html
    assert not DashboardChoice.objects.filter(user=people.community).exists()
    assert cards(html)[0] == "appeals.received"


def test_the_choice_outside_scope_or_by_get_is_refused(september, people, login):
    client = login(people.street)  # 梅园新村街道
    assert choose(client, "320104001", ["appeals.closed"]).status_code == 404
    assert client.get(reverse("dashboards:choice", args=["areas", september.meiyuan.code])).status_code == 405
    assert not DashboardChoice.objects.exists()
