"""The account list's filter (系统管理 · 用户管理)."""

import django_filters  # type: ignore[import-untyped]  # ships no type information
from django.db.models import Q

from jiceng.accounts.models import User

STATUS_CHOICES = [("active", "正常"), ("disabled", "已停用")]


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="用户名、姓名或手机号")
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="by_status", label="状态", empty_label="全部状态"
    )

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()[:50]
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(display_name__contains=value) | Q(phone=value))

    def by_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "active") if value else queryset
