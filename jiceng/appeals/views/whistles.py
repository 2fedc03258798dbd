"""吹哨报到 pages for the street or community: the whistles it may see, one whistle with each summoned
department's status (where it rates them and ends the whistle), and 吹哨 on an incident.

Whistles are read through ``Whistle.objects.visible_to`` / :func:`get_object_for_user`, and the
summons on a whistle through ``WhistleSummons.objects.visible_to``: a summoned department sees its
own summons, not the others'. Writes go through :mod:`jiceng.appeals.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.appeals import forms, services
from jiceng.appeals.actions import WHISTLE_ACTIONS, whistle_actions
from jiceng.appeals.filtersets import WHISTLE_SORTS
from jiceng.appeals.models import SummonsStatus, Whistle, WhistleStatus, WhistleSummons
from jiceng.appeals.permissions import WHISTLE_ADD, WHISTLE_VIEW
from jiceng.appeals.views.appeals import AREA_CHOICES_LIMIT, PAGE_SIZE, _error_text
from jiceng.areas.models import Area
from jiceng.core.paging import page_total, request_page
from jiceng.core.paths import subtrees_q
from jiceng.core.scope import get_object_for_user, scope_for
from jiceng.core.sorting import sorted_keys

WHISTLE_TABS = [("open", "进行中"), ("closed", "已结束"), ("all", "全部")]


def _may_blow(user) -> bool:
    return not scope_for(user, WHISTLE_ADD).empty


# --------------------------------------------------------------------------- list


@login_required
def whistle_list(request):
    """吹哨记录: the whistles the user may see, newest first, with how many departments reported."""
    user = request.user
    if scope_for(user, WHISTLE_VIEW).empty:
        raise PermissionDenied("您没有查看吹哨的权限。")
    tab = request.GET.get("tab", "open")
    queryset = Whistle.objects.visible_to(user)
    if tab == "open":
        queryset = queryset.filter(status=WhistleStatus.OPEN)
    elif tab == "closed":
        queryset = queryset.filter(status=WhistleStatus.CLOSED)
    else:
        tab = "all"
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        queryset = queryset.filter(title__contains=q)
    keys = sorted_keys(WHISTLE_SORTS, request.GET, ("-id",))
    rows, next_url, _ = request_page(
        request,
        queryset.select_related("area", "appeal").only(
            "id",
            "title",
            "case",
            "status",
            "report_due",
            "blown_at",
            "area__name",
            "appeal__id",
            "appeal__number",
        ),
        keys,
        PAGE_SIZE,
        "before",
    )
    _attach_counts(user, rows)
    total = page_total(queryset, rows, single_page=next_url is None and "before" not in request.GET)
    return render(
        request,
        "appeals/whistle_list.html",
        {
            "rows": rows,
            "next_url": next_url,
            "tabs": WHISTLE_TABS,
            "tab": tab,
            "q": q,
            "total": total,
            "sort": WHISTLE_SORTS.state(request.GET, default="-blown"),
            "may_blow": _may_blow(user),
            "now": timezone.now(),
        },
    )


def _attach_counts(user, rows) -> None:
    """Summons counts per whistle, in one query over the summons the user may see."""
    now = timezone.now()
    counts = {
        row["whistle_id"]: row
        for row in WhistleSummons.objects.visible_to(user)
        .filter(whistle_id__in=[w.pk for w in rows])
        .values("whistle_id")
        .annotate(
            total=Count("id"),
            reported=Count("id", filter=~Q(status=SummonsStatus.SUMMONED)),
            late=Count("id", filter=Q(status=SummonsStatus.SUMMONED, report_due__lt=now)),
            to_rate=Count("id", filter=Q(status=SummonsStatus.FED_BACK)),
        )
        .order_by()
    }
    empty = {"total": 0, "reported": 0, "late": 0, "to_rate": 0}
    for whistle in rows:
        whistle.counts = counts.get(whistle.pk, empty)


# --------------------------------------------------------------------------- one whistle


def _get_whistle(user, pk) -> Whistle:
    queryset = Whistle.objects.select_related("area", "appeal", "blown_by")
    return get_object_for_user(queryset, user, "view", pk=pk)


def _whistle_context(request, whistle: Whistle, bound: dict | None = None) -> dict:
    """The page's context; the forms come from :data:`WHISTLE_ACTIONS` (bound ones sent back with errors)."""
    user = request.user
    bound = bound or {}
    now = timezone.now()
    summons = list(
        WhistleSummons.objects.visible_to(user)
        .filter(whistle=whistle)
        .select_related("department", "reported_by", "rated_by")
        .order_by("id")
    )
    for s in summons:
        s.late = s.status == SummonsStatus.SUMMONED and s.report_due < now
        allowed = whistle_actions(user, s)
        s.rate_form = None
        if WHISTLE_ACTIONS["rate"] in allowed:
            # page_form: the rating's buttons follow the city's scale (appeals.summons_rating_scale).
            s.rate_form = bound.get(s.pk) or WHISTLE_ACTIONS["rate"].page_form(request, s, prefix=f"rate-{s.pk}")[0]
        s.actions = [entry for entry in allowed if entry.key != "rate"]
    close = WHISTLE_ACTIONS["close"]
    may_close = close in whistle_actions(user, whistle)
    return {
        "whistle": whistle,
        "summons": summons,
        "now": now,
        "close_action": close,
        "close_form": (bound.get("close") or close.form(prefix="close")) if may_close else None,
        "waiting": sum(1 for s in summons if s.status != SummonsStatus.RATED),
    }


@login_required
def whistle_detail(request, pk):
    """One whistle: each summoned department's 报到, plan, feedback and rating; rate them, end it."""
    whistle = _get_whistle(request.user, pk)
    return render(request, "appeals/whistle_detail.html", _whistle_context(request, whistle))


@login_required
@require_POST
def whistle_act(request, pk, action, summons_pk=None):
    """评价 one summoned department (1–5 with a note), or 结束 the whistle: entries of the whistle's
    action table; refusals shown on the page."""
    user = request.user
    whistle = _get_whistle(user, pk)
    entry = WHISTLE_ACTIONS.get(action)
    if entry is None:
        raise Http404
    if entry.on == "summons":
        target = get_object_or_404(
            WhistleSummons.objects.visible_to(user).filter(whistle=whistle).select_related("department"),
            pk=summons_pk,
        )
        key, prefix = target.pk, f"{action}-{target.pk}"
    else:
        target, key, prefix = whistle, action, action
    form, _ = entry.page_form(request, target, prefix=prefix, bound=True)
    if form.is_valid():
        try:
            result = entry.run(user, target, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"操作未完成：{_error_text(exc)}")
        else:
            messages.success(request, entry.message(request.user, target, result, form.cleaned_data))
            return redirect("appeals:whistle_detail", whistle.pk)
    whistle = _get_whistle(user, pk)
    context = _whistle_context(request, whistle, bound={key: form})
    return render(request, "appeals/whistle_detail.html", context, status=400)


# --------------------------------------------------------------------------- 吹哨 on an incident


def _whistle_units(user) -> list[Area]:
    """The streets and communities the user may blow a whistle for, the user's own node first."""
    scope = scope_for(user, WHISTLE_ADD)
    if scope.empty:
        raise PermissionDenied("您没有吹哨的权限。")
    queryset = Area.objects.filter(level__in=services.WHISTLE_LEVELS)
    if not scope.everywhere:
        queryset = queryset.filter(subtrees_q(scope.areas, "code"))
    return list(queryset.order_by("code").only("id", "code", "name", "level")[:AREA_CHOICES_LIMIT])


def _chosen_unit(user, units: list[Area], value: str) -> Area:
    """The unit named by ``value`` (default: the first); 404 outside the user's scope."""
    if not value:
        if not units:
            raise PermissionDenied("您的辖区内没有可以吹哨的街道或社区。")
        return units[0]
    area = next((a for a in units if str(a.pk) == value), None)
    if area is None and value.isdigit():
        # Past the choice limit (a city-wide account): still allowed when in scope.
        area = Area.objects.filter(pk=value, level__in=services.WHISTLE_LEVELS).first()
        if area is not None and scope_for(user, WHISTLE_ADD).covers(area):
            units.append(area)
        else:
            area = None
    if area is None:
        raise Http404("未找到该区划，或您无权访问。")
    return area


@login_required
@require_http_methods(["GET", "POST"])
def whistle_new(request):
    """吹哨 without an appeal (综合执法, 应急处置 …): the unit, the case, and the departments to summon."""
    user = request.user
    units = _whistle_units(user)
    area = _chosen_unit(user, units, (request.POST.get("area") or request.GET.get("area") or "").strip())
    departments = list(services.departments_serving(area.code).order_by("name"))
    form = forms.IncidentWhistleForm(
        request.POST if request.method == "POST" else None,
        areas=units,
        departments=departments,
        initial={"area": str(area.pk)},
    )
    # The departments depend on the unit: swap that field when the unit changes (htmx), and let
    # the service say "请至少召集一个职能部门" rather than a generic "required".
    form.fields["departments"].required = False
    if not departments:
        form.fields["departments"].help_text = f"没有负责“{area.name}”的职能部门。"
    form.fields["area"].widget.attrs.update(
        {
            "hx-get": reverse("appeals:whistle_new"),
            "hx-trigger": "change",
            "hx-target": "#id_departments_row",
            "hx-select": "#id_departments_row",
            "hx-swap": "outerHTML",
        }
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            chosen = [d for d in departments if str(d.pk) in set(data["departments"])]
            try:
                whistle = services.blow_whistle(
                    user,
                    area=area,
                    case=data["case"],
                    title=data["title"],
                    description=data["description"],
                    address=data["address"],
                    departments=chosen,
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"操作未完成：{_error_text(exc)}")
            else:
                messages.success(request, "已吹哨，等待部门报到。")
                return redirect("appeals:whistle_detail", whistle.pk)
        status = 400
    return render(
        request,
        "appeals/whistle_new.html",
        {"form": form, "area": area},
        status=status,
    )
