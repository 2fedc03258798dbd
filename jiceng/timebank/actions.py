"""时间银行's action tables (the pattern of :mod:`jiceng.core.actions`): the pages' buttons and POST
handling and the API's ``POST /api/v1/<prefix>/{id}/<action>/`` routes come from these tables.

* :data:`ACCOUNT_ACTIONS`: on a person's account, 捐赠 (its volunteer gives hours to a relative,
  a team or the community fund);
* :data:`MOVEMENT_ACTIONS`: on a movement, 冲正 (the district, street or city reverses it).

兑换服务 (a redemption) is not an action on an existing row but a new one: the page
``timebank:redeem`` and ``POST /api/v1/timebank-redemptions/`` call the one verb
``services.redeem``, and refuse through the same :func:`refusal`.

Every entry calls one service verb; a ``LedgerError`` becomes the API's envelope: 403 who may act,
409 the state (reversed already, a reversal, not enough hours, recorded already), 400 the input,
with ``fields`` naming the field of each reason."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers as drf
from rest_framework import status
from rest_framework.response import Response

from jiceng.core.actions import UserAction as Action
from jiceng.core.actions import available, table
from jiceng.core.api import IdField
from jiceng.core.scope import scope_for
from jiceng.core.viewsets import add_api_actions as core_add_api_actions

from . import services
from .models import Account, AccountKind, Movement, MovementKind
from .permissions import REVERSE


class TimebankReverseInput(drf.Serializer):
    reason = drf.CharField(label="冲正原因", max_length=200, allow_blank=True, help_text="冲正原因（必填）")


class TimebankDonateInput(drf.Serializer):
    target = drf.ChoiceField(
        label="捐赠给", choices=[("fund", "社区公益基金"), ("relative", "亲属（志愿者）"), ("team", "志愿服务队")]
    )
    relative = IdField(label="亲属的志愿者编号", required=False, help_text="捐赠给亲属时必填；可为任何社区的志愿者")
    team = IdField(label="志愿服务队编号", required=False, help_text="捐赠给队伍时必填")
    hours = drf.CharField(label="捐赠时长（小时）", max_length=8, help_text="大于0，最多1位小数")
    request_key = drf.CharField(
        label="提交标识",
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="客户端为一次提交生成的标识（如 UUID）：同一标识重复提交只捐赠一次",
    )


def _own_person_account(user, account: Account) -> bool:
    volunteer = account.volunteer if account.kind == AccountKind.PERSON else None
    return volunteer is not None and getattr(user, "pk", None) is not None and volunteer.user_id == user.pk


def _can_reverse(user, movement: Movement) -> bool:
    if movement.kind == MovementKind.REVERSAL:
        return False
    scope = scope_for(user, REVERSE)
    return scope.covers(movement.debit.area_path) or scope.covers(movement.credit.area_path)


def _donate(user, account: Account, data: dict):
    from jiceng.volunteers.models import Team, Volunteer

    relative = team = None
    if data["target"] == "relative":
        relative = Volunteer.objects.select_related("community").filter(pk=data.get("relative") or 0).first()
        if relative is None:
            raise services.LedgerError("请填写亲属的志愿者编号（可在其“我的志愿服务”页查看）。", code="relative")
    elif data["target"] == "team":
        team = Team.objects.filter(pk=data.get("team") or 0).first()
        if team is None:
            raise services.LedgerError("没有这个志愿服务队。", code="team")
    return services.donate(
        user,
        account.volunteer,
        data["hours"],
        to_volunteer=relative,
        to_team=team,
        to_fund=data["target"] == "fund",
        request_key=data.get("request_key", ""),
    )


ACCOUNT_ACTIONS: dict[str, Action] = table(
    Action(
        key="donate",
        label="捐赠时长",
        verb=services.donate,
        allowed=_own_person_account,
        inputs=TimebankDonateInput,
        run=_donate,
        done=lambda account, data: f"已捐赠 {data['hours']} 小时。",
    )
)

MOVEMENT_ACTIONS: dict[str, Action] = table(
    Action(
        key="reverse",
        label="冲正",
        verb=services.reverse,
        allowed=_can_reverse,
        inputs=TimebankReverseInput,
        run=lambda user, movement, data: services.reverse(user, movement, data.get("reason", "")),
        done=lambda movement, data: f"已冲正流水 #{movement.pk}。",
        style="btn-outline-danger",
    )
)


STATE_CODES = {"reversal", "reversed", "duplicate", "amount", "status"}


def refusal(exc: services.LedgerError) -> Response:
    """A ledger refusal in the API's envelope: 403 who may act, 409 the state (with the state's
    code: ``reversed``, ``reversal``, ``amount``, ...), else 400 with fields. Every timebank
    route answers so, ``/timebank-movements/{id}/reverse/`` included."""
    codes = [error.code or "invalid" for error in exc.error_list]
    message = "；".join(exc.messages)
    http: int
    if "permission" in codes:
        http, code = status.HTTP_403_FORBIDDEN, "permission_denied"
    elif len(codes) == 1 and codes[0] in STATE_CODES:
        http, code = status.HTTP_409_CONFLICT, codes[0]
    else:
        http, code = status.HTTP_400_BAD_REQUEST, "invalid"
    body: dict[str, Any] = {"status": http, "code": code, "message": message}
    if code == "invalid":
        fields: dict[str, list[str]] = {}
        for error in exc.error_list:
            fields.setdefault(error.code or "non_field_errors", []).extend(error.messages)
        body["fields"] = fields
    return Response({"error": body}, status=http)


def add_api_actions(viewset, table: dict[str, Action], output: type[drf.Serializer]) -> None:
    """The table's POST actions on ``viewset`` (core.viewsets.add_api_actions), refusals in the envelope."""
    core_add_api_actions(viewset, table, output, services.LedgerError, refusal)


__all__ = ["ACCOUNT_ACTIONS", "MOVEMENT_ACTIONS", "Action", "add_api_actions", "available", "refusal"]
