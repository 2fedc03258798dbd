"""One FilterSet for the award list page and the API."""

import django_filters

from jiceng.core.filters import IdFilter

from .models import Award
from .rules import KIND_CHOICES


class AwardFilterSet(django_filters.FilterSet):
    source_kind = django_filters.ChoiceFilter(label="积分来源", choices=KIND_CHOICES, empty_label="全部来源")
    year = django_filters.NumberFilter(label="年度", field_name="year", min_value=2000, max_value=2100)
    member = IdFilter(label="党员", field_name="member_id")

    class Meta:
        model = Award
        fields = ["source_kind", "year", "member"]
