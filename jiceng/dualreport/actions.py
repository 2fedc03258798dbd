"""One action table per workflow: a registration (:data:`REGISTRATION_ACTIONS`) and a service
(:data:`SERVICE_ACTIONS`), in the shape of ``jiceng/appeals/actions.py``.

An entry names its key (the page's URL segment, with ``-`` for ``_`` the API's), its Chinese
label, the service verb and how it is called with the input, who may take it (``allowed``), its
input (a serializer: the API's request body and schema; the page's form is built from the same
fields), the button's look and what the page says once done. The pages' buttons and POST
handling and the API's ``@action`` routes (:func:`add_api_actions`) all come from these tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from rest_framework import serializers as drf
from rest_framework import status

from jiceng.core.api import error_response
from jiceng.core.inputs import DateField
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
    hours = drf.DecimalField(label="服务时长（小时）", max_digits=4, decimal_places=1, required=False, allow_null=True)
    content = drf.CharField(label="服务内容", max_length=300, required=False, allow_blank=True)


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    verb: Callable[..., Any]
    allowed: Callable[[Any, Any], bool]  # (user, target) → may the user take it now
    inputs: type[drf.Serializer]
    run: Callable[[Any, Any, dict], Any]  # (actor, target, data) → result
    done: Callable[[Any, dict], str]  # (result, data) → the page's message
    style: str = "btn-primary"
    form: type[forms.Form] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", form_for(self.inputs, f"{self.key.title()}Form"))

    @property
    def url_path(self) -> str:
        return self.key.replace("_", "-")


def form_for(serializer: type[drf.Serializer], name: str) -> type[forms.Form]:
    """The page's form from the serializer's fields (same labels, limits and requiredness)."""
    fields: dict[str, forms.Field] = {}
    for key, f in serializer().fields.items():
        common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help_text or ""}
        if isinstance(f, drf.DateField):
            fields[key] = DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
        elif isinstance(f, drf.DecimalField):
            fields[key] = forms.DecimalField(
                **common,
                max_digits=f.max_digits,
                decimal_places=f.decimal_places,
                widget=forms.NumberInput(attrs={"step": "0.5"}),
            )
        else:
            fields[key] = forms.CharField(**common, max_length=getattr(f, "max_length", None))
    return type(name, (forms.Form,), fields)


def _on_community(permission: str, target) -> Callable[[Any], bool]:
    return lambda user: scope_for(user, permission).covers(target.area_path)


def _registration_pending(user, registration: Registration) -> bool:
    return registration.status == RegistrationStatus.PENDING and _on_community(REGISTRATION_CONFIRM, registration)(user)


def _service_in(status_value: str):
    return lambda user, service: service.status == status_value and _on_community(SERVICE_CONFIRM, service)(user)


def _table(*entries: Action) -> dict[str, Action]:
    return {entry.key: entry for entry in entries}


REGISTRATION_ACTIONS = _table(
    Action(
        "confirm",
        "确认报到",
        services.confirm_registration,
        _registration_pending,
        NoInput,
        lambda actor, r, data: services.confirm_registration(actor, r),
        lambda r, data: f"已确认{r.who}的报到。",
    ),
    Action(
        "reject",
        "退回",
        services.reject_registration,
        _registration_pending,
        DualReasonInput,
        lambda actor, r, data: services.reject_registration(actor, r, data["reason"]),
        lambda r, data: f"已退回{r.who}的报到。",
        style="btn-outline-danger",
    ),
)


def _registration_active(user, registration: Registration) -> bool:
    return registration.is_active and _on_community(REGISTRATION_CONFIRM, registration)(user)


REGISTRATION_ACTIONS["end"] = Action(
    "end",
    "结束报到",
    services.end_registration,
    _registration_active,
    EndInput,
    lambda actor, r, data: services.end_registration(actor, r, data["reason"]),
    lambda r, data: f"已结束{r.who}的报到。",
    style="btn-outline-secondary",
)

SERVICE_ACTIONS = _table(
    Action(
        "confirm",
        "确认服务",
        services.confirm_service,
        _service_in(ServiceStatus.PENDING),
        NoInput,
        lambda actor, s, data: services.confirm_service(actor, s),
        lambda s, data: f"已确认 {s.served_on:%Y-%m-%d} 的服务，记录已锁定。",
    ),
    Action(
        "reject",
        "不予认可",
        services.reject_service,
        _service_in(ServiceStatus.PENDING),
        DualReasonInput,
        lambda actor, s, data: services.reject_service(actor, s, data["reason"]),
        lambda s, data: "已不予认可该服务记录。",
        style="btn-outline-danger",
    ),
    Action(
        "correct",
        "更正",
        services.correct_service,
        _service_in(ServiceStatus.CONFIRMED),
        CorrectInput,
        lambda actor, s, data: services.correct_service(
            actor,
            s,
            reason=data["reason"],
            served_on=data.get("served_on"),
            hours=data.get("hours"),
            content=data.get("content") or None,
        ),
        lambda s, data: "已更正服务记录，更正已记录在案。",
        style="btn-outline-secondary",
    ),
)


def available(table: dict[str, Action], user, target) -> list[Action]:
    return [entry for entry in table.values() if entry.allowed(user, target)]


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
