"""Pages of 微心愿: browse (phone and desk), publish, claim, deliver with a photo, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.areas.models import Area, Level, code_at_level
from jiceng.core.scope import get_object_for_user, scope_for
from jiceng.core.views import scoped_list
from jiceng.members.models import member_of
from jiceng.orgs.models import ResidentUnit

from . import services
from .filtersets import WishFilterSet
from .forms import DeliverForm, ReasonForm, WishForm, put_errors
from .models import Wish, WishStatus
from .permissions import WISH_ADD, WISH_CLAIM
from .privacy import WishPrivacy


def _with_shown(user, rows):
    privacy = WishPrivacy(user)
    for row in rows:
        row.shown = privacy.shown(row)
    return rows


@login_required
def wish_list(request):
    page = scoped_list(
        request,
        Wish.objects.select_related("community", "claimer_member", "claimer_unit"),
        WishFilterSet,
        keys=("-id",),
        size=50,
        export_kind="wishes",
    )
    return render(
        request,
        "wishes/wish_list.html",
        {
            "rows": _with_shown(request.user, page.rows),
            "form": page.filterset.form,
            "next_cursor": page.next_cursor,
            "is_first": page.first_url is None,
            "query": page.query,
            "total": page.total,
            "export_url": page.export_url,
            "can_add": not scope_for(request.user, WISH_ADD).empty,
        },
    )


def _areas_for(user):
    """The communities and grids/compounds the user may publish for (a grid worker: their grid and
    its community)."""
    scope = Area.objects.visible_to(user)
    areas = list(scope.filter(level__in=[Level.GRID, Level.COMPOUND]).order_by("code")[:500])
    codes = {code_at_level(a.code, Level.COMMUNITY) for a in areas}
    communities = list(
        Area.objects.filter(Q(code__in=codes) | Q(pk__in=scope.filter(level=Level.COMMUNITY).values("pk")))
        .filter(level=Level.COMMUNITY)
        .order_by("code")[:200]
    )
    return communities, areas


@login_required
@require_http_methods(["GET", "POST"])
def wish_add(request):
    if scope_for(request.user, WISH_ADD).empty:
        raise PermissionDenied("没有发布微心愿的权限。")
    communities, areas = _areas_for(request.user)
    form = WishForm(request.POST or None, communities=communities, areas=[*communities, *areas])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = Area.objects.filter(code=data["community"]).first()
        beneficiary_area = Area.objects.filter(code=data["beneficiary_area"]).first()
        try:
            wish = services.publish(
                request.user,
                community,
                beneficiary_area,
                title=data["title"],
                content=data["content"],
                name=data["name"],
                phone=data["phone"],
                address=data["address"],
            )
        except services.WishError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"已发布微心愿“{wish.title}”。")
            return redirect("wishes:wish_detail", pk=wish.pk)
    return render(request, "wishes/wish_form.html", {"form": form})


def _get(request, pk) -> Wish:
    return get_object_for_user(
        Wish.objects.select_related("community", "beneficiary_area", "claimer_member", "claimer_unit"),
        request.user,
        "view",
        pk=pk,
    )


@login_required
def wish_detail(request, pk):
    wish = _get(request, pk)
    user = request.user
    staff = services._staff(user, wish)
    member = member_of(user)
    claimable = wish.status == WishStatus.OPEN and scope_for(user, WISH_CLAIM).covers(wish.area_path)
    units = []
    if wish.status == WishStatus.OPEN and (staff or claimable) and member is None:
        units = list(ResidentUnit.objects.visible_to(user).filter(area_path__startswith=wish.area_path)[:100])
    is_claimer = services._is_claimer(user, wish)
    return render(
        request,
        "wishes/wish_detail.html",
        {
            "wish": wish,
            "shown": WishPrivacy(user).shown(wish),
            "can_claim_self": claimable and member is not None,
            "units": units,
            "can_deliver": wish.status == WishStatus.CLAIMED and (staff or is_claimer),
            "can_confirm": wish.status == WishStatus.DELIVERED
            and (staff or (wish.beneficiary_user_id is not None and wish.beneficiary_user_id == user.pk)),
            "can_cancel": staff and wish.status in (WishStatus.OPEN, WishStatus.CLAIMED),
            "deliver_form": DeliverForm(),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def wish_act(request, pk, action):
    wish = _get(request, pk)
    try:
        if action == "claim":
            unit = None
            if request.POST.get("unit"):
                unit = get_object_for_user(ResidentUnit.objects.all(), request.user, "view", pk=request.POST["unit"])
            services.claim(request.user, wish, unit=unit)
            messages.success(request, "认领成功，请按约定把心愿送到心愿人手中，并上传送达照片。")
        elif action == "confirm":
            services.confirm(request.user, wish)
            messages.success(request, "已确认心愿实现。")
        elif action == "cancel":
            form = ReasonForm(request.POST)
            services.cancel(request.user, wish, form.data.get("reason", ""))
            messages.success(request, "心愿已撤销。")
        else:
            raise Http404("没有这个操作。")
    except services.WishError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("wishes:wish_detail", pk=wish.pk)


@login_required
@require_http_methods(["GET", "POST"])
def wish_deliver(request, pk):
    wish = _get(request, pk)
    form = DeliverForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deliver(request.user, wish, form.cleaned_data.get("photo"), form.cleaned_data.get("note", ""))
        except services.WishError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, "已登记送达，等待心愿人确认。")
            return redirect("wishes:wish_detail", pk=wish.pk)
    return render(request, "wishes/deliver.html", {"wish": wish, "form": form})


@login_required
def wish_photo(request, pk):
    wish = _get(request, pk)
    if not wish.photo:
        raise Http404("没有送达照片。")
    return FileResponse(wish.photo.open("rb"), content_type=wish.photo_type or "image/jpeg")
