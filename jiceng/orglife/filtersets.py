"""One filter set for the meeting list page and the API: org subtree (a range on the org path),
type, status and a date range. Pages are cut by keyset on ``(-planned_start, -id)``."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from jiceng.core.filters import IdFilter
from jiceng.core.inputs import DateField
from jiceng.core.paths import is_digits, subtree_q

from .models import (
    Attendance,
    Exemption,
    ExemptionKind,
    ExemptionStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingType,
)

KEYS = ("-planned_start", "-id")
DATE = forms.DateInput(attrs={"type": "date"})


class RangeDateFilter(django_filters.DateFilter):
    field_class = DateField


class MeetingFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(label="党组织编码", method="filter_org", max_length=48)
    type = django_filters.ChoiceFilter(
        label="会议类型", choices=MeetingType.choices, method="filter_type", empty_label="全部类型"
    )
    status = django_filters.ChoiceFilter(label="状态", choices=MeetingStatus.choices, empty_label="全部状态")
    start = RangeDateFilter(label="开始日期", field_name="planned_start", lookup_expr="date__gte", widget=DATE)
    end = RangeDateFilter(label="结束日期", field_name="planned_start", lookup_expr="date__lte", widget=DATE)
    q = django_filters.CharFilter(label="主题", field_name="topic", lookup_expr="contains", max_length=60)

    class Meta:
        model = Meeting
        fields = ["org", "type", "status", "start", "end", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def filter_org(self, queryset, name, value):
        if not value:
            return queryset
        if not is_digits(value):
            return queryset.none()
        return queryset.filter(subtree_q(value, "org_path"))

    def filter_type(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(MeetingKind.objects.filter(meeting=OuterRef("pk"), type=value)))


class AttendanceFilterSet(django_filters.FilterSet):
    meeting = IdFilter(label="会议", field_name="meeting_id")

    class Meta:
        model = Attendance
        fields = ["meeting"]


class ExemptionFilterSet(django_filters.FilterSet):
    """免于考核 requests (the API's list): org subtree, status, kind, period."""

    org = django_filters.CharFilter(label="党组织编码", method="filter_org", max_length=48)
    status = django_filters.ChoiceFilter(label="状态", choices=ExemptionStatus.choices)
    kind = django_filters.ChoiceFilter(label="申请类别", choices=ExemptionKind.choices)
    period = django_filters.CharFilter(label="考核期", field_name="period", max_length=8)

    class Meta:
        model = Exemption
        fields = ["org", "status", "kind", "period"]

    def filter_org(self, queryset, name, value):
        if not value:
            return queryset
        if not is_digits(value):
            return queryset.none()
        return queryset.filter(subtree_q(value, "org_path"))
