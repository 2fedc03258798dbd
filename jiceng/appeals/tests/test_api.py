"""/api/v1/appeals/: scope (404 outside), department scope, residents' own, masking, create with a
client token, transitions as actions with their errors, the timeline, bounded queries, Excel."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Outcome, Status

from .conftest import T0


@pytest.fixture
def client_as(api_client):
    def as_(user):
        api_client.force_authenticate(user)
        return api_client

    return as_


@pytest.fixture
def scene(submit, people, tree, departments, catalogue):
    """北安门 has one appeal with the grid and one with 城管; 贡院 (秦淮区) has one of its own."""
    s = type("Scene", (), {})()
    s.mine = submit(client_token="s1")
    services.dispatch_appeal(people.community, s.mine, area=tree.grid1, now=T0)
    s.chengguan = submit(client_token="s2", category=catalogue.building, description="违建")
    services.dispatch_appeal(people.street, s.chengguan, department=departments.xw_chengguan, now=T0)
    s.gongyuan = services.create_appeal(
        people.resident2,
        channel="resident",
        category=catalogue.stall,
        description="贡院街占道",
        area=tree.gongyuan,
        now=T0,
    )
    return s


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_list_is_scoped(client_as, scene, people):
    assert ids(client_as(people.community).get("/api/v1/appeals/")) == {scene.mine.pk, scene.chengguan.pk}
    assert ids(client_as(people.other_community).get("/api/v1/appeals/")) == {scene.gongyuan.pk}
    assert ids(client_as(people.city).get("/api/v1/appeals/")) == {scene.mine.pk, scene.chengguan.pk, scene.gongyuan.pk}
    assert ids(client_as(people.grid).get("/api/v1/appeals/")) == {scene.mine.pk, scene.chengguan.pk}  # at 1栋
    assert ids(client_as(people.grid2).get("/api/v1/appeals/")) == set()
    assert ids(client_as(people.nobody).get("/api/v1/appeals/")) == set()


def test_another_communitys_appeal_is_404(client_as, scene, people):
    client = client_as(people.community)
    response = client.get(f"/api/v1/appeals/{scene.gongyuan.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "未找到该记录，或您无权访问。"
    # Writes too: no action reveals or touches an appeal outside the scope.
    for action, body in (("dispatch", {"area": "320104001001"}), ("sign", {}), ("cancel", {"reason": "x"})):
        assert client.post(f"/api/v1/appeals/{scene.gongyuan.pk}/{action}/", body).status_code == 404
    assert Appeal.objects.get(pk=scene.gongyuan.pk).status == Status.ACCEPTED


def test_a_department_sees_only_its_own_and_summoned(client_as, scene, people, departments, tree):
    assert ids(client_as(people.chengguan).get("/api/v1/appeals/")) == {scene.chengguan.pk}
    assert ids(client_as(people.water).get("/api/v1/appeals/")) == set()
    assert client_as(people.water).get(f"/api/v1/appeals/{scene.mine.pk}/").status_code == 404
    assert ids(client_as(people.qh_chengguan).get("/api/v1/appeals/")) == set()
    services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case="resident_demand",
        title="占道反复",
        departments=[departments.xw_water],
        appeal=scene.mine,
    )
    assert ids(client_as(people.water).get("/api/v1/appeals/")) == {scene.mine.pk}
    detail = client_as(people.water).get(f"/api/v1/appeals/{scene.mine.pk}/").json()
    assert detail["actions"] == []  # 协办: sees it, does not handle it


def test_a_resident_sees_own_appeals_public_steps_and_full_contact(client_as, scene, people):
    client = client_as(people.resident)
    assert ids(client.get("/api/v1/appeals/")) == {scene.mine.pk, scene.chengguan.pk}
    services.supervise_appeal(people.district, scene.mine, note="督办")
    detail = client.get(f"/api/v1/appeals/{scene.mine.pk}/").json()
    assert [e["kind"] for e in detail["events"]] == ["create", "dispatch"]  # 督办 is internal
    assert detail["reporter_phone"] == "13812345678"
    assert detail["actions"] == ["cancel"]
    staff = client_as(people.community).get(f"/api/v1/appeals/{scene.mine.pk}/").json()
    assert "supervise" in [e["kind"] for e in staff["events"]]
    assert client_as(people.resident2).get(f"/api/v1/appeals/{scene.mine.pk}/").status_code == 404


def test_reporter_contact_is_masked_for_a_department(client_as, scene, people):
    detail = client_as(people.chengguan).get(f"/api/v1/appeals/{scene.chengguan.pk}/").json()
    assert (detail["reporter_name"], detail["reporter_phone"]) == ("张*", "138****5678")
    detail = client_as(people.grid).get(f"/api/v1/appeals/{scene.chengguan.pk}/").json()
    assert (detail["reporter_name"], detail["reporter_phone"]) == ("张三", "13812345678")


def test_create_with_client_token_makes_one_request(client_as, people, catalogue, tree):
    client = client_as(people.resident)
    body = {
        "category": catalogue.stall.code,
        "description": "楼下占道",
        "area": tree.building.code,
        "client_token": "uuid-1",
    }
    first = client.post("/api/v1/appeals/", body, format="json")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/appeals/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Appeal.objects.count() == 1
    data = first.json()
    assert data["status"] == "accepted" and data["channel"] == "resident" and data["number"]
    # The row as listed, with where its detail (and timeline) is.
    assert first["Location"] == data["url"] and data["url"].endswith(f"/api/v1/appeals/{data['id']}/")
    assert "events" not in data and client.get(data["url"]).json()["events"][0]["kind"] == "create"
    bad = client.post("/api/v1/appeals/", {**body, "client_token": "uuid-2", "category": "999"}, format="json")
    assert bad.status_code == 400 and "不存在" in bad.json()["error"]["message"]


def test_create_with_a_photo_over_multipart(client_as, people, catalogue, tree, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = client_as(people.resident)
    photo = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    response = client.post(
        "/api/v1/appeals/",
        {"category": catalogue.stall.code, "description": "占道", "area": tree.building.code, "photos": [photo]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    url = client.get(response["Location"]).json()["photos"][0]["url"]
    assert client.get(url).status_code == 200
    assert client_as(people.other_community).get(url).status_code == 404
    fake = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client_as(people.resident).post(
        "/api/v1/appeals/",
        {"category": catalogue.stall.code, "description": "占道", "area": tree.building.code, "photos": [fake]},
        format="multipart",
    )
    assert response.status_code == 400 and "只能上传照片" in response.json()["error"]["message"]


def test_transitions_as_actions(client_as, scene, people, tree):
    pk = scene.mine.pk
    grid = client_as(people.grid)
    response = grid.post(f"/api/v1/appeals/{pk}/sign/", {"note": "已联系"})
    assert response.status_code == 200 and response.json()["status"] == "signed"
    again = grid.post(f"/api/v1/appeals/{pk}/sign/", {})
    assert again.status_code == 409
    assert again.json()["error"] == {"status": 409, "code": "transition", "message": "该诉求已被签收，不能重复签收。"}
    assert grid.post(f"/api/v1/appeals/{pk}/progress/", {"note": "现场查看"}).status_code == 200
    response = grid.post(f"/api/v1/appeals/{pk}/answer/", {"text": "已劝离", "result": "resolved"})
    assert response.json()["status"] == "answered"
    response = client_as(people.resident).post(
        f"/api/v1/appeals/{pk}/rate/", {"outcome": "resolved", "satisfaction": "satisfied"}
    )
    assert response.json()["status"] == "closed"
    events = client_as(people.community).get(f"/api/v1/appeals/{pk}/events/").json()
    # Signed and answered today, long after the September deadlines: the timeline says both were late.
    assert [e["kind"] for e in events] == [
        "create",
        "dispatch",
        "response_overdue",
        "sign",
        "progress",
        "overdue",
        "answer",
        "rate",
        "close",
    ]


def test_action_errors(client_as, scene, people):
    pk = scene.mine.pk
    forbidden = client_as(people.grid2).post(f"/api/v1/appeals/{pk}/sign/", {})
    assert forbidden.status_code == 404  # 第二网格 cannot even see it
    forbidden = client_as(people.street).post(f"/api/v1/appeals/{pk}/supervise/", {"note": "x"})
    assert forbidden.status_code == 403 and "上级" in forbidden.json()["error"]["message"]
    missing = client_as(people.grid).post(f"/api/v1/appeals/{pk}/return/", {})
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    blank = client_as(people.community).post(f"/api/v1/appeals/{pk}/dispatch/", {"area": "320102002011002"})
    assert blank.status_code == 400 and "不管辖" in blank.json()["error"]["message"]


def test_department_returns_and_loses_sight(client_as, scene, people):
    pk = scene.chengguan.pk
    client = client_as(people.chengguan)
    response = client.post(f"/api/v1/appeals/{pk}/return/", {"reason": "不属本部门"})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert client.get(f"/api/v1/appeals/{pk}/").status_code == 404


def test_detail_has_actions_and_suggestion_for_the_dispatcher(client_as, submit, people, tree):
    appeal = submit(client_token="new")
    detail = client_as(people.community).get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert "dispatch" in detail["actions"]
    assert detail["suggestion"]["area"] == tree.grid1.code and detail["suggestion"]["name"] == tree.grid1.name
    assert client_as(people.grid).get(f"/api/v1/appeals/{appeal.pk}/").json()["suggestion"] is None


def test_filters_and_cursor_pagination(client_as, scene, people, tree, submit):
    client = client_as(people.city)
    assert ids(client.get("/api/v1/appeals/", {"status": "accepted"})) == {scene.gongyuan.pk}
    assert ids(client.get("/api/v1/appeals/", {"area": tree.qinhuai.code})) == {scene.gongyuan.pk}
    assert ids(client.get("/api/v1/appeals/", {"department": scene.chengguan.assigned_department_id})) == {
        scene.chengguan.pk
    }
    assert ids(client.get("/api/v1/appeals/", {"q": scene.mine.number})) == {scene.mine.pk}
    assert ids(client_as(people.grid).get("/api/v1/appeals/", {"todo": "true"})) == {scene.mine.pk}
    assert ids(client_as(people.chengguan).get("/api/v1/appeals/", {"todo": "true"})) == {scene.chengguan.pk}
    assert ids(client_as(people.resident).get("/api/v1/appeals/", {"mine": "true"})) == {
        scene.mine.pk,
        scene.chengguan.pk,
    }
    for n in range(5):
        submit(client_token=f"p{n}")
    client = client_as(people.city)
    seen, url = [], "/api/v1/appeals/?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == 8 and seen == sorted(seen, reverse=True)
    urgent = client.get("/api/v1/appeals/", {"ordering": "answer_due"}).json()["results"]
    dues = [row["answer_due"] for row in urgent]
    assert dues == sorted(dues)


def test_list_query_count_is_bounded(client_as, people, submit, django_assert_max_num_queries):
    client = client_as(people.street)
    client.get("/api/v1/appeals/")  # warm the rule cache
    with django_assert_max_num_queries(5) as few:
        client.get("/api/v1/appeals/")
    for n in range(30):
        submit(client_token=f"q{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/appeals/")
    assert len(response.json()["results"]) == 30


def test_detail_query_count_is_bounded(client_as, scene, people, django_assert_max_num_queries):
    client = client_as(people.community)
    with django_assert_max_num_queries(14):
        client.get(f"/api/v1/appeals/{scene.mine.pk}/")


def test_export_xlsx_with_12345_columns(client_as, scene, people, tree):
    services.sign_appeal(people.grid, scene.mine, now=T0 + timedelta(hours=1))
    services.answer_appeal(people.grid, scene.mine, text="已劝离", result=Outcome.RESOLVED, now=T0 + timedelta(hours=2))
    services.rate_appeal(
        people.resident, scene.mine, outcome="resolved", satisfaction="satisfied", now=T0 + timedelta(hours=3)
    )
    response = client_as(people.community).get("/api/v1/appeals/export/", {"status": "closed"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0][:13]) == [
        "工单编号",
        "工单类型",
        "问题分类",
        "工单状态",
        "街乡镇",
        "社区",
        "点位",
        "办理结果",
        "答复内容",
        "办结时间",
        "是否解决",
        "是否满意",
        "工单性质",
    ]
    assert len(rows) == 2
    row = rows[1]
    assert row[:9] == (
        scene.mine.number,
        "诉求",
        "市容环境/占道经营",
        "已办结",
        "梅园新村街道",
        "北安门社区",
        "1栋",
        "解决",
        "已劝离",
    )
    assert row[9] == "2025-09-10 12:00:00" and row[10:13] == ("解决", "满意", "主办")
    # A department exports what it sees; a summons-only appeal is 协办.
    dept = client_as(people.chengguan).get("/api/v1/appeals/export/")
    rows = list(load_workbook(io.BytesIO(b"".join(dept.streaming_content))).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [scene.chengguan.number] and rows[1][12] == "主办"
    assert client_as(people.resident).get("/api/v1/appeals/export/").status_code == 403


def test_events_endpoint_is_scoped(client_as, scene, people):
    rows = client_as(people.other_community).get("/api/v1/appeal-events/").json()["results"]
    assert {r["id"] for r in rows} and all(r["kind"] == "create" for r in rows)
    mine = client_as(people.community).get("/api/v1/appeal-events/", {"appeal": scene.gongyuan.pk}).json()
    assert mine["results"] == []


def test_rates_api(client_as, scene, people, tree):
    response = client_as(people.street).get("/api/v1/appeal-rates/", {"area": tree.meiyuan.code, "month": "2025-09"})
    assert response.status_code == 200
    assert response.json()["received"] == 2 and response.json()["dispatched"] == 2
    assert client_as(people.community).get("/api/v1/appeal-rates/", {"area": tree.meiyuan.code}).status_code == 404
    ranking = client_as(people.district).get(
        "/api/v1/appeal-rates/ranking/", {"parent": tree.meiyuan.code, "month": "2025-09"}
    )
    results = ranking.json()["results"]
    assert {r["name"] for r in results} == {"北安门社区", "梅园新村社区"}
    # Nothing both signed for and rated in September: listed, apart, without a rank or a score.
    assert [(r["rank"], r["ranked"], r["score"]) for r in results] == [(None, False, None)] * 2
    card = client_as(people.chengguan).get(
        "/api/v1/appeal-rates/department/", {"department": scene.chengguan.assigned_department_id, "month": "2025-09"}
    )
    assert card.status_code == 200 and card.json()["dispatched"] == 1
    other = client_as(people.water).get(
        "/api/v1/appeal-rates/department/", {"department": scene.chengguan.assigned_department_id}
    )
    assert other.status_code == 404


def test_prebuilt_row_fields_give_what_drf_builds_for_each_user(scene, people, rf):
    from rest_framework import serializers as drf
    from rest_framework.request import Request

    from jiceng.appeals.serializers import AppealDetailSerializer, AppealSerializer
    from jiceng.core.api import PrebuiltFieldsMixin

    class Plain(AppealSerializer):
        fields = drf.Serializer.fields  # DRF's own: built anew for each serializer

    appeals = list(Appeal.objects.order_by("pk"))
    for user in (people.chengguan, people.grid, people.resident, people.chengguan):
        request = Request(rf.get("/api/v1/appeals/"))
        request.user = user
        context = {"request": request}
        for appeal in appeals:
            assert AppealSerializer(appeal, context=context).data == Plain(appeal, context=context).data
        listed = AppealSerializer(appeals, many=True, context=context).data
        assert [row["reporter_name"] for row in listed] == [services.display_reporter(user, a)[0] for a in appeals]
    assert AppealDetailSerializer(appeals[0], context=context).data["reporter_phone"]

    class Nested(PrebuiltFieldsMixin, drf.Serializer):
        rows = AppealSerializer(many=True)

    with pytest.raises(TypeError, match="nested"):
        _ = Nested({"rows": []}).data


def test_prebuilt_input_fields_validate_as_drf_does():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework import serializers as drf

    from jiceng.appeals.serializers import AppealCreateSerializer

    class Plain(AppealCreateSerializer):
        fields = drf.Serializer.fields

    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"0" * 20, content_type="image/jpeg")
    bodies = [
        {"category": "0101", "description": "楼道堆物", "photos": [photo], "attributes": {"floor": "3"}},
        {"category": "0101", "description": "", "latitude": "abc", "attributes": "x"},
        {"category": "0101" * 5, "description": "d" * 4001, "channel": "fax", "photos": ["not a file"]},
        {"category": "0102", "description": "井盖缺失", "latitude": "32.06", "longitude": "118.79"},
        {},
    ]
    for body in bodies * 2:
        mine, drfs = AppealCreateSerializer(data=body), Plain(data=body)
        assert mine.is_valid() == drfs.is_valid()
        assert mine.errors == drfs.errors
        if not mine.errors:
            assert mine.validated_data == drfs.validated_data
