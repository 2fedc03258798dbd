"""Pages of 协商议事: the list (filters, export), record a meeting, the detail with its follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jiceng.areas.models import Area
from jiceng.core.scope import get_object_for_user, scope_for
from jiceng.core.views import scoped_list
from jiceng.orgs.models import ResidentUnit
from jiceng.wishes.forms import put_errors

from . import services
from .filtersets import ConsultationFilterSet
from .forms import ConsultationForm, DecisionItemForm, FollowUpForm
from .models import Consultation
from .permissions import CONSULT_ADD


@login_required
def consultation_list(request):
    page = scoped_list(
        request,
        Consultation.objects.select_related("area"),
        ConsultationFilterSet,
        keys=("-id",),
        export_kind="consultations",
    )
    return render(
        request,
        "consult/consultation_list.html",
        {
            "rows": page.rows,
            "form": page.filterset.form,
            "next_cursor": page.next_cursor,
            "is_first": page.first_url is None,
            "query": page.query,
            "total": page.total,
            "export_url": page.export_url,
            "can_add": not scope_for(request.user, CONSULT_ADD).empty,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_add(request):
    scope = scope_for(request.user, CONSULT_ADD)
    if scope.empty:
        raise PermissionDenied("没有登记协商议事的权限。")
    areas = list(
        Area.objects.visible_to(request.user)
        .filter(level__in=services.LEVELS)
        .filter(scope.q(area="code"))
        .order_by("code")[:500]
    )
    units = list(ResidentUnit.objects.visible_to(request.user).order_by("name")[:300])
    form = ConsultationForm(request.POST or None, areas=areas, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = services.record(
                request.user,
                Area.objects.filter(code=d["area"]).first(),
                kind=d["kind"],
                held_on=d["held_on"],
                title=d["title"],
                topics=d["topics"],
                decisions=d["decisions"],
                residents=d["residents"],
                unit_reps=d["unit_reps"],
                member_reps=d["member_reps"],
                owners_committee=d["owners_committee"],
                units=ResidentUnit.objects.filter(pk__in=d["units"]),
                follow_up=d["follow_up"],
                follow_up_status=d["follow_up_status"],
            )
        except services.ConsultError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"已登记“{row.title}”。")
            return redirect("consult:consultation_detail", pk=row.pk)
    return render(request, "consult/consultation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_detail(request, pk):
    row = get_object_for_user(Consultation.objects.select_related("area"), request.user, "view", pk=pk)
    can_change = scope_for(request.user, CONSULT_ADD).covers(row.area_path)
    form = FollowUpForm(
        request.POST or None, initial={"follow_up_status": row.follow_up_status, "follow_up": row.follow_up}
    )
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您不能更新该议事的落实情况。")
        if form.is_valid():
            try:
                services.set_follow_up(
                    request.user, row, form.cleaned_data["follow_up_status"], form.cleaned_data["follow_up"]
                )
            except services.ConsultError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, "落实情况已更新。")
                return redirect("consult:consultation_detail", pk=row.pk)
    return render(
        request,
        "consult/consultation_detail.html",
        {
            "row": row,
            "units": list(row.units.all()[:50]),
            "members": list(row.members.all()[:50]),
            "can_change": can_change,
            "can_publish": can_change and _may_publish(request.user, row),
            "items": list(
                row.items.visible_to(request.user).only(
                    "id", "kind", "title", "status", "quantity", "taken", "unit_label", "progress"
                )
            ),
            "form": form,
        },
    )


ITEM_TITLES = {"need": "转为需求", "project": "立为项目"}
DECISION_FIELDS = ("title", "category", "quantity", "unit_label", "description", "owner_name", "budget")


def _may_publish(user, row: Consultation) -> bool:
    from jiceng.cobuild.permissions import ITEM_ADD

    area = services.publish_area(row)
    return area is not None and scope_for(user, ITEM_ADD).covers(area.code)


def _area_name(row: Consultation) -> str:
    area = services.publish_area(row)
    return area.name if area is not None else ""


@login_required
@require_http_methods(["GET", "POST"])
def consultation_item(request, pk, kind):
    """转为需求 / 立为项目: a decision becomes an item on the community's 共建清单, linked back."""
    from jiceng.cobuild.forms import put_error
    from jiceng.cobuild.models import Category
    from jiceng.cobuild.services import CobuildError

    row = get_object_for_user(Consultation.objects.select_related("area"), request.user, "view", pk=pk)
    if kind not in ITEM_TITLES:
        raise Http404("只能转为需求或立为项目。")
    if not (scope_for(request.user, CONSULT_ADD).covers(row.area_path) and _may_publish(request.user, row)):
        raise PermissionDenied("只有议事所在社区（街道）可以将议定事项转入共建清单。")
    initial = {"title": row.title, "description": (row.decisions or "")[:500]}
    form = DecisionItemForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.publish_decision(
                request.user,
                row,
                kind=kind,
                title=d["title"],
                category=Category.objects.filter(pk=d["category"]).first(),
                quantity=d["quantity"],
                unit_label=d["unit_label"],
                description=d["description"],
                owner_name=d.get("owner_name") or "",
                budget=d.get("budget"),
            )
        except CobuildError as exc:
            put_error(form, exc, DECISION_FIELDS)
        else:
            messages.success(request, f"已{ITEM_TITLES[kind]}“{item.title}”，并与本次议事关联。")
            return redirect("consult:consultation_detail", pk=row.pk)
    return render(
        request,
        "cobuild/form.html",
        {
            "form": form,
            "title": ITEM_TITLES[kind],
            "intro": (
                f"协商议事：{row.title}（{row.held_on:%Y-%m-%d}）。"
                f"发布到{_area_name(row)}的共建清单，并与本次议事关联。"
            ),
            "cancel_url": reverse("consult:consultation_detail", args=[row.pk]),
        },
    )
