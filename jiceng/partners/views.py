"""Pages of 共驻共建: agreements (list, sign, detail with duties and reviews)."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.areas.models import Level
from jiceng.core.scope import get_object_for_user, scope_for
from jiceng.core.views import scoped_list
from jiceng.orgs.models import Org, ResidentUnit
from jiceng.wishes.forms import put_errors

from . import services
from .filtersets import AgreementFilterSet
from .forms import AgreementForm
from .models import Agreement, Duty, Rating
from .permissions import AGREEMENT_CHANGE
from .rules import RATING_BASIS


@login_required
def agreement_list(request):
    page = scoped_list(
        request, Agreement.objects.select_related("unit", "community_org"), AgreementFilterSet, keys=("-id",)
    )
    return render(
        request,
        "partners/agreement_list.html",
        {
            "rows": page.rows,
            "form": page.filterset.form,
            "next_cursor": page.next_cursor,
            "is_first": page.first_url is None,
            "query": page.query,
            "total": page.total,
            "can_add": not scope_for(request.user, AGREEMENT_CHANGE).empty,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_add(request):
    scope = scope_for(request.user, AGREEMENT_CHANGE)
    if scope.empty:
        raise PermissionDenied("没有签订共建协议的权限。")
    orgs = list(
        Org.objects.visible_to(request.user)
        .filter(area__level__in=[Level.COMMUNITY, Level.STREET], parent__isnull=False)
        .filter(scope.q(area="area_path"))
        .exclude(org_type="branch")
        .order_by("area_path")[:200]
    )
    units = list(ResidentUnit.objects.visible_to(request.user).filter(party_org__isnull=False).order_by("name")[:300])
    form = AgreementForm(request.POST or None, orgs=orgs, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            agreement = services.sign(
                request.user,
                Org.objects.select_related("area").filter(code=d["community_org"]).first(),
                ResidentUnit.objects.select_related("party_org").filter(pk=d["unit"]).first(),
                title=d["title"],
                content=d["content"],
                resources=d["resources"],
                community_contact=d["community_contact"],
                unit_contact=d["unit_contact"],
                signed_on=d["signed_on"],
                ends_on=d["ends_on"],
                duties=form.duties(),
            )
        except services.PartnersError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"已登记共建协议“{agreement.title}”。")
            return redirect("partners:agreement_detail", pk=agreement.pk)
    return render(request, "partners/agreement_form.html", {"form": form})


def _get(request, pk) -> Agreement:
    return get_object_for_user(
        Agreement.objects.select_related("unit", "unit_org", "community_org"), request.user, "view", pk=pk
    )


@login_required
def agreement_detail(request, pk):
    agreement = _get(request, pk)
    today = timezone.localdate()
    can_change = scope_for(request.user, AGREEMENT_CHANGE).covers(agreement.area_path)
    reviews = list(agreement.reviews.prefetch_related("ratings__duty"))
    reviewed_years = {r.year for r in reviews}
    duties = list(agreement.duties.all())
    years = sorted({d.due_on.year for d in duties if d.due_on.year <= today.year} - reviewed_years, reverse=True)
    review_year = int(request.GET.get("year") or (years[0] if years else 0) or 0)
    return render(
        request,
        "partners/agreement_detail.html",
        {
            "agreement": agreement,
            "duties": duties,
            "reviews": reviews,
            "can_change": can_change,
            "today": today,
            "review_years": years,
            "review_year": review_year,
            "review_duties": [d for d in duties if d.due_on.year == review_year],
            "ratings": Rating.choices,
            "basis": RATING_BASIS,
            "score": services.unit_year_score(agreement.unit_id, today.year),
            "resource_items": list(
                agreement.resource_items.visible_to(request.user).only("id", "title", "quantity", "unit_label")
            ),
            "resource_choices": _resource_choices(request.user, agreement) if can_change else [],
        },
    )


def _resource_choices(user, agreement: Agreement):
    """资源清单 items the agreement may link, as the user sees them (one query, at most 100)."""
    from jiceng.cobuild.models import Item, ItemStatus, Kind

    linked = set(agreement.resource_items.values_list("pk", flat=True))
    rows = (
        Item.objects.visible_to(user)
        .filter(kind=Kind.RESOURCE, area_path__in=services.resource_paths(agreement))
        .exclude(status=ItemStatus.CLOSED)
        .order_by("-id")
        .only("id", "title", "quantity", "unit_label")[:100]
    )
    return [(i, i.pk in linked) for i in rows]


@login_required
@require_POST
def agreement_resources(request, pk):
    """Link the agreement's committed resources to 资源清单 items (the checked ones replace the set)."""
    from jiceng.cobuild.models import Item

    agreement = _get(request, pk)
    ids = [int(x) for x in request.POST.getlist("items") if x.isdigit()]
    items = list(Item.objects.visible_to(request.user).filter(pk__in=ids))
    try:
        if len(items) != len(set(ids)):
            raise services.PartnersError({"resource_items": ["所选资源不存在或不在您的查看范围内。"]})
        services.link_resources(request.user, agreement, items)
    except services.PartnersError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已关联{len(items)}项资源清单事项。")
    return redirect("partners:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_review(request, pk):
    agreement = _get(request, pk)
    try:
        year = int(request.POST.get("year") or 0)
    except ValueError:
        year = 0
    ratings = {}
    for key, value in request.POST.items():
        if key.startswith("duty-"):
            with contextlib.suppress(ValueError):
                ratings[int(key[5:])] = value
    try:
        row = services.review(request.user, agreement, year, ratings, request.POST.get("comment", ""))
    except services.PartnersError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"{row.year}年评议已保存，得分{row.score}。")
    return redirect("partners:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def duty_done(request, pk):
    duty = get_object_or_404(Duty, pk=pk)
    _get(request, duty.agreement_id)  # the agreement's scope: out of scope answers 404
    try:
        services.mark_done(request.user, duty)
    except services.PartnersError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已登记完成。")
    return redirect("partners:agreement_detail", pk=duty.agreement_id)
