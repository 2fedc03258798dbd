"""Roster pages: the member list, the member page with its history and actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.areas.models import Area
from jiceng.core.crumbs import Crumb
from jiceng.core.ethnicity import CHOICES as ETHNICITY_CHOICES
from jiceng.core.ids import address_warning
from jiceng.core.scope import can
from jiceng.core.views import scoped_list
from jiceng.members import dues as dues_rules
from jiceng.members import forms, services
from jiceng.members.filtersets import MEMBER_SORTS, MemberFilterSet, member_default_sort, member_key_field
from jiceng.members.history import member_history
from jiceng.members.models import (
    PARTY_MEMBER_STATUSES,
    PIPELINE,
    Member,
    Status,
    get_member_for_user,
)
from jiceng.members.permissions import DUES_ADD, MEMBER_ADD, TRANSFER_CHANGE
from jiceng.members.privacy import MemberPrivacy, log_pii_view, pii_visible
from jiceng.members.rules import STATUS_LABELS, probation_end
from jiceng.orgs.models import Org, get_org_for_user
from jiceng.orgs.services import ancestor_org_codes

from .common import (
    PAGE_SIZE,
    _apply_errors,
    _member_scope,
    _org_scope,
    _reminders,
    _today,
)

# --------------------------------------------------------------------------- list


@login_required
def member_list(request):
    user = request.user
    page = scoped_list(
        request,
        Member.objects.select_related("org"),
        MemberFilterSet,
        keys=lambda data: (member_key_field(user, data), "id"),
        size=PAGE_SIZE,
        export_kind="members",
        sorts=MEMBER_SORTS,
        default_sort=member_default_sort(user, request.GET),
    )
    filterset, rows = page.filterset, page.rows
    privacy = filterset.privacy
    for member in rows:
        member.shown = privacy.shown(member)  # lists are always masked; birth year only without the right
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    org = area = None
    if data.get("org"):
        org = (
            Org.objects.visible_to(user).filter(code=data["org"]).only("code", "name", "org_type", "area_path").first()
        )
    if data.get("area"):
        area = Area.objects.visible_to(user).filter(code=data["area"]).only("code", "name").first()
    return render(
        request,
        "members/member_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "rows": rows,
            "next_url": page.next_url,
            "first_url": page.first_url,
            "export_url": page.export_url,
            "total": page.total,
            "sort": page.sort,
            "filter_org": org,
            "filter_area": area,
            "statuses": Status.choices,
            "ethnicities": ETHNICITY_CHOICES,
            "selected_statuses": request.GET.getlist("status"),
            "can_add": org is not None and org.is_branch and _org_scope(user, MEMBER_ADD, org),
            "id_searchable": privacy.id_searchable,
            "page_size": PAGE_SIZE,
        },
    )


# --------------------------------------------------------------------------- member page


def _next_steps(member: Member) -> list[tuple[str, str]]:
    if member.left_on or member.status not in PIPELINE:
        return []
    index = PIPELINE.index(member.status)
    if index + 1 >= len(PIPELINE):
        return []
    target = PIPELINE[index + 1]
    if target == Status.PROBATIONARY and not member.admission_date:
        return []  # the branch meeting comes first
    return [(target.value, f"{STATUS_LABELS[target]}")]


def _member_crumbs(user, member: Member) -> list[Crumb]:
    """党员 › the member's org and the visible orgs above it › the member."""
    orgs = Org.objects.visible_to(user).filter(code__in=[*ancestor_org_codes(member.org_path), member.org_path])
    return [
        Crumb("党员", reverse("members:member_list")),
        *(
            Crumb(org.name, reverse("orgs:org_detail", args=[org.code]))
            for org in orgs.only("code", "name").order_by("code")
        ),
        Crumb(member.name),
    ]


def _member_page(request, member: Member, revealed: bool = False):
    user = request.user
    events = member_history(member, 100)
    transfers = list(member.transfers.select_related("from_org", "to_org")[:10])
    payments = list(member.dues_payments.all()[:12])
    introducers = list(member.introducers.all())
    today = _today()
    can_change = can(user, "change", member)
    unpaid = dues_rules.unpaid_months(member.dues_paid_through, services.dues_from(member), today)
    shown = MemberPrivacy(user).shown(member, reveal=revealed)
    return render(
        request,
        "members/member_detail.html",
        {
            "breadcrumbs": _member_crumbs(user, member),
            "member": member,
            "shown": shown,
            "revealed": revealed and shown.full,
            "can_pii": shown.full,
            "can_change": can_change and not member.left_on,
            "can_transfer": _member_scope(user, TRANSFER_CHANGE, member)
            and member.status in PARTY_MEMBER_STATUSES
            and not member.left_on,
            "can_dues": _member_scope(user, DUES_ADD, member)
            and member.status in PARTY_MEMBER_STATUSES
            and not member.left_on,
            "next_steps": _next_steps(member),
            "needs_branch_vote": member.status == Status.CANDIDATE and not member.admission_date,
            "can_extend": member.status == Status.PROBATIONARY and not member.probation_extended_to,
            "is_party_member": member.status in PARTY_MEMBER_STATUSES,
            "reminders": _reminders(member, today),
            "events": events,
            "transfers": transfers,
            "payments": payments,
            "introducers": introducers,
            "monthly_dues": dues_rules.monthly_dues(member.dues_category, member.dues_base),
            "unpaid_months": unpaid if member.status in PARTY_MEMBER_STATUSES else 0,
            "arrears": member.status in PARTY_MEMBER_STATUSES and unpaid >= dues_rules.arrears_threshold(),
            "arrears_months": dues_rules.arrears_threshold(),
            "probation_end": probation_end(member.admission_date, member.probation_extended_to)
            if member.status == Status.PROBATIONARY
            else None,
        },
    )


@login_required
def member_detail(request, pk):
    return _member_page(request, get_member_for_user(request.user, pk))


@login_required
@require_POST
def member_pii(request, pk):
    """显示完整信息: full ID number and phone, for holders of view_pii; every view is audited."""
    member = get_member_for_user(request.user, pk)
    if not pii_visible(request.user, member):
        raise PermissionDenied("您没有查看完整身份证号和手机号的权限。")
    log_pii_view(request.user, member, "page")
    return _member_page(request, member, revealed=True)


def _action_page(request, member, form, title, submit="提交", intro=""):
    return render(
        request,
        "members/action_form.html",
        {"member": member, "form": form, "title": title, "submit": submit, "intro": intro},
    )


def _done(request, member, text):
    messages.success(request, text)
    return redirect("members:member_detail", pk=member.pk)


def _saved(request, member, text):
    """``_done`` after the ID number was entered: a warning (never a refusal) for an address code
    that is not on the current GB/T 2260 list."""
    warning = address_warning(member.id_number)
    if warning:
        messages.warning(request, warning)
    return _done(request, member, text)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request):
    user = request.user
    org = get_org_for_user(user, request.GET.get("org") or request.POST.get("org") or "")
    if not _org_scope(user, MEMBER_ADD, org):
        raise Http404("未找到该记录，或您无权访问。")
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            member = services.create_member(
                user,
                org=org,
                name=data.pop("name"),
                id_number=data.pop("id_number"),
                status=data.pop("status"),
                **data,
            )
        except services.MemberError as exc:
            _apply_errors(form, exc)
        else:
            return _saved(request, member, f"已登记“{member.name}”。")
    return render(request, "members/member_form.html", {"form": form, "org": org, "title": f"在 {org.name} 登记党员"})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = get_member_for_user(request.user, pk, "change")
    form = forms.MemberEditForm(request.POST or None, instance=Member.objects.get(pk=member.pk))
    # The form shows the phone in full: an audited full view, and none for a user without the right.
    if not pii_visible(request.user, member):
        del form.fields["phone"]
    elif request.method == "GET":
        log_pii_view(request.user, member, "edit")
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f != "residence_code"}
        if "residence_code" in form.changed_data:
            changes["residence"] = form.cleaned_data["residence_code"]
        try:
            member = services.update_member(request.user, member, **changes)
        except services.MemberError as exc:
            _apply_errors(form, exc)
        else:
            return (_saved if "id_number" in changes else _done)(request, member, "已保存。")
    return _action_page(request, member, form, f"编辑 {member.name}", "保存")


def _find_introducers(user, member, text: str) -> tuple[list[Member], list[str]]:
    """Introducers named by 4-character ID tail or name, looked up within the user's scope."""
    found, errors = [], []
    for token in [t.strip() for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]:
        candidates = Member.objects.visible_to(user).filter(left_on__isnull=True)
        token_upper = token.upper()
        if len(token_upper) == 4 and set(token_upper) <= set("0123456789X"):
            candidates = MemberPrivacy(user).id_search_scope(candidates).filter(id_last4=token_upper)
        else:
            candidates = candidates.filter(name=token)
        same_branch = [m for m in candidates.filter(org=member.org)[:2]]
        matches = same_branch or list(candidates[:2])
        if len(matches) != 1:
            errors.append(f"介绍人“{token}”{'不唯一，请改用身份证号后四位' if matches else '未找到'}")
        else:
            found.append(matches[0])
    return found, errors


@login_required
@require_http_methods(["GET", "POST"])
def member_advance(request, pk):
    member = get_member_for_user(request.user, pk, "change")
    form = forms.AdvanceForm(request.POST or None, choices=_next_steps(member))
    if not form.fields["to_status"].choices:
        messages.error(request, "当前状态没有可办理的下一步。")
        return redirect("members:member_detail", pk=member.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence = {}
        if data.get("talk_date"):
            evidence["talk_date"] = data["talk_date"]
        if data.get("approval_extended"):
            evidence["approval_extended"] = True
        if data.get("votes_for") is not None:
            evidence["votes_for"] = data["votes_for"]
        try:
            services.advance_member(request.user, member, data["to_status"], data["on_date"], **evidence)
        except services.MemberError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, member, f"已办理：{STATUS_LABELS[data['to_status']]}。")
    return _action_page(request, member, form, f"{member.name} · 发展程序", "办理")


@login_required
@require_http_methods(["GET", "POST"])
def member_branch_vote(request, pk):
    member = get_member_for_user(request.user, pk, "change")
    form = forms.BranchVoteForm(request.POST or None, initial={"training_hours": member.training_hours})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        introducers, errors = _find_introducers(request.user, member, data["introducers"])
        for error in errors:
            form.add_error("introducers", error)
        if not errors:
            try:
                services.record_branch_vote(
                    request.user,
                    member,
                    data["on_date"],
                    introducers=introducers,
                    training_hours=data["training_hours"],
                    votes_for=data.get("votes_for"),
                )
            except services.MemberError as exc:
                _apply_errors(form, exc)
            else:
                return _done(request, member, "已登记支部大会讨论结果，请在期限内报上级党委审批。")
    intro = "支部大会表决：赞成票须超过应到会有表决权的正式党员的半数；预备党员没有表决权。"
    return _action_page(request, member, form, f"{member.name} · 支部大会讨论接收预备党员", "登记", intro)


@login_required
@require_http_methods(["GET", "POST"])
def member_extend(request, pk):
    member = get_member_for_user(request.user, pk, "change")
    form = forms.ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extend_probation(
                request.user, member, form.cleaned_data["extend_to"], reason=form.cleaned_data["reason"]
            )
        except services.MemberError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, member, "已延长预备期。")
    intro = "预备期只能延长一次，最长不超过一年。"
    return _action_page(request, member, form, f"{member.name} · 延长预备期", "延长", intro)


@login_required
@require_http_methods(["GET", "POST"])
def member_exit(request, pk):
    member = get_member_for_user(request.user, pk, "change")
    form = forms.ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.exit_member(request.user, member, data["status"], data["on_date"], data["reason"])
        except services.MemberError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, member, "已办理。")
    return _action_page(request, member, form, f"{member.name} · 出党/停止党籍/去世", "确认办理")


@login_required
@require_http_methods(["GET", "POST"])
def member_transfer(request, pk):
    member = get_member_for_user(request.user, pk)
    if not _member_scope(request.user, TRANSFER_CHANGE, member):
        raise PermissionDenied("您没有办理组织关系转接的权限。")
    form = forms.TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == "internal":
                transfer = services.request_transfer(request.user, member, data["to_org"], reason=data["reason"])
            else:
                transfer = services.issue_outgoing(
                    request.user,
                    member,
                    external_org_name=data["external_org_name"],
                    letter_no=data["letter_no"],
                    cross_province=data["cross_province"],
                    reason=data["reason"],
                )
        except services.MemberError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已开具介绍信{transfer.letter_no}，有效期至{transfer.valid_until:%Y-%m-%d}。")
            return redirect("members:transfer_detail", pk=transfer.pk)
    intro = "平台内转接须由接收党组织确认接收；转出平台的，收到回执后登记。介绍信有效期一般3个月，跨省6个月。"
    return render(
        request,
        "members/transfer_form.html",
        {
            "member": member,
            "form": form,
            "title": f"{member.name} · 组织关系转接",
            "submit": "开具介绍信",
            "intro": intro,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_dues(request, pk):
    member = get_member_for_user(request.user, pk)
    if not _member_scope(request.user, DUES_ADD, member):
        raise PermissionDenied("您没有登记党费的权限。")
    amount = dues_rules.monthly_dues(member.dues_category, member.dues_base)
    today = _today()
    next_month = dues_rules.add_month(member.dues_paid_through, 1) if member.dues_paid_through else today.replace(day=1)
    pay = forms.PaymentForm(
        request.POST if request.POST.get("form") == "pay" else None,
        initial={"month": f"{next_month:%Y-%m}", "amount": amount, "paid_on": today},
        prefix="pay",
    )
    base = forms.DuesBaseForm(
        request.POST if request.POST.get("form") == "base" else None,
        initial={"dues_category": member.dues_category, "dues_base": member.dues_base},
        prefix="base",
    )
    if request.method == "POST" and pay.is_bound and pay.is_valid():
        data = pay.cleaned_data
        try:
            services.record_payment(
                request.user, member, data["month"], data["amount"], data.get("paid_on"), note=data["note"]
            )
        except services.MemberError as exc:
            _apply_errors(pay, exc)
        else:
            return _done(request, member, f"已登记{data['month']:%Y年%m月}党费{data['amount']}元。")
    if request.method == "POST" and base.is_bound and base.is_valid():
        try:
            services.set_dues(
                request.user,
                member,
                category=base.cleaned_data["dues_category"],
                base=base.cleaned_data["dues_base"],
            )
        except services.MemberError as exc:
            _apply_errors(base, exc)
        else:
            return _done(request, member, "已更新党费基数。")
    return render(
        request,
        "members/member_dues.html",
        {"member": member, "pay": pay, "base": base, "amount": amount, "title": f"{member.name} · 党费"},
    )
