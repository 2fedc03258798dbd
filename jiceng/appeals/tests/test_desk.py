"""The 派单台 of a 12345 desk (issue 9 point 5): filters whose defaults submit cleanly, 剩余时限 with
its light, the compound and building of each row, the 催办 and 督办 tabs, 批量派单, the caller's
earlier requests and the tap-to-call link on the request page, and the call-back message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Channel, Status
from jiceng.areas.models import Level
from jiceng.areas.services import create_area
from tests.queries import query_count

EMPTY_FORM = "tab=all&q=&area=&category=&channel=&deadline=&created_after=&created_before="


def _rows(client, query=""):
    response = client.get(f"/appeals/queue/?{query}")
    assert response.status_code == 200, response.content[:300]
    return [row.pk for row in response.context["rows"]]


@pytest.fixture
def desk(people, catalogue, tree):
    """Requests in 北安门社区 (one at 梅园小区 3栋), one in 梅园新村社区, made now by the street."""
    compound = create_area(None, parent=tree.grid1, level=Level.COMPOUND, name="梅园小区")
    building = create_area(None, parent=compound, level=Level.BUILDING, name="3栋")
    now = timezone.now()

    def make(title, *, area=tree.building, category=catalogue.stall, channel=Channel.HOTLINE, at=None, phone=""):
        return services.create_appeal(
            people.street,
            channel=channel,
            category=category,
            title=title,
            description=f"{title}，请处理。",
            area=area,
            reporter_name="王五",
            reporter_phone=phone or "13700001111",
            now=at or now,
        )

    d = type("Desk", (), {})()
    d.make, d.now, d.building3 = make, now, building
    d.stall = make("成贤街占道摆摊", area=building)
    d.water = make("北安门停水", category=catalogue.water, channel=Channel.GRID)
    d.late = make("楼道堆物", at=now - timedelta(days=5))
    d.meiyuan = make("梅园新村噪声", area=tree.meiyuan_grid, phone="13900002222")
    return d


def test_the_filter_form_as_it_loads_lists_the_same_rows(client, people, desk):
    client.force_login(people.street)
    everything = _rows(client, "tab=all")
    assert len(everything) == 4
    # The form sends every field, empty: no "选择一个有效的选项", the same rows.
    response = client.get(f"/appeals/queue/?{EMPTY_FORM}")
    assert "选择一个有效的选项" not in response.content.decode()
    assert [row.pk for row in response.context["rows"]] == everything
    page = response.content.decode()
    assert 'id="desk-filters"' in page and 'name="area"' in page and 'data-picker="/areas/pick/"' in page


def test_each_filter_narrows_the_rows(client, people, desk, tree, catalogue):
    client.force_login(people.street)
    base = EMPTY_FORM
    assert _rows(client, base.replace("area=", f"area={tree.meiyuan_cm.code}")) == [desk.meiyuan.pk]
    assert _rows(client, base.replace("category=", f"category={catalogue.utilities.code}")) == [desk.water.pk]
    assert _rows(client, base.replace("channel=", "channel=grid")) == [desk.water.pk]
    assert _rows(client, base.replace("q=", "q=停水")) == [desk.water.pk]
    assert _rows(client, base.replace("deadline=", "deadline=overdue")) == [desk.late.pk]
    later = timezone.now() + timedelta(days=3)
    Appeal.objects.filter(pk=desk.stall.pk).update(dispatch_due=later, answer_due=later)
    assert _rows(client, base.replace("deadline=", "deadline=in_time")) == [desk.stall.pk]
    assert desk.stall.pk not in _rows(client, base.replace("deadline=", "deadline=soon"))
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _rows(client, base.replace("created_before=", f"created_before={yesterday}")) == [desk.late.pk]
    assert desk.late.pk not in _rows(client, base.replace("created_after=", f"created_after={yesterday}"))


def test_the_area_filter_is_the_scoped_picker(client, people, desk, tree):
    client.force_login(people.community)
    page = client.get(f"/appeals/queue/?area={tree.beianmen.code}").content.decode()
    assert 'data-picker="/areas/pick/"' in page and f'name="area" value="{tree.beianmen.code}"' in page
    # The picker offers the community's own subtree, not the street above nor the other community.
    names = [n["name"] for n in client.get("/areas/pick/", {"q": "社区"}).json()["results"]]
    assert names[0] == "北安门社区" and "梅园新村社区" not in names


def test_a_bad_date_is_named_in_chinese(client, people, desk):
    client.force_login(people.street)
    response = client.get("/appeals/queue/?created_after=2026/13/40")
    assert response.status_code == 200 and response.context["rows"] == []
    assert "受理日期起：" in response.content.decode()


def test_each_row_shows_time_left_with_its_light_and_the_compound(client, people, desk):
    client.force_login(people.street)
    rows = {row.pk: row for row in client.get("/appeals/queue/?tab=all").context["rows"]}
    assert rows[desk.late.pk].light == "red" and rows[desk.late.pk].due_text.startswith("已超期")
    assert rows[desk.stall.pk].light in ("green", "amber") and rows[desk.stall.pk].due_text.startswith("剩余")
    assert rows[desk.stall.pk].place == "梅园小区 3栋" and rows[desk.stall.pk].community == "北安门社区"
    page = client.get("/appeals/queue/?tab=all").content.decode()
    assert "梅园小区 3栋" in page and "剩余时限" in page and "jc-light-red" in page
    request_page = client.get(f"/appeals/{desk.stall.pk}/").content.decode()
    assert '<div id="appeal-place">北安门社区 梅园小区 3栋</div>' in request_page


def test_urge_and_supervised_tabs(client, people, desk, tree):
    soon = desk.make("即将到期的派单")
    for appeal in (soon, desk.late, desk.stall):
        services.dispatch_appeal(people.street, appeal, area=tree.grid1)
    Appeal.objects.filter(pk=soon.pk).update(response_due=timezone.now() + timedelta(hours=3))
    Appeal.objects.filter(pk=desk.late.pk).update(answer_due=timezone.now() - timedelta(hours=3))
    later = timezone.now() + timedelta(days=3)
    Appeal.objects.filter(pk=desk.stall.pk).update(response_due=later, answer_due=later)
    services.supervise_appeal(people.district, desk.water, note="限期办结")
    client.force_login(people.street)
    # 催办: dispatched and overdue or due within a day; not the far one, nor those still to dispatch.
    assert set(_rows(client, "tab=urge")) == {desk.late.pk, soon.pk}
    assert _rows(client, "tab=urge&deadline=soon") == [soon.pk]
    assert _rows(client, "tab=supervised") == [desk.water.pk]
    page = client.get("/appeals/queue/?tab=urge&channel=hotline").content.decode()
    assert 'href="?tab=supervised&amp;channel=hotline"' in page  # the tabs keep the filter


def test_query_count_does_not_grow_with_rows_or_compounds(client, people, desk, tree):
    client.force_login(people.street)
    small = query_count(client, "/appeals/queue/?tab=all")
    for n in range(6):
        compound = create_area(None, parent=tree.grid2, level=Level.COMPOUND, name=f"小区{n}")
        building = create_area(None, parent=compound, level=Level.BUILDING, name=f"{n}栋")
        desk.make(f"诉求{n}", area=building)
    assert len(client.get("/appeals/queue/?tab=all").context["rows"]) == 10
    assert query_count(client, "/appeals/queue/?tab=all") == small
    assert query_count(client, f"/appeals/queue/?{EMPTY_FORM.replace('deadline=', 'deadline=overdue')}") <= small
    assert small <= 16


def test_bulk_dispatch_each_row_once_with_its_result(client, people, desk, tree):
    client.force_login(people.street)
    page = client.get("/appeals/queue/").content.decode()
    assert 'id="bulk-dispatch"' in page and f'value="a:{tree.grid1.pk}"' in page
    post = {"ids": [desk.stall.pk, desk.late.pk], "target": f"a:{tree.grid1.pk}", "next": "/appeals/queue/"}
    response = client.post("/appeals/queue/dispatch/", post)
    assert response.status_code == 302 and response["Location"] == "/appeals/queue/"
    for appeal in (desk.stall, desk.late):
        appeal.refresh_from_db()
        assert appeal.status == Status.DISPATCHED and appeal.assigned_area == tree.grid1
    follow = client.get("/appeals/queue/")
    html = follow.content.decode()
    assert "批量派单完成：2 件已派单" in html and html.count("已派至北安门社区第一网格") == 2
    assert "批量派单结果" not in client.get("/appeals/queue/").content.decode()  # shown once
    events = desk.stall.events.filter(kind="dispatch").count()

    # The same form sent again: nothing is dispatched twice, each row says why.
    client.post("/appeals/queue/dispatch/", post)
    html = client.get("/appeals/queue/").content.decode()
    assert "0 件已派单，2 件未派单" in html and html.count("该诉求已派给“北安门社区第一网格”") == 2
    assert desk.stall.events.filter(kind="dispatch").count() == events


def test_bulk_dispatch_refuses_rows_out_of_scope_and_a_missing_target(client, people, desk, tree):
    client.force_login(people.community)  # 北安门社区: not 梅园新村社区
    post = {"ids": [desk.stall.pk, desk.meiyuan.pk], "target": f"a:{tree.grid1.pk}"}
    client.post("/appeals/queue/dispatch/", post)
    results = {r["appeal_id"]: r for r in client.get("/appeals/queue/").context["bulk_results"]}
    assert results[desk.stall.pk]["ok"] and not results[desk.meiyuan.pk]["ok"]
    assert results[desk.meiyuan.pk]["message"] == "未找到该诉求，或您无权派单。"
    desk.meiyuan.refresh_from_db()
    assert desk.meiyuan.status == Status.ACCEPTED
    response = client.post("/appeals/queue/dispatch/", {"ids": [desk.late.pk], "target": ""}, follow=True)
    assert "未派单：请选择承办单位。" in response.content.decode()
    client.force_login(people.grid)
    assert client.post("/appeals/queue/dispatch/", post).status_code == 403


def test_request_page_lists_the_callers_earlier_requests_and_a_tel_link(client, people, desk, tree):
    older = [desk.make(f"第{n}次来电", at=desk.now - timedelta(days=n), phone="13600003333") for n in range(1, 13)]
    latest = desk.make("又来电", phone="13600003333")
    client.force_login(people.street)
    page = client.get(f"/appeals/{latest.pk}/")
    earlier = page.context["earlier"]
    assert [a.pk for a in earlier] == sorted((a.pk for a in older), reverse=True)[:10]
    html = page.content.decode()
    assert 'id="earlier-requests"' in html and 'href="tel:13600003333"' in html
    assert earlier[0].shown_phone == "13600003333"
    # The oldest one has no earlier request.
    assert client.get(f"/appeals/{older[0].pk}/").context["earlier"] == []
    # Through visible_to: the other community's desk sees none of the street's requests.
    client.force_login(people.other_community)
    assert client.get(f"/appeals/{latest.pk}/").status_code == 404


def test_masked_roles_get_no_tel_link_and_see_only_their_requests(client, people, desk, catalogue, departments):
    earlier = desk.make("上次停水", category=catalogue.water, phone="13500004444")
    desk.make("同一来电人反映的占道", phone="13500004444")  # not the department's: not listed
    water = desk.make("又停水", category=catalogue.water, phone="13500004444")
    for appeal in (earlier, water):
        services.dispatch_appeal(people.street, appeal, department=departments.xw_water)
    client.force_login(people.water)
    page = client.get(f"/appeals/{water.pk}/")
    html = page.content.decode()
    assert "tel:" not in html and "135****4444" in html
    assert [(a.pk, a.shown_phone) for a in page.context["earlier"]] == [(earlier.pk, "135****4444")]


def _answered(people, desk, tree):
    appeal = desk.stall
    services.dispatch_appeal(people.street, appeal, area=tree.grid1)
    services.sign_appeal(people.grid, appeal)
    services.answer_appeal(people.grid, appeal, text="已清理。", result="resolved")
    return appeal


def test_a_call_back_recorded_by_staff_is_not_thanked_as_the_resident(client, people, desk, tree):
    appeal = _answered(people, desk, tree)
    client.force_login(people.street)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "记录回访结果" in page and "保存回访结果" in page
    response = client.post(
        f"/appeals/{appeal.pk}/rate/", {"rate-outcome": "resolved", "rate-satisfaction": "satisfied"}, follow=True
    )
    html = response.content.decode()
    assert "已记录回访结果。" in html and "感谢您的评价" not in html


def test_the_resident_rating_is_thanked(client, people, submit, tree):
    appeal = submit(now=None)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1)
    services.sign_appeal(people.grid, appeal)
    services.answer_appeal(people.grid, appeal, text="已清理。", result="resolved")
    client.force_login(people.resident)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "评价办理结果" in page and "提交评价" in page
    response = client.post(
        f"/appeals/{appeal.pk}/rate/", {"rate-outcome": "resolved", "rate-satisfaction": "satisfied"}, follow=True
    )
    assert "感谢您的评价。" in response.content.decode()


def test_request_page_query_count_does_not_grow_with_earlier_requests(client, people, desk):
    for n in range(2):
        desk.make(f"早先来电{n}", at=desk.now - timedelta(days=n + 1), phone="13600005555")
    latest = desk.make("再次来电", phone="13600005555")
    client.force_login(people.street)
    small = query_count(client, f"/appeals/{latest.pk}/")
    for n in range(10):
        desk.make(f"更早来电{n}", at=desk.now - timedelta(days=n + 10), phone="13600005555")
    latest = desk.make("又一次来电", phone="13600005555")
    page = client.get(f"/appeals/{latest.pk}/")
    assert len(page.context["earlier"]) == 10
    assert query_count(client, f"/appeals/{latest.pk}/") == small
