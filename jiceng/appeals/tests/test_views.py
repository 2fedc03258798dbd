"""The appeals pages (民呼我应): each page for its role, scope (404), double submit, query counts."""

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Status, SummonsStatus, WhistleCase, WhistleSummons
from tests.queries import query_count

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _png(name="site.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def dispatched(submit, people, tree):
    """An appeal at 1栋, dispatched by the community to 第一网格."""
    appeal = submit(now=None)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1)
    return appeal


def test_submit_page_renders_and_a_double_submit_makes_one_appeal(client, people, catalogue, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people.resident)
    page = client.get("/appeals/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "我要反映" in html and 'name="client_token"' in html and "1栋" in html
    data = {
        "category": catalogue.stall.pk,
        "description": "楼下占道摆摊。",
        "area": tree.building.pk,
        "address": "",
        "client_token": "tok-double-1",
    }
    first = client.post("/appeals/new/", {**data, "photo": _png()})
    assert first.status_code == 302
    second = client.post("/appeals/new/", data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Appeal.objects.filter(client_token="tok-double-1").count() == 1
    appeal = Appeal.objects.get(client_token="tok-double-1")
    assert appeal.reporter == people.resident and appeal.photos.count() == 1
    follow = client.get(first["Location"])
    assert "诉求已提交" in follow.content.decode()
    assert "办理进度" in follow.content.decode()


def test_submit_errors_are_shown_in_chinese(client, people, catalogue):
    client.force_login(people.resident)
    response = client.post(
        "/appeals/new/",
        {"category": catalogue.stall.pk, "description": "无位置", "area": "", "address": "", "client_token": "t2"},
    )
    assert response.status_code == 200
    assert "请选择诉求所在位置" in response.content.decode()
    assert not Appeal.objects.exists()


def test_my_requests_and_follow_page_for_the_resident(client, people, submit):
    appeal = submit(now=None)
    submit(now=None, actor=people.resident2, area=None, address="玄武区某路1号")
    client.force_login(people.resident)
    listing = client.get("/appeals/mine/")
    assert listing.status_code == 200
    assert list(listing.context["rows"]) == [appeal]
    page = client.get(f"/appeals/{appeal.pk}/")
    assert page.status_code == 200
    assert appeal.number in page.content.decode()


def test_another_community_gets_404(client, people, dispatched, users):
    client.force_login(users.other_community)
    assert client.get(f"/appeals/{dispatched.pk}/").status_code == 404
    assert client.post(f"/appeals/{dispatched.pk}/supervise/", {"supervise-note": "x"}).status_code == 404
    client.force_login(people.resident2)
    assert client.get(f"/appeals/{dispatched.pk}/").status_code == 404


def test_grid_worker_workbench_sign_visit_answer_then_resident_rates(client, people, dispatched, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people.grid)
    bench = client.get("/appeals/workbench/")
    assert bench.status_code == 200 and list(bench.context["rows"]) == [dispatched]
    page = client.get(f"/appeals/{dispatched.pk}/").content.decode()
    assert 'id="sign-form"' in page
    assert client.post(f"/appeals/{dispatched.pk}/sign/", {"sign-note": ""}).status_code == 302
    response = client.post(
        f"/appeals/{dispatched.pk}/progress/", {"progress-note": "已到现场劝离。", "progress-photos": _png()}
    )
    assert response.status_code == 302
    response = client.post(
        f"/appeals/{dispatched.pk}/answer/", {"answer-text": "已清理。", "answer-result": "resolved"}
    )
    assert response.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == Status.ANSWERED
    photo = dispatched.photos.get()
    assert client.get(f"/appeals/photos/{photo.pk}/").status_code == 200

    client.force_login(people.resident)
    page = client.get(f"/appeals/{dispatched.pk}/").content.decode()
    assert 'id="rate-form"' in page and "部分解决" in page and "基本满意" in page
    response = client.post(
        f"/appeals/{dispatched.pk}/rate/", {"rate-outcome": "resolved", "rate-satisfaction": "satisfied"}
    )
    assert response.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.outcome == "resolved"
    # Rating twice is refused with the reason, in Chinese, on the page.
    again = client.post(
        f"/appeals/{dispatched.pk}/rate/", {"rate-outcome": "resolved", "rate-satisfaction": "satisfied"}
    )
    assert again.status_code == 400
    assert "操作未完成" in again.content.decode()


def test_queue_preselects_the_suggestion_and_dispatches(client, people, submit, tree):
    appeal = submit(now=None)
    client.force_login(people.community)
    queue = client.get("/appeals/queue/")
    assert queue.status_code == 200 and appeal in queue.context["rows"]
    page = client.get(f"/appeals/{appeal.pk}/")
    (form,) = [card["form"] for card in page.context["cards"] if card["action"].key == "dispatch"]
    assert form.initial["target"] == f"a:{tree.grid1.pk}"
    assert f'value="a:{tree.grid1.pk}" selected' in page.content.decode()
    assert "API 调用" not in page.content.decode()  # the API's help text for ``target`` stays off the page
    response = client.post(f"/appeals/{appeal.pk}/dispatch/", {"dispatch-target": f"a:{tree.grid1.pk}"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.assigned_area == tree.grid1


def test_street_whistles_and_supervise_forms_then_department_reports(client, people, dispatched, departments):
    client.force_login(people.street)
    page = client.get(f"/appeals/{dispatched.pk}/").content.decode()
    assert 'id="whistle-form"' in page
    response = client.post(
        f"/appeals/{dispatched.pk}/whistle/",
        {
            "whistle-case": WhistleCase.RESIDENT_DEMAND,
            "whistle-title": "占道经营联合整治",
            "whistle-departments": [departments.xw_chengguan.pk],
        },
    )
    assert response.status_code == 302
    summons = WhistleSummons.objects.get()

    client.force_login(people.chengguan)
    desk = client.get("/appeals/department/")
    assert desk.status_code == 200 and desk.context["summons"] == [summons]
    assert "占道经营联合整治" in desk.content.decode()
    assert client.post(f"/appeals/summons/{summons.pk}/report/", {"plan": "派执法队员30分钟内到场"}).status_code == 302
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.REPORTED
    client.post(f"/appeals/summons/{summons.pk}/feedback/", {"feedback": "已清理"})
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.FED_BACK
    # Another district's department cannot see or report on it.
    client.force_login(people.qh_chengguan)
    assert client.post(f"/appeals/summons/{summons.pk}/report/", {"plan": "x"}).status_code == 404


def test_district_supervises(client, people, dispatched):
    client.force_login(people.district)
    response = client.post(f"/appeals/{dispatched.pk}/supervise/", {"supervise-note": "限期办结"})
    assert response.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.supervised


def test_rates_table_with_drill_down(client, people, dispatched, tree):
    client.force_login(people.street)
    page = client.get("/appeals/rates/")
    assert page.status_code == 200
    names = [r.name for r in page.context["rows"]]
    assert "北安门社区" in names
    html = page.content.decode()
    assert f"?code={tree.beianmen.code}" in html
    drill = client.get(f"/appeals/rates/?code={tree.beianmen.code}&month=2025-09")
    assert drill.status_code == 200 and drill.context["parent"] == tree.meiyuan
    assert client.get(f"/appeals/rates/?code={tree.gongyuan.code}").status_code == 404


def test_queue_and_workbench_query_counts_are_bounded(client, people, submit, tree):
    def add(n):
        for _ in range(n):
            appeal = submit(now=None)
            services.dispatch_appeal(people.community, appeal, area=tree.grid1)
        submit(now=None)

    add(2)
    client.force_login(people.grid)
    small_bench = query_count(client, "/appeals/workbench/")
    client.force_login(people.community)
    small_queue = query_count(client, "/appeals/queue/?tab=all")
    add(12)
    client.force_login(people.grid)
    assert query_count(client, "/appeals/workbench/") == small_bench
    client.force_login(people.community)
    assert query_count(client, "/appeals/queue/?tab=all") == small_queue
    assert small_queue <= 12 and small_bench <= 12


def test_pages_refuse_roles_without_the_permission(client, people):
    client.force_login(people.resident)
    assert client.get("/appeals/workbench/").status_code == 403
    assert client.get("/appeals/queue/").status_code == 403
    assert client.get("/appeals/department/").status_code == 403
    assert client.get("/appeals/rates/").status_code == 403


def test_grid_worker_records_for_a_resident(client, people, catalogue, tree):
    client.force_login(people.grid)
    page = client.get("/appeals/new/").content.decode()
    assert "代居民登记诉求" in page and 'name="reporter_phone"' in page
    response = client.post(
        "/appeals/new/",
        {
            "category": catalogue.stall.pk,
            "description": "居民电话反映占道。",
            "area": tree.building.pk,
            "reporter_name": "王五",
            "reporter_phone": "13700000000",
            "client_token": "grid-1",
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.reporter_name, appeal.reporter_id) == ("grid", "王五", None)


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2025-13", "abc"])
def test_rates_month_out_of_range_shows_this_month(client, people, tree, month):
    """9999-12 (a month later overflows) answered 500; any month the page cannot use shows this one."""
    client.force_login(people.street)
    response = client.get(f"/appeals/rates/?month={month}")
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)
