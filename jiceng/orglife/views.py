"""组织生活 pages: the offices' meeting list, a meeting with its actions, the host's QR screen and
the minutes; the member's phone pages (我的会议, 扫码签到, 我的签到码, 我的补学)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.core.scope import get_object_for_user, holds, scope_for
from jiceng.core.views import scoped_list
from jiceng.members.models import member_of
from jiceng.orgs.models import BRANCH_TYPES, Org, OrgType

from . import actions, services, signin
from .filtersets import KEYS, MeetingFilterSet
from .forms import GroupMembersForm, LeaveForm, MakeupForm, MeetingForm, PlanForm
from .models import (
    Attachment,
    Attendance,
    AttendanceStatus,
    GroupMember,
    MakeupTask,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    get_meeting_for_user,
)
from .permissions import MEETING_ADD, MEETING_CHANGE, MEETING_VIEW

ORG_CHOICES_LIMIT = 200


def _apply_errors(form, exc: services.OrglifeError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _staff_meeting(request, pk: int) -> Meeting:
    """A meeting the user sees through a grant (a member's own meetings are on 我的会议)."""
    meeting = get_meeting_for_user(request.user, pk)
    if not holds(request.user, MEETING_VIEW, areas=[meeting.area_path], orgs=[meeting.org_path]):
        return_to = reverse("orglife:my_meeting", args=[meeting.pk])
        raise _Redirect(return_to)
    return meeting


class _Redirect(Exception):
    def __init__(self, url: str):
        self.url = url


# --------------------------------------------------------------------------- offices


@login_required
def meeting_list(request):
    if scope_for(request.user, MEETING_VIEW).empty:
        raise PermissionDenied("您没有查看组织生活的权限。")
    # The offices' list: a member's own meetings are on 我的会议, not here.
    base = Meeting.objects.select_related("org").prefetch_related("kinds")
    listing = scoped_list(request, base.visible_to(request.user, own_rows=False), MeetingFilterSet, keys=KEYS)
    return render(
        request,
        "orglife/meeting_list.html",
        {
            "list": listing,
            "rows": listing.rows,
            "total": listing.total,
            "next_url": listing.next_url,
            "can_add": not scope_for(request.user, MEETING_ADD).empty,
        },
    )


def _addable_orgs(user, code: str | None):
    scope = scope_for(user, MEETING_ADD)
    if scope.empty:
        raise PermissionDenied("您没有安排会议的权限。")
    orgs = Org.objects.filter(scope.q(area="area_path", org="code"), is_active=True).exclude(org_type=OrgType.GROUP)
    if code:
        return orgs.filter(code=code).select_related("area").first()
    return orgs.order_by("code")


@login_required
def meeting_add(request):
    code = request.GET.get("org", "")
    if not code:
        orgs = _addable_orgs(request.user, None)[:ORG_CHOICES_LIMIT]
        return render(request, "orglife/org_chooser.html", {"orgs": orgs, "next": "orglife:meeting_add"})
    org = _addable_orgs(request.user, code)
    if org is None:
        raise Http404("未找到该党组织，或您无权访问。")
    form = MeetingForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(
                request.user,
                org=org,
                types=data["types"],
                topic=data["topic"],
                planned_start=data["planned_start"],
                place=data["place"],
                host=data["host"],
                recorder=data["recorder"],
                agenda=data["agenda"],
                group=data["group"],
            )
        except services.OrglifeError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已安排会议“{meeting.topic}”，应到{meeting.attendances.count()}人。")
            return redirect("orglife:meeting_detail", meeting.pk)
    return render(request, "orglife/meeting_form.html", {"form": form, "org": org})


@login_required
def plan_add(request):
    code = request.GET.get("org", "")
    if not code:
        orgs = _addable_orgs(request.user, None).filter(org_type__in=BRANCH_TYPES)[:ORG_CHOICES_LIMIT]
        return render(request, "orglife/org_chooser.html", {"orgs": orgs, "next": "orglife:plan_add"})
    org = _addable_orgs(request.user, code)
    if org is None:
        raise Http404("未找到该党组织，或您无权访问。")
    form = PlanForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _plan, made = services.create_plan(request.user, org=org, **data)
        except services.OrglifeError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已按计划生成{made}次会议（已有的不重复生成）。")
            return redirect(f"{reverse('orglife:meeting_list')}?org={org.code}")
    return render(request, "orglife/plan_form.html", {"form": form, "org": org})


@login_required
def meeting_backfill(request):
    """补录: a meeting held in the past (within ``orglife.backfill_days``), its attendance and
    minutes. First the org and the day (the roster is that day's), then the form."""
    from datetime import date as date_type
    from datetime import datetime as datetime_type

    from jiceng.core.rules import get_rule

    from .forms import BackfillForm

    code = request.GET.get("org", "")
    if not code:
        orgs = _addable_orgs(request.user, None)[:ORG_CHOICES_LIMIT]
        return render(request, "orglife/org_chooser.html", {"orgs": orgs, "next": "orglife:meeting_backfill"})
    org = _addable_orgs(request.user, code)
    if org is None:
        raise Http404("未找到该党组织，或您无权访问。")
    today = timezone.localdate()
    earliest = today - timedelta(days=get_rule("orglife.backfill_days"))
    context = {"org": org, "earliest": earliest, "today": today, "day": None, "form": None, "day_error": ""}
    text = request.GET.get("day", "")
    if text:
        try:
            day = date_type.fromisoformat(text)
        except ValueError:
            context["day_error"] = "日期格式应为 年-月-日，如 2026-11-05。"
        else:
            if not earliest <= day <= today:
                context["day_error"] = f"只能补录{earliest:%Y-%m-%d}至今天召开的会议。"
            else:
                context["day"] = day
    if context["day"] is None:
        return render(request, "orglife/backfill.html", context, status=400 if context["day_error"] else 200)
    day = context["day"]
    roster = list(services.members_on(org, day))
    form = BackfillForm(request.POST or None, roster=roster)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        held_at = timezone.make_aware(datetime_type.combine(day, data["time"]))
        try:
            meeting = services.backfill_meeting(
                request.user,
                org=org,
                types=data["types"],
                topic=data["topic"],
                held_at=held_at,
                place=data["place"],
                host=form.people.get(data["host"]),
                recorder=form.people.get(data["recorder"]),
                present=data["present"],
                minutes_topics=data["minutes_topics"],
                minutes_discussion=data["minutes_discussion"],
                minutes_resolutions=data["minutes_resolutions"],
            )
        except services.OrglifeError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已补录{day:%Y-%m-%d}召开的“{meeting.topic}”。")
            return redirect("orglife:meeting_detail", meeting.pk)
    context["form"] = form
    return render(request, "orglife/backfill.html", context, status=400 if form.errors else 200)


def _detail_context(request, meeting: Meeting, forms_by_key=None):
    forms_by_key = forms_by_key or {}
    entries = actions.available(request.user, meeting, "meeting")
    cards = [(e, forms_by_key.get(e.key) or e.page_form(meeting)) for e in entries]
    attendances = list(meeting.attendances.select_related("member").order_by("role", "status", "member__name"))
    return {
        "meeting": meeting,
        "cards": cards,
        "attendances": attendances,
        "counts": services.attendance_counts(meeting),
        "attachments": list(meeting.attachments.all()),
        "events": list(meeting.events.select_related("actor")[:30]),
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
        "can_manage": holds(request.user, MEETING_CHANGE, areas=[meeting.area_path], orgs=[meeting.org_path]),
    }


@login_required
def meeting_detail(request, pk: int):
    try:
        meeting = _staff_meeting(request, pk)
    except _Redirect as go:
        return redirect(go.url)
    return render(request, "orglife/meeting_detail.html", _detail_context(request, meeting))


@login_required
@require_POST
def meeting_act(request, pk: int, action: str):
    meeting = get_meeting_for_user(request.user, pk)
    entry = actions.BY_PATH.get(action)
    if entry is None:
        raise Http404("没有这项操作。")
    if entry not in actions.available(request.user, meeting):
        messages.error(request, f"当前不能“{entry.label}”：会议状态已变化或您没有权限。")
        return redirect(_back(entry, meeting))
    form = entry.page_form(meeting, request.POST, request.FILES)
    if form.is_valid():
        try:
            result = entry.run(request.user, meeting, form.cleaned_data)
        except services.OrglifeError as exc:
            _apply_errors(form, exc)
        else:
            message = actions.done_message(entry, result)
            if entry.key == "decision" and result[1]:
                messages.warning(request, message)
            else:
                messages.success(request, message)
            return redirect(_back(entry, meeting))
    meeting = get_meeting_for_user(request.user, pk)
    if entry.section == "minutes":
        return render(
            request, "orglife/minutes.html", _minutes_context(request, meeting, {entry.key: form}), status=400
        )
    return render(
        request, "orglife/meeting_detail.html", _detail_context(request, meeting, {entry.key: form}), status=400
    )


def _back(entry, meeting: Meeting) -> str:
    name = "orglife:minutes" if entry.section == "minutes" else "orglife:meeting_detail"
    return reverse(name, args=[meeting.pk])


def _minutes_context(request, meeting: Meeting, forms_by_key=None):
    forms_by_key = forms_by_key or {}
    minutes = Minutes.objects.filter(meeting=meeting).first()
    entries = actions.available(request.user, meeting, "minutes")
    cards = []
    for e in entries:
        form = forms_by_key.get(e.key)
        if form is None:
            form = e.page_form(meeting)
            if e.key == "write_minutes" and minutes is not None:
                form = e.form(initial={k: getattr(minutes, k) for k in services.MINUTES_FIELDS}, prefix=e.key)
                for f in form.fields.values():
                    f.widget.attrs.setdefault("class", "form-control")
        cards.append((e, form))
    return {
        "meeting": meeting,
        "minutes": minutes,
        "cards": cards,
        "counts": services.attendance_counts(meeting),
        "decisions": list(minutes.decisions.all()) if minutes else [],
        "amendments": list(minutes.amendments.select_related("actor")) if minutes else [],
    }


@login_required
def minutes(request, pk: int):
    try:
        meeting = _staff_meeting(request, pk)
    except _Redirect as go:
        return redirect(go.url)
    return render(request, "orglife/minutes.html", _minutes_context(request, meeting))


def _qr_context(request, meeting: Meeting) -> dict:
    code = signin.meeting_code(meeting)
    url = request.build_absolute_uri(reverse("orglife:signin", args=[code]))
    counts = services.attendance_counts(meeting)
    return {
        "meeting": meeting,
        "svg": signin.qr_svg(url),
        "url": url,
        "counts": counts,
        "refresh": max(5, signin.rotate_seconds() // 2),
        "recent": list(
            meeting.attendances.filter(status__in=(AttendanceStatus.PRESENT, AttendanceStatus.LATE))
            .select_related("member")
            .order_by("-signed_at")[:8]
        ),
    }


def _host_meeting(request, pk: int) -> Meeting:
    meeting = get_meeting_for_user(request.user, pk)
    if not holds(request.user, MEETING_CHANGE, areas=[meeting.area_path], orgs=[meeting.org_path]):
        raise PermissionDenied("只有主持会议的党组织可以打开签到二维码。")
    return meeting


@login_required
def meeting_qr(request, pk: int):
    """The host's screen: the rotating QR code (refreshed by htmx), and who has signed in."""
    meeting = _host_meeting(request, pk)
    context = _qr_context(request, meeting) if meeting.status == MeetingStatus.SIGNIN else {"meeting": meeting}
    return render(request, "orglife/meeting_qr.html", context)


@login_required
def meeting_qr_code(request, pk: int):
    meeting = _host_meeting(request, pk)
    if meeting.status != MeetingStatus.SIGNIN:
        return render(request, "orglife/_qr_closed.html", {"meeting": meeting})
    return render(request, "orglife/_qr_code.html", _qr_context(request, meeting))


@login_required
def attachment(request, pk: int):
    item = get_object_or_404(Attachment.objects.select_related("meeting"), pk=pk)
    # Scope is the meeting's: out of scope answers 404 like a missing file.
    get_meeting_for_user(request.user, item.meeting_id)
    return FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.name)


@login_required
def group_members(request, code: str):
    """党小组 members: chosen among the branch's members."""
    group = get_object_for_user(Org.objects.select_related("parent"), request.user, "view", code=code)
    if group.org_type != OrgType.GROUP or group.parent is None:
        raise Http404("这不是党小组。")
    can_change = holds(request.user, MEETING_CHANGE, areas=[group.area_path], orgs=[group.code])
    current = list(GroupMember.objects.filter(group=group).values_list("member_id", flat=True))
    form = GroupMembersForm(request.POST or None, group=group, initial={"members": current})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您没有调整该党小组成员的权限。")
        if form.is_valid():
            from jiceng.members.models import Member

            chosen = Member.objects.filter(pk__in=form.cleaned_data["members"])
            try:
                n = services.set_group_members(request.user, group, chosen)
            except services.OrglifeError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已保存，党小组共{n}人。")
                return redirect("orglife:group_members", group.code)
    return render(request, "orglife/group_members.html", {"group": group, "form": form, "can_change": can_change})


# --------------------------------------------------------------------------- the member's phone pages


def _me(request):
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied("您的账号没有关联党员信息。请联系所在党支部。")
    return member


@login_required
def my_meetings(request):
    member = member_of(request.user)
    rows = []
    if member is not None:
        rows = list(
            Attendance.objects.filter(member=member)
            .exclude(meeting__status=MeetingStatus.CANCELLED)
            .select_related("meeting", "meeting__org")
            .order_by("-meeting__planned_start")[:50]
        )
    return render(request, "orglife/my_meetings.html", {"member": member, "rows": rows, "now": timezone.now()})


def _my_attendance(request, pk: int) -> Attendance:
    member = _me(request)
    row = (
        Attendance.objects.select_related("meeting", "meeting__org", "member")
        .filter(meeting_id=pk, member=member)
        .first()
    )
    if row is None:
        raise Http404("未找到该会议，或您不是该会议的参会人员。")
    return row


@login_required
def my_meeting(request, pk: int):
    row = _my_attendance(request, pk)
    meeting = row.meeting
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_leave(request.user, meeting, row.member, form.cleaned_data["reason"])
        except services.OrglifeError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已请假。会后请在“我的补学”中学习会议纪要。")
            return redirect("orglife:my_meeting", pk)
    minutes = Minutes.objects.filter(meeting=meeting, status=MinutesStatus.APPROVED).first()
    may_leave = (
        row.status == AttendanceStatus.EXPECTED
        and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.SIGNIN)
        and timezone.now() < meeting.planned_start
    )
    return render(
        request,
        "orglife/my_meeting.html",
        {"row": row, "meeting": meeting, "form": form, "may_leave": may_leave, "minutes": minutes},
        status=400 if form.errors else 200,
    )


@login_required
def signin_page(request, code: str):
    """What the phone opens from the host's QR code: one button signs the member in."""
    # Nothing about the meeting is shown unless the code is really one of its codes (a made-up
    # code must not reveal which meeting an id is).
    meeting = None
    error = ""
    try:
        parsed = signin.parse(code)
        meeting = Meeting.objects.select_related("org").filter(pk=parsed.pk).first()
        if meeting is None:
            raise signin.CodeError("二维码无效，请扫描会议屏幕上的签到二维码。")
        signin.check_meeting_code(meeting, parsed)
    except signin.CodeError as exc:
        error = str(exc)
        meeting = None
    row = None
    if request.method == "POST" and not error:
        try:
            row, signed = services.sign_in_by_qr(request.user, code, meeting)
            assert meeting is not None
        except services.OrglifeError as exc:
            error = "".join(exc.messages)
        else:
            if signed:
                messages.success(
                    request, f"签到成功：{row.get_status_display()}，{timezone.localtime(row.signed_at):%H:%M}。"
                )
            else:
                messages.info(request, f"您已签到（{row.get_status_display()}），无需重复签到。")
            return redirect("orglife:my_meeting", meeting.pk)
    member = member_of(request.user)
    return render(
        request,
        "orglife/signin.html",
        {"meeting": meeting, "code": code, "error": error, "member": member},
        status=400 if error and request.method == "POST" else 200,
    )


@login_required
def my_code(request):
    member = _me(request)
    return render(request, "orglife/my_code.html", _my_code_context(member))


def _my_code_context(member) -> dict:
    code = signin.member_code(member)
    return {"member": member, "code": code, "svg": signin.qr_svg(code), "refresh": max(5, signin.rotate_seconds() // 2)}


@login_required
def my_code_qr(request):
    return render(request, "orglife/_my_code.html", _my_code_context(_me(request)))


@login_required
def my_makeup(request):
    member = member_of(request.user)
    tasks = []
    if member is not None:
        tasks = list(
            MakeupTask.objects.filter(member=member).select_related("meeting", "meeting__org", "meeting__minutes")[:50]
        )
    return render(request, "orglife/my_makeup.html", {"member": member, "tasks": tasks})


@login_required
def makeup_detail(request, pk: int):
    member = _me(request)
    task = MakeupTask.objects.select_related("meeting", "meeting__org").filter(pk=pk, member=member).first()
    if task is None:
        raise Http404("未找到该补学任务。")
    minutes = Minutes.objects.filter(meeting=task.meeting, status=MinutesStatus.APPROVED).first()
    form = MakeupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_makeup(request.user, task, form.cleaned_data["note"])
        except services.OrglifeError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已完成补学。")
            return redirect("orglife:my_makeup")
    return render(
        request,
        "orglife/makeup_detail.html",
        {"task": task, "minutes": minutes, "form": form},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- 组织生活落实情况


def compliance_report(user, params):
    """The compliance report of the user's scope for the query ``params`` (page and API share it).
    Raises PermissionDenied without the grant, compliance.PeriodError for a bad period."""
    from . import compliance
    from .permissions import HELD_VIEW

    scope = scope_for(user, HELD_VIEW)
    if scope.empty:
        raise PermissionDenied("您没有查看组织生活落实情况的权限。")
    text = params.get("period") or ""
    period = compliance.Period.parse(text) if text else compliance.Period.containing("quarter", timezone.localdate())
    orgs = Org.objects.filter(scope.q(area="area_path", org="code"))
    return compliance.report(
        orgs,
        period,
        meeting_type=params.get("type", ""),
        status=params.get("status", ""),
        after=params.get("after", ""),
        scope=scope,
    )


def _export_query(result) -> str:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query["period"] = result.period.key
    if result.status:
        query["type"], query["status"] = result.meeting_type, result.status
    return query.urlencode()


@login_required
def compliance_page(request):
    from . import compliance

    error = ""
    try:
        result = compliance_report(request.user, request.GET)
    except compliance.PeriodError as exc:
        error = str(exc)
        result = compliance_report(request.user, {})
    next_url = ""
    if result.next_after:
        query = request.GET.copy()
        query["after"] = result.next_after
        next_url = f"?{query.urlencode()}"
    return render(
        request,
        "orglife/compliance.html",
        {
            "report": result,
            "error": error,
            "statuses": list(compliance.STATUS_LABELS.items()),
            "next_url": next_url,
            "period_value": result.period.key,
            "export_query": _export_query(result),
        },
    )
