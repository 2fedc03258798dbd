from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jiceng.accounts.models import AuditLog
from jiceng.areas import services
from jiceng.areas.checks import GridRange
from jiceng.areas.filtersets import search_areas
from jiceng.areas.forms import AreaCreateForm, AreaForm, AreaMoveForm, AreaSearchForm
from jiceng.areas.maps import allows_tiles, map_settings
from jiceng.areas.models import Area, ancestor_codes, get_area_for_user
from jiceng.areas.permissions import AREA_VIEW
from jiceng.core.picker import Tree
from jiceng.core.picker import answer as picker_answer
from jiceng.core.scope import can, scope_prefixes

SEARCH_LIMIT = 50


def _breadcrumbs(user, area: Area) -> list[Area]:
    """Ancestors the user may see, root first, then the area itself."""
    visible = Area.objects.ancestors_of(area).visible_to(user).only("code", "name", "level")
    return [*visible, area]


@login_required
def area_tree(request):
    """The tree starts at the user's scope: one root opens directly, several are listed."""
    roots = scope_prefixes(request.user, AREA_VIEW)
    if roots is None:
        root = Area.objects.filter(parent__isnull=True).order_by("code").first()
        if root is None:
            return render(request, "areas/area_empty.html")
        return redirect("areas:area_detail", code=root.code)
    if len(roots) == 1:
        return redirect("areas:area_detail", code=roots[0])
    areas = Area.objects.filter(code__in=roots).order_by("code")
    return render(request, "areas/area_roots.html", {"areas": areas})


@login_required
def area_detail(request, code):
    area = get_area_for_user(request.user, code)
    children = list(Area.objects.visible_to(request.user).filter(parent=area).order_by("code"))
    grids = GridRange.current()  # households of a 综合网格 (DOMAIN.md §5.2): flagged outside the range
    for child in children:
        child.grid_problem = grids.problem(child)
    history = (
        AuditLog.objects.visible_to(request.user)
        .filter(object_type="areas.area", object_id=str(area.pk))
        .select_related("actor")[:10]
    )
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "breadcrumbs": _breadcrumbs(request.user, area),
            "children": children,
            "grid_problem": grids.problem(area),
            "history": history,
            "can_change": can(request.user, "change", area),
            "can_add": can(request.user, "add", area) and bool(area.child_levels()),
            "can_move": area.parent_id is not None and can(request.user, "move", area),
        },
    )


@login_required
def area_search(request):
    form = AreaSearchForm(request.GET or None)
    # ``within`` narrows the search to one subtree (the search box on an area's page).
    within = get_area_for_user(request.user, request.GET["within"]) if request.GET.get("within") else None
    results = []
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["level"]):
        areas = Area.objects.visible_to(request.user).select_related("parent")
        if within is not None:
            areas = areas.subtree(within.code, include_self=False)
        results = list(search_areas(areas, form.cleaned_data["q"], form.cleaned_data["level"])[:SEARCH_LIMIT])
        for area in results:  # name the parent only where the user may see it (grants are cached: no queries)
            area.shown_parent = area.parent if area.parent and can(request.user, "view", area.parent) else None
    return render(
        request,
        "areas/area_search.html",
        {"form": form, "results": results, "limit": SEARCH_LIMIT, "within": within},
    )


@login_required
@require_http_methods(["GET", "POST"])
@allows_tiles
def area_edit(request, code):
    area = get_area_for_user(request.user, code, "change")
    form = AreaForm(request.POST or None, instance=Area.objects.get(pk=area.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_area(request.user, area, **{f: form.cleaned_data[f] for f in form.changed_data})
        except services.AreaError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存“{area.name}”。")
            return redirect("areas:area_detail", code=area.code)
    return render(
        request,
        "areas/area_form.html",
        {
            "area": area,
            "form": form,
            "title": f"编辑 {area.name}",
            "breadcrumbs": _breadcrumbs(request.user, area),
            "map": map_settings([form.instance]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_add(request, code):
    parent = get_area_for_user(request.user, code, "add")
    if not parent.child_levels():
        raise PermissionDenied("楼栋下不能再添加区划。")
    form = AreaCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            area = services.create_area(
                request.user,
                parent=parent,
                level=data["level"],
                name=data["name"],
                code=data["code"],
                kind=data["kind"],
                households=data["households"],
                population=data["population"],
            )
        except services.AreaError as exc:
            form.add_error("code" if exc.code in ("code", "duplicate") else None, exc)
        else:
            messages.success(request, f"已新增“{area.name}”，编码 {area.code}。")
            return redirect("areas:area_detail", code=parent.code)
    return render(
        request,
        "areas/area_form.html",
        {
            "area": parent,
            "form": form,
            "title": f"在 {parent.name} 下新增",
            "breadcrumbs": _breadcrumbs(request.user, parent),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_move(request, code):
    area = get_area_for_user(request.user, code, "move")
    form = AreaMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_parent = Area.objects.visible_to(request.user, "move").filter(code=form.cleaned_data["new_parent"]).first()
        if new_parent is None:
            form.add_error("new_parent", "新的上级不存在，或不在您的管理范围内。")
        else:
            try:
                area = services.move_area(request.user, area, new_parent, form.cleaned_data["new_code"] or None)
            except services.AreaError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已将“{area.name}”移至“{new_parent.name}”，新编码 {area.code}。")
                return redirect("areas:area_detail", code=area.code)
    # Suggest the usual targets: the current parent's siblings (a grid moves to the next community).
    parent_choices = []
    if area.parent is not None and area.parent.parent_id is not None:
        parent_choices = (
            Area.objects.visible_to(request.user, "move")
            .filter(parent_id=area.parent.parent_id)
            .exclude(pk=area.parent_id)
            .order_by("code")
            .only("code", "name")[:200]
        )
    return render(
        request,
        "areas/area_form.html",
        {
            "area": area,
            "form": form,
            "title": f"移动 {area.name}",
            "breadcrumbs": _breadcrumbs(request.user, area),
            "parent_choices": parent_choices,
        },
    )


PICK_TREE = Tree(Area, ancestor_codes)


@login_required
def area_pick(request):
    """The area picker's suggestions (:mod:`jiceng.core.picker`): only areas the user may see."""
    return picker_answer(request, PICK_TREE)
