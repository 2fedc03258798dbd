"""One action table per workflow: a registration (:data:`REGISTRATION_ACTIONS`) and a service
(:data:`SERVICE_ACTIONS`), in the pattern of :mod:`jiceng.core.actions` (its :class:`UserAction`
entries). The pages' buttons and POST handling and the API's ``@action`` routes
(:func:`add_api_actions`) all come from these tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import serializers as drf
from rest_framework import status

from jiceng.core.actions import UserAction as Action
from jiceng.core.actions import available, table
from jiceng.core.api import error_response
from jiceng.core.scope import scope_for
from jiceng.core.viewsets import add_api_actions as core_add_api_actions

from . import services
from .models import Registration, RegistrationStatus, Service, ServiceStatus
from .permissions import REGISTRATION_CONFIRM, SERVICE_CONFIRM


class NoInput(drf.Serializer):
    pass


class DualReasonInput(drf.Serializer):
    reason = drf.CharField(label="原因", max_length=200, help_text="退回或不予认可的原因（必填）")


class EndInput(drf.Serializer):
    reason = drf.CharField(label="结束原因", max_length=200, help_text="如：搬离本社区、退休（必填）")


class CorrectInput(drf.Serializer):
    reason = drf.CharField(label="更正原因", max_length=200, help_text="更正已确认记录的原因（必填，记入更正记录）")
    served_on = drf.DateField(label="服务日期", required=False, allow_null=True)
    hours = drf.DecimalField(
        label="服务时长（小时）", max_digits=4, decimal_places=1, required=False, allow_null=True, style={"step": "0.5"}
    )
    content = drf.CharField(label="服务内容", max_length=300, required=False, allow_blank=True)


def _on_community(permission: str, target) -> Callable[[Any], bool]:
    return lambda user: scope_for(user, permission).covers(target.area_path)


def _registration_pending(user, registration: Registration) -> bool:
    return registration.status == RegistrationStatus.PENDING and _on_community(REGISTRATION_CONFIRM, registration)(user)


def _service_in(status_value: str):
    return lambda user, service: service.status == status_value and _on_community(SERVICE_CONFIRM, service)(user)


REGISTRATION_ACTIONS = table(
    Action(
        key="confirm",
        label="确认报到",
        verb=services.confirm_registration,
        allowed=_registration_pending,
        inputs=NoInput,
        run=lambda actor, r, data: services.confirm_registration(actor, r),
        done=lambda r, data: f"已确认{r.who}的报到。",
    ),
    Action(
        key="reject",
        label="退回",
        verb=services.reject_registration,
        allowed=_registration_pending,
        inputs=DualReasonInput,
        run=lambda actor, r, data: services.reject_registration(actor, r, data["reason"]),
        done=lambda r, data: f"已退回{r.who}的报到。",
        style="btn-outline-danger",
    ),
)


def _registration_active(user, registration: Registration) -> bool:
    return registration.is_active and _on_community(REGISTRATION_CONFIRM, registration)(user)


REGISTRATION_ACTIONS["end"] = Action(
    key="end",
    label="结束报到",
    verb=services.end_registration,
    allowed=_registration_active,
    inputs=EndInput,
    run=lambda actor, r, data: services.end_registration(actor, r, data["reason"]),
    done=lambda r, data: f"已结束{r.who}的报到。",
    style="btn-outline-secondary",
)

SERVICE_ACTIONS = table(
    Action(
        key="confirm",
        label="确认服务",
        verb=services.confirm_service,
        allowed=_service_in(ServiceStatus.PENDING),
        inputs=NoInput,
        run=lambda actor, s, data: services.confirm_service(actor, s),
        done=lambda s, data: f"已确认 {s.served_on:%Y-%m-%d} 的服务，记录已锁定。",
    ),
    Action(
        key="reject",
        label="不予认可",
        verb=services.reject_service,
        allowed=_service_in(ServiceStatus.PENDING),
        inputs=DualReasonInput,
        run=lambda actor, s, data: services.reject_service(actor, s, data["reason"]),
        done=lambda s, data: "已不予认可该服务记录。",
        style="btn-outline-danger",
    ),
    Action(
        key="correct",
        label="更正",
        verb=services.correct_service,
        allowed=_service_in(ServiceStatus.CONFIRMED),
        inputs=CorrectInput,
        run=lambda actor, s, data: services.correct_service(
            actor,
            s,
            reason=data["reason"],
            served_on=data.get("served_on"),
            hours=data.get("hours"),
            content=data.get("content") or None,
        ),
        done=lambda s, data: "已更正服务记录，更正已记录在案。",
        style="btn-outline-secondary",
    ),
)


# The refusals that are about the object's state (already confirmed, full, signed up): 409.
STATE_CODES = {"status", "duplicate", "places"}


def refusal(exc: services.DualError):
    """A service's refusal in the API's envelope: 403 who may act, 409 the state, else 400."""
    if exc.code == "permission":
        return error_response(exc.messages[0], status.HTTP_403_FORBIDDEN, "permission_denied")
    if exc.code in STATE_CODES:
        return error_response(exc.messages[0], status.HTTP_409_CONFLICT, exc.code)
    return error_response(exc.messages[0], status.HTTP_400_BAD_REQUEST, exc.code or "invalid")


def add_api_actions(viewset, table: dict[str, Action], output: type[drf.Serializer]) -> None:
    """The table's POST actions on ``viewset`` (core.viewsets.add_api_actions), refusals in the envelope."""
    core_add_api_actions(viewset, table, output, services.DualError, refusal)


__all__ = ["REGISTRATION_ACTIONS", "SERVICE_ACTIONS", "Action", "Service", "add_api_actions", "available"]
