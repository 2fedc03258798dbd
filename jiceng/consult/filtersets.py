import django_filters
from django import forms

from .models import Consultation, FollowUp, Kind


class ConsultationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=Kind.choices, empty_label="全部类型")
    follow_up_status = django_filters.ChoiceFilter(label="落实情况", choices=FollowUp.choices, empty_label="全部状态")
    held_from = django_filters.DateFilter(
        label="日期从",
        field_name="held_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"placeholder": "起：年-月-日", "aria-label": "起始日期"}),
    )
    held_to = django_filters.DateFilter(
        label="日期至",
        field_name="held_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"placeholder": "止：年-月-日", "aria-label": "截止日期"}),
    )
    area = django_filters.CharFilter(label="区划编码", method="in_area", max_length=21)

    class Meta:
        model = Consultation
        fields = ["kind", "follow_up_status", "held_from", "held_to", "area"]

    def in_area(self, queryset, name, value):
        return queryset.filter(area_path__startswith=value)
