"""The 派单台 of a street's 12345 desk in a browser, at desk (1280×800) and phone (375×812) width:
the filter form submitted as it loads and with each filter, 批量派单 of two requests (and the same
form sent again, refused row by row), and a request page with the caller's earlier requests and
the tap-to-call link."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Channel, ResponsibleLevel, Status
from jiceng.appeals.services import create_category
from jiceng.areas.models import Level
from jiceng.areas.services import create_area
from tests.browser.harness import PHONE, assert_fits, login, new_page, pick, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Paidan-Tai-2026"
DESK_800 = {"width": 1280, "height": 800}
CALLER = "13700001111"
TYPED = ("q", "after", "before")  # the other filters are choices


@pytest.fixture
def desk(transactional_db, tree, make_user, cheap_argon2):
    street = make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    look = create_category(None, name="市容环境", responsible_level=ResponsibleLevel.COMMUNITY)
    stall = create_category(None, name="占道经营", parent=look, responsible_level=ResponsibleLevel.GRID)
    water = create_category(None, name="停水", responsible_level=ResponsibleLevel.COMMUNITY)
    compound = create_area(None, parent=tree.grid1, level=Level.COMPOUND, name="梅园小区")
    building = create_area(None, parent=compound, level=Level.BUILDING, name="3栋")
    now = timezone.now()

    def appeal(title, *, at=now, area=building, category=stall, channel=Channel.HOTLINE, phone=CALLER):
        return services.create_appeal(
            street,
            channel=channel,
            category=category,
            title=title,
            description=f"{title}，请处理。",
            area=area,
            reporter_name="王五",
            reporter_phone=phone,
            now=at,
        )

    rows = {
        "old": appeal("上月反映的楼道堆物", at=now - timedelta(days=30)),
        "late": appeal("北京东路占道摆摊", at=now - timedelta(days=3)),
        "water": appeal("北安门停水", category=water, channel=Channel.GRID, area=tree.building, phone="13900002222"),
        "other": appeal("梅园新村噪声", area=tree.meiyuan_grid, phone="13600003333"),
        "new": appeal("成贤街占道摆摊"),
    }
    Appeal.objects.filter(pk=rows["old"].pk).update(status=Status.CLOSED)
    return tree, rows


def _numbers(page) -> set[str]:
    return {text.strip() for text in page.locator("#appeals tbody .code").all_inner_texts() if text.strip()}


def _search(page, url):
    submit(page, page.locator("#filter-submit"), f"{url}**")


@pytest.mark.parametrize("viewport", [DESK_800, PHONE], ids=["desk", "phone"])
def test_dispatch_desk(live_server, browser, desk, viewport):
    tree, rows = desk
    width = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", PASSWORD)
    url = f"{live_server.url}/appeals/queue/"
    page.goto(url)
    waiting = {rows[k].number for k in ("late", "water", "other", "new")}
    shown = {line.split(" · ")[0] for line in _numbers(page)}
    assert shown == waiting
    row = page.locator(f"#appeal-row-{rows['late'].pk}")
    assert "已超期" in row.inner_text() and row.locator(".jc-light-red").count() == 1
    assert "梅园小区 3栋" in page.locator(f"#appeal-row-{rows['new'].pk}").inner_text()
    shot(page, f"dispatch-desk-{width}")
    assert_fits(page)

    # The form as it loads: the same rows, no error.
    _search(page, url)
    assert page.locator("#filter-errors").count() == 0
    assert {line.split(" · ")[0] for line in _numbers(page)} == waiting

    def only(field, value, expected):
        page.goto(url)
        box = page.locator(f"#filter-{field}")
        if field == "area":
            pick(page, "filter-area", value)
        elif field in TYPED:
            box.fill(value)
        else:
            box.select_option(value)
        _search(page, url)
        assert page.locator("#filter-errors").count() == 0
        assert {line.split(" · ")[0] for line in _numbers(page)} == {rows[k].number for k in expected}, field

    only("area", "梅园新村社区", ["other"])  # the picker: a name typed and chosen
    only("category", rows["water"].category.code, ["water"])
    only("channel", "grid", ["water"])
    only("deadline", "overdue", ["late"])
    only("q", "停水", ["water"])
    today = timezone.localdate()
    only("before", (today - timedelta(days=1)).isoformat(), ["late"])
    only("after", today.isoformat(), ["water", "other", "new"])
    shot(page, f"dispatch-desk-filtered-{width}")

    # 批量派单: 全选 ticks every row that may be dispatched (jiceng.js), and unticks them.
    page.goto(url)
    page.locator("#check-all").check()
    assert page.locator("input[name=ids]:checked").count() == 4
    page.locator("#check-all").uncheck()
    assert page.locator("input[name=ids]:checked").count() == 0
    # Tick two, choose the grid, send. A second desk keeps the page open as it was.
    stale = page.context.new_page()
    stale.goto(url)
    page.locator(f"#appeal-row-{rows['late'].pk} input[name=ids]").check()
    page.locator(f"#appeal-row-{rows['new'].pk} input[name=ids]").check()
    page.locator("#bulk-target").select_option(f"a:{tree.grid1.pk}")
    submit(page, page.locator("#bulk-submit"), f"{url}**")
    results = page.locator("#bulk-results")
    assert results.locator(".jc-bulk-ok").count() == 2
    assert "批量派单完成：2 件已派单" in page.locator(".alert").first.inner_text()
    shot(page, f"dispatch-desk-bulk-{width}")
    for key in ("late", "new"):
        rows[key].refresh_from_db()
        assert rows[key].status == Status.DISPATCHED and rows[key].assigned_area_id == tree.grid1.pk

    # The same rows sent again from the page left open: each refused with why, none dispatched twice.
    stale.locator(f"#appeal-row-{rows['late'].pk} input[name=ids]").check()
    stale.locator(f"#appeal-row-{rows['new'].pk} input[name=ids]").check()
    stale.locator("#bulk-target").select_option(f"a:{tree.grid1.pk}")
    submit(stale, stale.locator("#bulk-submit"), f"{url}**")
    assert stale.locator("#bulk-results .jc-bulk-failed").count() == 2
    assert "已派给“北安门社区第一网格”" in stale.locator("#bulk-results").inner_text()
    assert rows["new"].events.filter(kind="dispatch").count() == 1
    shot(stale, f"dispatch-desk-twice-{width}")
    stale.close()

    # The request page: the caller's earlier requests and the tap-to-call link.
    page.goto(f"{live_server.url}/appeals/{rows['new'].pk}/")
    earlier = page.locator("#earlier-requests")
    assert rows["late"].number in earlier.inner_text() and rows["old"].number in earlier.inner_text()
    assert rows["water"].number not in earlier.inner_text()
    assert page.locator("#reporter-tel").get_attribute("href") == f"tel:{CALLER}"
    shot(page, f"dispatch-desk-request-{width}")
    assert_fits(page)
