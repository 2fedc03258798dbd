"""派单: whom to dispatch to (the suggestion), which units may take it, and the dispatch itself."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.appeals.deadlines import compute_due
from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.models import (
    Appeal,
    EventKind,
    ResponsibleLevel,
    Status,
)
from jiceng.appeals.permissions import APPEAL_DISPATCH
from jiceng.appeals.rules import (
    deadline_limits,
)
from jiceng.appeals.services import notifications
from jiceng.appeals.services.access import (
    Actor,
    _require,
    _require_user,
    may,
)
from jiceng.appeals.services.common import (
    _audit,
    _event,
    _flag_response_overdue,
    _lock,
    _now,
    _require_status,
    _save,
    _sync,
    _text,
)
from jiceng.areas.models import Area, Level, ancestor_codes
from jiceng.core.paths import is_in_subtree
from jiceng.orgs.models import Department

# --------------------------------------------------------------------------- 派单


@dataclass(frozen=True)
class Suggestion:
    """Whom to dispatch to: an area unit or a department, and why (shown to the dispatcher)."""

    area: Area | None
    department: object | None
    reason: str

    @property
    def target_name(self) -> str:
        target = self.department or self.area
        return target.name if target is not None else ""


LEVEL_LENGTH = {
    ResponsibleLevel.GRID: 15,
    ResponsibleLevel.COMMUNITY: 12,
    ResponsibleLevel.STREET: 9,
    ResponsibleLevel.DISTRICT: 6,
}
DISPATCH_LEVELS = {Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT}


def departments_serving(area_path: str) -> QuerySet[Department]:
    """Departments responsible for a location: anchored on it or above, or serving an area covering it."""
    from jiceng.orgs.models import Department

    prefixes = [*ancestor_codes(area_path), area_path]
    return Department.objects.filter(Q(area_path__in=prefixes) | Q(areas_served__code__in=prefixes)).distinct()


def suggest_dispatch(appeal: Appeal) -> Suggestion:
    """The unit the category and the location point to; the district when no unit fits (首接负责)."""
    category = appeal.category
    path = appeal.area_path
    level = category.responsible_level
    if level == ResponsibleLevel.DEPARTMENT:
        departments = departments_serving(path)
        if category.department_keyword:
            departments = departments.filter(name__contains=category.department_keyword)
        # The most local department first (a street office before a district bureau).
        candidates = sorted(departments, key=lambda d: (-len(d.area_path), d.name, d.pk))
        if candidates:
            return Suggestion(None, candidates[0], f"“{category.name}”由职能部门办理：{candidates[0].name}。")
        fallback_reason = f"未找到负责该地点的“{category.department_keyword or category.name}”部门"
    else:
        length = LEVEL_LENGTH[level]
        code = path[:length] if len(path) >= length else path
        area = Area.objects.filter(code=code, level__in=DISPATCH_LEVELS).first()
        label = ResponsibleLevel(level).label
        if area is not None and area.level == level:
            return Suggestion(area, None, f"“{category.name}”由{label}办理：{area.name}。")
        if area is not None and area.level != Level.DISTRICT:
            return Suggestion(area, None, f"“{category.name}”应由{label}办理，诉求只定位到{area.name}。")
        fallback_reason = f"诉求只定位到{appeal.area.name}，无法确定{label}"
    district = Area.objects.filter(code=path[:6], level=Level.DISTRICT).first() if len(path) >= 6 else None
    if district is not None:
        return Suggestion(district, None, f"{fallback_reason}，按首接负责派至{district.name}。")
    return Suggestion(None, None, f"{fallback_reason}，请人工指定承办单位。")


def check_target(appeal: Appeal, area: Area | None = None, department: Department | None = None) -> str:
    """The target's name if ``appeal`` may be dispatched to it; else :class:`AppealError`."""
    if (area is None) == (department is None):
        raise AppealError("请选择一个承办单位：网格、社区、街道、区或职能部门。", code="target")
    if area is not None:
        if area.level not in DISPATCH_LEVELS:
            raise AppealError("承办单位须为网格、社区、街道或区。", code="target")
        if not is_in_subtree(appeal.area_path, area.code):
            raise AppealError(f"“{area.name}”不管辖诉求所在地，不能派给它。", code="target")
        return area.name
    if not departments_serving(appeal.area_path).filter(pk=department.pk).exists():
        raise AppealError(f"“{department.name}”不负责诉求所在地，不能派给该部门。", code="target")
    return department.name


@transaction.atomic
def dispatch_appeal(
    actor: Actor,
    appeal: Appeal,
    *,
    area: Area | None = None,
    department: Department | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Appeal:
    """派单 (also 改派 before sign-for, and re-dispatch after 退单) to a unit or a department."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require(may(actor, APPEAL_DISPATCH, fresh), "您没有该诉求的派单权限。")
    _require_status(fresh, {Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED}, "派单")
    target_name = check_target(fresh, area, department)
    if fresh.status == Status.DISPATCHED and (fresh.assigned_area_id, fresh.assigned_department_id) == (
        getattr(area, "pk", None),
        getattr(department, "pk", None),
    ):
        raise TransitionError(f"该诉求已派给“{target_name}”。", code="transition")
    note = _text(note, "派单说明", required=False)
    before = fresh.status
    _flag_response_overdue(fresh, now)  # a 改派 after the unit let the sign-for deadline pass
    limits = deadline_limits(fresh.urgency, fresh.category)
    response_due = compute_due(now, limits["response"])
    first = fresh.dispatched_at is None
    _save(
        fresh,
        before,
        now,
        status=Status.DISPATCHED,
        assigned_area=area,
        assigned_department=department,
        dispatched_at=now,
        signed_at=None,
        response_due=response_due.at,
        response_overdue=False,
        dispatch_overdue=fresh.dispatch_overdue
        or (first and fresh.dispatch_due is not None and now > fresh.dispatch_due),
    )
    verb = "改派" if before == Status.DISPATCHED else ("重新派单" if before == Status.RETURNED else "派单")
    _event(
        fresh,
        EventKind.DISPATCH,
        actor,
        now,
        note=f"{verb}至{target_name}。{note}".strip(),
        from_status=before,
        to_status=Status.DISPATCHED,
        target_name=target_name,
        data={"area": getattr(area, "code", None), "department": getattr(department, "pk", None), "verb": verb},
    )
    _audit(actor, "dispatch_appeal", fresh, {"status": before}, {"status": Status.DISPATCHED, "to": target_name})
    notifications.notify(
        notifications.handler_ids(fresh),
        key=f"appeal:{fresh.pk}:dispatch:{now.isoformat()}",
        kind="appeal_dispatched",
        title=f"新派单待签收：{fresh.title}",
        body=f"工单编号 {fresh.number}，请在{timezone.localtime(response_due.at):%m-%d %H:%M}前签收。{note}",
        appeal=fresh,
    )
    return _sync(appeal, fresh)
