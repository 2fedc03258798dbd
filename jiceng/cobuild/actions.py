"""The claim workflow's action table (意向 → 确认 → 实施 → 完成 → 双评; 退回, 释放), in the shape of
``jiceng/dualreport/actions.py``: the pages' buttons and POST handling and the API's ``@action``
routes all come from :data:`CLAIM_ACTIONS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from rest_framework import serializers as drf
from rest_framework import status

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
    rating = drf.IntegerField(label="评价（1—5星）", min_value=1, max_value=5)
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


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    verb: Callable[..., Any]
    allowed: Callable[[Any, Any], bool]
    inputs: type[drf.Serializer]
    run: Callable[[Any, Any, dict], Any]
    done: Callable[[Any, dict], str]
    style: str = "btn-primary"
    files: bool = False  # the page's form also takes photos (完成凭证)
    form: type[forms.Form] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", form_for(self.inputs, f"{self.key.title()}Form"))

    @property
    def url_path(self) -> str:
        return self.key.replace("_", "-")


def form_for(serializer: type[drf.Serializer], name: str) -> type[forms.Form]:
    fields: dict[str, forms.Field] = {}
    for key, f in serializer().fields.items():
        common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help_text or ""}
        if isinstance(f, drf.ListField):
            # Choices are the target's (the team's members): the page fills them (views._action_form).
            fields[key] = forms.TypedMultipleChoiceField(
                **common, coerce=int, choices=[], widget=forms.CheckboxSelectMultiple
            )
        elif isinstance(f, drf.DecimalField):
            fields[key] = forms.DecimalField(
                **common, max_digits=f.max_digits, decimal_places=f.decimal_places, min_value=f.min_value
            )
        elif isinstance(f, drf.IntegerField):
            if key == "rating":
                fields[key] = forms.TypedChoiceField(
                    **common, coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)]
                )
            else:
                fields[key] = forms.IntegerField(**common, min_value=1)
        else:
            fields[key] = forms.CharField(**common, max_length=getattr(f, "max_length", None))
    return type(name, (forms.Form,), fields)


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


def _table(*entries: Action) -> dict[str, Action]:
    return {entry.key: entry for entry in entries}


CLAIM_ACTIONS = _table(
    Action(
        "confirm",
        "确认认领",
        services.confirm_claim,
        _in(ClaimStatus.INTENT, who=_community),
        CobuildNoInput,
        lambda actor, c, data: services.confirm_claim(actor, c),
        lambda c, data: "已确认认领。",
    ),
    Action(
        "reject",
        "退回",
        services.reject_claim,
        _in(ClaimStatus.INTENT, who=_community),
        CobuildReasonInput,
        lambda actor, c, data: services.reject_claim(actor, c, data["reason"]),
        lambda c, data: "已退回认领，认领数量已释放。",
        style="btn-outline-danger",
    ),
    Action(
        "start",
        "开始实施",
        services.start_claim,
        _in(ClaimStatus.CONFIRMED, who=_claimer_or_community),
        CobuildNoInput,
        lambda actor, c, data: services.start_claim(actor, c),
        lambda c, data: "已开始实施。",
    ),
    Action(
        "complete",
        "登记完成",
        services.complete_claim,
        _in(ClaimStatus.CONFIRMED, ClaimStatus.ACTIVE, who=_claimer_or_community),
        CobuildCompleteInput,
        lambda actor, c, data: services.complete_claim(
            actor, c, result=data["result"], served=data.get("served"), files=data.get("files", ())
        ),
        lambda c, data: "已登记完成，等待双方评价。",
        files=True,
    ),
    Action(
        "rate_publisher",
        "发布方评价",
        services.rate_claim,
        _can_rate("publisher"),
        CobuildRateInput,
        lambda actor, c, data: services.rate_claim(
            actor, c, side="publisher", rating=data["rating"], comment=data.get("comment", "")
        ),
        lambda c, data: "已评价（发布方）。",
        style="btn-outline-primary",
    ),
    Action(
        "rate_beneficiary",
        "受益方评价",
        services.rate_claim,
        _can_rate("beneficiary"),
        CobuildRateInput,
        lambda actor, c, data: services.rate_claim(
            actor, c, side="beneficiary", rating=data["rating"], comment=data.get("comment", "")
        ),
        lambda c, data: "已评价（受益方）。",
        style="btn-outline-primary",
    ),
    Action(
        "team_hours",
        "登记队员服务时长",
        services.record_team_hours,
        _in(
            ClaimStatus.COMPLETED,
            ClaimStatus.RATED,
            who=lambda user, claim: claim.team_id is not None and _claimer_or_community(user, claim),
        ),
        CobuildTeamHoursInput,
        _team_hours,
        lambda records, data: f"已为{len(records)}名队员登记服务时长，待社区审核后计入志愿时长和时间银行。",
        style="btn-outline-primary",
    ),
    Action(
        "release",
        "释放认领",
        services.release_claim,
        _in(ClaimStatus.INTENT, ClaimStatus.CONFIRMED, who=_claimer_or_community),
        CobuildReasonInput,
        lambda actor, c, data: services.release_claim(actor, c, data["reason"]),
        lambda c, data: "已释放认领，数量已退回清单。",
        style="btn-outline-secondary",
    ),
)


def available(table: dict[str, Action], user, target) -> list[Action]:
    return [entry for entry in table.values() if entry.allowed(user, target)]


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
