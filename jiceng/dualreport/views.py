"""Pages of 双报到: the member's phone page (我的双报到) and the community's and branch's desks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.areas.models import Area, Level, code_at_level
from jiceng.core.masking import mask_phone
from jiceng.core.pdf import pdf_response
from jiceng.core.scope import can, get_object_for_user, scope_for
from jiceng.core.views import scoped_list
from jiceng.members.models import Member, member_of
from jiceng.orgs.models import ResidentUnit

from . import lists, services
from .actions import REGISTRATION_ACTIONS, SERVICE_ACTIONS, available
from .filtersets import RegistrationFilterSet, ServiceFilterSet, ServicePostFilterSet
from .forms import FeedbackForm, PostForm, RegisterForm, ServiceForm, StaffRegisterForm, put_error
from .models import (
    Delivery,
    Feedback,
    PostStatus,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Service,
    ServicePost,
    SignUp,
    YearTally,
)
from .permissions import (
    FEEDBACK_ADD,
    FEEDBACK_VIEW,
    POST_ADD,
    REGISTRATION_ADD,
    SERVICE_CONFIRM,
    TALLY_VIEW,
)
from .rules import yearly_target

PAGE_SIZE = 50


def _form_page(request, form, *, title: str, cancel_url: str, submit: str = "提交", intro: str = ""):
    return render(
        request,
        "dualreport/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "submit": submit, "intro": intro},
    )


# --------------------------------------------------------------------------- 我的双报到 (the member's phone)


def _my_registration(member: Member) -> Registration | None:
    return Registration.objects.filter(member=member).select_related("community").order_by("-created_at", "-id").first()


def _page_context(page) -> dict:
    """What every list page of the app shows of its keyset page: rows, filter form, paging, total."""
    return {
        "rows": page.rows,
        "form": page.filterset.form,
        "next_cursor": page.next_cursor,
        "is_first": page.first_url is None,
        "query": page.query,
        "total": page.total,
    }


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    member = member_of(request.user)
    if member is None:
        return render(request, "dualreport/mine.html", {"member": None})
    registration = _my_registration(member)
    active = registration is not None and registration.is_active
    city = services.home_city(member)
    form = None
    if not active:
        initial = {"phone": member.phone, "community": code_at_level(member.residence_path, Level.COMMUNITY)}
        form = RegisterForm(request.POST or None, city=city, initial=initial)
        if request.method == "POST" and form.is_valid():
            community = Area.objects.filter(code=form.cleaned_data["community"]).first()
            try:
                services.register_member(
                    request.user,
                    member,
                    community,
                    phone=form.cleaned_data["phone"],
                    skills=form.cleaned_data["skills"],
                )
            except services.DualError as exc:
                put_error(form, exc, ("community", "phone", "skills"))
            else:
                messages.success(request, "已提交报到，等待社区确认。")
                return redirect("dualreport:mine")
    year = timezone.localdate().year
    context = {
        "member": member,
        "registration": registration,
        "form": form,
        "year": year,
        "target": yearly_target(),
        "done": 0,
        "posts": [],
        "services": [],
        "service_form": None,
    }
    if registration is not None and registration.status == RegistrationStatus.CONFIRMED:
        tally = YearTally.objects.filter(member=member, year=year).first()
        context["done"] = tally.services if tally else 0
        signed = set(SignUp.objects.filter(member=member).values_list("post_id", flat=True))
        posts = list(
            ServicePost.objects.filter(
                community_id=registration.community_id, status=PostStatus.OPEN, ends_on__gte=timezone.localdate()
            ).order_by("starts_on", "id")[:20]
        )
        for post in posts:
            post.signed = post.pk in signed
        context["posts"] = posts
        context["service_form"] = ServiceForm(prefix="service", initial={"served_on": timezone.localdate()})
    if registration is not None:
        context["services"] = list(Service.objects.filter(member=member).select_related("post")[:50])
    return render(request, "dualreport/mine.html", context)


@login_required
@require_POST
def mine_sign_up(request, pk):
    post = get_object_for_user(ServicePost.objects.all(), request.user, "view", pk=pk)
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied("您的账号未关联党员名册。")
    try:
        services.sign_up(request.user, post, member)
    except services.DualError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已报名“{post.title}”。")
    return redirect("dualreport:mine")


@login_required
@require_POST
def mine_cancel_sign_up(request, pk):
    post = get_object_for_user(ServicePost.objects.all(), request.user, "view", pk=pk)
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied("您的账号未关联党员名册。")
    try:
        services.cancel_sign_up(request.user, post, member)
    except services.DualError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已取消报名“{post.title}”。")
    return redirect("dualreport:mine")


@login_required
@require_POST
def mine_end(request):
    """结束报到 by the member (moved house, changed jobs, retired), with the reason."""
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied("您的账号未关联党员名册。")
    registration = _my_registration(member)
    if registration is None or not registration.is_active:
        messages.error(request, "您没有正在进行的报到。")
        return redirect("dualreport:mine")
    try:
        services.end_registration(request.user, registration, request.POST.get("reason", ""))
    except services.DualError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已结束在{registration.community.name}的报到。服务记录仍然保留，可以重新报到。")
    return redirect("dualreport:mine")


@login_required
@require_http_methods(["GET", "POST"])
def mine_service_add(request):
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied("您的账号未关联党员名册。")
    registration = Registration.objects.filter(member=member, status=RegistrationStatus.CONFIRMED).first()
    if registration is None:
        messages.error(request, "报到经社区确认后才能申报服务。")
        return redirect("dualreport:mine")
    form = ServiceForm(request.POST or None, prefix="service", initial={"served_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_service(request.user, registration, **form.cleaned_data)
        except services.DualError as exc:
            put_error(form, exc, ("served_on", "hours", "content"))
        else:
            messages.success(request, "已申报服务，等待社区确认。")
            return redirect("dualreport:mine")
    return _form_page(
        request,
        form,
        title="申报服务",
        cancel_url=reverse("dualreport:mine"),
        intro=f"向{registration.community.name}申报一次服务。",
    )


# --------------------------------------------------------------------------- registrations


@login_required
def registration_list(request):
    page = scoped_list(
        request,
        Registration.objects.select_related("member", "unit", "org", "community"),
        RegistrationFilterSet,
        keys=("-id",),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "dualreport/registration_list.html",
        {
            **_page_context(page),
            "can_add": not scope_for(request.user, REGISTRATION_ADD).empty,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_add(request):
    if scope_for(request.user, REGISTRATION_ADD).empty:
        raise PermissionDenied("没有代为登记双报到的权限。")
    form = StaffRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = Area.objects.filter(code=data["community"]).first()
        try:
            if data.get("unit"):
                unit = ResidentUnit.objects.visible_to(request.user).filter(pk=data["unit"]).first()
                if unit is None:
                    raise services.DualError("驻区单位不存在，或不在您的权限范围内。", code="unit")
                registration = services.register_unit(request.user, unit, community)
            else:
                member = Member.objects.visible_to(request.user).filter(pk=data["member"]).first()
                if member is None:
                    raise services.DualError("党员不存在，或不在您的权限范围内。", code="member")
                registration = services.register_member(request.user, member, community, skills=data["skills"])
        except services.DualError as exc:
            put_error(form, exc, ("member", "unit", "community", "skills"))
        else:
            messages.success(request, f"已为{registration.who}登记报到。")
            return redirect("dualreport:registration_detail", pk=registration.pk)
    return _form_page(request, form, title="代为登记双报到", cancel_url=reverse("dualreport:registration_list"))


def _phone_for(user, registration: Registration) -> str:
    """A member's phone masked as ``members.privacy`` decides for lists and cards (the full number
    is only on the roster's audited full view); a unit's contact line in full for its community."""
    if registration.member_id is not None:
        return registration.phone if registration.member.user_id == user.pk else mask_phone(registration.phone)
    if scope_for(user, SERVICE_CONFIRM).covers(registration.area_path):
        return registration.phone
    return mask_phone(registration.phone)


@login_required
def registration_detail(request, pk):
    registration = get_object_for_user(
        Registration.objects.select_related("member", "unit", "org", "community"), request.user, "view", pk=pk
    )
    staff = scope_for(request.user, SERVICE_CONFIRM).covers(registration.area_path)
    year = timezone.localdate().year
    context = {
        "registration": registration,
        "phone": _phone_for(request.user, registration),
        "actions": [
            (entry, entry.form(prefix=entry.key))
            for entry in available(REGISTRATION_ACTIONS, request.user, registration)
        ],
        "services": list(registration.services.select_related("post")[:100]),
        "feedbacks": list(registration.feedbacks.order_by("-sent_on", "-id")[:20]),
        "service_form": ServiceForm(prefix="service", initial={"served_on": timezone.localdate()})
        if staff and registration.status == RegistrationStatus.CONFIRMED
        else None,
        "feedback_form": (
            FeedbackForm(prefix="feedback", initial={"year": year})
            if registration.kind == RegistrationKind.MEMBER
            and registration.status == RegistrationStatus.CONFIRMED
            and scope_for(request.user, FEEDBACK_ADD).covers(registration.area_path)
            else None
        ),
        "delivery": services.delivery_for(registration),
        "tally": YearTally.objects.filter(member_id=registration.member_id, year=year).first()
        if registration.member_id
        else None,
        "target": yearly_target(),
        "year": year,
    }
    return render(request, "dualreport/registration_detail.html", context)


@login_required
@require_POST
def registration_act(request, pk, action):
    entry = REGISTRATION_ACTIONS.get(action.replace("-", "_"))
    if entry is None:
        raise Http404("没有这个操作。")
    registration = get_object_for_user(
        Registration.objects.select_related("member", "unit"), request.user, "view", pk=pk
    )
    form = entry.form(request.POST, prefix=entry.key)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            result = entry.run(request.user, registration, form.cleaned_data)
        except services.DualError as exc:
            messages.error(request, exc.messages[0])
        else:
            result.member, result.unit = registration.member, registration.unit
            messages.success(request, entry.done(result, form.cleaned_data))
    return redirect("dualreport:registration_detail", pk=registration.pk)


@login_required
@require_POST
def registration_service_add(request, pk):
    registration = get_object_for_user(Registration.objects.select_related("member"), request.user, "view", pk=pk)
    form = ServiceForm(request.POST, prefix="service")
    if form.is_valid():
        try:
            services.record_service(request.user, registration, confirm=True, **form.cleaned_data)
        except services.DualError as exc:
            put_error(form, exc, ("served_on", "hours", "content"))
        else:
            messages.success(request, "已登记并确认服务，记录已锁定。")
            return redirect("dualreport:registration_detail", pk=registration.pk)
    return _form_page(
        request,
        form,
        title=f"登记服务：{registration.who}",
        cancel_url=reverse("dualreport:registration_detail", args=[registration.pk]),
    )


@login_required
@require_POST
def registration_feedback(request, pk):
    registration = get_object_for_user(Registration.objects.select_related("member"), request.user, "view", pk=pk)
    form = FeedbackForm(request.POST, prefix="feedback")
    if form.is_valid():
        try:
            feedback = services.send_feedback(request.user, registration, **form.cleaned_data)
        except services.DualError as exc:
            put_error(form, exc, ("year", "comment"))
        else:
            if feedback.delivery == Delivery.LETTER:
                messages.success(request, "该党员所在支部不在本市：请打印反馈函寄送。")
            else:
                messages.success(request, "已将服务情况反馈送达党员所在支部。")
            return redirect("dualreport:feedback_detail", pk=feedback.pk)
    return _form_page(
        request,
        form,
        title=f"服务情况反馈：{registration.who}",
        cancel_url=reverse("dualreport:registration_detail", args=[registration.pk]),
    )


# --------------------------------------------------------------------------- posts


@login_required
def post_list(request):
    page = scoped_list(
        request,
        ServicePost.objects.select_related("community"),
        ServicePostFilterSet,
        keys=("-id",),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "dualreport/post_list.html",
        {
            **_page_context(page),
            "can_add": not scope_for(request.user, POST_ADD).empty,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_add(request):
    scope = scope_for(request.user, POST_ADD)
    if scope.empty:
        raise PermissionDenied("没有发布服务岗位的权限。")
    form = PostForm(request.POST or None)
    communities = Area.objects.visible_to(request.user).filter(level="community").order_by("code")[:200]
    community_code = (request.POST.get("community") or "").strip()
    if request.method == "POST" and form.is_valid():
        community = Area.objects.filter(code=community_code).first() if community_code else None
        try:
            if community is None:
                raise services.DualError("请选择发布岗位的社区。", code="community")
            post = services.create_post(request.user, community, **form.cleaned_data)
        except services.DualError as exc:
            put_error(form, exc, ("title", "needs", "starts_on", "places"))
        else:
            messages.success(request, f"已发布岗位“{post.title}”。")
            return redirect("dualreport:post_detail", pk=post.pk)
    return render(
        request,
        "dualreport/post_form.html",
        {"form": form, "communities": communities, "community": community_code},
    )


@login_required
def post_detail(request, pk):
    post = get_object_for_user(ServicePost.objects.select_related("community"), request.user, "view", pk=pk)
    signups = SignUp.objects.visible_to(request.user).filter(post=post).select_related("member")[:200]
    return render(
        request,
        "dualreport/post_detail.html",
        {
            "post": post,
            "signups": signups,
            "can_close": post.status == PostStatus.OPEN and scope_for(request.user, POST_ADD).covers(post.area_path),
        },
    )


@login_required
@require_POST
def post_close(request, pk):
    post = get_object_for_user(ServicePost.objects.all(), request.user, "view", pk=pk)
    try:
        services.close_post(request.user, post)
    except services.DualError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "岗位已结束报名。")
    return redirect("dualreport:post_detail", pk=post.pk)


# --------------------------------------------------------------------------- services


@login_required
def service_list(request):
    page = scoped_list(
        request,
        Service.objects.select_related("member", "registration__community"),
        ServiceFilterSet,
        keys=("-id",),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "dualreport/service_list.html",
        {
            **_page_context(page),
        },
    )


@login_required
def service_detail(request, pk):
    service = get_object_for_user(
        Service.objects.select_related("member", "registration__community", "post"), request.user, "view", pk=pk
    )
    return render(
        request,
        "dualreport/service_detail.html",
        {
            "service": service,
            "actions": [
                (entry, entry.form(prefix=entry.key)) for entry in available(SERVICE_ACTIONS, request.user, service)
            ],
            "corrections": list(service.corrections.select_related("actor")[:50]),
        },
    )


@login_required
@require_POST
def service_act(request, pk, action):
    entry = SERVICE_ACTIONS.get(action.replace("-", "_"))
    if entry is None:
        raise Http404("没有这个操作。")
    service = get_object_for_user(Service.objects.all(), request.user, "view", pk=pk)
    form = entry.form(request.POST, prefix=entry.key)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            result = entry.run(request.user, service, form.cleaned_data)
        except services.DualError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, entry.done(result, form.cleaned_data))
    return redirect("dualreport:service_detail", pk=service.pk)


# --------------------------------------------------------------------------- below target, feedback


def _year(request) -> int:
    today = timezone.localdate()
    text = (request.GET.get("year") or "").strip()
    if text.isascii() and text.isdigit() and 2000 <= int(text) <= today.year:
        return int(text)
    return today.year


@login_required
def below_target(request):
    if scope_for(request.user, TALLY_VIEW).empty:
        raise PermissionDenied("没有查看双报到达标情况的权限。")
    year = _year(request)
    target = yearly_target()
    return render(
        request,
        "dualreport/below_target.html",
        {
            "year": year,
            "target": target,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "members": list(lists.members_below_target(request.user, year, target)[:200]),
            "branches": lists.branches_below_target(request.user, year, target)[:100],
        },
    )


@login_required
def feedback_list(request):
    if scope_for(request.user, FEEDBACK_VIEW).empty:
        raise PermissionDenied("没有查看服务情况反馈的权限。")
    rows = Feedback.objects.visible_to(request.user, own_rows=False).select_related("member", "org", "community")[:200]
    return render(request, "dualreport/feedback_list.html", {"rows": rows})


@login_required
def feedback_detail(request, pk):
    feedback = get_object_for_user(
        Feedback.objects.select_related("member", "org", "community", "registration"), request.user, "view", pk=pk
    )
    branch_side = scope_for(request.user, FEEDBACK_VIEW).covers_org(feedback.org_path)
    if branch_side and feedback.read_at is None and feedback.delivery == Delivery.SYSTEM:
        feedback = services.mark_feedback_read(request.user, feedback)
    services_done = list(
        Service.objects.visible_to(request.user)
        .filter(registration_id=feedback.registration_id, served_on__year=feedback.year, status="confirmed")
        .order_by("served_on", "id")[:100]
    )
    return render(
        request,
        "dualreport/feedback_detail.html",
        {"feedback": feedback, "services": services_done, "can_print": can(request.user, "view", feedback)},
    )


@login_required
def feedback_letter(request, pk):
    feedback = get_object_for_user(
        Feedback.objects.select_related("member", "org", "community", "registration"), request.user, "view", pk=pk
    )
    services_done = list(
        Service.objects.filter(
            registration_id=feedback.registration_id, served_on__year=feedback.year, status="confirmed"
        ).order_by("served_on", "id")[:60]
    )
    return pdf_response(
        request,
        "print/dual_feedback_letter.html",
        {"feedback": feedback, "services": services_done},
        f"双报到情况反馈函-{feedback.member.name}-{feedback.year}.pdf",
    )
