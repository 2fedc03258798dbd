"""Pages of 党员积分: 我的积分 (phone), the award list of members in scope, the city's scheme."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jiceng.core.scope import scope_for
from jiceng.core.views import scoped_list
from jiceng.members.models import member_of

from . import services
from .filtersets import AwardFilterSet
from .models import Award, YearTotal
from .permissions import RULE_CHANGE


@login_required
def mine(request):
    member = member_of(request.user)
    context: dict = {"member": member}
    if member is not None:
        year = timezone.localdate().year
        context.update(
            year=year,
            total=services.member_points(member, year),
            by_kind=list(YearTotal.objects.filter(member=member, year=year).exclude(source_kind="")),
            years=list(YearTotal.objects.filter(member=member, source_kind="").order_by("-year")[:5]),
            awards=list(Award.objects.filter(member=member).order_by("-awarded_on", "-id")[:30]),
            labels=dict((s.kind, s.label) for s in services.scheme()),
        )
    return render(request, "points/mine.html", context)


@login_required
def award_list(request):
    page = scoped_list(request, Award.objects.select_related("member"), AwardFilterSet, keys=("-id",), size=50)
    return render(
        request,
        "points/award_list.html",
        {
            "rows": page.rows,
            "form": page.filterset.form,
            "next_cursor": page.next_cursor,
            "is_first": page.first_url is None,
            "query": page.query,
            "total": page.total,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    if scope_for(request.user, RULE_CHANGE).empty:
        raise PermissionDenied("只有市委组织部可以修改积分规则。")
    errors: dict[str, str] = {}
    if request.method == "POST":
        changes = []
        for item in services.scheme():
            per_unit = (request.POST.get(f"{item.kind}-points_per_unit") or "").strip()
            cap = (request.POST.get(f"{item.kind}-yearly_cap") or "").strip()
            changes.append((item, per_unit, cap))
        # Check all first: every field's error at once, nothing partial written.
        for item, per_unit, cap in changes:
            try:
                services.Decimal(per_unit)
            except Exception:
                errors[f"{item.kind}-points_per_unit"] = f"{item.label}：每单位分值应是数字。"
            if not cap.isdigit():
                errors[f"{item.kind}-yearly_cap"] = f"{item.label}：年度上限应是不小于0的整数。"
        if not errors:
            try:
                with services.transaction.atomic():
                    for item, per_unit, cap in changes:
                        if str(item.points_per_unit) != per_unit or str(item.yearly_cap) != cap:
                            services.set_rule(request.user, item.kind, points_per_unit=per_unit, yearly_cap=cap)
            except services.PointsError as exc:
                errors["__all__"] = exc.messages[0]
            else:
                messages.success(request, "积分规则已保存，之后的记分按新规则计算。")
                return redirect("points:rules")
    rows = []
    for item in services.scheme():
        rows.append(
            {
                "item": item,
                "per_unit": request.POST.get(f"{item.kind}-points_per_unit", item.points_per_unit),
                "cap": request.POST.get(f"{item.kind}-yearly_cap", item.yearly_cap),
                "per_unit_error": errors.get(f"{item.kind}-points_per_unit", ""),
                "cap_error": errors.get(f"{item.kind}-yearly_cap", ""),
            }
        )
    return render(request, "points/rules.html", {"rows": rows, "error": errors.get("__all__", ""), "errors": errors})
