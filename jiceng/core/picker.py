"""The node picker: choose an area or a party organisation by name, never by a hand-typed code.

One JSON answer per tree (``areas:area_pick``, ``orgs:org_pick``), read by ``static/jiceng/picker.js``:

* ``?q=<part of a name or code>``: at most :data:`LIMIT` nodes the user may see whose name
  contains ``q`` or whose code starts with it (a range on the unique code index);
* ``?parent=<code>``: the children of that node (to go down the tree), ``?parent=`` with nothing
  else: the tops of the user's scope;
* ``?code=<code>``: that one node, for a form that loads with a code already chosen.

Every set is ``visible_to(user)``, so a node outside the user's scope is never named, and each
node's path label names only the ancestors the user may see. The cost is fixed: the nodes, their
visible ancestors and which of them have children are three queries whatever the tree's size.

The form side is :class:`AreaPicker` / :class:`OrgPicker`: a text input holding the code, which
the script turns into a name box with suggestions; without JavaScript it stays a code box, so the
FilterSets, the API (``?area=3201…``) and the exports read the same parameter as before.
"""

from django import forms
from django.db.models import Q
from django.db.models.functions import Length
from django.http import JsonResponse
from django.urls import reverse

from jiceng.core.paths import is_digits, subtree_q

LIMIT = 20
CHILDREN_LIMIT = 60
MAX_QUERY = 50


class Tree:
    """How one tree is read: its model, and its app's ``ancestors(code)`` (codes root first,
    derived from the code alone: ``areas.models.ancestor_codes``, ``orgs.services.tree.ancestor_org_codes``)."""

    def __init__(self, model, ancestors, extra_q=None, select=("id", "code", "name", "parent_id")):
        self.model = model
        self.ancestors = ancestors
        self.extra_q = extra_q
        self.select = select

    def visible(self, user):
        queryset = self.model.objects.visible_to(user)
        return queryset.filter(self.extra_q) if self.extra_q is not None else queryset


def answer(request, tree: Tree) -> JsonResponse:
    user = request.user
    visible = tree.visible(user)
    params = request.GET
    q = (params.get("q") or "").strip()[:MAX_QUERY]
    parent_info = None
    more = False
    if "code" in params:
        code = params.get("code", "").strip()
        nodes = list(visible.filter(code=code).only(*tree.select)[:1]) if is_digits(code) else []
    elif q:
        condition = Q(name__contains=q)
        if is_digits(q):
            condition |= subtree_q(q, "code")
        # Higher nodes first (a street before its grids), then in tree order.
        nodes = list(visible.filter(condition).only(*tree.select).order_by(Length("code"), "code")[: LIMIT + 1])
        more = len(nodes) > LIMIT
        nodes = nodes[:LIMIT]
    else:
        parent = params.get("parent", "").strip()
        if parent:
            found = list(visible.filter(code=parent).only(*tree.select)[:1]) if is_digits(parent) else []
            if not found:
                return JsonResponse({"results": [], "more": False, "parent": None})
            parent_node = found[0]
            queryset = visible.filter(parent_id=parent_node.pk)
            parent_info = parent_node
        else:
            queryset = _tops(visible, user, tree)
        nodes = list(queryset.only(*tree.select).order_by("code")[: CHILDREN_LIMIT + 1])
        more = len(nodes) > CHILDREN_LIMIT
        nodes = nodes[:CHILDREN_LIMIT]
    labelled = nodes + ([parent_info] if parent_info is not None else [])
    names = _visible_ancestor_names(visible, tree, labelled)
    with_children = _with_children(visible, nodes)
    return JsonResponse(
        {
            "results": [_node(node, names, tree, node.pk in with_children) for node in nodes],
            "more": more,
            "parent": _node(parent_info, names, tree, True, with_up=True) if parent_info is not None else None,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _tops(visible, user, tree: Tree):
    """The nodes of the user's scope that have no visible parent (the roots of what they see)."""
    from jiceng.core.scope import permission_name, scope_for

    scope = scope_for(user, permission_name(tree.model, "view"))
    if scope.everywhere:
        return visible.filter(parent__isnull=True)
    return visible.filter(Q(parent__isnull=True) | ~Q(parent_id__in=visible.values("pk")))


def _visible_ancestor_names(visible, tree: Tree, nodes) -> dict[str, str]:
    codes = {code for node in nodes for code in tree.ancestors(node.code)}
    if not codes:
        return {}
    return dict(visible.filter(code__in=codes).values_list("code", "name"))


def _with_children(visible, nodes) -> set[int]:
    if not nodes:
        return set()
    return set(visible.filter(parent_id__in=[node.pk for node in nodes]).values_list("parent_id", flat=True).distinct())


def _node(node, names, tree: Tree, has_children: bool, with_up: bool = False) -> dict:
    ancestors = [names[c] for c in tree.ancestors(node.code) if c in names]
    result = {
        "code": node.code,
        "name": node.name,
        "path": " / ".join([*ancestors, node.name]),
        "children": has_children,
    }
    if with_up:
        # The parent's parent, if the user may see it: where "上一级" goes.
        up = [c for c in tree.ancestors(node.code) if c in names]
        result["up"] = up[-1] if up else ""
    return result


class NodePicker(forms.TextInput):
    """A code box that ``picker.js`` turns into a name box with suggestions from ``url_name``."""

    url_name = ""
    placeholder = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = reverse(self.url_name)
        widget_attrs.setdefault("placeholder", self.placeholder)
        widget_attrs["autocomplete"] = "off"
        widget_attrs.setdefault("inputmode", "search")
        return context


class AreaPicker(NodePicker):
    url_name = "areas:area_pick"
    placeholder = "输入区划名称或编码"


class OrgPicker(NodePicker):
    url_name = "orgs:org_pick"
    placeholder = "输入党组织名称或编码"
