"""The 免于考核 workflow's action table (待审批 → 已批准 / 未批准; 撤销), in the pattern of
:mod:`jiceng.core.actions`: the exemption page's buttons and the API's
``POST /api/v1/orglife-exemptions/{id}/<action>/`` routes come from :data:`EXEMPTION_ACTIONS`,
each calling the one service verb (``services.decide_exemption``, ``services.revoke_exemption``).

A refusal of the service (``PermissionDenied`` for who may act, ``OrglifeError`` for the state or
the input) becomes :class:`ExemptionRefused`, which :func:`refusal` turns into the API's envelope:
403 who may act, 409 the state (decided already, revoked), 400 the input with its fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework import serializers as drf
from rest_framework import status
from rest_framework.response import Response

from jiceng.core.actions import UserAction, available, table
from jiceng.core.scope import holds

from . import services
from .models import Exemption, ExemptionStatus
from .permissions import EXEMPTION_DECIDE, MEETING_CHANGE


class ExemptionNoteInput(drf.Serializer):
    note = drf.CharField(label="审批意见", max_length=200, required=False, allow_blank=True)


class ExemptionRejectInput(drf.Serializer):
    note = drf.CharField(label="审批意见", max_length=200, help_text="不批准须写明理由")


class ExemptionRevokeInput(drf.Serializer):
    reason = drf.CharField(label="撤销原因", max_length=200)


class ExemptionRefused(Exception):
    def __init__(self, status_code: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status_code, self.code, self.message, self.fields = status_code, code, message, fields


def _guard(verb: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args, **kwargs):
        try:
            return verb(*args, **kwargs)
        except PermissionDenied as exc:
            raise ExemptionRefused(status.HTTP_403_FORBIDDEN, "permission_denied", str(exc)) from exc
        except services.OrglifeError as exc:
            if hasattr(exc, "error_dict"):
                raise ExemptionRefused(400, "invalid", "；".join(exc.messages), exc.message_dict) from exc
            raise ExemptionRefused(status.HTTP_409_CONFLICT, "status", "；".join(exc.messages)) from exc

    return run


def refusal(exc: ExemptionRefused) -> Response:
    body: dict[str, Any] = {"status": exc.status_code, "code": exc.code, "message": exc.message}
    if exc.fields:
        body["fields"] = exc.fields
    return Response({"error": body}, status=exc.status_code)


def _decider(user, row: Exemption) -> bool:
    parent = row.org.parent
    return (
        parent is not None
        and row.requested_by_id != user.pk
        and holds(user, EXEMPTION_DECIDE, areas=[parent.area_path], orgs=[parent.code])
    )


def _can_decide(user, row: Exemption) -> bool:
    return row.status == ExemptionStatus.PENDING and _decider(user, row)


def _can_revoke(user, row: Exemption) -> bool:
    if row.status == ExemptionStatus.APPROVED:
        return _decider(user, row)
    if row.status == ExemptionStatus.PENDING:
        return _decider(user, row) or holds(user, MEETING_CHANGE, areas=[row.area_path], orgs=[row.org_path])
    return False


EXEMPTION_ACTIONS: dict[str, UserAction] = table(
    UserAction(
        key="approve",
        label="批准",
        allowed=_can_decide,
        inputs=ExemptionNoteInput,
        run=_guard(
            lambda user, row, data: services.decide_exemption(user, row, approve=True, note=data.get("note", ""))
        ),
        done=lambda row, data: f"已批准“{row.org.name}”的免于考核申请。",
        style="btn-success",
    ),
    UserAction(
        key="reject",
        label="不批准",
        allowed=_can_decide,
        inputs=ExemptionRejectInput,
        run=_guard(lambda user, row, data: services.decide_exemption(user, row, approve=False, note=data["note"])),
        done=lambda row, data: f"已不批准“{row.org.name}”的免于考核申请。",
        style="btn-outline-danger",
    ),
    UserAction(
        key="revoke",
        label="撤销",
        allowed=_can_revoke,
        inputs=ExemptionRevokeInput,
        run=_guard(lambda user, row, data: services.revoke_exemption(user, row, reason=data["reason"])),
        done=lambda row, data: f"已撤销“{row.org.name}”的免于考核。",
        style="btn-outline-secondary",
    ),
)

__all__ = ["EXEMPTION_ACTIONS", "ExemptionRefused", "available", "refusal"]
