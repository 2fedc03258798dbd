"""One FilterSet per list, for the page and the API alike."""

import django_filters

from jiceng.core.filters import IdFilter

from .models import Category, Claim, ClaimerKind, ClaimStatus, Item, ItemStatus, Kind


class ItemFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="清单", choices=Kind.choices, empty_label="全部清单")
    status = django_filters.ChoiceFilter(label="状态", choices=ItemStatus.choices, empty_label="全部状态")
    category = django_filters.ModelChoiceFilter(
        label="类别", queryset=Category.objects.filter(active=True).select_related("parent"), empty_label="全部类别"
    )
    event = IdFilter(label="招亲会", field_name="event_id")

    class Meta:
        model = Item
        fields = ["kind", "status", "category", "event"]


class ClaimFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ClaimStatus.choices, empty_label="全部状态")
    item = IdFilter(label="事项", field_name="item_id")
    claimer_kind = django_filters.ChoiceFilter(label="认领方", choices=ClaimerKind.choices, empty_label="全部认领方")
    team = IdFilter(label="志愿服务队", field_name="team_id")

    class Meta:
        model = Claim
        fields = ["status", "item", "claimer_kind", "team"]
