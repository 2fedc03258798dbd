import django_filters
from django.db.models import Q

from jiceng.areas.models import Area, Level
from jiceng.core.paths import is_digits, subtree_q


def search_areas(queryset, q: str = "", level: str = ""):
    """Name contains ``q``, or code starts with ``q`` (as a range, so the index is used)."""
    q = (q or "").strip()
    if level:
        queryset = queryset.filter(level=level)
    if q:
        condition = Q(name__contains=q)
        if is_digits(q):
            condition |= subtree_q(q)
        queryset = queryset.filter(condition)
    return queryset.order_by("code")


class AreaFilterSet(django_filters.FilterSet):
    """One filter set for the API (and any list page): parent, level, code prefix, q."""

    parent = django_filters.CharFilter(label="上级编码", method="filter_parent")
    level = django_filters.ChoiceFilter(label="层级", choices=Level.choices)
    code = django_filters.CharFilter(label="编码前缀", method="filter_code")
    q = django_filters.CharFilter(label="名称或编码", method="filter_q")

    class Meta:
        model = Area
        fields = ["parent", "level", "code", "q"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__code=value)

    def filter_code(self, queryset, name, value):
        if not is_digits(value):
            return queryset.none()
        return queryset.filter(subtree_q(value))

    def filter_q(self, queryset, name, value):
        return search_areas(queryset, value)
