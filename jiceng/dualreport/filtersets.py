"""One FilterSet per list, for the page and the API alike."""

import django_filters

from jiceng.core.filters import IdFilter

from .models import (
    PostStatus,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Service,
    ServicePost,
    ServiceStatus,
    SignUp,
)


class RegistrationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="报到类型", choices=RegistrationKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=RegistrationStatus.choices, empty_label="全部状态")
    member = IdFilter(label="党员", field_name="member_id")

    class Meta:
        model = Registration
        fields = ["kind", "status", "member"]


class ServicePostFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=PostStatus.choices, empty_label="全部状态")

    class Meta:
        model = ServicePost
        fields = ["status"]


class SignUpFilterSet(django_filters.FilterSet):
    post = IdFilter(label="岗位", field_name="post_id")

    class Meta:
        model = SignUp
        fields = ["post"]


class ServiceFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ServiceStatus.choices, empty_label="全部状态")
    member = IdFilter(label="党员", field_name="member_id")
    registration = IdFilter(label="报到登记", field_name="registration_id")

    class Meta:
        model = Service
        fields = ["status", "member", "registration"]
