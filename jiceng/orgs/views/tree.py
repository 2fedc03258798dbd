"""The org tree, the org page, setup-check lists and the org forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jiceng.accounts.models import AuditLog
from jiceng.areas.models import Area
from jiceng.core.scope import can, scope_for
from jiceng.core.sorting import Sort, Sorts, sort_in_memory
from jiceng.core.views import export_url
from jiceng.orgs import checks, services
from jiceng.orgs.filtersets import search_orgs
from jiceng.orgs.forms import (
    CheckFilterForm,
    ElectionForm,
    OrgEditForm,
    OrgForm,
    OrgMoveForm,
    OrgSearchForm,
    resolve_area,
    resolve_org,
)
from jiceng.orgs.models import CommitteePost, Org, OrgType, PartTimeMember, ResidentUnit, get_org_for_user
from jiceng.orgs.permissions import ORG_ADD, ORG_VIEW
from jiceng.orgs.terms import default_term_end, term_for
from jiceng.orgs.views.common import PAGE_SIZE, POST_ORDER, add_service_error, crumbs, form_page, may_place, members_url


@login_required
def org_tree(request):
    """The tree starts at the user's scope roots: one root opens directly, several are listed."""
    user = request.user
    scope = scope_for(user, ORG_VIEW)
    form = OrgSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    visible = Org.objects.visible_to(user)
    if q:
        orgs = search_orgs(visible, q).select_related("parent").order_by("code")
    elif scope.everywhere:
        orgs = Org.objects.filter(parent__isnull=True).order_by("code")
    else:
        # Roots of the visible forest: visible orgs whose parent the user cannot see.
        orgs = visible.filter(Q(parent__isnull=True) | ~Q(parent__in=visible.values("pk"))).order_by("code")
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    if not q and page.paginator.count == 1 and not scope_for(user, ORG_ADD).everywhere:
        return redirect("orgs:org_detail", code=page[0].code)
    return render(
        request,
        "orgs/org_roots.html",
        {
            "page": page,
            "form": form,
            "q": q,
            "scope_empty": scope.empty,
            "can_add_root": scope_for(user, ORG_ADD).everywhere,
            # The search results as Excel: the export filters the same ``q`` (OrgFilterSet.q).
            "export_url": export_url(request, "orgs", request.GET.copy()) if q and page.object_list else None,
        },
    )


@login_required
def org_detail(request, code):
    user = request.user
    org = get_org_for_user(user, code)
    children = list(Org.objects.visible_to(user).filter(parent=org).order_by("code"))
    posts = list(CommitteePost.objects.filter(org=org, end_on__isnull=True).select_related("member"))
    posts.sort(key=lambda p: (POST_ORDER.get(p.post, 99), p.start_on or p.vacant_since or org.created_at.date()))
    past_posts = list(CommitteePost.objects.filter(org=org, end_on__isnull=False).order_by("-end_on", "-id")[:20])
    part_time = list(PartTimeMember.objects.filter(org=org, end_on__isnull=True).select_related("unit"))
    units = list(ResidentUnit.objects.filter(party_org=org).order_by("name")[:20])
    findings = checks.check_org(org)
    history = AuditLog.objects.visible_to(user).filter(object_type="orgs.org", object_id=str(org.pk))[:10]
    can_change = can(user, "change", org)
    path = crumbs(user, org)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "org_crumbs": path,
            "parent_visible": len(path) > 1 and path[-2].pk == org.parent_id,
            "groups": [c for c in children if c.org_type == OrgType.GROUP],
            "children": [c for c in children if c.org_type != OrgType.GROUP],
            "posts": posts,
            "past_posts": past_posts,
            "part_time": part_time,
            "units": units,
            "findings": findings,
            "summary": checks.summarize(findings),
            "history": history,
            "members_url": members_url(org),
            "term": term_for(org.org_type, org.category),
            "can_change": can_change,
            "can_add": can(user, "add", org) and org.org_type != OrgType.GROUP,
            "can_part_time": can_change and org.category in services.PART_TIME_CATEGORIES,
        },
    )


# --- setup checks ----------------------------------------------------------------------------


# The setup checks are computed in Python for the orgs in scope (a bounded list, paged in memory),
# so they sort in memory too (jiceng.core.sorting.sort_in_memory); the default is by severity.
CHECK_SORTS = Sorts((Sort("severity", "级别", ()), Sort("kind", "问题", ()), Sort("org", "组织 / 单位", ())))
CHECK_KEYS = {
    "severity": lambda f: checks.SEVERITY_ORDER[f.severity],
    "kind": lambda f: f.kind_label,
    "org": lambda f: f.org.code if f.org else (f.unit.area_path if f.unit else (f.area.code if f.area else "")),
}


def _render_checks(request, findings, *, org=None):
    form = CheckFilterForm(request.GET or None)
    summary = checks.summarize(findings)
    if form.is_valid():
        severity, kind = form.cleaned_data["severity"], form.cleaned_data["kind"]
        findings = [f for f in findings if (not severity or f.severity == severity) and (not kind or f.kind == kind)]
    findings = sort_in_memory(findings, CHECK_SORTS, request.GET, CHECK_KEYS)
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgs/check_list.html",
        {
            "org": org,
            "org_crumbs": crumbs(request.user, org) if org is not None else [],
            "page": page,
            "form": form,
            "summary": summary,
            "sort": CHECK_SORTS.state(request.GET, default="severity"),
            "query": query.urlencode(),
        },
    )


@login_required
def check_list(request):
    """Setup checks for every org the user may see."""
    return _render_checks(request, checks.checks_for_user(request.user))


@login_required
def org_checks(request, code):
    """Setup checks for one org and its subtree."""
    org = get_org_for_user(request.user, code)
    return _render_checks(request, checks.checks_for_org_subtree(org, request.user), org=org)


# --- org forms -------------------------------------------------------------------------------


def _org_create(request, parent: Org | None):
    form = OrgForm(request.POST or None, parent=parent)
    cancel = reverse("orgs:org_detail", args=[parent.code]) if parent else reverse("orgs:org_tree")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = resolve_area(form, "area", Area.objects.visible_to(request.user))
        if area is not None and not may_place(request.user, "add", area=area, parent=parent):
            form.add_error("area", "新组织将不在您的管理范围内，请选择您管辖的区划。")
        if not form.errors:
            try:
                org = services.create_org(
                    request.user,
                    parent=parent,
                    name=data["name"],
                    short_name=data["short_name"],
                    org_type=data["org_type"],
                    category=data["category"],
                    area=area,
                    founded_on=data["founded_on"],
                    term_start=data["term_start"],
                    term_end=data["term_end"],
                )
            except services.OrgError as exc:
                add_service_error(form, exc, ("name", "org_type", "area", "term_end"))
            else:
                messages.success(request, f"已新增“{org.name}”，组织编码 {org.code}。")
                return redirect("orgs:org_detail", code=org.code)
    title = f"在 {parent.name} 下新增组织" if parent else "新增顶级党组织"
    return form_page(request, form, title=title, org=parent, cancel_url=cancel)


@login_required
@require_http_methods(["GET", "POST"])
def org_add(request, code):
    parent = get_org_for_user(request.user, code, "add")
    if parent.org_type == OrgType.GROUP:
        raise PermissionDenied("党小组下不能再设组织。")
    return _org_create(request, parent)


@login_required
@require_http_methods(["GET", "POST"])
def org_add_root(request):
    if not scope_for(request.user, ORG_ADD).everywhere:
        raise PermissionDenied("只有全市管理员可以新增顶级党组织。")
    return _org_create(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def org_edit(request, code):
    org = get_org_for_user(request.user, code, "change")
    form = OrgEditForm(request.POST or None, parent=org.parent, instance=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = org.area
        if "area" in form.changed_data:
            area = resolve_area(form, "area", Area.objects.visible_to(request.user))
            if area is not None and not may_place(request.user, "change", area=area, parent=org.parent):
                form.add_error("area", "组织将移出您的管理范围，请选择您管辖的区划。")
        if not form.errors:
            changes = {f: data[f] for f in form.changed_data if f != "area"}
            if area is not None and area.pk != org.area_id:
                changes["area"] = area
            if "term_start" in changes and not data["term_end"]:
                changes["term_end"] = default_term_end(data["org_type"], data["category"], data["term_start"])
            try:
                org = services.update_org(request.user, org, **changes)
            except services.OrgError as exc:
                add_service_error(form, exc, ("name", "org_type", "area", "term_end", "is_active"))
            else:
                messages.success(request, f"已保存“{org.name}”。")
                return redirect("orgs:org_detail", code=org.code)
    return form_page(
        request, form, title=f"编辑 {org.name}", org=org, cancel_url=reverse("orgs:org_detail", args=[org.code])
    )


@login_required
@require_http_methods(["GET", "POST"])
def org_move(request, code):
    org = get_org_for_user(request.user, code, "change")
    form = OrgMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_parent = resolve_org(form, "new_parent", Org.objects.visible_to(request.user, "add"))
        if new_parent is not None:
            try:
                org = services.move_org(request.user, org, new_parent)
            except services.OrgError as exc:
                add_service_error(form, exc, ())
            else:
                messages.success(request, f"已将“{org.name}”移至“{new_parent.name}”，新编码 {org.code}。")
                return redirect("orgs:org_detail", code=org.code)
    return form_page(
        request,
        form,
        title=f"调整 {org.name} 的隶属关系",
        org=org,
        cancel_url=reverse("orgs:org_detail", args=[org.code]),
        submit="移动",
    )


@login_required
@require_http_methods(["GET", "POST"])
def org_election(request, code):
    org = get_org_for_user(request.user, code, "change")
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.record_election(
                request.user, org, term_start=form.cleaned_data["term_start"], term_end=form.cleaned_data["term_end"]
            )
        except services.OrgError as exc:
            add_service_error(form, exc, ("term_start", "term_end"))
        else:
            messages.success(request, f"已登记换届，本届任期至 {org.term_end:%Y-%m-%d}。")
            return redirect("orgs:org_detail", code=org.code)
    return form_page(
        request, form, title=f"{org.name} 换届", org=org, cancel_url=reverse("orgs:org_detail", args=[org.code])
    )
