import django_filters
from django.db.models import Q

from jiceng.core.filters import IdsFilter
from jiceng.core.paths import is_digits, subtree_q
from jiceng.core.sorting import Sort, Sorts
from jiceng.orgs.models import Department, DepartmentLevel, Org, OrgCategory, OrgType, ResidentUnit, UnitKind


def search_orgs(queryset, q: str = ""):
    """Name contains ``q``, or the org code starts with ``q`` (a range, so the index is used)."""
    q = (q or "").strip()
    if not q:
        return queryset
    condition = Q(name__contains=q) | Q(short_name__contains=q)
    if is_digits(q):
        condition |= subtree_q(q)
    return queryset.filter(condition)


def _area_prefix(queryset, value, field="area_path"):
    value = (value or "").strip()
    if not value:
        return queryset
    if not is_digits(value):
        return queryset.none()
    return queryset.filter(subtree_q(value, field))


class OrgFilterSet(django_filters.FilterSet):
    """One filter set for the API and the pages: parent, type, category, area prefix, q."""

    parent = django_filters.CharFilter(label="上级组织编码", method="filter_parent")
    org_type = django_filters.ChoiceFilter(label="组织类型", choices=OrgType.choices)
    category = django_filters.ChoiceFilter(label="类别", choices=OrgCategory.choices)
    area = django_filters.CharFilter(label="所在区划编码（含下级）", method="filter_area")
    code = django_filters.CharFilter(label="组织编码前缀（含下级）", method="filter_code")
    is_active = django_filters.BooleanFilter(label="有效")
    q = django_filters.CharFilter(label="名称或编码", method="filter_q")

    class Meta:
        model = Org
        fields = ["parent", "org_type", "category", "area", "code", "is_active", "q"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__code=value)

    def filter_area(self, queryset, name, value):
        return _area_prefix(queryset, value)

    def filter_code(self, queryset, name, value):
        return _area_prefix(queryset, value, "code")

    def filter_q(self, queryset, name, value):
        return search_orgs(queryset, value)


class _YesNoField(django_filters.fields.ChoiceField):
    """``yes``/``no`` as the page's select sends them; ``true``/``false``/``1``/``0`` as API
    clients send a boolean."""

    ALIASES = {"true": "yes", "1": "yes", "false": "no", "0": "no"}

    def to_python(self, value):
        value = super().to_python(value)
        return self.ALIASES.get(str(value).lower(), value)


class YesNoFilter(django_filters.ChoiceFilter):
    field_class = _YesNoField


class ResidentUnitFilterSet(django_filters.FilterSet):
    """One filter set for the unit list page and the API."""

    q = django_filters.CharFilter(label="单位名称", field_name="name", lookup_expr="contains", max_length=60)
    kind = django_filters.ChoiceFilter(label="单位类型", choices=UnitKind.choices, empty_label="全部类型")
    has_org = YesNoFilter(
        label="党组织",
        choices=[("yes", "已建党组织"), ("no", "未建党组织")],
        empty_label="全部",
        method="filter_has_org",
    )
    area = django_filters.CharFilter(label="所在区划编码（含下级）", method="filter_area")
    ids = IdsFilter()  # 批量导出: only the ticked rows

    class Meta:
        model = ResidentUnit
        fields = ["kind", "area", "has_org", "q"]

    def filter_area(self, queryset, name, value):
        return _area_prefix(queryset, value)

    def filter_has_org(self, queryset, name, value):
        return queryset.filter(party_org__isnull=value == "no")


class DepartmentFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label="层级", choices=DepartmentLevel.choices)
    area = django_filters.CharFilter(label="所属区划编码（含下级）", method="filter_area")
    q = django_filters.CharFilter(label="部门名称", field_name="name", lookup_expr="contains")
    ids = IdsFilter()  # 批量导出: only the ticked rows

    class Meta:
        model = Department
        fields = ["level", "area", "q"]

    def filter_area(self, queryset, name, value):
        return _area_prefix(queryset, value)


# The sortable columns of the unit and department lists (page and API ``ordering=``). Both lists
# are bounded (a city has thousands of resident units and a few hundred departments, and a user
# sees those of their own subtree), so a sort on a column without its own index sorts a few
# thousand rows at most; the default (area path, id) order is served by the area_path index.
UNIT_SORTS = Sorts(
    (
        Sort("name", "单位名称", ("name", "id")),
        Sort("kind", "类型", ("kind", "id")),
        Sort("area", "所在区划", ("area_path", "id")),
    )
)
DEPARTMENT_SORTS = Sorts(
    (
        Sort("name", "部门名称", ("name", "id")),
        Sort("level", "层级", ("level", "id")),
        Sort("area", "所属区划", ("area_path", "id")),
    )
)
