"""The 派单台 and the whistle list (issue 9 point 3): sorting on the main columns both ways with
keyset paging, the API's same ``ordering=``, 导出 Excel of exactly the desk's rows (its tab and
filters, in scope, no reporter data) and 批量导出 of the ticked rows only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, WhistleCase
from tests.sorting import expected, sheet_rows, walk

from .test_desk import desk  # noqa: F401 - the 派单台 fixture

APPEAL_KEYS = {
    "created": lambda a: a.pk,
    "area": lambda a: a.area_path,
    "answer_due": lambda a: a.answer_due,
}


@pytest.fixture
def more(desk, tree):  # noqa: F811
    """Six more requests at different times and places, so every sort differs from the others."""
    places = [tree.grid2, tree.building, tree.meiyuan_grid, tree.grid1, tree.building, tree.grid2]
    return [
        desk.make(f"第{n}件", area=area, at=desk.now - timedelta(hours=n * 7 % 11))
        for n, area in enumerate(places, start=1)
    ]


@pytest.mark.parametrize("column", list(APPEAL_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_desk_sorts_by_each_column_both_ways_across_pages(client, people, more, monkeypatch, column, descending):
    monkeypatch.setattr("jiceng.appeals.views.appeals.PAGE_SIZE", 3)
    client.force_login(people.street)
    sort = f"-{column}" if descending else column
    ids, counts = walk(client, f"/appeals/queue/?tab=all&sort={sort}")
    rows = list(Appeal.objects.all())
    assert len(rows) == 10
    assert ids == expected(rows, APPEAL_KEYS[column], descending=descending)
    assert len(ids) == len(set(ids))  # every row exactly once
    assert max(counts) <= min(counts) + 2  # a later page costs what the first does


def test_desk_headers_keep_tab_and_filters_and_unknown_sorts_are_ignored(client, people, more):
    client.force_login(people.street)
    html = client.get("/appeals/queue/?tab=all&channel=hotline").content.decode()
    # The default order is newest first: its header shows ↓ and links the other way.
    assert 'aria-sort="descending"' in html and "?tab=all&amp;channel=hotline&amp;sort=created" in html
    assert "?tab=all&amp;channel=hotline&amp;sort=answer_due" in html
    default = [a.pk for a in client.get("/appeals/queue/?tab=all").context["rows"]]
    for bad in ("reporter_phone", "-", "--id", "created;drop"):
        response = client.get(f"/appeals/queue/?tab=all&sort={bad}")
        assert response.status_code == 200 and [a.pk for a in response.context["rows"]] == default


def test_api_ordering_pages_every_row_once(api_client, people, more):
    api_client.force_authenticate(people.street)
    seen, url = [], "/api/v1/appeals/?ordering=-answer_due&page_size=4"
    while url:
        body = api_client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected(list(Appeal.objects.all()), APPEAL_KEYS["answer_due"], descending=True)
    area = api_client.get("/api/v1/appeals/?ordering=area&page_size=50").json()["results"]
    assert [row["id"] for row in area] == expected(list(Appeal.objects.all()), APPEAL_KEYS["area"])
    assert api_client.get("/api/v1/appeals/?ordering=reporter_phone").status_code == 200  # ignored


def test_desk_export_holds_exactly_the_rows_of_the_tab_and_filter_in_scope(client, people, desk, tree):  # noqa: F811
    services.dispatch_appeal(people.street, desk.water, area=tree.grid1)  # no longer 待处理
    client.force_login(people.community)  # 北安门社区: not 梅园新村社区
    page = client.get("/appeals/queue/?channel=hotline")
    export = page.context["export_url"]
    assert "tab=todo" in export and "channel=hotline" in export
    assert 'id="export-excel"' in page.content.decode()
    rows = sheet_rows(client.get(export))
    shown = {a.number for a in page.context["rows"]}
    assert {r[0] for r in rows} == shown == {desk.stall.number, desk.late.number}
    # No reporter name or phone in the file, whatever the role.
    cells = " ".join(str(c) for r in rows for c in r)
    assert "王五" not in cells and "13700001111" not in cells


def test_checked_export_only_the_ticked_rows_in_scope(client, people, desk):  # noqa: F811
    client.force_login(people.community)
    html = client.get("/appeals/queue/?tab=all").content.decode()
    assert 'id="bulk-export"' in html and 'formaction="/excel/export/appeals/checked/"' in html
    ticked = [desk.stall.pk, desk.meiyuan.pk]  # 梅园新村社区 is outside 北安门社区
    response = client.post("/excel/export/appeals/checked/", {"ids": ticked, "target": "", "next": "/appeals/queue/"})
    assert [r[0] for r in sheet_rows(response)] == [desk.stall.number]
    client.force_login(people.street)
    response = client.post("/excel/export/appeals/checked/", {"ids": ticked})
    assert sorted(r[0] for r in sheet_rows(response)) == sorted([desk.stall.number, desk.meiyuan.number])
    # A resident has no export right at all.
    client.force_login(people.resident)
    assert client.post("/excel/export/appeals/checked/", {"ids": ticked}).status_code == 403


def test_bulk_dispatch_refuses_a_ticked_row_that_is_not_waiting(client, people, desk, tree):  # noqa: F811
    """Every row has a checkbox now (for 批量导出): a ticked row in another state is refused, with why."""
    services.dispatch_appeal(people.street, desk.water, area=tree.grid1)
    client.force_login(people.street)
    post = {"ids": [desk.stall.pk, desk.water.pk], "target": f"a:{tree.grid1.pk}", "next": "/appeals/queue/?tab=all"}
    client.post("/appeals/queue/dispatch/", post)
    results = {r["appeal_id"]: r for r in client.get("/appeals/queue/").context["bulk_results"]}
    assert results[desk.stall.pk]["ok"] and not results[desk.water.pk]["ok"]
    assert results[desk.water.pk]["message"] == "该诉求已派给“北安门社区第一网格”。"
    assert desk.water.events.filter(kind="dispatch").count() == 1


@pytest.fixture
def whistles(people, tree, departments):
    now = timezone.now()
    made = []
    for n, title in enumerate(["夜市占道", "河道保洁", "噪声扰民", "安全隐患", "停车整治"]):
        made.append(
            services.blow_whistle(
                people.street,
                area=tree.meiyuan,
                case=WhistleCase.ENFORCEMENT,
                title=title,
                departments=[departments.xw_chengguan],
                now=now - timedelta(hours=(n * 5) % 7),
            )
        )
    return made


@pytest.mark.parametrize(
    "column,key",
    [("title", lambda w: w.title), ("blown", lambda w: w.blown_at), ("due", lambda w: w.report_due)],
)
def test_whistles_sort_by_each_column_both_ways(client, people, whistles, monkeypatch, column, key):
    monkeypatch.setattr("jiceng.appeals.views.whistles.PAGE_SIZE", 2)
    client.force_login(people.street)
    for descending in (False, True):
        sort = f"-{column}" if descending else column
        ids, counts = walk(client, f"/appeals/whistles/?tab=all&sort={sort}")
        assert ids == expected(whistles, key, descending=descending), sort
        assert max(counts) <= min(counts) + 2
