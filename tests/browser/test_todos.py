"""The 待办 list, the menu counts and the bell in a browser, at desk and phone width: a street
dispatcher lands on its waiting requests (the overdue one first, in red), the menu shows how many
wait at 诉求派单, and the grid worker's bell counts the new dispatch and leads to the request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Channel, ResponsibleLevel
from jiceng.appeals.services import create_category
from tests.browser.harness import DESK, PHONE, assert_fits, login, new_page, shot

pytestmark = pytest.mark.browser

PASSWORD = "Daiban-2026-list"


@pytest.fixture
def waiting(transactional_db, tree, make_user, cheap_argon2):
    stall = create_category(None, name="占道经营", responsible_level=ResponsibleLevel.GRID)
    street = make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    make_user("beianmen_grid1", role="grid_worker", area=tree.grid1, password=PASSWORD)
    now = timezone.now()

    def appeal(title, at):
        return services.create_appeal(
            street,
            channel=Channel.HOTLINE,
            category=stall,
            title=title,
            description=f"{title}，请处理。",
            area=tree.building,
            reporter_name="王五",
            reporter_phone="13700001111",
            now=at,
        )

    late = appeal("北京东路占道摆摊", now - timedelta(days=3))
    appeal("成贤街噪声扰民", now)
    sent = appeal("楼道堆物", now)
    services.dispatch_appeal(street, sent, area=tree.grid1)
    return late, sent


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_home_starts_with_the_todo_list(live_server, browser, waiting, viewport):
    late, sent = waiting
    width = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", PASSWORD)
    todo = page.locator("#todo")
    assert todo.is_visible()
    group = page.locator("#todo-appealsdispatch")
    assert "待派单" in group.inner_text() and "2" in group.locator(".badge").inner_text()
    first = group.locator(".list-group-item").first
    assert late.number in first.inner_text() and "已超期" in first.inner_text()
    assert first.locator(".jc-light-red").count() == 1
    page.locator("#menu-count-appeals-queue:not([hidden])").wait_for(state="attached")
    assert page.locator("#menu-count-appeals-queue").text_content() == "2"  # inside the folded 民呼我应
    assert page.locator("#menu-group-count-appeals").text_content() == "2"  # shown on the fold
    shot(page, f"todo-street-{width}")
    assert_fits(page)
    with page.expect_navigation():
        first.click()
    assert page.url.endswith(f"/appeals/{late.pk}/")

    login(page, live_server, "beianmen_grid1", PASSWORD)
    bell = page.locator("#bell-count:not([hidden])")
    bell.wait_for(state="visible")
    assert bell.inner_text() == "1"
    assert sent.number in page.locator("#todo-appealssign").inner_text()
    shot(page, f"todo-grid-{width}")
    with page.expect_navigation():
        page.locator(".jc-bell").click()
    assert "新派单待签收" in page.locator("#notifications").inner_text()
    with page.expect_navigation():
        page.locator("#notifications a").first.click()
    assert page.url.endswith(f"/appeals/{sent.pk}/")
    page.context.close()
