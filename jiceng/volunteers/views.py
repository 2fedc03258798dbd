"""志愿服务 pages: the offices' teams, activities and hours approval; the volunteer's phone pages
(我的志愿服务: the community's open activities with sign-up, my sign-ups, my hours and balance,
scan to sign in and out, report hours)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.scope import holds, scope_for
from jiceng.core.views import scoped_list
from jiceng.orglife import signin

from . import services
from .filtersets import ActivityFilterSet, HoursFilterSet, TeamFilterSet
from .forms import ActivityForm, HoursForm, ReasonForm, put_error
from .models import (
    Activity,
    ActivityStatus,
    HoursRecord,
    SignUp,
    SignUpStatus,
    Team,
    get_activity_for_user,
    get_team_for_user,
    volunteer_of,
)
from .permissions import ACTIVITY_ADD, HOURS_APPROVE, TAKE_PART

PAGE_SIZE = 50


def _page_context(page) -> dict:
    return {
        "rows": page.rows,
        "form": page.filterset.form,
        "next_cursor": page.next_cursor,
        "is_first": page.first_url is None,
        "query": page.query,
        "total": page.total,
    }


@login_required
def team_list(request):
    page = scoped_list(
        request,
        Team.objects.select_related("community", "org"),
        TeamFilterSet,
        keys=("area_path", "id"),
        size=PAGE_SIZE,
    )
    return render(request, "volunteers/team_list.html", _page_context(page))


@login_required
def team_detail(request, pk: int):
    team = get_team_for_user(request.user, pk)
    members = team.memberships.select_related("volunteer").order_by("-is_leader", "id")[:200]
    activities = team.activities.order_by("-starts_at")[:20]
    return render(request, "volunteers/team_detail.html", {"team": team, "members": members, "activities": activities})


@login_required
def activity_list(request):
    page = scoped_list(
        request, Activity.objects.select_related("team"), ActivityFilterSet, keys=("-starts_at", "-id"), size=PAGE_SIZE
    )
    return render(
        request,
        "volunteers/activity_list.html",
        {**_page_context(page), "can_add": not scope_for(request.user, ACTIVITY_ADD).empty},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request):
    scope = scope_for(request.user, ACTIVITY_ADD)
    if scope.empty:
        raise PermissionDenied("没有发布志愿服务活动的权限。")
    teams = Team.objects.visible_to(request.user).filter(scope.q(area="area_path")).order_by("area_path", "id")
    form = ActivityForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.create_activity(
                request.user,
                data["team"],
                title=data["title"],
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                places=data["places"],
            )
        except services.VolunteerError as exc:
            put_error(form, exc)
        else:
            messages.success(request, "活动已发布。")
            return redirect("volunteers:activity_detail", activity.pk)
    return render(request, "volunteers/activity_form.html", {"form": form})


@login_required
def activity_detail(request, pk: int):
    activity = get_activity_for_user(request.user, pk)
    host = holds(request.user, ACTIVITY_ADD, areas=[activity.area_path])
    signups = (
        activity.signups.exclude(status=SignUpStatus.CANCELLED)
        .select_related("volunteer")
        .order_by("status", "created_at", "id")[:500]
        if host
        else []
    )
    mine = None
    volunteer = volunteer_of(request.user)
    if volunteer is not None:
        mine = (
            SignUp.objects.filter(activity=activity, volunteer=volunteer).exclude(status=SignUpStatus.CANCELLED).first()
        )
    return render(
        request,
        "volunteers/activity_detail.html",
        {"activity": activity, "host": host, "signups": signups, "mine": mine, "volunteer": volunteer},
    )


def _host_activity(request, pk: int) -> Activity:
    activity = get_activity_for_user(request.user, pk)
    if not holds(request.user, ACTIVITY_ADD, areas=[activity.area_path]):
        raise PermissionDenied("您没有组织该活动签到的权限。")
    return activity


def _qr_context(request, activity: Activity) -> dict:
    code = signin.object_code("activity", activity)
    url = request.build_absolute_uri(reverse("volunteers:scan", args=[code]))
    return {
        "activity": activity,
        "svg": signin.qr_svg(url),
        "url": url,
        "refresh": max(5, signin.rotate_seconds() // 2),
        "signed": activity.signups.filter(signed_in_at__isnull=False).count(),
    }


@login_required
def activity_qr(request, pk: int):
    """The host's screen: the rotating code volunteers scan to sign in and, later, out."""
    activity = _host_activity(request, pk)
    return render(request, "volunteers/activity_qr.html", _qr_context(request, activity))


@login_required
def activity_qr_code(request, pk: int):
    activity = _host_activity(request, pk)
    return render(request, "volunteers/_qr_code.html", _qr_context(request, activity))


@login_required
@require_http_methods(["GET", "POST"])
def scan(request, code: str):
    """What the phone opens from the activity's code: sign in, or sign out once signed in."""
    activity = None
    error = ""
    try:
        parsed = signin.parse(code)
        activity = Activity.objects.select_related("team").filter(pk=parsed.pk).first()
        if activity is None:
            raise signin.CodeError("二维码无效，请扫描活动屏幕上的签到二维码。")
        signin.check_object_code("activity", activity, parsed)
    except signin.CodeError as exc:
        error, activity = str(exc), None
    volunteer = volunteer_of(request.user)
    signup = None
    if activity is not None and volunteer is not None:
        signup = SignUp.objects.filter(activity=activity, volunteer=volunteer, status=SignUpStatus.CONFIRMED).first()
    if request.method == "POST" and activity is not None and volunteer is not None and not error:
        try:
            if signup is not None and signup.signed_in_at is not None:
                record = services.sign_out(request.user, activity, volunteer, code)
                messages.success(request, f"签退成功，计入服务时长 {record.hours} 小时。" if record else "签退成功。")
            else:
                services.sign_in(request.user, activity, volunteer, code)
                messages.success(request, f"签到成功：{timezone.localtime():%H:%M}。活动结束时请再次扫码签退。")
        except services.VolunteerError as exc:
            error = "；".join(exc.messages)
        else:
            return redirect("volunteers:mine")
    return render(
        request,
        "volunteers/scan.html",
        {"activity": activity, "error": error, "volunteer": volunteer, "signup": signup},
    )


@login_required
def hours_list(request):
    page = scoped_list(
        request,
        HoursRecord.objects.select_related("volunteer", "activity"),
        HoursFilterSet,
        keys=("-id",),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "volunteers/hours_list.html",
        {
            **_page_context(page),
            "can_approve": not scope_for(request.user, HOURS_APPROVE).empty,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def hours_decide(request, pk: int, verdict: str):
    from jiceng.core.scope import get_object_for_user

    record = get_object_for_user(HoursRecord.objects.select_related("volunteer"), request.user, "view", pk=pk)
    try:
        if verdict == "approve":
            services.approve_hours(request.user, record)
            messages.success(request, f"已审核通过，{record.hours} 小时计入{record.volunteer.name}的时间银行账户。")
        else:
            services.reject_hours(request.user, record, request.POST.get("reason", ""))
            messages.success(request, "已退回。")
    except services.VolunteerError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(reverse("volunteers:hours_list") + "?status=pending")


# --------------------------------------------------------------------------- the volunteer's phone


def _volunteer_or_403(request):
    if scope_for(request.user, TAKE_PART).empty:
        raise PermissionDenied("您没有参加志愿服务的权限。")
    return volunteer_of(request.user)


@login_required
def mine(request):
    volunteer = _volunteer_or_403(request)
    context: dict = {"volunteer": volunteer}
    if volunteer is not None:
        from jiceng.timebank.models import Account

        now = timezone.now()
        live = [SignUpStatus.CONFIRMED, SignUpStatus.WAITING]
        my_signups = list(
            SignUp.objects.filter(volunteer=volunteer, status__in=live, activity__ends_at__gt=now)
            .select_related("activity")
            .order_by("activity__starts_at")[:20]
        )
        taken = {s.activity_id for s in my_signups}
        board = (
            Activity.objects.filter(area_path=volunteer.area_path, status=ActivityStatus.OPEN, ends_at__gt=now)
            .exclude(pk__in=taken)
            .order_by("starts_at", "id")[:20]
        )
        context.update(
            signups=my_signups,
            board=board,
            hours=HoursRecord.objects.filter(volunteer=volunteer).order_by("-served_on", "-id")[:10],
            account=Account.objects.filter(volunteer=volunteer).first(),
        )
    return render(request, "volunteers/mine.html", context)


@login_required
@require_POST
def mine_sign_up(request, pk: int):
    volunteer = _volunteer_or_403(request)
    activity = get_activity_for_user(request.user, pk)
    if volunteer is None:
        raise PermissionDenied("您的账号尚未登记为志愿者。")
    try:
        signup = services.sign_up(request.user, activity, volunteer)
    except services.VolunteerError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if signup.status == SignUpStatus.WAITING:
            messages.info(request, "名额已满，已进入候补；有人取消时按报名先后自动转为正式报名。")
        else:
            messages.success(request, "报名成功。")
    return redirect("volunteers:mine")


@login_required
@require_POST
def mine_cancel(request, pk: int):
    volunteer = _volunteer_or_403(request)
    signup = get_object_or_404(SignUp.objects.select_related("activity", "volunteer"), pk=pk, volunteer=volunteer)
    try:
        services.cancel_signup(request.user, signup)
    except services.VolunteerError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已取消报名。")
    return redirect("volunteers:mine")


@login_required
@require_http_methods(["GET", "POST"])
def mine_report(request):
    volunteer = _volunteer_or_403(request)
    if volunteer is None:
        raise PermissionDenied("您的账号尚未登记为志愿者。")
    form = HoursForm(request.POST or None, initial={"served_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_hours(request.user, volunteer, data["hours"], data["served_on"], data["content"])
        except services.VolunteerError as exc:
            put_error(form, exc)
        else:
            messages.success(request, "已提交，待社区审核后计入时间银行。")
            return redirect("volunteers:mine")
    return render(request, "volunteers/report_form.html", {"form": form})
