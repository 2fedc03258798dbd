import django_filters

from .models import Account, AccountKind


class AccountFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="账户类型", choices=AccountKind.choices, empty_label="全部类型")
    name = django_filters.CharFilter(label="户名", lookup_expr="contains")

    class Meta:
        model = Account
        fields = ["kind", "name"]
