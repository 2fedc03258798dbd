"""吹哨报到 pages: 吹哨 on an incident, the whistle list, one whistle (status, rating, end), scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import SummonsStatus, Whistle, WhistleCase, WhistleStatus, WhistleSummons
from tests.queries import query_count

from .conftest import T0


@pytest.fixture
def blow(people, tree, departments):
    """``blow(**overrides)`` → an incident whistle of 梅园新村街道 summoning 城管 and 水务 (now)."""

    def make(**kwargs):
        values = {
            "area": tree.meiyuan,
            "case": WhistleCase.ENFORCEMENT,
            "title": "夜市占道联合执法",
            "departments": [departments.xw_chengguan, departments.xw_water],
        }
        values.update(kwargs)
        return services.blow_whistle(people.street, **values)

    return make


def _summons(whistle, department) -> WhistleSummons:
    return WhistleSummons.objects.get(whistle=whistle, department=department)


def _html(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- 吹哨 on an incident


def test_street_blows_on_an_incident_from_the_queue(client, people, tree, departments):
    client.force_login(people.street)
    assert 'href="/appeals/whistles/new/"' in _html(client.get("/appeals/queue/"))
    page = client.get("/appeals/whistles/new/")
    assert page.status_code == 200
    html = _html(page)
    assert "街道：梅园新村街道" in html and "社区：北安门社区" in html
    assert "玄武区城市管理局" in html and "秦淮区城市管理局" not in html
    assert "综合执法" in html and "应急处置" in html
    response = client.post(
        "/appeals/whistles/new/",
        {
            "area": tree.meiyuan.pk,
            "case": WhistleCase.EMERGENCY,
            "title": "2栋地面塌陷",
            "description": "路面下陷约1米，已拉警戒线。",
            "address": "北安门街2栋东侧",
            "departments": [departments.xw_chengguan.pk, departments.xw_water.pk],
        },
        follow=True,
    )
    whistle = Whistle.objects.get()
    assert response.redirect_chain[-1] == (f"/appeals/whistles/{whistle.pk}/", 302)
    html = _html(response)
    assert "已吹哨，等待部门报到。" in html and "路面下陷约1米" in html
    assert whistle.appeal is None and whistle.case == WhistleCase.EMERGENCY
    assert whistle.description == "路面下陷约1米，已拉警戒线。" and whistle.address == "北安门街2栋东侧"
    assert set(whistle.summons.values_list("department", flat=True)) == {
        departments.xw_chengguan.pk,
        departments.xw_water.pk,
    }


def test_unit_change_reloads_the_departments(client, people, tree):
    client.force_login(people.street)
    response = client.get(f"/appeals/whistles/new/?area={tree.beianmen.pk}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = _html(response)
    assert 'id="id_departments_row"' in html and "玄武区水务局" in html
    assert f'<option value="{tree.beianmen.pk}" selected>' in html


def test_incident_refusal_shows_the_service_reason(client, people, tree, departments):
    client.force_login(people.community)
    response = client.post(
        "/appeals/whistles/new/",
        {"area": tree.beianmen.pk, "case": WhistleCase.ENFORCEMENT, "title": "群租房整治", "description": "三户"},
    )
    assert response.status_code == 400
    html = _html(response)
    assert "操作未完成：请至少召集一个职能部门。" in html
    assert 'value="群租房整治"' in html and "三户" in html  # nothing lost
    assert not Whistle.objects.exists()


def test_incident_whistle_out_of_scope_is_404(client, users, people, tree, departments):
    client.force_login(users.other_community)
    assert client.get(f"/appeals/whistles/new/?area={tree.meiyuan.pk}").status_code == 404
    response = client.post(
        "/appeals/whistles/new/",
        {
            "area": tree.beianmen.pk,
            "case": WhistleCase.ENFORCEMENT,
            "title": "x",
            "departments": [departments.xw_chengguan.pk],
        },
    )
    assert response.status_code == 404
    assert not Whistle.objects.exists()
    client.force_login(people.grid)  # no 吹哨 permission
    assert client.get("/appeals/whistles/new/").status_code == 403


# --------------------------------------------------------------------------- the list


def test_whistle_list_is_scoped(client, users, people, blow, departments):
    whistle = blow()
    client.force_login(people.street)
    page = client.get("/appeals/whistles/")
    assert page.status_code == 200 and page.context["rows"] == [whistle]
    html = _html(page)
    assert "夜市占道联合执法" in html and "0/2" in html and 'href="/appeals/whistles/new/"' in html
    client.force_login(people.chengguan)
    rows = client.get("/appeals/whistles/").context["rows"]
    assert rows == [whistle] and rows[0].counts["total"] == 1  # only its own summons counted
    for outsider in (users.other_community, people.qh_chengguan):
        client.force_login(outsider)
        assert client.get("/appeals/whistles/").context["rows"] == []
    client.force_login(people.resident)
    assert client.get("/appeals/whistles/").status_code == 403


def test_whistle_list_tabs(client, people, blow):
    open_one, closed_one = blow(), blow(title="已结束的吹哨")
    services.close_whistle(people.street, closed_one)
    client.force_login(people.street)
    assert client.get("/appeals/whistles/").context["rows"] == [open_one]
    assert client.get("/appeals/whistles/?tab=closed").context["rows"] == [closed_one]
    assert client.get("/appeals/whistles/?tab=all").context["rows"] == [closed_one, open_one]


def test_whistle_list_query_count_is_bounded(client, people, blow, django_assert_max_num_queries):
    blow()
    client.force_login(people.street)
    small = query_count(client, "/appeals/whistles/?tab=all")
    for n in range(8):
        whistle = blow(title=f"吹哨{n}")
        services.report_summons(people.chengguan, whistle.summons.get(department__name="玄武区城市管理局"), plan="到场")
    assert query_count(client, "/appeals/whistles/?tab=all") == small
    with django_assert_max_num_queries(10):
        client.get("/appeals/whistles/?tab=all")


# --------------------------------------------------------------------------- one whistle


def test_street_follows_rates_and_closes(client, people, blow, departments):
    whistle = blow()
    cg, water = _summons(whistle, departments.xw_chengguan), _summons(whistle, departments.xw_water)
    services.report_summons(people.chengguan, cg, plan="执法中队30分钟到场")
    services.feedback_summons(people.chengguan, cg, feedback="清理摊位12个")

    client.force_login(people.street)
    page = client.get(f"/appeals/whistles/{whistle.pk}/")
    html = _html(page)
    assert "执法中队30分钟到场" in html and "清理摊位12个" in html and "按时报到" in html
    assert f'id="rate-form-{cg.pk}"' in html and f'id="rate-form-{water.pk}"' not in html
    assert "未报到（时限" in html
    response = client.post(
        f"/appeals/whistles/{whistle.pk}/summons/{cg.pk}/rate/",
        {f"rate-{cg.pk}-rating": "4", f"rate-{cg.pk}-note": "到场及时"},
        follow=True,
    )
    assert "已评价玄武区城市管理局：4分。" in _html(response)
    cg.refresh_from_db()
    assert (cg.status, cg.rating, cg.rating_note) == (SummonsStatus.RATED, 4, "到场及时")
    assert "4分：到场及时" in _html(response)

    response = client.post(f"/appeals/whistles/{whistle.pk}/close/", {"close-note": "处置完毕"}, follow=True)
    assert "吹哨已结束。" in _html(response)
    whistle.refresh_from_db()
    assert whistle.status == WhistleStatus.CLOSED and whistle.close_note == "处置完毕"
    assert 'id="close-form"' not in _html(response)


def test_overdue_department_is_flagged(client, people, blow, departments):
    whistle = blow(now=T0)  # its report deadline passed long ago
    client.force_login(people.street)
    html = _html(client.get(f"/appeals/whistles/{whistle.pk}/"))
    assert html.count("超时未报到") == 2
    assert "2个超时未报到" in _html(client.get("/appeals/whistles/"))
    services.report_summons(people.chengguan, _summons(whistle, departments.xw_chengguan), plan="补报到")
    html = _html(client.get(f"/appeals/whistles/{whistle.pk}/"))
    assert "超时报到" in html and html.count("超时未报到") == 1


def test_refusals_on_the_whistle_page(client, people, blow, departments):
    whistle = blow()
    cg = _summons(whistle, departments.xw_chengguan)
    services.report_summons(people.chengguan, cg, plan="到场")
    client.force_login(people.street)
    # Not reported back yet: the rating is refused with the service's reason.
    response = client.post(f"/appeals/whistles/{whistle.pk}/summons/{cg.pk}/rate/", {f"rate-{cg.pk}-rating": "5"})
    assert response.status_code == 400
    assert "操作未完成：当前为“已报到”，不能评价。" in _html(response)
    services.feedback_summons(people.chengguan, cg, feedback="已处置")
    # The department cannot rate itself.
    client.force_login(people.chengguan)
    response = client.post(f"/appeals/whistles/{whistle.pk}/summons/{cg.pk}/rate/", {f"rate-{cg.pk}-rating": "5"})
    assert response.status_code == 400 and "只有吹哨的街道（社区）可以评价报到部门。" in _html(response)
    response = client.post(f"/appeals/whistles/{whistle.pk}/close/", {"close-note": ""})
    assert response.status_code == 400 and "只有吹哨单位可以结束吹哨。" in _html(response)
    cg.refresh_from_db()
    assert cg.status == SummonsStatus.FED_BACK

    client.force_login(people.street)
    services.close_whistle(people.street, whistle)
    response = client.post(f"/appeals/whistles/{whistle.pk}/close/", {"close-note": "再次结束"})
    assert response.status_code == 400 and "操作未完成：该吹哨已结束。" in _html(response)


def test_department_sees_its_own_summons_and_reports_from_the_page(client, people, blow, departments):
    whistle = blow()
    client.force_login(people.water)
    page = client.get(f"/appeals/whistles/{whistle.pk}/")
    assert [s.department for s in page.context["summons"]] == [departments.xw_water]
    assert page.context["close_form"] is None
    water = _summons(whistle, departments.xw_water)
    response = client.post(
        f"/appeals/summons/{water.pk}/report/",
        {"plan": "抢修队出发", "next": f"/appeals/whistles/{whistle.pk}/"},
        follow=True,
    )
    assert response.redirect_chain[-1] == (f"/appeals/whistles/{whistle.pk}/", 302)
    assert "已报到。" in _html(response) and "抢修队出发" in _html(response)
    # An outside ``next`` is ignored.
    response = client.post(
        f"/appeals/summons/{water.pk}/feedback/", {"feedback": "已修复", "next": "https://example.com/"}
    )
    assert response["Location"] == "/appeals/department/"


def test_another_community_gets_404(client, users, people, blow, departments):
    whistle = blow()
    cg = _summons(whistle, departments.xw_chengguan)
    services.report_summons(people.chengguan, cg, plan="到场")
    services.feedback_summons(people.chengguan, cg, feedback="已处置")
    for outsider in (users.other_community, people.qh_chengguan):
        client.force_login(outsider)
        assert client.get(f"/appeals/whistles/{whistle.pk}/").status_code == 404
        rate = client.post(f"/appeals/whistles/{whistle.pk}/summons/{cg.pk}/rate/", {f"rate-{cg.pk}-rating": "1"})
        assert rate.status_code == 404
        assert client.post(f"/appeals/whistles/{whistle.pk}/close/", {"close-note": ""}).status_code == 404
    # 水务 sees the whistle but not 城管's summons.
    client.force_login(people.water)
    rate = client.post(f"/appeals/whistles/{whistle.pk}/summons/{cg.pk}/rate/", {f"rate-{cg.pk}-rating": "1"})
    assert rate.status_code == 404
    cg.refresh_from_db()
    whistle.refresh_from_db()
    assert cg.status == SummonsStatus.FED_BACK and whistle.status == WhistleStatus.OPEN


def test_whistle_page_query_count_is_bounded(client, people, tree, departments, django_assert_max_num_queries):
    from jiceng.orgs.models import Department, DepartmentLevel

    extra = [
        Department.objects.create(
            name=f"玄武区部门{n}", level=DepartmentLevel.DISTRICT, area=tree.xuanwu, area_path=tree.xuanwu.code
        )
        for n in range(6)
    ]
    whistle = services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case=WhistleCase.ENFORCEMENT,
        title="多部门联合",
        departments=[departments.xw_chengguan, *extra],
        now=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(people.street)
    with django_assert_max_num_queries(12):
        assert client.get(f"/appeals/whistles/{whistle.pk}/").status_code == 200


def test_appeal_page_and_whistle_page_link_each_other(client, people, submit, tree, departments):
    appeal = submit(now=None)
    whistle = services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case=WhistleCase.RESIDENT_DEMAND,
        title="北安门停车整治",
        departments=[departments.xw_chengguan],
        appeal=appeal,
    )
    client.force_login(people.street)
    assert f'href="/appeals/whistles/{whistle.pk}/"' in _html(client.get(f"/appeals/{appeal.pk}/"))
    html = _html(client.get(f"/appeals/whistles/{whistle.pk}/"))
    assert f'href="/appeals/{appeal.pk}/"' in html and appeal.number in html
    client.force_login(people.resident)  # the reporter follows the appeal, not the internal whistle page
    assert f'href="/appeals/whistles/{whistle.pk}/"' not in _html(client.get(f"/appeals/{appeal.pk}/"))
    assert client.get(f"/appeals/whistles/{whistle.pk}/").status_code == 404
