"""One filter set for the member list page, the API and the export, and the key they page on.

Subtree filters are ranges on the indexed paths (never LIKE). Pages are cut by keyset
(:mod:`jiceng.core.paging`) on ``(org_path, id)`` or ``(area_path, id)``: no COUNT over the
scope, no OFFSET, so the first and the hundredth page cost the same at any table size.
"""

import django_filters
from django import forms as django_forms

from jiceng.core.ethnicity import CHOICES as ETHNICITY_CHOICES
from jiceng.core.filters import IdFilter, IdsFilter, OptionalMultipleChoiceFilter
from jiceng.core.ids import IDNumberError, parse_id_number
from jiceng.core.paths import is_digits, subtree_q
from jiceng.core.scope import scope_for
from jiceng.core.sorting import Sort, Sorts
from jiceng.members.permissions import MEMBER_VIEW
from jiceng.members.privacy import MemberPrivacy

from .models import Member, Status, Transfer, TransferKind, TransferStatus

ID_TAIL_CHARS = set("0123456789X")
NO_ID_SEARCH = "您没有查看完整身份证号和手机号的权限，不能按号码查询，请按姓名查询。"


def search_members(queryset, q: str, privacy: MemberPrivacy | None = None):
    """Name (prefix), or the last 4 characters of the ID (id_last4), or a whole ID number.

    A search by number finds only members whose full data the user may see (``privacy``; none
    without it): anything else would confirm a guessed number for a user who sees it masked.
    """
    q = (q or "").strip().replace(" ", "")
    if not q:
        return queryset
    upper = q.upper()
    if len(upper) == 4 and set(upper) <= ID_TAIL_CHARS:
        return _id_scope(queryset, privacy).filter(id_last4=upper)
    if len(upper) in (15, 18) and set(upper) <= ID_TAIL_CHARS:
        try:
            return _id_scope(queryset, privacy).filter(id_number=parse_id_number(upper).number)
        except IDNumberError:
            return queryset.none()
    if any(c.isdigit() for c in q):
        return queryset.none()  # a fragment of a number: no name has digits
    return queryset.filter(name__startswith=q)


def _id_scope(queryset, privacy: MemberPrivacy | None):
    return privacy.id_search_scope(queryset) if privacy is not None else queryset.none()


class MemberFilterForm(django_forms.Form):
    """Refuses a search by number from a user who sees numbers masked (``id_searchable``)."""

    id_searchable = False

    def clean_q(self):
        q = self.cleaned_data.get("q") or ""
        if any(c.isdigit() for c in q) and not self.id_searchable:
            raise django_forms.ValidationError(NO_ID_SEARCH, code="no_id_search")
        return q


class MemberFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(label="党组织编码（含下级）", method="filter_org")
    area = django_filters.CharFilter(label="区划编码（含下级）", method="filter_area")
    residence = django_filters.CharFilter(label="居住地编码（含下级）", method="filter_residence")
    status = OptionalMultipleChoiceFilter(label="状态", choices=Status.choices)
    ethnicity = django_filters.ChoiceFilter(label="民族", choices=ETHNICITY_CHOICES)
    employed = django_filters.BooleanFilter(label="在职", field_name="is_employed")
    center = django_filters.BooleanFilter(label="党员中心户", field_name="is_center_household")
    mobile = django_filters.BooleanFilter(label="流动党员", field_name="is_mobile")
    left = django_filters.BooleanFilter(label="含已转出平台", method="filter_left")
    q = django_filters.CharFilter(label="姓名或身份证号后四位", method="filter_q")
    ids = IdsFilter()  # 批量导出: only the ticked rows

    class Meta:
        model = Member
        form = MemberFilterForm
        fields = ["org", "area", "residence", "status", "ethnicity", "employed", "center", "mobile", "left", "q"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The page and the API pass the request; the export job passes its user.
        self.privacy = MemberPrivacy(user if user is not None else getattr(self.request, "user", None))

    @property
    def form(self):
        form = super().form
        form.id_searchable = self.privacy.id_searchable
        return form

    @property
    def qs(self):
        queryset = super().qs
        # Off-roster records (转出平台) are shown only when asked for (or ticked on such a list).
        if not self.form.cleaned_data.get("left") and not self.form.cleaned_data.get("ids"):
            queryset = queryset.filter(left_on__isnull=True)
        return queryset

    def filter_org(self, queryset, name, value):
        return queryset.filter(subtree_q(value, "org_path")) if is_digits(value) else queryset.none()

    def filter_area(self, queryset, name, value):
        return queryset.filter(subtree_q(value, "area_path")) if is_digits(value) else queryset.none()

    def filter_residence(self, queryset, name, value):
        return queryset.filter(subtree_q(value, "residence_path")) if is_digits(value) else queryset.none()

    def filter_left(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        return search_members(queryset, value, self.privacy)


def member_key_field(user, params) -> str:
    """Order by the path the query is cut on, so the index on (path, id) drives the scan."""
    if params.get("org"):
        return "org_path"
    if params.get("area"):
        return "area_path"
    scope = scope_for(user, MEMBER_VIEW)
    if scope.orgs and not scope.areas and not scope.everywhere:
        return "org_path"
    return "area_path"


# The roster's sorts (page and API ``ordering=``): only the two (path, id) keyset indexes serve a
# sort at 560,000 rows, and ADR 0015 keeps the table to the indexes imports can afford, so there is
# no sort by name or date of birth (a branch's members are few: its page lists them all in order).
MEMBER_SORTS = Sorts(
    (
        Sort("org", "所在党支部", ("org_path", "id")),
        Sort("area", "所在区划", ("area_path", "id")),
    )
)


def member_default_sort(user, params) -> str:
    """The sort the roster's default order equals (its header shows the arrow)."""
    return "org" if member_key_field(user, params) == "org_path" else "area"


# The transfer list's sorts: bounded (a few thousand transfers a year in a city, fewer in a
# user's subtree), so a sort on a column without its own index sorts few rows.
TRANSFER_SORTS = Sorts(
    (
        Sort("created", "介绍信", ("id",), first_descending=True),
        Sort("name", "姓名", ("person_name", "id")),
        Sort("valid_until", "有效期至", ("valid_until", "id")),
    )
)


class TransferFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=TransferKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=TransferStatus.choices)
    member = IdFilter(label="党员", field_name="member_id")

    class Meta:
        model = Transfer
        fields = ["kind", "status", "member"]
