import django_filters

from .models import Wish, WishStatus


class WishFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=WishStatus.choices, empty_label="全部状态")
    community = django_filters.CharFilter(label="社区编码", field_name="area_path", max_length=21)

    class Meta:
        model = Wish
        fields = ["status", "community"]
