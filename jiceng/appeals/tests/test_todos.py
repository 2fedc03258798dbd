"""The 待办 list of 民呼我应 users, the menu counts and the notification inbox, as each user sees
them: the dispatcher's 待派单, the handler's 待签收 (only on its own node, not the street above it),
a department's 待签收 and 吹哨待报到, the bell and its list; and the home page's cost does not grow
with the work waiting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Notification, WhistleCase
from jiceng.core.todos import todo_groups
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def groups(user) -> dict[str, list[str]]:
    return {g.source.key: [item.title for item in g.items] for g in todo_groups(user)}


def test_dispatch_then_sign_moves_the_item_to_the_right_desk(submit, people, tree):
    appeal = submit(now=timezone.now())
    assert any(appeal.number in t for t in groups(people.street)["appeals.dispatch"])
    assert "appeals.sign" not in groups(people.grid)

    services.dispatch_appeal(people.street, appeal, area=tree.grid1)
    street = groups(people.street)
    assert "appeals.dispatch" not in street
    assert "appeals.sign" not in street  # the grid's work is not the street's to-do
    assert any(appeal.number in t for t in groups(people.grid)["appeals.sign"])
    assert "appeals.sign" not in groups(people.grid2)  # another grid of the community

    services.sign_appeal(people.grid, appeal)
    grid = groups(people.grid)
    assert "appeals.sign" not in grid
    assert any(appeal.number in t for t in grid["appeals.answer"])


def test_lights_follow_the_deadline(submit, people, tree):
    now = timezone.now()
    late = submit(now=now - timedelta(days=3))
    fresh = submit(now=now)
    (group,) = [g for g in todo_groups(people.street) if g.source.key == "appeals.dispatch"]
    lights = {item.title.split(" ")[0]: item.light for item in group.items}
    assert lights[late.number] == "red"
    assert lights[fresh.number] in ("amber", "green")
    assert group.items[0].title.startswith(late.number)  # the most urgent first
    assert group.items[0].due_text.startswith("已超期")


def test_department_signs_and_reports(submit, people, tree, departments):
    appeal = submit(now=timezone.now())
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan)
    services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case=WhistleCase.RESIDENT_DEMAND,
        title="北安门停车整治",
        departments=[departments.xw_chengguan],
    )
    mine = groups(people.chengguan)
    assert any(appeal.number in t for t in mine["appeals.sign"])
    assert mine["appeals.report"] == ["北安门停车整治 · 玄武区城市管理局"]
    assert "appeals.report" not in groups(people.water)
    assert "appeals.sign" not in groups(people.qh_chengguan)


def test_home_page_shows_the_list_and_its_cost_does_not_grow(login, submit, people):
    client = login(people.street)
    submit(now=timezone.now())
    client.get(reverse("accounts:home"))  # warm the per-process caches (grants, rules)
    few, response = count_queries(client, reverse("accounts:home"))
    page = response.content.decode()
    assert "待办事项" in page and "待派单" in page
    for _ in range(12):
        submit(now=timezone.now())
    many, response = count_queries(client, reverse("accounts:home"))
    assert response.content.decode().count('class="jc-light') == 5  # the first five of 13
    assert many == few


def test_menu_counts_and_bell(login, submit, people, tree):
    for _ in range(3):
        appeal = submit(now=timezone.now())
    services.dispatch_appeal(people.street, appeal, area=tree.grid1)  # notifies the grid worker
    page = login(people.street).get(reverse("todo:counts")).content.decode()
    assert 'id="menu-count-appeals-queue"' in page and ">2</span>" in page
    grid = login(people.grid).get(reverse("todo:counts")).content.decode()
    assert 'id="menu-count-appeals-workbench"' in grid
    assert 'id="bell-count" hx-swap-oob="true">1</span>' in grid


def test_inbox_list_open_and_read_all(login, submit, people, tree):
    first = submit(now=timezone.now())
    second = submit(now=timezone.now())
    services.dispatch_appeal(people.street, first, area=tree.grid1)
    services.dispatch_appeal(people.street, second, area=tree.grid1)
    client = login(people.grid)
    page = client.get(reverse("appeals:notifications")).content.decode()
    assert "2 条未读" in page and "新派单待签收" in page
    note = Notification.objects.filter(recipient=people.grid, appeal=first).get()
    response = client.get(reverse("appeals:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("appeals:detail", args=[first.pk])
    assert "1 条未读" in client.get(reverse("appeals:notifications")).content.decode()
    client.post(reverse("appeals:notifications_read_all"))
    assert not Notification.objects.filter(recipient=people.grid, read_at__isnull=True).exists()
    # Nobody opens another's notification.
    assert login(people.grid2).get(reverse("appeals:notification_open", args=[note.pk])).status_code == 404
