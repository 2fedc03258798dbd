"""民呼我应 pages: resident phone pages, the grid worker's workbench, the dispatcher's and the
department's desks, and the rates table.

Reads go through ``Appeal.objects.visible_to`` / :func:`get_appeal_for_user` (404 outside scope);
writes go through :mod:`jiceng.appeals.services`, whose refusals are shown on the page in Chinese.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.appeals import desk, forms, services, stats
from jiceng.appeals.actions import (
    APPEAL_ACTIONS,
    WHISTLE_ACTIONS,
    available_actions,
    pending_extension,
    whistle_actions,
)
from jiceng.appeals.filtersets import APPEAL_SORTS, AppealFilterSet
from jiceng.appeals.models import (
    WITH_HANDLER,
    Appeal,
    AppealPhoto,
    Category,
    Channel,
    Status,
    SummonsStatus,
    Whistle,
    WhistleSummons,
    get_appeal_for_user,
)
from jiceng.appeals.permissions import (
    APPEAL_ADD,
    APPEAL_DISPATCH,
    APPEAL_HANDLE,
    APPEAL_VIEW,
    SUMMONS_REPORT,
    WHISTLE_ADD,
)
from jiceng.areas.maps import allows_tiles, map_settings
from jiceng.areas.models import Area, Level
from jiceng.core.crumbs import Crumb
from jiceng.core.inputs import InputError, read_month
from jiceng.core.paging import request_page
from jiceng.core.paths import subtrees_q
from jiceng.core.scope import scope_for
from jiceng.core.sorting import sorted_keys
from jiceng.core.views import export_url

PAGE_SIZE = 50
AREA_CHOICES_LIMIT = 300
EARLIER_LIMIT = 10
EARLIER_FIELDS = (
    "id",
    "number",
    "title",
    "description",
    "status",
    "created_at",
    "answer_overdue",
    "supervised",
    "extension_pending",
    "reporter_name",
    "reporter_phone",
)
LIST_FIELDS = (
    "id",
    "number",
    "title",
    "description",
    "status",
    "urgency",
    "category__name",
    "area__name",
    "created_at",
    "answer_due",
    "answer_overdue",
    "supervised",
    "extension_pending",
)

# What ``services.staff_view`` reads of a row.
REPORTER_VIEW_FIELDS = ("reporter", "area_path", "assigned_department")


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您没有进行此操作的权限。"


def _month(request) -> date:
    try:
        return read_month(request.GET.get("month", ""))
    except InputError:  # none, malformed or out of range: this month
        today = timezone.localdate()
        return date(today.year, today.month, 1)


def _home_areas(user):
    """Where the user may report: buildings, grids and communities under any of their roles."""
    codes = sorted({area_code for _, area_code, _, _ in user.grants() if area_code})
    if not codes:
        return []
    return list(
        Area.objects.filter(
            subtrees_q(codes, "code"), level__in=[Level.COMMUNITY, Level.GRID, Level.COMPOUND, Level.BUILDING]
        )
        .order_by("code")
        .only("id", "code", "name", "latitude", "longitude")[:AREA_CHOICES_LIMIT]
    )


def _rows(queryset, request, extra_fields=(), keys=("-id",)):
    """One page (keyset on ``keys``, newest first by default) under ``?before=``, with only the
    columns the list shows."""
    fields = (*LIST_FIELDS, *extra_fields)
    rows, next_url, _ = request_page(
        request, queryset.select_related("category", "area").only(*fields), keys, PAGE_SIZE, "before"
    )
    return rows, next_url


def _list_page(request, template_title: str, rows, next_url, *, intro: str = "", extra=None):
    context = {"page_title": template_title, "rows": rows, "next_url": next_url, "intro": intro, "now": timezone.now()}
    context.update(extra or {})
    return render(request, "appeals/appeal_list.html", context)


# --------------------------------------------------------------------------- resident


@login_required
@require_http_methods(["GET", "POST"])
@allows_tiles
def submit(request):
    """居民自助 (or 网格员代录 for a grid worker): category, description, photo and location."""
    user = request.user
    areas = _home_areas(user)
    categories = list(Category.objects.active().filter(children__isnull=True).order_by("code"))
    recording = not scope_for(user, APPEAL_ADD).empty
    form = forms.SubmitForm(
        request.POST or None, request.FILES or None, categories=categories, areas=areas, recording=recording
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next((a for a in areas if str(a.pk) == data["area"]), None)
        try:
            appeal = services.create_appeal(
                user,
                channel=Channel.GRID if recording else Channel.RESIDENT,
                category=next(c for c in categories if str(c.pk) == data["category"]),
                description=data["description"],
                area=area,
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                reporter=None if recording else user,
                reporter_name=data.get("reporter_name", ""),
                reporter_phone=data.get("reporter_phone", ""),
                client_token=data["client_token"],
                photos=[data["photo"]] if data.get("photo") else [],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            if getattr(appeal, "created", False):
                messages.success(request, f"诉求已提交，工单编号 {appeal.number}。")
            else:
                messages.info(request, f"该诉求已提交过（工单编号 {appeal.number}），未重复登记。")
            return redirect("appeals:detail", appeal.pk)
    context = {"form": form, "has_areas": bool(areas), "recording": recording, "map": map_settings(areas)}
    return render(request, "appeals/submit.html", context)


@login_required
def mine(request):
    """我的诉求: what the user reported, newest first."""
    queryset = Appeal.objects.visible_to(request.user).filter(reporter=request.user).order_by("-id")
    rows, next_url = _rows(queryset, request, REPORTER_VIEW_FIELDS)
    for row in rows:
        row.reporter_view = not services.staff_view(request.user, row)
    return _list_page(
        request, "我的诉求", rows, next_url, extra={"new_url": reverse("appeals:submit"), "show_status_only": True}
    )


# --------------------------------------------------------------------------- one appeal


def _appeal_crumbs(user, appeal: Appeal, staff: bool) -> list[Crumb]:
    """民呼我应 › the desk the user works the request from › the request."""
    handle = scope_for(user, APPEAL_HANDLE)
    own = (appeal.assigned_area_id is not None and handle.granted_at(appeal.assigned_area)) or (
        appeal.assigned_department_id in handle.departments
    )
    if not staff:
        desk = Crumb("我的诉求", reverse("appeals:mine"))
    elif own:
        desk = Crumb("诉求工作台", reverse("appeals:workbench"))
    elif not scope_for(user, APPEAL_DISPATCH).empty:
        desk = Crumb("诉求派单", reverse("appeals:queue"))
    else:
        desk = Crumb("吹哨报到", reverse("appeals:department_desk"))
    return [Crumb("民呼我应"), desk, Crumb(appeal.number or str(appeal.pk))]


def _detail_context(request, appeal: Appeal, bound: dict | None = None) -> dict:
    """The page's context; its action cards come from :data:`APPEAL_ACTIONS`, in the table's order.

    ``bound`` holds a form sent back with errors (by action key), shown instead of a blank one.
    """
    user = request.user
    bound = bound or {}
    allowed = available_actions(user, appeal)
    staff = services.staff_view(user, appeal)
    events = services.appeal_events(user, appeal).prefetch_related(
        Prefetch("photos", queryset=AppealPhoto.objects.only("id", "event_id"))
    )
    name, phone = services.display_reporter(user, appeal)
    desk.annotate_rows([appeal], timezone.now())  # 小区 楼栋 and the community, for 位置
    context = {
        "breadcrumbs": _appeal_crumbs(user, appeal, staff),
        "appeal": appeal,
        "events": list(events.order_by("at", "id")),
        "actions": allowed,
        "staff": staff,
        "reporter_view": not staff,  # internal badges (督办, 延期待批) left out
        "reporter_name": name,
        "reporter_phone": phone,
        "now": timezone.now(),
        "cards": _cards(request, appeal, allowed, bound),
    }
    if staff:
        context["earlier"] = _earlier_requests(user, appeal)
        # A tap-to-call link only for those who see the number in full.
        context["phone_callable"] = bool(appeal.reporter_phone) and services.reporter_visible(user, appeal)
        context["whistles"] = list(
            Whistle.objects.visible_to(user)
            .filter(appeal=appeal)
            .only("id", "title", "status", "blown_at", "appeal_id")
            .order_by("id")
        )
    if appeal.extension_pending and staff and "decide_extension" not in allowed:
        # The handler sees that it waits; the dispatcher decides on it in its card.
        context["pending_extension"] = pending_extension(appeal)
    if appeal.merged_into_id:
        merged = Appeal.objects.visible_to(user).filter(pk=appeal.merged_into_id).only("id", "number").first()
        context["merged_into"] = merged
    return context


def _earlier_requests(user, appeal: Appeal) -> list[Appeal]:
    """The caller's earlier requests (same phone) that the user may see, newest first, each with
    the reporter shown as the user may see it there."""
    if not appeal.reporter_phone:
        return []
    rows = list(
        Appeal.objects.visible_to(user)
        .filter(reporter_phone=appeal.reporter_phone, pk__lt=appeal.pk)
        .only(*EARLIER_FIELDS, *REPORTER_VIEW_FIELDS)
        .order_by("-id")[:EARLIER_LIMIT]
    )
    for row in rows:
        row.shown_name, row.shown_phone = services.display_reporter(user, row)
    return rows


def _cards(request, appeal: Appeal, allowed: list[str], bound: dict) -> list[dict]:
    """One card per action the user may take: the entry, its form and what its template shows."""
    cards = []
    for key in allowed:
        entry = APPEAL_ACTIONS[key]
        form, extra = entry.page_form(request, appeal)
        if extra is None:
            continue
        if key in bound:
            form = bound[key]
        cards.append({"action": entry, "form": form, "title": entry.title or entry.label, **extra})
    return cards


@login_required
def detail(request, pk):
    """The follow page: status, deadlines, the timeline, and the buttons the user may press."""
    appeal = get_appeal_for_user(request.user, pk)
    return render(request, "appeals/appeal_detail.html", _detail_context(request, appeal))


@login_required
@require_POST
def act(request, pk, action):
    """One transition on an appeal (an entry of the action table); on a refusal the page is shown
    again with the reason."""
    entry = APPEAL_ACTIONS.get(action)
    if entry is None:
        raise Http404
    appeal = get_appeal_for_user(request.user, pk)
    form, _ = entry.page_form(request, appeal, bound=True)
    if form.is_valid():
        try:
            result = entry.run(request.user, appeal, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"操作未完成：{_error_text(exc)}")
        else:
            messages.success(request, entry.message(request.user, appeal, result, form.cleaned_data))
            return redirect("appeals:detail", appeal.pk)
    appeal = get_appeal_for_user(request.user, pk)
    context = _detail_context(request, appeal, bound={action: form})
    return render(request, "appeals/appeal_detail.html", context, status=400)


@login_required
def photo(request, pk):
    """A photo, served only to those who may see its appeal."""
    photo = get_object_or_404(
        AppealPhoto.objects.filter(appeal__in=Appeal.objects.visible_to(request.user).values("pk")), pk=pk
    )
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


# --------------------------------------------------------------------------- workbench and desks


@login_required
def workbench(request):
    """网格员工作台: the items the user handles, overdue first, then by answer deadline."""
    if scope_for(request.user, APPEAL_HANDLE).empty:
        raise PermissionDenied("您没有办理诉求的权限。")
    queryset = (
        Appeal.objects.visible_to(request.user, "handle")
        .filter(status__in=WITH_HANDLER)
        .annotate(late=Case(When(answer_overdue=True, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("late", "answer_due", "id")
    )
    rows = list(queryset.select_related("category", "area").only(*LIST_FIELDS)[:PAGE_SIZE])
    return _list_page(
        request,
        "我的工作台",
        rows,
        None,
        intro="派给我（本网格、本单位）待签收和办理中的诉求，超期的在前。",
        extra={"new_url": reverse("appeals:submit") if not scope_for(request.user, APPEAL_ADD).empty else None},
    )


# What the 派单台 reads of a row beyond the lists' columns: the deadlines, the channel, the path.
DESK_FIELDS = ("channel", "area_path", "dispatch_due", "response_due")
DISPATCHABLE = (Status.ACCEPTED, Status.RETURNED)
BULK_RESULTS = "appeals:bulk-dispatch-results"
BULK_KIND = "appeals:bulk-kind"  # which bulk action the results are of ("extend"; none: 批量派单)


def _queue_filters(request) -> dict:
    """The filter form's choices and the values it was sent with (an empty value is no filter)."""
    params = request.GET.copy()
    for key in ("tab", "before", "sort"):
        params.pop(key, None)
    return {
        "category_choices": desk.category_choices(),
        "channel_choices": Channel.choices,
        "deadline_choices": desk.DEADLINE_CHOICES,
        "filter_query": params.urlencode(),
        "filtered": any(value for key, value in params.items()),
    }


@login_required
def queue(request):
    """派单台 for streets and communities: the tabs, the filters (the same filter set as the API's
    list), each row's 剩余时限 and place, and 批量派单 of the rows waiting for dispatch."""
    if scope_for(request.user, APPEAL_DISPATCH).empty:
        raise PermissionDenied("您没有派单的权限。")
    now = timezone.now()
    tab = request.GET.get("tab", "todo")
    if tab not in dict(desk.QUEUE_TABS):
        tab = "all"
    params = request.GET.copy()
    params["tab"] = tab  # the filter set cuts the tab, so the page and its export list the same rows
    queryset = Appeal.objects.visible_to(request.user, "dispatch")
    filterset = AppealFilterSet(params, queryset=queryset, request=request)
    rows, next_url = [], None
    if filterset.is_valid():
        keys = sorted_keys(APPEAL_SORTS, request.GET, ("-id",))
        rows, next_url = _rows(filterset.qs, request, DESK_FIELDS, keys)
    desk.annotate_rows(rows, now)
    for row in rows:
        row.dispatchable = row.status in DISPATCHABLE
    links = []
    if not scope_for(request.user, WHISTLE_ADD).empty:
        links = [(reverse("appeals:whistle_new"), "吹哨"), (reverse("appeals:whistle_list"), "吹哨记录")]
    params.pop("before", None)
    extra = {
        "tabs": desk.QUEUE_TABS,
        "tab": tab,
        "links": links,
        "desk": True,
        "filter_errors": [
            f"{filterset.form.fields[name].label if name in filterset.form.fields else '查询条件'}：{error}"
            for name, errors in filterset.form.errors.items()
            for error in errors
        ],
        "targets": desk.target_choices(request.user) if any(row.dispatchable for row in rows) else [],
        "bulk_results": request.session.pop(BULK_RESULTS, None),
        "bulk_kind": request.session.pop(BULK_KIND, ""),
        "extension_rows": any(row.extension_pending for row in rows),
        "sort": APPEAL_SORTS.state(request.GET, default="-created"),
        "export_url": export_url(request, "appeals", params) if rows else None,
        **_queue_filters(request),
    }
    extra["bulk"] = bool(extra["targets"] or extra["export_url"] or extra["extension_rows"])
    return _list_page(request, "派单台", rows, next_url, extra=extra)


@login_required
@require_POST
def bulk_dispatch(request):
    """批量派单: each ticked request dispatched to the chosen unit through the one service, each on
    its own; the 派单台 then lists what was done and what was refused, and why."""
    if scope_for(request.user, APPEAL_DISPATCH).empty:
        raise PermissionDenied("您没有派单的权限。")
    back = _back(request, "appeals:queue")
    try:
        results = desk.bulk_dispatch(
            request.user, request.POST.getlist("ids"), request.POST.get("target", ""), request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, f"未派单：{_error_text(exc)}")
        return redirect(back)
    done = sum(1 for r in results if r.ok)
    request.session[BULK_RESULTS] = [vars(r) for r in results]
    if done == len(results):
        messages.success(request, f"批量派单完成：{done} 件已派单。")
    else:
        messages.warning(request, f"批量派单：{done} 件已派单，{len(results) - done} 件未派单，原因见下表。")
    return redirect(back)


@login_required
@require_POST
def bulk_extend(request):
    """批量批准延期: each ticked request's pending extension approved through the one service, each
    on its own; the 派单台 then lists what was approved and what was refused, and why."""
    if scope_for(request.user, APPEAL_DISPATCH).empty:
        raise PermissionDenied("您没有审批延期的权限。")
    back = _back(request, "appeals:queue")
    try:
        results = desk.bulk_approve_extensions(request.user, request.POST.getlist("ids"))
    except ValidationError as exc:
        messages.error(request, f"未审批：{_error_text(exc)}")
        return redirect(back)
    done = sum(1 for r in results if r.ok)
    request.session[BULK_RESULTS] = [vars(r) for r in results]
    request.session[BULK_KIND] = "extend"
    if done == len(results):
        messages.success(request, f"批量批准延期完成：{done} 件已批准。")
    else:
        messages.warning(request, f"批量批准延期：{done} 件已批准，{len(results) - done} 件未批准，原因见下表。")
    return redirect(back)


@login_required
def department_desk(request):
    """部门工作台: appeals assigned to the user's departments and the summons to report to."""
    scope = scope_for(request.user, SUMMONS_REPORT)
    if scope.empty and scope_for(request.user, APPEAL_HANDLE).empty:
        raise PermissionDenied("您没有部门办理的权限。")
    handle = scope_for(request.user, APPEAL_HANDLE)
    appeals = Appeal.objects.visible_to(request.user, "handle").filter(
        assigned_department_id__in=handle.departments, status__in=WITH_HANDLER
    )
    rows = list(appeals.order_by("answer_due", "id").select_related("category", "area").only(*LIST_FIELDS)[:PAGE_SIZE])
    summons = list(
        WhistleSummons.objects.visible_to(request.user, "report")
        .filter(department_id__in=scope.departments)
        .exclude(status=SummonsStatus.RATED)
        .select_related("whistle", "whistle__area", "department")
        .order_by("report_due", "id")[:PAGE_SIZE]
    )
    for s in summons:
        s.actions = [entry for entry in whistle_actions(request.user, s) if entry.key != "rate"]
    return render(request, "appeals/department_desk.html", {"rows": rows, "summons": summons, "now": timezone.now()})


def _back(request, default: str) -> str:
    """Where to go after a summons action: the page it was sent from (the desk or the whistle)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


@login_required
@require_POST
def summons_act(request, pk, action):
    """报到 (with the plan) or 反馈 on one summons: an entry of the whistle's action table."""
    entry = WHISTLE_ACTIONS.get(action)
    if entry is None or entry.on != "summons":
        raise Http404
    summons = get_object_or_404(
        WhistleSummons.objects.visible_to(request.user, "view").select_related("department", "whistle"), pk=pk
    )
    back = _back(request, "appeals:department_desk")
    form, _ = entry.page_form(request, summons, prefix="", bound=True)
    if not form.is_valid():
        messages.error(request, "请填写内容。")
        return redirect(back)
    try:
        result = entry.run(request.user, summons, form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"操作未完成：{_error_text(exc)}")
    else:
        messages.success(request, entry.message(request.user, summons, result, form.cleaned_data))
    return redirect(back)


# --------------------------------------------------------------------------- rates


@login_required
def rates(request):
    """响应率、解决率、满意率 for each child of the user's node (or a node under it), for a month."""
    scope = scope_for(request.user, APPEAL_VIEW)
    if not (scope.everywhere or scope.areas):
        raise PermissionDenied("您没有查看诉求统计的权限。")
    code = request.GET.get("code") or (scope.areas[0] if scope.areas else "")
    if not code:
        root = Area.objects.filter(parent__isnull=True).order_by("code").first()
        code = root.code if root else ""
    if not scope.covers(code):
        raise Http404("未找到该区划，或您无权访问。")
    node = get_object_or_404(Area, code=code)
    month = _month(request)
    rows = stats.monthly_ranking(code, month)
    total = stats.area_rates(code, month)
    has_children = {
        c
        for c in Area.objects.filter(parent__code__in=[r.code for r in rows], level__in=stats_levels()).values_list(
            "parent__code", flat=True
        )
    }
    parent = node.parent if node.parent_id and scope.covers(node.parent) else None
    return render(
        request,
        "appeals/rates.html",
        {
            "node": node,
            "parent": parent,
            "month": month,
            "rows": rows,
            "ranked": [r for r in rows if r.ranked],
            "apart": [r for r in rows if not r.ranked],
            "total": total,
            "drillable": has_children,
        },
    )


def stats_levels():
    return [Level.STREET, Level.COMMUNITY, Level.GRID, Level.DISTRICT]
