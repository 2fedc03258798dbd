"""Every transition refused from the wrong state, by the wrong person or with missing input, with
the reason in Chinese; a refused transition changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, AppealEvent, Outcome, Satisfaction, Status
from jiceng.appeals.services import AppealError, TransitionError

from .conftest import T0


@pytest.fixture
def flow(submit, people, tree):
    """Move a fresh appeal to a given state: ``flow("answered")``."""

    def to(state):
        appeal = submit()
        if state == "accepted":
            return appeal
        services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
        if state == "dispatched":
            return appeal
        services.sign_appeal(people.grid, appeal, now=T0)
        if state == "signed":
            return appeal
        services.answer_appeal(people.grid, appeal, text="已处理", result=Outcome.RESOLVED, now=T0)
        if state == "answered":
            return appeal
        if state == "rated":
            services.rate_appeal(
                people.resident, appeal, outcome=Outcome.UNRESOLVED, satisfaction=Satisfaction.UNSATISFIED, now=T0
            )
            return appeal
        services.rate_appeal(
            people.resident, appeal, outcome=Outcome.RESOLVED, satisfaction=Satisfaction.SATISFIED, now=T0
        )
        assert state == "closed"
        return appeal

    return to


def refused(error, call, match):
    with pytest.raises(error, match=match):
        call()


def unchanged(appeal, status):
    assert Appeal.objects.get(pk=appeal.pk).status == status


ILLEGAL = [
    # (state, who, call, error, reason)
    ("accepted", "grid", lambda p, a, t: services.sign_appeal(p.grid, a), TransitionError, "尚未派单"),
    ("signed", "grid", lambda p, a, t: services.sign_appeal(p.grid, a), TransitionError, "已被签收"),
    (
        "dispatched",
        "grid",
        lambda p, a, t: services.answer_appeal(p.grid, a, text="x", result="resolved"),
        TransitionError,
        "请先签收",
    ),
    ("dispatched", "grid", lambda p, a, t: services.record_progress(p.grid, a, note="x"), TransitionError, "请先签收"),
    (
        "signed",
        "resident",
        lambda p, a, t: services.rate_appeal(p.resident, a, outcome="resolved", satisfaction="satisfied"),
        TransitionError,
        "不能回访评价",
    ),
    (
        "answered",
        "community",
        lambda p, a, t: services.reopen_appeal(p.community, a, note="x"),
        TransitionError,
        "请先回访评价",
    ),
    (
        "closed",
        "community",
        lambda p, a, t: services.reopen_appeal(p.community, a, note="x"),
        TransitionError,
        "已办结的诉求不能重办",
    ),
    (
        "answered",
        "resident",
        lambda p, a, t: services.cancel_appeal(p.resident, a, reason="x"),
        TransitionError,
        "请进行回访评价",
    ),
    (
        "closed",
        "community",
        lambda p, a, t: services.dispatch_appeal(p.community, a, area=t.grid1),
        TransitionError,
        "不能派单",
    ),
    (
        "closed",
        "district",
        lambda p, a, t: services.supervise_appeal(p.district, a, note="x"),
        TransitionError,
        "不能挂牌督办",
    ),
    ("accepted", "community", lambda p, a, t: services.close_appeal(p.community, a), TransitionError, "不能办结"),
    ("accepted", "grid", lambda p, a, t: services.return_appeal(p.grid, a, reason="x"), TransitionError, "不能退单"),
    (
        "answered",
        "grid",
        lambda p, a, t: services.answer_appeal(p.grid, a, text="x", result="resolved"),
        TransitionError,
        "等待回访评价",
    ),
    (
        "accepted",
        "grid",
        lambda p, a, t: services.request_extension(p.grid, a, workdays=2, reason="x"),
        TransitionError,
        "不能申请延期",
    ),
    (
        "closed",
        "community",
        lambda p, a, t: services.cancel_appeal(p.community, a, reason="x"),
        TransitionError,
        "不能撤销",
    ),
    (
        "closed",
        "community",
        lambda p, a, t: services.rate_appeal(p.community, a, outcome="resolved", satisfaction="satisfied"),
        TransitionError,
        "不能回访评价",
    ),
    (
        "dispatched",
        "community",
        lambda p, a, t: services.dispatch_appeal(p.community, a, area=t.grid1),
        TransitionError,
        "已派给",
    ),
    # Wrong person.
    ("dispatched", "grid2", lambda p, a, t: services.sign_appeal(p.grid2, a), PermissionDenied, "不能签收"),
    ("dispatched", "chengguan", lambda p, a, t: services.sign_appeal(p.chengguan, a), PermissionDenied, "不能签收"),
    (
        "accepted",
        "grid",
        lambda p, a, t: services.dispatch_appeal(p.grid, a, area=t.grid1),
        PermissionDenied,
        "派单权限",
    ),
    (
        "accepted",
        "other_community",
        lambda p, a, t: services.dispatch_appeal(p.other_community, a, area=t.grid1),
        PermissionDenied,
        "派单权限",
    ),
    ("accepted", "street", lambda p, a, t: services.supervise_appeal(p.street, a, note="x"), PermissionDenied, "上级"),
    (
        "answered",
        "resident2",
        lambda p, a, t: services.rate_appeal(p.resident2, a, outcome="resolved", satisfaction="satisfied"),
        PermissionDenied,
        "诉求人或回访人员",
    ),
    (
        "accepted",
        "resident2",
        lambda p, a, t: services.cancel_appeal(p.resident2, a, reason="x"),
        PermissionDenied,
        "诉求人或派单人员",
    ),
    (
        "signed",
        "grid2",
        lambda p, a, t: services.return_appeal(p.grid2, a, reason="x"),
        PermissionDenied,
        "不是该诉求的承办人",
    ),
    ("answered", "grid", lambda p, a, t: services.close_appeal(p.grid, a), PermissionDenied, "办结"),
    # Wrong input.
    ("signed", "grid", lambda p, a, t: services.return_appeal(p.grid, a, reason="  "), AppealError, "请填写退单理由"),
    (
        "accepted",
        "community",
        lambda p, a, t: services.dispatch_appeal(p.community, a, area=t.grid2),
        AppealError,
        "不管辖诉求所在地",
    ),
    (
        "accepted",
        "community",
        lambda p, a, t: services.dispatch_appeal(p.community, a, area=t.building),
        AppealError,
        "须为网格、社区、街道或区",
    ),
    (
        "accepted",
        "community",
        lambda p, a, t: services.dispatch_appeal(p.community, a),
        AppealError,
        "请选择一个承办单位",
    ),
    (
        "signed",
        "grid",
        lambda p, a, t: services.answer_appeal(p.grid, a, text="x", result="maybe"),
        AppealError,
        "办理结果",
    ),
    (
        "rated",
        "community",
        lambda p, a, t: services.close_appeal(p.community, a, note=""),
        AppealError,
        "请填写办结说明",
    ),
    (
        "signed",
        "grid",
        lambda p, a, t: services.request_extension(p.grid, a, workdays=99, reason="x"),
        AppealError,
        "最多申请延长",
    ),
]


@pytest.mark.parametrize(
    ("state", "who", "call", "error", "reason"),
    ILLEGAL,
    ids=[f"{i:02d}-{row[0]}-{row[4]}" for i, row in enumerate(ILLEGAL)],
)
def test_illegal_transition_is_refused_with_a_reason(flow, people, tree, state, who, call, error, reason):
    appeal = flow(state)
    before = (Appeal.objects.get(pk=appeal.pk).status, AppealEvent.objects.filter(appeal=appeal).count())
    refused(error, lambda: call(people, appeal, tree), reason)
    after = (Appeal.objects.get(pk=appeal.pk).status, AppealEvent.objects.filter(appeal=appeal).count())
    assert after == before


def test_dispatch_to_a_department_not_serving_the_place(flow, people, departments):
    appeal = flow("accepted")
    refused(
        AppealError,
        lambda: services.dispatch_appeal(people.street, appeal, department=departments.qh_chengguan),
        "不负责诉求所在地",
    )
    unchanged(appeal, Status.ACCEPTED)


def test_extension_after_the_deadline_is_refused(flow, people):
    appeal = flow("signed")
    late = appeal.answer_due + timedelta(minutes=1)
    refused(
        TransitionError,
        lambda: services.request_extension(people.grid, appeal, workdays=2, reason="来不及", now=late),
        "须在时限届满前申请",
    )


def test_only_one_pending_extension_and_one_decision(flow, people):
    appeal = flow("signed")
    extension = services.request_extension(people.grid, appeal, workdays=2, reason="等材料", now=T0)
    refused(
        TransitionError,
        lambda: services.request_extension(people.grid, appeal, workdays=2, reason="再等等", now=T0),
        "待审批",
    )
    refused(PermissionDenied, lambda: services.decide_extension(people.grid, extension, approve=True), "审批")
    refused(AppealError, lambda: services.decide_extension(people.community, extension, approve=False), "审批意见")
    services.decide_extension(people.community, extension, approve=False, note="时间足够", now=T0)
    refused(
        TransitionError,
        lambda: services.decide_extension(people.community, extension, approve=True, now=T0),
        "已审批过",
    )


def test_merge_rules(submit, people):
    a = submit()
    b = submit(client_token="b")
    refused(AppealError, lambda: services.merge_appeal(people.community, a, a), "合并到它自己")
    services.cancel_appeal(people.resident, b, reason="不需要了")
    refused(TransitionError, lambda: services.merge_appeal(people.community, a, b), "不能合并到它")
    refused(PermissionDenied, lambda: services.merge_appeal(people.other_community, a, b), "合并")


def test_supervise_twice(flow, people):
    appeal = flow("dispatched")
    services.supervise_appeal(people.city, appeal, note="督办")
    refused(TransitionError, lambda: services.supervise_appeal(people.district, appeal, note="再督办"), "已挂牌督办")


def test_anonymous_actor_is_refused(flow):
    from django.contrib.auth.models import AnonymousUser

    appeal = flow("accepted")
    refused(PermissionDenied, lambda: services.dispatch_appeal(AnonymousUser(), appeal, area=None), "请先登录")
    refused(PermissionDenied, lambda: services.dispatch_appeal(None, appeal, area=None), "请先登录")


def test_creating_outside_ones_scope_and_bad_input(people, catalogue, tree):
    from jiceng.appeals.models import Channel

    base = {"category": catalogue.stall, "description": "占道", "now": T0}
    refused(
        PermissionDenied,
        lambda: services.create_appeal(
            people.grid, channel=Channel.GRID, area=tree.gongyuan, reporter_name="某人", **base
        ),
        "不在您的管辖范围内",
    )
    refused(
        AppealError,
        lambda: services.create_appeal(people.grid, channel=Channel.GRID, area=tree.grid1, **base),
        "诉求人姓名或联系电话",
    )
    refused(
        AppealError,
        lambda: services.create_appeal(people.resident, channel=Channel.RESIDENT, **base),
        "请选择诉求所在位置",
    )
    refused(
        AppealError,
        lambda: services.create_appeal(
            people.resident, channel=Channel.RESIDENT, area=tree.grid1, category="999", description="x"
        ),
        "不存在",
    )
    refused(
        AppealError,
        lambda: services.create_appeal(
            people.resident, channel=Channel.RESIDENT, area=tree.grid1, category=catalogue.stall, description=" "
        ),
        "请填写诉求内容",
    )
    refused(
        AppealError,
        lambda: services.create_appeal(people.resident, channel="fax", area=tree.grid1, **base),
        "渠道",
    )
    assert not Appeal.objects.exists()
