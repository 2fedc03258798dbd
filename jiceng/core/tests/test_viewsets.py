"""ScopedViewSet: the scope action follows the HTTP method; objects out of scope are 404."""

import pytest
from django.http import Http404
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate

from jiceng.areas.models import Area
from jiceng.areas.serializers import AreaSerializer
from jiceng.core.viewsets import ScopedViewSet


class AreaEdits(ScopedViewSet):
    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    lookup_field = "code"
    scope_actions = {"preview": "view"}


def viewset(user, method: str, action: str, **kwargs) -> AreaEdits:
    raw = getattr(APIRequestFactory(), method.lower())("/x/")
    force_authenticate(raw, user)
    view = AreaEdits(action=action, kwargs=kwargs, format_kwarg=None)
    view.request = Request(raw)
    view.request.user = user
    return view


@pytest.mark.parametrize(
    ("method", "action", "expected"),
    [
        ("GET", "list", "view"),
        ("POST", "create", "add"),
        ("PATCH", "partial_update", "change"),
        ("DELETE", "destroy", "delete"),
        ("POST", "preview", "view"),
    ],
)
def test_the_scope_action_comes_from_the_method_unless_the_action_says(users, method, action, expected):
    assert viewset(users.community, method, action).scope_action() == expected


def test_lists_and_objects_follow_the_action(tree, users):
    # The community may change its own areas but not move them: a PATCH reads under "change".
    own = viewset(users.community, "PATCH", "partial_update", code=tree.grid1.code)
    assert own.get_object() == tree.grid1
    assert set(own.get_queryset().values_list("code", flat=True)) == set(
        Area.objects.subtree(tree.beianmen.code).values_list("code", flat=True)
    )
    with pytest.raises(Http404):
        viewset(users.community, "PATCH", "partial_update", code=tree.gongyuan.code).get_object()
    assert not viewset(users.grid, "DELETE", "destroy").get_queryset().exists()  # nobody holds delete
