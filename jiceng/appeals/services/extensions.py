"""延期: the handler asks for more working days, the dispatcher decides."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.appeals.deadlines import extend_due
from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.models import (
    WITH_HANDLER,
    Appeal,
    EventKind,
    Extension,
    ExtensionStatus,
)
from jiceng.appeals.permissions import APPEAL_DISPATCH
from jiceng.appeals.rules import (
    EXTENSION_MAX_WORKDAYS,
)
from jiceng.appeals.services import notifications
from jiceng.appeals.services.access import (
    Actor,
    _require,
    _require_user,
    is_handler,
    may,
)
from jiceng.appeals.services.common import (
    _assignee_name,
    _audit,
    _event,
    _flag_overdue,
    _lock,
    _now,
    _reminder,
    _require_status,
    _save,
    _sync,
    _text,
)
from jiceng.core.rules import get_rule

# --------------------------------------------------------------------------- 延期


@transaction.atomic
def request_extension(
    actor: Actor, appeal: Appeal, *, workdays: int, reason: str, now: datetime | None = None
) -> Extension:
    """申请延期: only before the answer deadline; the dispatcher approves or rejects."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, WITH_HANDLER, "申请延期")
    _require(is_handler(actor, fresh), "您不是该诉求的承办人，不能申请延期。")
    reason = _text(reason, "延期理由")
    limit = get_rule(EXTENSION_MAX_WORKDAYS)
    try:
        workdays = int(workdays)
    except (TypeError, ValueError):
        raise AppealError("延长天数应为整数。", code="workdays") from None
    if not 1 <= workdays <= limit:
        raise AppealError(f"每次最多申请延长{limit}个工作日。", code="workdays")
    if fresh.answer_due is not None and now >= fresh.answer_due:
        raise TransitionError("已超过答复时限，不能再申请延期（须在时限届满前申请）。", code="transition")
    if fresh.extension_pending:
        raise TransitionError("已有一件待审批的延期申请。", code="transition")
    _save(fresh, fresh.status, now, extension_pending=True)
    extension = Extension.objects.create(
        appeal=fresh, workdays=workdays, reason=reason, requested_by=actor, requested_at=now, old_due=fresh.answer_due
    )
    _event(
        fresh,
        EventKind.EXTEND_REQUEST,
        actor,
        now,
        note=f"申请延长{workdays}个工作日。理由：{reason}",
        public=False,
        data={"extension": extension.pk, "workdays": workdays},
    )
    _audit(actor, "request_extension", fresh, None, {"workdays": workdays})
    notifications.notify(
        notifications.dispatcher_ids(fresh.area_path),
        key=f"appeal:{fresh.pk}:extension:{extension.pk}",
        kind="extension_requested",
        title=f"延期申请待审批：{fresh.title}",
        body=f"{_assignee_name(fresh)}申请延长{workdays}个工作日。理由：{reason}",
        appeal=fresh,
    )
    _sync(appeal, fresh)
    return extension


@transaction.atomic
def decide_extension(
    actor: Actor, extension: Extension, *, approve: bool, note: str = "", now: datetime | None = None
) -> Extension:
    """审批延期 by the dispatcher: approved → a new answer deadline counted in working days."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(extension.appeal)
    _require(may(actor, APPEAL_DISPATCH, fresh), "您没有审批该诉求延期的权限。")
    note = _text(note, "审批意见", required=not approve)
    changes = {"status": ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED}
    changes.update(decided_by=actor, decided_at=now, decision_note=note)
    if approve:
        due = extend_due(fresh.answer_due or now, extension.workdays)
        changes.update(new_due=due.at, new_due_fallback=due.fallback)
    if not Extension.objects.filter(pk=extension.pk, status=ExtensionStatus.PENDING).update(**changes):
        raise TransitionError("该延期申请已审批过。", code="transition")
    for name, value in changes.items():
        setattr(extension, name, value)
    if approve:
        _save(
            fresh,
            fresh.status,
            now,
            answer_due=due.at,
            deadline_fallback=fresh.deadline_fallback or due.fallback,
            answer_remind_at=_reminder(now, due.at),
            answer_reminded=False,
            extension_pending=False,
            extension_count=fresh.extension_count + 1,
        )
        text = f"批准延期{extension.workdays}个工作日，答复时限延至{timezone.localtime(due.at):%Y-%m-%d %H:%M}"
        if due.fallback:
            text += "（含日历未公布的日期，按周一至周五推算）"
        _event(
            fresh,
            EventKind.EXTEND_APPROVE,
            actor,
            now,
            note=f"{text}。{note}".strip(),
            data={"extension": extension.pk, "fallback": due.fallback},
        )
    else:
        _save(fresh, fresh.status, now, extension_pending=False)
        _event(fresh, EventKind.EXTEND_REJECT, actor, now, note=f"驳回延期申请：{note}", public=False)
        _flag_overdue(fresh, None, now)
    _audit(actor, "decide_extension", fresh, None, {"extension": extension.pk, "approved": approve})
    notifications.notify(
        [extension.requested_by_id],
        key=f"appeal:{fresh.pk}:extension:{extension.pk}:decided",
        kind="extension_decided",
        title=f"延期申请{'已批准' if approve else '被驳回'}：{fresh.title}",
        body=note,
        appeal=fresh,
    )
    return extension
