"""``ScopedViewSet``: the REST API's base, so no viewset writes scope, paging or filtering by hand.

A viewset names its model's base queryset (``queryset``, or ``base_queryset()`` for joins chosen
per action), its app's one ``filterset_class`` and a paginator of the one keyset family
(:mod:`jiceng.core.api`). The list is ``base.visible_to(user, action)`` where the action comes from
the HTTP method (GET → ``view``, POST → ``add``, PUT/PATCH → ``change``, DELETE → ``delete``),
or from ``scope_actions`` for a DRF action that says otherwise (a transfer's ``accept`` is checked
by its service, so the object is looked up under ``view``). A single object comes from
:func:`~jiceng.core.scope.get_object_for_user`: out of scope is 404, like a row that does not exist.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

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


def add_api_actions(viewset, table: dict, output, refused: type[Exception], refusal) -> None:
    """One ``POST /<prefix>/<pk>/<action>/`` per entry of an app's action table, documented with
    its input and output. An entry has ``key``, ``label``, ``url_path``, ``inputs`` (a serializer
    class) and ``run(user, target, data)``; the app's refusal (``refused``) becomes its error
    envelope through ``refusal(exc)``. The viewset provides ``detail_queryset()``."""

    def make(entry):
        def handler(self, request, pk=None):
            target = self.get_object()
            data = entry.inputs(data=request.data)
            data.is_valid(raise_exception=True)
            try:
                entry.run(request.user, target, dict(data.validated_data))
            except refused as exc:
                return refusal(exc)
            fresh = self.detail_queryset().get(pk=target.pk)
            return Response(output(fresh, context=self.get_serializer_context()).data)

        # The name first: DRF's @action records it as the route's action (and the scope action's key).
        handler.__name__ = handler.__qualname__ = entry.key
        handler.__doc__ = entry.label
        routed = drf_action(detail=True, methods=["post"], url_path=entry.url_path, url_name=entry.url_path)(handler)
        return extend_schema(request=entry.inputs, responses={200: output}, summary=entry.label)(routed)

    for entry in table.values():
        setattr(viewset, entry.key, make(entry))
