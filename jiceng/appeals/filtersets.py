"""One filter set for the appeal list: the API, the pages and the Excel export use the same one."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from jiceng.appeals.desk import DEADLINE_CHOICES, QUEUE_TABS, deadline_q, queue_tab
from jiceng.appeals.models import (
    WITH_HANDLER,
    Appeal,
    Channel,
    Kind,
    Status,
    SummonsStatus,
    Urgency,
    WhistleCase,
    WhistleStatus,
    WhistleSummons,
)
from jiceng.appeals.permissions import APPEAL_HANDLE
from jiceng.core.filters import DateFilter, IdFilter, IdsFilter, OptionalMultipleChoiceFilter
from jiceng.core.paths import is_digits, subtree_q, subtrees_q
from jiceng.core.scope import scope_for
from jiceng.core.sorting import Sort, Sorts

# The sortable columns of the request lists (派单台, the API's ``ordering=``), each served by an
# index both ways at 5 M rows (ADR 0016): the primary key (受理时间: ids grow with time),
# (area_path, id) and (answer_due, id).
APPEAL_SORTS = Sorts(
    (
        Sort("created", "受理时间", ("id",), first_descending=True),
        Sort("area", "位置", ("area_path", "id")),
        Sort("answer_due", "答复时限", ("answer_due", "id")),
    )
)


# The whistle list's sorts: a bounded list (a street blows a few whistles a week; a user sees
# those of their own subtree), so sorting on a column without its own index sorts few rows.
WHISTLE_SORTS = Sorts(
    (
        Sort("title", "事项", ("title", "id")),
        Sort("blown", "吹哨时间", ("blown_at", "id"), first_descending=True),
        Sort("due", "报到时限", ("report_due", "id")),
    )
)


class AppealFilterSet(django_filters.FilterSet):
    status = OptionalMultipleChoiceFilter(label="状态", choices=Status.choices)
    channel = OptionalMultipleChoiceFilter(label="渠道", choices=Channel.choices)
    kind = django_filters.MultipleChoiceFilter(label="类型", choices=Kind.choices)
    urgency = django_filters.MultipleChoiceFilter(label="紧急程度", choices=Urgency.choices)
    category = django_filters.CharFilter(label="问题分类编码（含下级）", method="filter_category")
    area = django_filters.CharFilter(label="区划编码（含下级）", method="filter_area")
    assigned_area = django_filters.CharFilter(label="承办单位（区划编码）", field_name="assigned_area__code")
    department = IdFilter(label="承办部门", field_name="assigned_department_id")
    supervised = django_filters.BooleanFilter(label="挂牌督办")
    overdue = django_filters.BooleanFilter(label="办理超期", field_name="answer_overdue")
    reopened = django_filters.BooleanFilter(label="重办过", method="filter_reopened")
    created_after = DateFilter(label="受理日期起", field_name="created_at", lookup_expr="date__gte")
    created_before = DateFilter(label="受理日期止", field_name="created_at", lookup_expr="date__lte")
    deadline = django_filters.ChoiceFilter(label="时限状态", choices=DEADLINE_CHOICES, method="filter_deadline")
    number = django_filters.CharFilter(label="工单编号")
    q = django_filters.CharFilter(label="工单编号或标题", method="filter_q")
    mine = django_filters.BooleanFilter(label="我提交的", method="filter_mine")
    todo = django_filters.BooleanFilter(label="待我办理", method="filter_todo")
    tab = django_filters.ChoiceFilter(label="派单台分类", choices=QUEUE_TABS, method="filter_tab")
    ids = IdsFilter()  # 批量导出: only the ticked rows

    class Meta:
        model = Appeal
        fields = []

    def filter_category(self, queryset, name, value):
        if not is_digits(value):
            return queryset.none()
        return queryset.filter(subtree_q(value, "category__code"))

    def filter_area(self, queryset, name, value):
        if not is_digits(value):
            return queryset.none()
        return queryset.filter(subtree_q(value, "area_path"))

    def filter_deadline(self, queryset, name, value):
        return queryset.filter(deadline_q(value, timezone.now())) if value else queryset

    def filter_tab(self, queryset, name, value):
        return queue_tab(queryset, value, timezone.now()) if value else queryset

    def filter_reopened(self, queryset, name, value):
        return queryset.filter(reopen_count__gt=0) if value else queryset.filter(reopen_count=0)

    def filter_q(self, queryset, name, value):
        value = value.strip()[:50]
        if not value:
            return queryset
        if is_digits(value) and len(value) >= 8:
            return queryset.filter(number__startswith=value)
        return queryset.filter(Q(title__contains=value) | Q(number=value))

    def _user(self):
        return getattr(self.request, "user", None)

    def filter_mine(self, queryset, name, value):
        user = self._user()
        if value and user is not None and user.is_authenticated:
            return queryset.filter(reporter_id=user.pk)
        return queryset

    def filter_todo(self, queryset, name, value):
        """Appeals waiting for a unit the user handles (网格员工作台, 部门工作台)."""
        user = self._user()
        if not value or user is None:
            return queryset
        scope = scope_for(user, APPEAL_HANDLE)
        held = queryset.filter(status__in=WITH_HANDLER)
        if scope.everywhere:
            return held
        q = Q(pk__in=[])
        if scope.areas:
            q |= subtrees_q(scope.areas, "assigned_area__code")
        if scope.departments:
            q |= Q(assigned_department_id__in=scope.departments)
        return held.filter(q)


class SummonsFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label="状态", choices=SummonsStatus.choices)
    department = IdFilter(label="部门", field_name="department_id")
    whistle = IdFilter(label="吹哨", field_name="whistle_id")
    case = django_filters.ChoiceFilter(label="吹哨情形", choices=WhistleCase.choices, field_name="whistle__case")
    whistle_status = django_filters.ChoiceFilter(
        label="吹哨状态", choices=WhistleStatus.choices, field_name="whistle__status"
    )
    overdue = django_filters.BooleanFilter(label="超时上报", method="filter_overdue")

    class Meta:
        model = WhistleSummons
        fields = []

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(escalated_at__isnull=not value)
