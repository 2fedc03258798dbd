"""Committee posts (任职、离任、空缺) and part-time members on the org page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jiceng.core.paths import subtree_q
from jiceng.core.scope import can
from jiceng.orgs import services
from jiceng.orgs.forms import PartTimeEndForm, PartTimeForm, PostAppointForm, PostEndForm, VacancyForm
from jiceng.orgs.models import CommitteePost, Org, PartTimeMember, ResidentUnit, get_org_for_user
from jiceng.orgs.views.common import MEMBER_CHOICES_LIMIT, add_service_error, form_page


def _eligible_members(user, org: Org):
    """Full members in the org's subtree the user may see, for the appointment drop-down."""
    from jiceng.members.models import Member, Status

    members = services.on_roster(
        Member.objects.visible_to(user).filter(subtree_q(org.code, "org_path"), status=Status.FULL)
    )
    return members.select_related("org").order_by("org_path", "name")


@login_required
@require_http_methods(["GET", "POST"])
def post_add(request, code):
    org = get_org_for_user(request.user, code, "change")
    candidates = list(_eligible_members(request.user, org)[:MEMBER_CHOICES_LIMIT])
    form = PostAppointForm(request.POST or None, org=org, members=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = None
        if data["member"]:
            member = _eligible_members(request.user, org).filter(pk=data["member"]).first()
            if member is None:
                form.add_error("member", "所选党员不在本组织，或不是正式党员。")
        if not form.errors:
            try:
                seat = services.appoint_post(
                    request.user,
                    org,
                    post=data["post"],
                    member=member,
                    holder_name=data["holder_name"],
                    start_on=data["start_on"],
                )
            except services.OrgError as exc:
                add_service_error(form, exc, ("post", "member", "start_on"))
            else:
                messages.success(request, f"已登记{seat.holder_name}任{seat.get_post_display()}。")
                return redirect("orgs:org_detail", code=org.code)
    return form_page(
        request, form, title=f"{org.name} · 任职", org=org, cancel_url=reverse("orgs:org_detail", args=[org.code])
    )


def _get_post(user, pk) -> CommitteePost:
    seat = CommitteePost.objects.select_related("org").filter(pk=pk).first()
    if seat is None or not can(user, "change", seat.org):
        raise Http404("未找到该记录，或您无权访问。")
    return seat


@login_required
@require_http_methods(["GET", "POST"])
def post_end(request, pk):
    seat = _get_post(request.user, pk)
    org = seat.org
    form = PostEndForm(request.POST or None)
    if not seat.holder_name:
        form.fields.pop("leave_vacant")
    if request.method == "POST" and form.is_valid():
        try:
            services.end_post(
                request.user,
                seat,
                end_on=form.cleaned_data["end_on"],
                leave_vacant=form.cleaned_data.get("leave_vacant", False),
            )
        except services.OrgError as exc:
            add_service_error(form, exc, ("end_on",))
        else:
            done = f"{seat.holder_name}已离任{seat.get_post_display()}" if seat.holder_name else "已撤销该空缺"
            messages.success(request, f"{done}。")
            return redirect("orgs:org_detail", code=org.code)
    label = (
        f"{seat.get_post_display()} {seat.holder_name}" if seat.holder_name else f"{seat.get_post_display()}（空缺）"
    )
    return form_page(
        request,
        form,
        title=f"{org.name} · {label} 离任",
        org=org,
        cancel_url=reverse("orgs:org_detail", args=[org.code]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_add(request, code):
    org = get_org_for_user(request.user, code, "change")
    form = VacancyForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_vacancy(request.user, org, post=form.cleaned_data["post"], since=form.cleaned_data["since"])
        except services.OrgError as exc:
            add_service_error(form, exc, ("post",))
        else:
            messages.success(request, "已登记空缺。")
            return redirect("orgs:org_detail", code=org.code)
    return form_page(
        request, form, title=f"{org.name} · 登记空缺", org=org, cancel_url=reverse("orgs:org_detail", args=[org.code])
    )


def _units_in(user, org: Org):
    return ResidentUnit.objects.visible_to(user).filter(subtree_q(org.area_path, "area_path")).order_by("name")[:500]


@login_required
@require_http_methods(["GET", "POST"])
def part_time_add(request, code):
    org = get_org_for_user(request.user, code, "change")
    units = list(_units_in(request.user, org))
    form = PartTimeForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.pk == data["unit"]), None) if data["unit"] else None
        try:
            record = services.add_part_time_member(
                request.user,
                org,
                role=data["role"],
                person_name=data["person_name"],
                unit=unit,
                job_title=data["job_title"],
                start_on=data["start_on"],
            )
        except services.OrgError as exc:
            add_service_error(form, exc, ("role", "person_name", "unit"))
        else:
            messages.success(request, f"已登记{record.get_role_display()}{record.person_name}。")
            return redirect("orgs:org_detail", code=org.code)
    return form_page(
        request,
        form,
        title=f"{org.name} · 登记兼职委员",
        org=org,
        cancel_url=reverse("orgs:org_detail", args=[org.code]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def part_time_end(request, pk):
    record = PartTimeMember.objects.select_related("org").filter(pk=pk).first()
    if record is None or not can(request.user, "change", record.org):
        raise Http404("未找到该记录，或您无权访问。")
    org = record.org
    form = PartTimeEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_part_time_member(request.user, record, end_on=form.cleaned_data["end_on"])
        except services.OrgError as exc:
            add_service_error(form, exc, ("end_on",))
        else:
            messages.success(request, f"{record.person_name}已离任。")
            return redirect("orgs:org_detail", code=org.code)
    return form_page(
        request,
        form,
        title=f"{org.name} · {record.get_role_display()} {record.person_name} 离任",
        org=org,
        cancel_url=reverse("orgs:org_detail", args=[org.code]),
    )
