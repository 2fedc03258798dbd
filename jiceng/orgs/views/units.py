"""Resident units (驻区单位) and functional departments (职能部门)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jiceng.areas.models import Area
from jiceng.core.scope import can, get_object_for_user, scope_for
from jiceng.core.views import scoped_list
from jiceng.orgs import services
from jiceng.orgs.filtersets import DEPARTMENT_SORTS, UNIT_SORTS, DepartmentFilterSet, ResidentUnitFilterSet
from jiceng.orgs.forms import DepartmentForm, ResidentUnitForm, resolve_area, resolve_org
from jiceng.orgs.models import Department, Org, ResidentUnit
from jiceng.orgs.permissions import DEPARTMENT_CHANGE, UNIT_CHANGE
from jiceng.orgs.views.common import PAGE_SIZE, add_service_error


def _list_page(request, queryset, filterset_class, sorts, export_kind):
    """A page of units or departments in (area path, id) order or the chosen ``?sort=``, filtered
    by the app's FilterSet, with the export of the same rows."""
    page = scoped_list(
        request,
        queryset,
        filterset_class,
        keys=("area_path", "id"),
        size=PAGE_SIZE,
        sorts=sorts,
        default_sort="area",
        export_kind=export_kind,
    )
    for row in page.rows:
        row.editable = can(request.user, "change", row)
    context = {
        "form": page.form,
        "area": (request.GET.get("area") or "").strip(),
        "next_cursor": page.next_cursor,
        "is_first": page.is_first,
        "query": page.query,
        "total": page.total,
        "sort": page.sort,
        "export_url": page.export_url,
    }
    return page.rows, context


@login_required
def unit_list(request):
    units, context = _list_page(
        request,
        ResidentUnit.objects.select_related("area", "party_org"),
        ResidentUnitFilterSet,
        UNIT_SORTS,
        "resident_units",
    )
    return render(
        request,
        "orgs/unit_list.html",
        {**context, "units": units, "can_add": not scope_for(request.user, UNIT_CHANGE).empty},
    )


def _unit_form_page(request, form, *, unit=None):
    title = f"编辑 {unit.name}" if unit else "新增驻区单位"
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "title": title, "org_crumbs": [], "cancel_url": reverse("orgs:unit_list"), "submit": "保存"},
    )


def _resolve_unit_form(request, form):
    """Area and party org from the form, both within the user's scope; errors go on the form."""
    area = resolve_area(form, "area", Area.objects.visible_to(request.user))
    if area is not None and not can(request.user, "change", ResidentUnit(area_path=area.code)):
        form.add_error("area", "该区划不在您的管理范围内。")
    party_org = resolve_org(form, "party_org", Org.objects.visible_to(request.user))
    return area, party_org


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request):
    if scope_for(request.user, UNIT_CHANGE).empty:
        raise PermissionDenied("没有维护驻区单位的权限。")
    form = ResidentUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area, party_org = _resolve_unit_form(request, form)
        if not form.errors:
            data = form.cleaned_data
            try:
                unit = services.create_resident_unit(
                    request.user,
                    name=data["name"],
                    kind=data["kind"],
                    area=area,
                    party_org=party_org,
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                )
            except services.OrgError as exc:
                add_service_error(form, exc, ("name", "kind", "contact_phone"))
            else:
                messages.success(request, f"已新增驻区单位“{unit.name}”。")
                return redirect("orgs:unit_list")
    return _unit_form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    unit = get_object_for_user(ResidentUnit.objects.select_related("party_org"), request.user, "change", pk=pk)
    form = ResidentUnitForm(request.POST or None, initial=ResidentUnitForm.initial_for(unit))
    if request.method == "POST" and form.is_valid():
        area, party_org = _resolve_unit_form(request, form)
        if not form.errors:
            data = form.cleaned_data
            changes = {f: data[f] for f in ("name", "kind", "contact_name", "contact_phone") if f in form.changed_data}
            if "area" in form.changed_data:
                changes["area"] = area
            if "party_org" in form.changed_data:
                changes["party_org"] = party_org
            try:
                unit = services.update_resident_unit(request.user, unit, **changes)
            except services.OrgError as exc:
                add_service_error(form, exc, ("name", "kind", "contact_phone"))
            else:
                messages.success(request, f"已保存“{unit.name}”。")
                return redirect("orgs:unit_list")
    return _unit_form_page(request, form, unit=unit)


@login_required
def department_list(request):
    departments, context = _list_page(
        request,
        Department.objects.select_related("area").prefetch_related("areas_served"),
        DepartmentFilterSet,
        DEPARTMENT_SORTS,
        "departments",
    )
    return render(
        request,
        "orgs/department_list.html",
        {
            **context,
            "departments": departments,
            "q": (request.GET.get("q") or "").strip(),
            "can_add": not scope_for(request.user, DEPARTMENT_CHANGE).empty,
        },
    )


def _resolve_department_form(request, form):
    visible_areas = Area.objects.visible_to(request.user)
    area = resolve_area(form, "area", visible_areas)
    if area is not None and not can(request.user, "change", Department(area_path=area.code)):
        form.add_error("area", "该区划不在您的管理范围内。")
    codes = form.cleaned_data.get("areas_served") or []
    served = list(visible_areas.filter(code__in=codes))
    missing = sorted(set(codes) - {a.code for a in served})
    if missing:
        form.add_error("areas_served", f"区划不存在或不在您的管理范围内：{'、'.join(missing)}")
    return area, served


def _department_form_page(request, form, *, department=None):
    title = f"编辑 {department.name}" if department else "新增职能部门"
    return render(
        request,
        "orgs/org_form.html",
        {
            "form": form,
            "title": title,
            "org_crumbs": [],
            "cancel_url": reverse("orgs:department_list"),
            "submit": "保存",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_add(request):
    if scope_for(request.user, DEPARTMENT_CHANGE).empty:
        raise PermissionDenied("没有维护职能部门的权限。")
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area, served = _resolve_department_form(request, form)
        if not form.errors:
            try:
                department = services.create_department(
                    request.user,
                    name=form.cleaned_data["name"],
                    level=form.cleaned_data["level"],
                    area=area,
                    areas_served=served,
                )
            except services.OrgError as exc:
                add_service_error(form, exc, ("name", "level", "area", "areas_served"))
            else:
                messages.success(request, f"已新增职能部门“{department.name}”。")
                return redirect("orgs:department_list")
    return _department_form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk):
    department = get_object_for_user(Department.objects.prefetch_related("areas_served"), request.user, "change", pk=pk)
    initial = {
        "name": department.name,
        "level": department.level,
        "area": department.area_path,
        "areas_served": " ".join(a.code for a in department.areas_served.all()),
    }
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        area, served = _resolve_department_form(request, form)
        if not form.errors:
            try:
                department = services.update_department(
                    request.user,
                    department,
                    name=form.cleaned_data["name"],
                    level=form.cleaned_data["level"],
                    area=area,
                    areas_served=served,
                )
            except services.OrgError as exc:
                add_service_error(form, exc, ("name", "level", "area", "areas_served"))
            else:
                messages.success(request, f"已保存“{department.name}”。")
                return redirect("orgs:department_list")
    return _department_form_page(request, form, department=department)
