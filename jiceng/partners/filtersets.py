import django_filters

from .models import Agreement, AgreementStatus


class AgreementFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=AgreementStatus.choices, empty_label="全部状态")
    q = django_filters.CharFilter(label="单位或协议名称", method="search", max_length=40)

    class Meta:
        model = Agreement
        fields = ["status", "q"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(unit__name__icontains=value))
