"""One FilterSet per list, for the page and the API alike."""

import django_filters

from jiceng.core.filters import IdFilter

from .models import Activity, ActivityStatus, HoursRecord, HoursStatus, Team


class TeamFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(label="队伍名称", lookup_expr="contains")

    class Meta:
        model = Team
        fields = ["name"]


class ActivityFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ActivityStatus.choices, empty_label="全部状态")
    team = IdFilter(label="队伍", field_name="team_id")

    class Meta:
        model = Activity
        fields = ["status", "team"]


class HoursFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=HoursStatus.choices, empty_label="全部状态")
    volunteer = IdFilter(label="志愿者", field_name="volunteer_id")

    class Meta:
        model = HoursRecord
        fields = ["status", "volunteer"]
