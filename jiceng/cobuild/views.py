"""Pages of 共建清单: the service board (phone first), the lists and claims at the desk."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.areas.models import Area, Level, code_at_level
from jiceng.core.scope import get_object_for_user, scope_for
from jiceng.core.views import scoped_list
from jiceng.members.models import member_of
from jiceng.orgs.models import ResidentUnit
from jiceng.volunteers.models import Team

from . import lists, services
from .actions import CLAIM_ACTIONS, available
from .filtersets import ClaimFilterSet, ItemFilterSet
from .forms import (
    CategoryForm,
    ClaimForm,
    CloseForm,
    EventForm,
    ItemForm,
    NeedFromAppealForm,
    ProgressForm,
    put_error,
)
from .models import Category, Claim, ClaimStatus, Evidence, Item, ItemStatus, Kind, MenuEvent, led_team_ids
from .permissions import BOARD_VIEW, CATEGORY_CHANGE, CLAIM_ADD, CLAIM_CONFIRM, EVENT_VIEW, ITEM_ADD, ITEM_VIEW

PAGE_SIZE = 50
BOARD_SIZE = 30
ITEM_FIELDS = (
    "kind",
    "title",
    "category",
    "area",
    "quantity",
    "unit_label",
    "visibility",
    "description",
    "expires_on",
    "event",
    "owner_name",
    "budget",
    "matches",
)


def _page_context(page) -> dict:
    return {
        "rows": page.rows,
        "form": page.filterset.form,
        "next_cursor": page.next_cursor,
        "is_first": page.first_url is None,
        "query": page.query,
        "total": page.total,
    }


# --------------------------------------------------------------------------- the service board


def _board_node(request) -> str:
    """The node the board shows: ``?area=`` when the user sees it, else the user's own community
    (or the first node of their grants)."""
    wanted = (request.GET.get("area") or "").strip()
    board = scope_for(request.user, BOARD_VIEW)
    if wanted.isdigit() and len(wanted) in (4, 6, 9, 12) and (board.covers(wanted) or _above_mine(board, wanted)):
        return wanted
    if board.everywhere:
        first = Area.objects.filter(level=Level.CITY).order_by("code").values_list("code", flat=True).first()
        return first or ""
    return board.areas[0] if board.areas else ""


def _above_mine(board, code: str) -> bool:
    """``code`` is an ancestor of one of the user's nodes (a resident may open their street's board)."""
    from jiceng.core.paths import is_in_subtree

    return any(is_in_subtree(area, code) for area in board.areas)


@login_required
def board(request):
    """服务公告栏: a community's open needs, resources and projects (with progress); a street or
    district sees its subtree's figures by child node."""
    if scope_for(request.user, BOARD_VIEW).empty and scope_for(request.user, ITEM_VIEW).empty:
        raise PermissionDenied("没有浏览服务公告栏的权限。")
    code = _board_node(request)
    node = Area.objects.filter(code=code).first() if code else None
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else ""
    items = Item.objects.visible_to(request.user).filter(status=ItemStatus.OPEN)
    if node is not None:
        # The items of the node's subtree and those published above it for it.
        from jiceng.core.paths import subtree_q

        items = items.filter(subtree_q(node.code, "area_path") | _published_for(node.code))
    counts = lists.open_counts(items)
    shown = items.filter(kind=kind) if kind else items
    rows = list(
        shown.select_related("category", "area", "event", "offered_by_unit", "offered_by_team").order_by(
            "expires_on", "id"
        )[:BOARD_SIZE]
    )
    figures, children = [], []
    if node is not None and node.level != Level.COMMUNITY and not scope_for(request.user, ITEM_VIEW).empty:
        children = list(Area.objects.filter(parent=node).order_by("code").only("code", "name")[:100])
        today = timezone.localdate()
        data = lists.subtree_figures([c.code for c in children], date(today.year, 1, 1), today)
        figures = [(c, data.get(c.code, {})) for c in children]
    return render(
        request,
        "cobuild/board.html",
        {
            "node": node,
            "rows": rows,
            "counts": counts,
            "kind": kind,
            "kinds": Kind.choices,
            "figures": figures,
            "now": timezone.now(),
            "can_claim": not scope_for(request.user, CLAIM_ADD).empty or bool(_led_teams(request.user)),
        },
    )


def _published_for(code: str):
    """Items published at an ancestor whose visibility reaches ``code`` (one of its prefixes)."""
    from django.db.models import Q

    from jiceng.areas.models import ancestor_codes

    return Q(visible_path__in=ancestor_codes(code))


@login_required
def mine(request):
    """我的认领 (phone): the member's own claims, and the units' claims the contact made."""
    from django.db.models import Q

    member = member_of(request.user)
    claims = Claim.objects.visible_to(request.user).filter(
        Q(member__user=request.user) | Q(created_by=request.user) | Q(team_id__in=led_team_ids(request.user))
    )
    rows = list(claims.select_related("item", "unit", "member", "team").order_by("-created_at", "-id")[:100])
    return render(request, "cobuild/mine.html", {"rows": rows, "member": member})


# --------------------------------------------------------------------------- items


@login_required
def item_list(request):
    page = scoped_list(
        request,
        Item.objects.select_related("category__parent", "area"),
        ItemFilterSet,
        keys=("-id",),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "cobuild/item_list.html",
        {**_page_context(page), "can_add": not scope_for(request.user, ITEM_ADD).empty},
    )


def _matchable(user):
    return list(
        Item.objects.visible_to(user)
        .filter(kind__in=[Kind.NEED, Kind.RESOURCE], status=ItemStatus.OPEN)
        .order_by("-id")
        .only("id", "kind", "title")[:100]
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request):
    if scope_for(request.user, ITEM_ADD).empty:
        raise PermissionDenied("没有发布清单事项的权限。")
    events = list(MenuEvent.objects.visible_to(request.user).filter(opens_at__gte=timezone.now())[:50])
    initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.NEED}
    form = ItemForm(
        request.POST or None, user=request.user, items=_matchable(request.user), events=events, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = Area.objects.filter(code=data["area"]).first()
        event = next((e for e in events if str(e.pk) == data.get("event")), None)
        matches = list(Item.objects.visible_to(request.user).filter(pk__in=[int(x) for x in data["matches"]]))
        try:
            item = services.publish_item(
                request.user,
                kind=data["kind"],
                title=data["title"],
                category=Category.objects.filter(pk=data["category"]).first(),
                area=area,
                quantity=data["quantity"],
                unit_label=data["unit_label"],
                visibility=data["visibility"],
                description=data["description"],
                expires_on=data.get("expires_on"),
                event=event,
                owner_name=data["owner_name"],
                budget=data.get("budget"),
                matches=matches,
            )
        except services.CobuildError as exc:
            put_error(form, exc, ITEM_FIELDS)
        else:
            messages.success(request, f"已发布{item.get_kind_display()}“{item.title}”。")
            return redirect("cobuild:item_detail", pk=item.pk)
    return render(
        request,
        "cobuild/form.html",
        {"form": form, "title": "发布清单事项", "cancel_url": reverse("cobuild:item_list")},
    )


TEAM_PREFIX = "team:"


def _claimers(user, item: Item) -> list:
    """Whom the user may claim for: themselves as a member, the units in their scope, and (grouped
    as 以志愿队名义认领) the volunteer teams they lead."""
    choices: list = []
    member = member_of(user)
    if member is not None:
        choices.append(("", f"本人（党员 {member.name}）"))
    scope = scope_for(user, CLAIM_ADD)
    if not scope.empty:
        units = ResidentUnit.objects.filter(scope.q(area="area_path")).order_by("name").values_list("pk", "name")[:100]
        choices += [(str(pk), name) for pk, name in units]
    teams = _led_teams(user)
    if teams:
        choices.append(("以志愿队名义认领", [(f"{TEAM_PREFIX}{pk}", name) for pk, name in teams]))
    return choices


def _led_teams(user) -> list[tuple[int, str]]:
    """The volunteer teams whose 队长 the user is (their teams only)."""
    return list(Team.objects.filter(pk__in=led_team_ids(user)).order_by("name").values_list("pk", "name")[:50])


@login_required
def item_detail(request, pk):
    item = get_object_for_user(
        Item.objects.select_related(
            "category__parent", "area", "event", "source_appeal", "offered_by_unit", "offered_by_team"
        ),
        request.user,
        "view",
        pk=pk,
    )
    staff = scope_for(request.user, CLAIM_CONFIRM).covers(item.area_path)
    claims = Claim.objects.visible_to(request.user).filter(item=item).select_related("unit", "member", "team")[:200]
    claimers = _claimers(request.user, item)
    claimable = item.status == ItemStatus.OPEN and item.left > 0 and bool(claimers)
    not_open = item.opens_at is not None and item.opens_at > timezone.now()
    return render(
        request,
        "cobuild/item_detail.html",
        {
            "item": item,
            "claims": claims,
            "staff": staff,
            "claim_form": ClaimForm(claimers=claimers) if claimable else None,
            "not_open": not_open,
            "can_close": item.status == ItemStatus.OPEN and scope_for(request.user, ITEM_ADD).covers(item.area_path),
            "close_form": CloseForm(prefix="close"),
            "progress_form": ProgressForm(prefix="progress", item=item, initial={"progress": item.progress})
            if item.kind == Kind.PROJECT and scope_for(request.user, ITEM_ADD).covers(item.area_path)
            else None,
            "milestones": list(item.milestones.all()),
            "matches": list(item.matches.visible_to(request.user).only("id", "kind", "title")),
            "projects": list(item.projects.visible_to(request.user).only("id", "title", "progress")),
        },
    )


@login_required
@require_POST
def item_claim(request, pk):
    item = get_object_for_user(Item.objects.all(), request.user, "view", pk=pk)
    claimers = _claimers(request.user, item)
    form = ClaimForm(request.POST, claimers=claimers)
    if form.is_valid():
        data = form.cleaned_data
        unit = member = team = None
        chosen = data.get("unit") or ""
        if chosen.startswith(TEAM_PREFIX):
            team = Team.objects.filter(pk=int(chosen[len(TEAM_PREFIX) :])).first()
        elif chosen:
            unit = ResidentUnit.objects.filter(pk=int(chosen)).first()
        else:
            member = member_of(request.user)
        try:
            if unit is None and member is None and team is None:
                raise services.CobuildError("请选择认领方。", "unit")
            services.claim_item(
                request.user, item, quantity=data["quantity"], unit=unit, member=member, team=team, note=data["note"]
            )
        except services.CobuildError as exc:
            messages.error(request, exc.message)
        else:
            side = f"以“{team.name}”名义" if team is not None else ""
            messages.success(request, f"已{side}提交认领意向（{data['quantity']}{item.unit_label}），等待社区确认。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("cobuild:item_detail", pk=item.pk)


@login_required
@require_POST
def item_close(request, pk):
    item = get_object_for_user(Item.objects.all(), request.user, "view", pk=pk)
    form = CloseForm(request.POST, prefix="close")
    try:
        if not form.is_valid():
            raise services.CobuildError("请填写关闭原因。", "reason")
        services.close_item(request.user, item, form.cleaned_data["reason"])
    except services.CobuildError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已关闭该事项。")
    return redirect("cobuild:item_detail", pk=item.pk)


@login_required
@require_POST
def item_progress(request, pk):
    item = get_object_for_user(Item.objects.all(), request.user, "view", pk=pk)
    form = ProgressForm(request.POST, prefix="progress", item=item)
    try:
        if not form.is_valid():
            raise services.CobuildError("进度应为0到100之间的整数。", "progress")
        milestone = item.milestones.filter(pk=form.cleaned_data["milestone"] or 0).first()
        services.update_progress(request.user, item, progress=form.cleaned_data["progress"], milestone=milestone)
    except services.CobuildError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已更新项目进度。")
    return redirect("cobuild:item_detail", pk=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def need_from_appeal(request, appeal_pk):
    """民呼我应 → 需求: the community turns a request located in it into a need."""
    from jiceng.appeals.models import Appeal

    appeal = get_object_for_user(Appeal.objects.all(), request.user, "view", pk=appeal_pk)
    community = code_at_level(appeal.area_path, Level.COMMUNITY)
    if not community or not scope_for(request.user, ITEM_ADD).covers(community):
        raise PermissionDenied("只有诉求所在社区可以将其转为需求。")
    form = NeedFromAppealForm(request.POST or None, initial={"description": (appeal.description or "")[:500]})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.need_from_appeal(
                request.user,
                appeal,
                category=Category.objects.filter(pk=form.cleaned_data["category"]).first(),
                quantity=form.cleaned_data["quantity"],
                description=form.cleaned_data["description"],
            )
        except services.CobuildError as exc:
            put_error(form, exc, ("category", "quantity", "description"))
        else:
            messages.success(request, f"已将诉求转为社区需求“{item.title}”。")
            return redirect("cobuild:item_detail", pk=item.pk)
    return render(
        request,
        "cobuild/form.html",
        {
            "form": form,
            "title": "转为社区需求",
            "intro": f"诉求：{appeal.title or appeal.description[:40]}",
            "cancel_url": reverse("appeals:detail", args=[appeal.pk]),
        },
    )


# --------------------------------------------------------------------------- claims


@login_required
def claim_list(request):
    page = scoped_list(
        request,
        Claim.objects.select_related("item", "unit", "member", "team"),
        ClaimFilterSet,
        keys=("-id",),
        size=PAGE_SIZE,
    )
    return render(request, "cobuild/claim_list.html", _page_context(page))


@login_required
def claim_detail(request, pk):
    claim = get_object_for_user(
        Claim.objects.select_related("item__source_appeal", "unit", "member", "team"), request.user, "view", pk=pk
    )
    return render(
        request,
        "cobuild/claim_detail.html",
        {
            "claim": claim,
            "item": claim.item,
            "actions": [
                (entry, form)
                for entry in available(CLAIM_ACTIONS, request.user, claim)
                # 登记队员服务时长 disappears once every member's hours are recorded.
                if (form := _action_form(entry, claim, prefix=entry.key)).fields.get("volunteers") is None
                or form.fields["volunteers"].choices
            ],
            "evidence": list(claim.evidence.all()),
            "team_hours": list(claim.team_hours.select_related("volunteer", "record")) if claim.team_id else [],
            "steps": _steps(claim),
        },
    )


def _action_form(entry, claim: Claim, *args, **kwargs):
    """The action's page form; 登记队员服务时长 lists the claiming team's members not yet recorded."""
    form = entry.form(*args, **kwargs)
    if "volunteers" in form.fields and claim.team_id is not None:
        from jiceng.volunteers.models import TeamMember

        done = claim.team_hours.values("volunteer_id")
        members = (
            TeamMember.objects.filter(team_id=claim.team_id)
            .exclude(volunteer_id__in=done)
            .select_related("volunteer")
            .order_by("-is_leader", "id")[:200]
        )
        form.fields["volunteers"].choices = [
            (m.volunteer_id, f"{m.volunteer.name}{'（队长）' if m.is_leader else ''}") for m in members
        ]
    return form


STEPS = (ClaimStatus.INTENT, ClaimStatus.CONFIRMED, ClaimStatus.ACTIVE, ClaimStatus.COMPLETED, ClaimStatus.RATED)


def _steps(claim: Claim) -> list[tuple[str, str]]:
    """意向 → 确认 → 实施 → 完成 → 双评, each done / current / todo."""
    if claim.status not in STEPS:
        return []
    at = STEPS.index(ClaimStatus(claim.status))
    return [(s.label, "done" if i < at else ("current" if i == at else "todo")) for i, s in enumerate(STEPS)]


@login_required
@require_POST
def claim_act(request, pk, action):
    entry = CLAIM_ACTIONS.get(action.replace("-", "_"))
    if entry is None:
        raise Http404("没有这个操作。")
    claim = get_object_for_user(
        Claim.objects.select_related("item", "unit", "member", "team"), request.user, "view", pk=pk
    )
    form = _action_form(entry, claim, request.POST, prefix=entry.key)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        data = dict(form.cleaned_data)
        if entry.files:
            data["files"] = request.FILES.getlist(f"{entry.key}-files")
        try:
            result = entry.run(request.user, claim, data)
        except services.CobuildError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, entry.done(result, data))
    return redirect("cobuild:claim_detail", pk=claim.pk)


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("claim"), pk=pk)
    # Scope is the claim's: out of scope answers 404 like a missing file.
    get_object_for_user(Claim.objects.all(), request.user, "view", pk=evidence.claim_id)
    return FileResponse(evidence.file.open("rb"), content_type=evidence.content_type, filename=evidence.name)


# --------------------------------------------------------------------------- 民生菜单, categories


@login_required
def event_list(request):
    if scope_for(request.user, EVENT_VIEW).empty:
        raise PermissionDenied("没有查看民生菜单的权限。")
    rows = list(MenuEvent.objects.visible_to(request.user).select_related("area")[:100])
    return render(
        request,
        "cobuild/event_list.html",
        {
            "rows": rows,
            "can_add": not scope_for(request.user, ITEM_ADD).empty,
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_add(request):
    if scope_for(request.user, ITEM_ADD).empty:
        raise PermissionDenied("没有发布民生菜单的权限。")
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.create_event(
                request.user,
                area=Area.objects.filter(code=data["area"]).first(),
                title=data["title"],
                opens_at=data["opens_at"],
                place=data["place"],
                note=data["note"],
            )
        except services.CobuildError as exc:
            put_error(form, exc, ("title", "area", "opens_at", "place", "note"))
        else:
            messages.success(request, f"已发布“{event.title}”，请为其发布清单事项。")
            return redirect("cobuild:event_detail", pk=event.pk)
    return render(
        request,
        "cobuild/form.html",
        {"form": form, "title": "发布民生菜单招亲会", "cancel_url": reverse("cobuild:event_list")},
    )


@login_required
def event_detail(request, pk):
    event = get_object_for_user(MenuEvent.objects.select_related("area"), request.user, "view", pk=pk)
    items = list(Item.objects.visible_to(request.user).filter(event=event).select_related("category")[:200])
    return render(
        request,
        "cobuild/event_detail.html",
        {
            "event": event,
            "items": items,
            "open": event.opens_at <= timezone.now(),
            "can_add": scope_for(request.user, ITEM_ADD).covers(event.area_path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_list(request):
    if scope_for(request.user, CATEGORY_CHANGE).empty:
        raise PermissionDenied("没有维护清单类别的权限。")
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_category(request.user, **form.cleaned_data)
        except services.CobuildError as exc:
            put_error(form, exc, ("name", "parent"))
        else:
            messages.success(request, "已添加类别。")
            return redirect("cobuild:category_list")
    rows = list(Category.objects.select_related("parent").order_by("parent__order", "parent_id", "order", "id"))
    tops = [c for c in rows if c.parent_id is None]
    tree = [(top, [c for c in rows if c.parent_id == top.pk]) for top in tops]
    return render(request, "cobuild/category_list.html", {"tree": tree, "form": form})
