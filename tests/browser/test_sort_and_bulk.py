"""Sorting, 导出 Excel and the bulk actions in a browser, at desk (1280×800) and phone (375×812)
width (issue 9 point 3): the unit list sorted by a header (on the phone by the sort bar) both
ways with its filter kept, then exported; the 派单台 sorted by 剩余时限 and two ticked rows
exported (批量导出); 批量接收 of transfers with a mixed selection, then the same form again."""

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from jiceng.members import services as member_services
from jiceng.members.models import Transfer, TransferStatus
from jiceng.members.tests.conftest import FULL_DATES, make_id
from jiceng.orgs import services as org_services
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import PHONE, assert_fits, login, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Paixu-Piliang-2026"
DESK_800 = {"width": 1280, "height": 800}


def _sheet(download) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    return [row for row in sheet.iter_rows(values_only=True)][1:]


def _sort(page, phone: bool, label: str, url: str):
    """Sort by the column ``label``: its header on a desk, its button in the sort bar on a phone."""
    scope = page.locator("nav.sort-bar") if phone else page.locator("thead")
    submit(page, scope.get_by_role("link", name=label).first, f"{url}**")


@pytest.fixture
def world(transactional_db, tree, make_user, cheap_argon2):
    street = make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    for name, kind, area in [
        ("北安门中学", "school", tree.grid1),
        ("安康医院", "hospital", tree.grid2),
        ("成贤街医院", "hospital", tree.grid1),
        ("梅园医院", "hospital", tree.meiyuan_cm),
        ("贡院医院", "hospital", tree.gongyuan),
    ]:
        org_services.create_resident_unit(None, name=name, kind=kind, area=area, contact_phone="13800001111")
    return street


@pytest.mark.parametrize("viewport", [DESK_800, PHONE], ids=["desk", "phone"])
def test_unit_list_sorts_keeps_its_filter_and_exports(live_server, browser, world, viewport):
    phone = viewport == PHONE
    width = "phone" if phone else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", PASSWORD)
    url = f"{live_server.url}/orgs/units/"
    page.goto(f"{url}?kind=hospital")

    def names():
        return [n.strip() for n in page.locator("#units tbody td.pc-title").all_inner_texts()]

    assert sorted(names()) == ["安康医院", "成贤街医院", "梅园医院"]  # not 贡院 (another district)
    _sort(page, phone, "单位名称", url)
    assert names() == sorted(["安康医院", "成贤街医院", "梅园医院"])
    assert "kind=hospital" in page.url and "sort=name" in page.url
    _sort(page, phone, "单位名称", url)  # again: the other way
    assert names() == sorted(["安康医院", "成贤街医院", "梅园医院"], reverse=True)
    assert "sort=-name" in page.url
    shot(page, f"units-sorted-{width}")
    assert_fits(page)
    with page.expect_download() as download:
        page.click("#export-excel")
    assert sorted(row[0] for row in _sheet(download)) == ["安康医院", "成贤街医院", "梅园医院"]


@pytest.fixture
def desk(world, tree, catalogue_for_browser):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.appeals import services
    from jiceng.appeals.models import Channel

    now = timezone.now()
    return [
        services.create_appeal(
            world,
            channel=Channel.HOTLINE,
            category=catalogue_for_browser,
            title=title,
            description=f"{title}，请处理。",
            area=tree.building,
            reporter_name="王五",
            reporter_phone="13700001111",
            now=now - timedelta(hours=hours),
        )
        for title, hours in [("楼道堆物", 1), ("占道摆摊", 30), ("噪声扰民", 5)]
    ]


@pytest.fixture
def catalogue_for_browser(transactional_db):
    from jiceng.appeals.models import ResponsibleLevel
    from jiceng.appeals.services import create_category

    return create_category(None, name="市容环境", responsible_level=ResponsibleLevel.GRID)


@pytest.mark.parametrize("viewport", [DESK_800, PHONE], ids=["desk", "phone"])
def test_desk_sorts_by_deadline_and_exports_the_ticked_rows(live_server, browser, desk, viewport):
    phone = viewport == PHONE
    width = "phone" if phone else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", PASSWORD)
    url = f"{live_server.url}/appeals/queue/"
    page.goto(url)
    # 答复时限 is in the sort bar at every width: the 剩余时限 column shows the deadline of the
    # current step, which is no column of the table, so it is not what the rows are sorted by.
    submit(page, page.locator("nav.sort-bar").get_by_role("link", name="答复时限"), f"{url}**")
    numbers = [t.strip() for t in page.locator("#appeals tbody .code").all_inner_texts()]
    by_due = sorted(desk, key=lambda a: (a.answer_due, a.pk))
    assert [n.split(" · ")[0] for n in numbers] == [a.number for a in by_due]
    page.locator(f"#appeal-row-{desk[0].pk} input[name=ids]").check()
    page.locator(f"#appeal-row-{desk[2].pk} input[name=ids]").check()
    shot(page, f"desk-ticked-{width}")
    assert_fits(page)
    with page.expect_download() as download:
        page.click("#bulk-export")
    assert sorted(row[0] for row in _sheet(download)) == sorted([desk[0].number, desk[2].number])
    # The page stays usable after the download: 批量派单 still submits.
    assert page.locator("#bulk-submit").is_enabled()


@pytest.fixture
def transfers(transactional_db, tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    sender = make_user("beianmen", role="community", area=tree.beianmen)
    make_user("gongyuan", role="community", area=tree.gongyuan, password=PASSWORD)
    members = [
        member_services.create_member(
            None, org=orgs.grid1, name=name, id_number=make_id(date(1980 + n, 1, 9)), status="full", **FULL_DATES
        )
        for n, name in enumerate(["张建国", "李红", "王强"])
    ]
    internal = [member_services.request_transfer(sender, m, orgs.gongyuan_branch) for m in members]
    return internal


@pytest.mark.parametrize("viewport", [DESK_800, PHONE], ids=["desk", "phone"])
def test_bulk_accept_reports_each_row(live_server, browser, transfers, viewport):
    internal = transfers
    width = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "gongyuan", PASSWORD)
    url = f"{live_server.url}/members/transfers/"
    page.goto(f"{url}?tab=incoming")
    stale = page.context.new_page()  # a second tab left open on the same list
    stale.goto(f"{url}?tab=incoming")
    page.locator("#check-all").check()
    assert page.locator("input[name=ids]:checked").count() == 3
    page.locator(f"#transfer-row-{internal[2].pk} input[name=ids]").uncheck()
    submit(page, page.locator("#bulk-accept-submit"), f"{url}**")
    assert page.locator("#bulk-results .jc-bulk-ok").count() == 2
    assert "批量接收完成：2 件已接收" in page.locator(".alert").first.inner_text()
    shot(page, f"transfers-bulk-accept-{width}")
    assert_fits(page)
    # The stale tab sends all three: the two accepted ones are refused with why, the third accepted.
    stale.locator("#check-all").check()
    submit(stale, stale.locator("#bulk-accept-submit"), f"{url}**")
    assert stale.locator("#bulk-results .jc-bulk-failed").count() == 2
    assert stale.locator("#bulk-results .jc-bulk-ok").count() == 1
    assert "已接收，不能再办理" in stale.locator("#bulk-results").inner_text()
    shot(stale, f"transfers-bulk-accept-again-{width}")
    assert Transfer.objects.filter(status=TransferStatus.ACCEPTED).count() == 3
