"""街乡吹哨、部门报到: blow on an appeal or an incident, report, report back, rate; who may do what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from jiceng.appeals import services
from jiceng.appeals.models import (
    AppealEvent,
    EventKind,
    Notification,
    SummonsStatus,
    WhistleCase,
    WhistleStatus,
    WhistleSummons,
)
from jiceng.appeals.services import AppealError, TransitionError

from .conftest import T0


def test_street_whistles_on_an_appeal_and_departments_report(submit, people, tree, departments, api_client):
    appeal = submit(description="老旧小区停车难，消防通道被占")
    whistle = services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case=WhistleCase.RESIDENT_DEMAND,
        title="北安门停车整治",
        departments=[departments.xw_chengguan, departments.xw_water],
        appeal=appeal,
        now=T0,
    )
    assert whistle.report_due == T0 + timedelta(minutes=30)  # DOMAIN.md §7.4, every case
    assert Notification.objects.filter(recipient=people.chengguan, kind="whistle_summons").exists()
    summons = WhistleSummons.objects.get(whistle=whistle, department=departments.xw_chengguan)
    services.report_summons(people.chengguan, summons, plan="派执法队到场", now=T0 + timedelta(minutes=25))
    assert summons.status == SummonsStatus.REPORTED and summons.on_time
    services.feedback_summons(people.chengguan, summons, feedback="清理占道车辆12辆", now=T0 + timedelta(hours=3))
    services.rate_summons(people.street, summons, rating=5, note="响应迅速", now=T0 + timedelta(hours=4))
    summons.refresh_from_db()
    assert (summons.status, summons.rating) == (SummonsStatus.RATED, 5)
    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert kinds.count(EventKind.WHISTLE) == 1
    assert {EventKind.SUMMONS_REPORT, EventKind.SUMMONS_FEEDBACK, EventKind.SUMMONS_RATE} <= set(kinds)
    services.close_whistle(people.street, whistle, note="已完成")
    assert whistle.status == WhistleStatus.CLOSED

    api_client.force_authenticate(people.water)
    rows = api_client.get("/api/v1/whistle-summons/").json()["results"]
    assert [(r["department"], r["status"]) for r in rows] == [(departments.xw_water.pk, "summoned")]
    water_summons = rows[0]["id"]
    response = api_client.post(f"/api/v1/whistle-summons/{water_summons}/report/", {"plan": "检修管网"})
    assert response.status_code == 200 and response.json()["status"] == "reported"
    assert api_client.get(f"/api/v1/whistle-summons/{summons.pk}/").status_code == 404  # 城管's, not ours
    assert api_client.get(f"/api/v1/whistles/{whistle.pk}/").status_code == 200


def test_community_whistles_on_an_incident_through_the_api(people, tree, departments, api_client):
    api_client.force_authenticate(people.community)
    response = api_client.post(
        "/api/v1/whistles/",
        {
            "area": tree.beianmen.code,
            "case": "emergency",
            "title": "2栋地面塌陷",
            "departments": [departments.xw_chengguan.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"] == "emergency" and body["summons"][0]["status"] == "summoned"
    assert api_client.get("/api/v1/whistles/").json()["results"][0]["id"] == body["id"]
    api_client.force_authenticate(people.other_community)
    assert api_client.get(f"/api/v1/whistles/{body['id']}/").status_code == 404


def test_whistle_rules(submit, people, tree, departments):
    appeal = submit()
    refused = [
        (
            PermissionDenied,
            "不能以“梅园新村街道”的名义吹哨",
            lambda: services.blow_whistle(
                people.community,
                area=tree.meiyuan,
                case="emergency",
                title="x",
                departments=[departments.xw_water],
            ),
        ),
        (
            AppealError,
            "只有街道或社区可以吹哨",
            lambda: services.blow_whistle(
                people.district, area=tree.xuanwu, case="emergency", title="x", departments=[departments.xw_water]
            ),
        ),
        (
            AppealError,
            "不负责",
            lambda: services.blow_whistle(
                people.street,
                area=tree.meiyuan,
                case="emergency",
                title="x",
                departments=[departments.qh_chengguan],
            ),
        ),
        (
            AppealError,
            "至少召集一个",
            lambda: services.blow_whistle(
                people.street, area=tree.meiyuan, case="emergency", title="x", departments=[]
            ),
        ),
        (
            AppealError,
            "吹哨情形",
            lambda: services.blow_whistle(
                people.street, area=tree.meiyuan, case="party", title="x", departments=[departments.xw_water]
            ),
        ),
        (
            PermissionDenied,
            "吹哨",
            lambda: services.blow_whistle(
                people.grid, area=tree.beianmen, case="emergency", title="x", departments=[departments.xw_water]
            ),
        ),
    ]
    for error, message, call in refused:
        with pytest.raises(error, match=message):
            call()
    services.cancel_appeal(people.resident, appeal, reason="不需要了")
    with pytest.raises(TransitionError, match="不能再吹哨"):
        services.blow_whistle(
            people.street,
            area=tree.meiyuan,
            case="emergency",
            title="x",
            departments=[departments.xw_water],
            appeal=appeal,
        )


def test_summons_steps_in_order_by_the_right_people(people, tree, departments):
    whistle = services.blow_whistle(
        people.street, area=tree.meiyuan, case="enforcement", title="违建整治", departments=[departments.xw_chengguan]
    )
    summons = whistle.summons.get()
    with pytest.raises(PermissionDenied, match="只有玄武区城市管理局可以报到"):
        services.report_summons(people.water, summons, plan="x")
    with pytest.raises(TransitionError, match="不能反馈"):
        services.feedback_summons(people.chengguan, summons, feedback="x")
    with pytest.raises(AppealError, match="处置措施"):
        services.report_summons(people.chengguan, summons, plan=" ")
    services.report_summons(people.chengguan, summons, plan="到场")
    with pytest.raises(TransitionError, match="不能报到"):
        services.report_summons(people.chengguan, summons, plan="再报到")
    services.feedback_summons(people.chengguan, summons, feedback="完成")
    with pytest.raises(PermissionDenied, match="只有吹哨的街道"):
        services.rate_summons(people.chengguan, summons, rating=5)
    with pytest.raises(AppealError, match="1—5分"):
        services.rate_summons(people.street, summons, rating=9)
    services.rate_summons(people.street, summons, rating=2)
    with pytest.raises(TransitionError, match="已结束"):
        services.close_whistle(people.street, whistle) and services.close_whistle(people.street, whistle)


def test_late_report_after_escalation_is_still_taken_and_marked_late(people, tree, departments):
    whistle = services.blow_whistle(
        people.street, area=tree.meiyuan, case="emergency", title="爆管", departments=[departments.xw_water], now=T0
    )
    assert services.escalate_overdue_summons(T0 + timedelta(minutes=45)) == 1
    summons = whistle.summons.get()
    services.report_summons(people.water, summons, plan="抢修", now=T0 + timedelta(minutes=50))
    summons.refresh_from_db()
    assert summons.on_time is False and summons.escalated_at is not None
