"""One filter set for the round list page and the API: org subtree, year and status. Pages are
cut by keyset on ``(-year, org_path, -id)``."""

import django_filters
from django import forms

from jiceng.core.paths import is_digits, subtree_q

from .models import Round, RoundStatus

KEYS = ("-year", "org_path", "-id")


class RoundFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(label="党组织编码", method="filter_org", max_length=48)
    year = django_filters.NumberFilter(label="年度", field_name="year", min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(label="状态", choices=RoundStatus.choices, empty_label="全部状态")

    class Meta:
        model = Round
        fields = ["org", "year", "status"]

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
