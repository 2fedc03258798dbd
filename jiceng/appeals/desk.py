"""The 派单台's reading aids: the next deadline of a request and its light, where it is (小区 and
楼栋), the choices of the filter form and of 批量派单, and 批量派单 itself.

Each helper costs a fixed number of queries per page, whatever the number of rows: the names of
the compounds and communities of a whole page come from one query on the rows' path prefixes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from jiceng.appeals import services
from jiceng.appeals.models import (
    OPEN_STATUSES,
    QUEUE_OPEN,
    QUEUE_SUPERVISED,
    QUEUE_TODO,
    WITH_HANDLER,
    Appeal,
    Category,
    Extension,
    ExtensionStatus,
    Status,
)
from jiceng.appeals.permissions import APPEAL_DISPATCH
from jiceng.areas.models import NATIONAL_CODE_LENGTH, Area, Level
from jiceng.core.paths import subtrees_q
from jiceng.core.scope import scope_for
from jiceng.core.todos import SOON_TIME, light
from jiceng.orgs.models import Department

CHOICES_LIMIT = 300
BULK_LIMIT = 50
COMMUNITY_LENGTH = NATIONAL_CODE_LENGTH[Level.COMMUNITY]
COMPOUND_LENGTH = 18  # community (12) + grid (3) + compound (3)

# The deadline of the step a request is at (派单, 签收, 办理); the answer deadline runs beside it.
STEP_DUE = {
    Status.ACCEPTED: "dispatch_due",
    Status.RETURNED: "dispatch_due",
    Status.DISPATCHED: "response_due",
    Status.SIGNED: "answer_due",
    Status.HANDLING: "answer_due",
}
DUE_FIELDS = ("status", "dispatch_due", "response_due", "answer_due")

# The 时限状态 filter and the 催办 tab.
OVERDUE, SOON, IN_TIME = "overdue", "soon", "in_time"
DEADLINE_CHOICES = [(OVERDUE, "已超期"), (SOON, "24小时内到期"), (IN_TIME, "未超期")]


def next_due(appeal: Appeal) -> datetime | None:
    """The earliest deadline still running for the request: its step's, or the answer's."""
    if appeal.status not in OPEN_STATUSES:
        return None
    dues = [getattr(appeal, STEP_DUE[appeal.status]), appeal.answer_due]
    return min((d for d in dues if d is not None), default=None)


def due_before_q(moment: datetime) -> Q:
    """Requests whose next deadline (:func:`next_due`) falls before ``moment``."""
    q = Q(pk__in=[])
    for field in sorted(set(STEP_DUE.values())):
        statuses = sorted(status for status, name in STEP_DUE.items() if name == field)
        q |= Q(status__in=statuses) & (Q(**{f"{field}__lt": moment}) | Q(answer_due__lt=moment))
    return q


QUEUE_TABS = [("todo", "待处理"), ("urge", "催办"), ("supervised", "督办"), ("open", "办理中"), ("all", "全部")]


def queue_tab(queryset, tab: str, now: datetime):
    """The 派单台 tab's rows: 待处理, 催办 (overdue or due within a day), 督办 (supervised, still
    open), 办理中, or everything (``all`` or anything else). The page and its export use it."""
    if tab == "todo":
        return queryset.filter(QUEUE_TODO)
    if tab == "urge":
        return queryset.filter(urge_q(now))
    if tab == "supervised":
        return queryset.filter(QUEUE_SUPERVISED)
    if tab == "open":
        return queryset.filter(QUEUE_OPEN)
    return queryset


def deadline_q(state: str, now: datetime) -> Q:
    """已超期, 24小时内到期 or 未超期 (running, with a deadline more than a day away or none)."""
    if state == OVERDUE:
        return due_before_q(now)
    if state == SOON:
        return due_before_q(now + SOON_TIME) & ~due_before_q(now)
    return Q(status__in=sorted(STEP_DUE)) & ~due_before_q(now + SOON_TIME)


def urge_q(now: datetime) -> Q:
    """催办: with a handler (派单 done: 签收 or 办理 pending), overdue or due within a day."""
    return Q(status__in=sorted(WITH_HANDLER)) & due_before_q(now + SOON_TIME)


# --------------------------------------------------------------------------- the rows


def _place_names(paths) -> dict[str, str]:
    """Names of the communities and compounds above these paths, in one query."""
    codes = set()
    for path in paths:
        codes.update(path[:n] for n in (COMMUNITY_LENGTH, COMPOUND_LENGTH) if len(path) > n)
    if not codes:
        return {}
    rows = Area.objects.filter(code__in=sorted(codes), level__in=[Level.COMMUNITY, Level.COMPOUND])
    return dict(rows.values_list("code", "name"))


def annotate_rows(rows, now: datetime) -> None:
    """Set ``due``, ``light``, ``due_text``, ``place`` (小区 楼栋) and ``community`` on each row."""
    names = _place_names(row.area_path for row in rows)
    for row in rows:
        row.due = next_due(row)
        row.light, row.due_text = light(row.due, now)
        compound = names.get(row.area_path[:COMPOUND_LENGTH], "") if len(row.area_path) > COMPOUND_LENGTH else ""
        row.place = f"{compound} {row.area.name}" if compound else row.area.name
        community = row.area_path[:COMMUNITY_LENGTH] if len(row.area_path) > COMMUNITY_LENGTH else ""
        row.community = names.get(community, "")


# --------------------------------------------------------------------------- choices


def _scope_areas(user, levels):
    scope = scope_for(user, APPEAL_DISPATCH)
    queryset = Area.objects.filter(level__in=levels)
    if not scope.everywhere:
        queryset = queryset.filter(subtrees_q(scope.areas, "code"))
    return list(queryset.order_by("code").only("id", "code", "name", "level")[:CHOICES_LIMIT])


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, str(c)) for c in Category.objects.active().only("code", "name", "full_name").order_by("code")]


def target_choices(user) -> list[tuple[str, str]]:
    """批量派单's targets: grids, communities and streets in the user's scope, and departments
    serving it (each request's own location is checked again by the service)."""
    areas = _scope_areas(user, [Level.STREET, Level.COMMUNITY, Level.GRID])
    choices = [(f"a:{a.pk}", f"{a.get_level_display()}：{a.name}") for a in areas]
    scope = scope_for(user, APPEAL_DISPATCH)
    departments = Department.objects.all()
    if not scope.everywhere:
        q = Q(pk__in=[])
        for code in scope.areas:
            q |= Q(pk__in=services.departments_serving(code).values("pk"))
        departments = departments.filter(q)
    choices += [(f"d:{d.pk}", f"职能部门：{d.name}") for d in departments.order_by("name")[:CHOICES_LIMIT]]
    return choices


# --------------------------------------------------------------------------- 批量派单


@dataclass
class BulkResult:
    appeal_id: int
    number: str
    ok: bool
    message: str


def _target(value: str) -> tuple[Area | None, Department | None]:
    kind, _, ident = (value or "").partition(":")
    if kind == "a" and ident.isdigit():
        area = Area.objects.filter(pk=ident).first()
        if area is not None:
            return area, None
    if kind == "d" and ident.isdigit():
        department = Department.objects.filter(pk=ident).first()
        if department is not None:
            return None, department
    raise ValidationError("请选择承办单位。")


def bulk_dispatch(user, ids, target: str, note: str = "") -> list[BulkResult]:
    """派单 of each chosen request through :func:`services.dispatch_appeal`, one at a time: a row
    that fails (refused, already dispatched) leaves the others done, and says why."""
    area, department = _target(target)
    wanted = [int(i) for i in ids if str(i).isdigit()][:BULK_LIMIT]
    if not wanted:
        raise ValidationError("请勾选要派单的诉求。")
    found = {a.pk: a for a in Appeal.objects.visible_to(user, "dispatch").filter(pk__in=wanted)}
    results = []
    for pk in wanted:
        appeal = found.get(pk)
        if appeal is None:
            results.append(BulkResult(pk, str(pk), False, "未找到该诉求，或您无权派单。"))
            continue
        try:
            services.dispatch_appeal(user, appeal, area=area, department=department, note=note)
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(BulkResult(pk, appeal.number or str(pk), False, text))
        else:
            results.append(BulkResult(pk, appeal.number or str(pk), True, f"已派至{appeal.assignee_name}。"))
    return results


# --------------------------------------------------------------------------- 批量批准延期


def bulk_approve_extensions(user, ids) -> list[BulkResult]:
    """批准延期 of each ticked request's pending extension through
    :func:`services.decide_extension` (the single 审批延期 verb: the dispatcher's permission, the
    row lock, the new deadline in working days, the audit), one at a time. Refusing needs a reason
    per request, so only approving is done in bulk. A second submit approves nothing twice: the
    extensions are no longer pending."""
    from django.utils import timezone

    wanted = list(dict.fromkeys(int(i) for i in ids if str(i).isdigit() and len(str(i)) < 12))[:BULK_LIMIT]
    if not wanted:
        raise ValidationError("请勾选要批准延期的诉求。")
    found = {a.pk: a for a in Appeal.objects.visible_to(user, "dispatch").filter(pk__in=wanted)}
    pending = {
        e.appeal_id: e for e in Extension.objects.filter(appeal_id__in=list(found), status=ExtensionStatus.PENDING)
    }
    results = []
    for pk in wanted:
        appeal = found.get(pk)
        if appeal is None:
            results.append(BulkResult(pk, str(pk), False, "未找到该诉求，或您无权审批。"))
            continue
        number = appeal.number or str(pk)
        extension = pending.get(pk)
        if extension is None:
            results.append(BulkResult(pk, number, False, "该诉求没有待审批的延期申请。"))
            continue
        extension.appeal = appeal
        try:
            extension = services.decide_extension(user, extension, approve=True)
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(BulkResult(pk, number, False, text))
        else:
            due = timezone.localtime(extension.new_due)
            results.append(BulkResult(pk, number, True, f"已批准延期，答复时限延至{due:%Y-%m-%d %H:%M}。"))
    return results
