"""The claim workflow's action table (意向 → 确认 → 实施 → 完成 → 双评; 退回, 释放), in the pattern of
:mod:`jiceng.core.actions`: the pages' buttons and POST handling and the API's ``@action``
routes all come from :data:`CLAIM_ACTIONS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rest_framework import serializers as drf
from rest_framework import status

from jiceng.core.actions import UserAction, available, table
from jiceng.core.api import error_response
from jiceng.core.scope import scope_for
from jiceng.core.viewsets import add_api_actions as core_add_api_actions

from . import services
from .models import Claim, ClaimStatus
from .permissions import CLAIM_CONFIRM


class CobuildNoInput(drf.Serializer):
    pass


class CobuildReasonInput(drf.Serializer):
    reason = drf.CharField(label="原因", max_length=200, help_text="退回或释放的原因（必填）")


class CobuildCompleteInput(drf.Serializer):
    result = drf.CharField(label="完成情况", max_length=300, help_text="做了什么、成效如何（必填）")
    served = drf.IntegerField(label="服务人次", required=False, allow_null=True, min_value=1)


class CobuildRateInput(drf.Serializer):
    rating = drf.IntegerField(label="评价（1—5星）", min_value=1, max_value=5, style={"stars": True})
    comment = drf.CharField(label="评语", max_length=200, required=False, allow_blank=True)


class CobuildTeamHoursInput(drf.Serializer):
    volunteers = drf.ListField(
        label="参加服务的队员",
        child=drf.IntegerField(min_value=1),
        help_text="志愿者编号（须为认领的志愿服务队队员）",
    )
    hours = drf.DecimalField(label="每人服务时长（小时）", max_digits=3, decimal_places=1, min_value=Decimal("0.1"))


def _team_hours(actor, claim: Claim, data: dict):
    from jiceng.volunteers.models import Volunteer

    wanted = [int(pk) for pk in data.get("volunteers") or []]
    people = list(Volunteer.objects.filter(pk__in=wanted))
    if len(people) != len(set(wanted)):
        raise services.CobuildError("所选队员不存在。", "volunteers")
    return services.record_team_hours(actor, claim, volunteers=people, hours=data["hours"])


@dataclass(frozen=True, kw_only=True)
class Action(UserAction):
    files: bool = False  # the page's form also takes photos (完成凭证)


def _community(user, claim: Claim) -> bool:
    return scope_for(user, CLAIM_CONFIRM).covers(claim.area_path)


def _claimer_or_community(user, claim: Claim) -> bool:
    return _community(user, claim) or services._is_claimer(user, claim)


def _in(*statuses: str, who: Callable[[Any, Claim], bool]):
    return lambda user, claim: claim.status in statuses and who(user, claim)


def _can_rate(side: str):
    def allowed(user, claim: Claim) -> bool:
        if claim.status not in (ClaimStatus.COMPLETED, ClaimStatus.RATED):
            return False
        if side == "publisher":
            return claim.publisher_rating is None and _community(user, claim)
        return claim.beneficiary_rating is None and services._beneficiary(user, claim.item)

    return allowed


CLAIM_ACTIONS = table(
    Action(
        key="confirm",
        label="确认认领",
        verb=services.confirm_claim,
        allowed=_in(ClaimStatus.INTENT, who=_community),
        inputs=CobuildNoInput,
        run=lambda actor, c, data: services.confirm_claim(actor, c),
        done=lambda c, data: "已确认认领。",
    ),
    Action(
        key="reject",
        label="退回",
        verb=services.reject_claim,
        allowed=_in(ClaimStatus.INTENT, who=_community),
        inputs=CobuildReasonInput,
        run=lambda actor, c, data: services.reject_claim(actor, c, data["reason"]),
        done=lambda c, data: "已退回认领，认领数量已释放。",
        style="btn-outline-danger",
    ),
    Action(
        key="start",
        label="开始实施",
        verb=services.start_claim,
        allowed=_in(ClaimStatus.CONFIRMED, who=_claimer_or_community),
        inputs=CobuildNoInput,
        run=lambda actor, c, data: services.start_claim(actor, c),
        done=lambda c, data: "已开始实施。",
    ),
    Action(
        key="complete",
        label="登记完成",
        verb=services.complete_claim,
        allowed=_in(ClaimStatus.CONFIRMED, ClaimStatus.ACTIVE, who=_claimer_or_community),
        inputs=CobuildCompleteInput,
        run=lambda actor, c, data: services.complete_claim(
            actor, c, result=data["result"], served=data.get("served"), files=data.get("files", ())
        ),
        done=lambda c, data: "已登记完成，等待双方评价。",
        files=True,
    ),
    Action(
        key="rate_publisher",
        label="发布方评价",
        verb=services.rate_claim,
        allowed=_can_rate("publisher"),
        inputs=CobuildRateInput,
        run=lambda actor, c, data: services.rate_claim(
            actor, c, side="publisher", rating=data["rating"], comment=data.get("comment", "")
        ),
        done=lambda c, data: "已评价（发布方）。",
        style="btn-outline-primary",
    ),
    Action(
        key="rate_beneficiary",
        label="受益方评价",
        verb=services.rate_claim,
        allowed=_can_rate("beneficiary"),
        inputs=CobuildRateInput,
        run=lambda actor, c, data: services.rate_claim(
            actor, c, side="beneficiary", rating=data["rating"], comment=data.get("comment", "")
        ),
        done=lambda c, data: "已评价（受益方）。",
        style="btn-outline-primary",
    ),
    Action(
        key="team_hours",
        label="登记队员服务时长",
        verb=services.record_team_hours,
        allowed=_in(
            ClaimStatus.COMPLETED,
            ClaimStatus.RATED,
            who=lambda user, claim: claim.team_id is not None and _claimer_or_community(user, claim),
        ),
        inputs=CobuildTeamHoursInput,
        run=_team_hours,
        done=lambda records, data: f"已为{len(records)}名队员登记服务时长，待社区审核后计入志愿时长和时间银行。",
        style="btn-outline-primary",
    ),
    Action(
        key="release",
        label="释放认领",
        verb=services.release_claim,
        allowed=_in(ClaimStatus.INTENT, ClaimStatus.CONFIRMED, who=_claimer_or_community),
        inputs=CobuildReasonInput,
        run=lambda actor, c, data: services.release_claim(actor, c, data["reason"]),
        done=lambda c, data: "已释放认领，数量已退回清单。",
        style="btn-outline-secondary",
    ),
)


STATE_CODES = {"status", "duplicate", "quantity", "expired", "not_open"}


def refusal(exc: services.CobuildError):
    """A service's refusal in the API's envelope: 403 who may act, 409 the state, else 400."""
    if exc.code == "permission":
        return error_response(exc.message, status.HTTP_403_FORBIDDEN, "permission_denied")
    if exc.code in STATE_CODES:
        return error_response(exc.message, status.HTTP_409_CONFLICT, exc.code)
    return error_response("；".join(exc.messages), status.HTTP_400_BAD_REQUEST, exc.code or "invalid")


def add_api_actions(viewset, table: dict[str, Action], output: type[drf.Serializer]) -> None:
    """The table's POST actions on ``viewset`` (core.viewsets.add_api_actions), refusals in the envelope."""
    core_add_api_actions(viewset, table, output, services.CobuildError, refusal)


__all__ = ["CLAIM_ACTIONS", "Action", "add_api_actions", "available", "refusal"]
