"""``ScopedViewSet``: the REST API's base, so no viewset writes scope, paging or filtering by hand.

A viewset names its model's base queryset (``queryset``, or ``base_queryset()`` for joins chosen
per action), its app's one ``filterset_class`` and a paginator of the one keyset family
(:mod:`jiceng.core.api`). The list is ``base.visible_to(user, action)`` where the action comes from
the HTTP method (GET → ``view``, POST → ``add``, PUT/PATCH → ``change``, DELETE → ``delete``),
or from ``scope_actions`` for a DRF action that says otherwise (a transfer's ``accept`` is checked
by its service, so the object is looked up under ``view``). A single object comes from
:func:`~jiceng.core.scope.get_object_for_user`: out of scope is 404, like a row that does not exist.
"""

from rest_framework import mixins, viewsets

from jiceng.core.api import KeysetPagination
from jiceng.core.scope import get_object_for_user

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ScopedViewSet(viewsets.GenericViewSet):
    pagination_class = KeysetPagination
    lookup_value_regex = "[0-9]+"
    scope_actions: dict[str, str] = {}  # DRF action name -> scope action, where the method misleads

    def base_queryset(self):
        """The model's rows with the joins the serializer needs, before scope and filters."""
        return super().get_queryset()  # DRF's: a fresh copy of ``queryset``

    def detail_queryset(self):
        """The queryset a single object is read from (``base_queryset`` unless the detail needs more)."""
        return self.base_queryset()

    def scope_action(self) -> str:
        if self.action in self.scope_actions:
            return self.scope_actions[self.action]
        return METHOD_ACTIONS.get(self.request.method or "GET", "view")

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user, self.scope_action())

    def get_object(self):
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        lookup = {self.lookup_field: self.kwargs[lookup_url_kwarg]}
        obj = get_object_for_user(self.detail_queryset(), self.request.user, self.scope_action(), **lookup)
        self.check_object_permissions(self.request, obj)
        return obj


class ScopedReadOnlyViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, ScopedViewSet):
    """List and detail under scope."""
