"""Transfer pages (组织关系转接): lists per side, the letter page and its actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core.masking import mask_id_number
from jiceng.core.paging import page_total, request_page
from jiceng.core.paths import is_digits, subtree_q
from jiceng.core.scope import get_object_for_user, holds, scope_for
from jiceng.core.sorting import sorted_keys
from jiceng.members import bulk, forms, services
from jiceng.members.filtersets import TRANSFER_SORTS
from jiceng.members.models import (
    Member,
    Transfer,
    TransferKind,
    TransferStatus,
    get_member_for_user,
)
from jiceng.members.permissions import TRANSFER_CHANGE, TRANSFER_VIEW
from jiceng.orgs.models import BRANCH_TYPES, Org

from .common import (
    PAGE_SIZE,
    _apply_errors,
    _member_scope,
    _today,
)

ORG_CHOICES_LIMIT = 20

# --------------------------------------------------------------------------- transfers


TRANSFER_TABS = [("incoming", "待本方接收"), ("outgoing", "本方转出"), ("all", "全部")]


@login_required
def transfer_list(request):
    user = request.user
    scope = scope_for(user, TRANSFER_VIEW)
    if scope.empty:
        raise PermissionDenied("您没有查看组织关系转接的权限。")
    tab = request.GET.get("tab", "incoming")
    transfers = Transfer.objects.visible_to(user).select_related("from_org", "to_org")
    if tab == "incoming":
        transfers = transfers.filter(
            scope.q(area="area_path", org="org_path"),
            status=TransferStatus.PENDING,
            kind__in=[TransferKind.INTERNAL, TransferKind.INCOMING],
        )
    elif tab == "outgoing":
        transfers = transfers.filter(
            scope.q(area="from_area_path", org="from_org_path"),
            kind__in=[TransferKind.INTERNAL, TransferKind.OUTGOING],
        )
    else:
        tab = "all"
    status = request.GET.get("status")
    if status in TransferStatus.values:
        transfers = transfers.filter(status=status)
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        transfers = transfers.filter(Q(person_name__contains=q) | Q(letter_no__contains=q))
    keys = sorted_keys(TRANSFER_SORTS, request.GET, ("-id",))
    rows, next_url, _ = request_page(request, transfers, keys, PAGE_SIZE, "before")
    total = page_total(transfers, rows, single_page=next_url is None and "before" not in request.GET)
    can_accept = tab == "incoming" and not scope.empty and not scope_for(user, TRANSFER_CHANGE).empty
    today = _today()
    for transfer in rows:
        transfer.overdue = transfer.status == TransferStatus.PENDING and transfer.valid_until < today
    return render(
        request,
        "members/transfer_list.html",
        {
            "rows": rows,
            "tab": tab,
            "tabs": TRANSFER_TABS,
            "next_url": next_url,
            "status": status,
            "q": q,
            "total": total,
            "sort": TRANSFER_SORTS.state(request.GET, default="-created"),
            "statuses": TransferStatus.choices,
            "can_register": not scope_for(user, TRANSFER_CHANGE).empty,
            # 批量接收 on the 待本方接收 tab: a checkbox on each platform-internal transfer.
            "bulk_accept": can_accept and any(t.kind == TransferKind.INTERNAL for t in rows),
            "bulk_results": request.session.pop(BULK_RESULTS, None),
        },
    )


BULK_RESULTS = "members:bulk-accept-results"


@login_required
@require_POST
def transfer_bulk_accept(request):
    """批量接收: each ticked platform-internal transfer accepted through the one service, each on
    its own; the list then shows what was done and what was refused, and why."""
    if scope_for(request.user, TRANSFER_CHANGE).empty:
        raise PermissionDenied("您没有办理组织关系转接的权限。")
    back = reverse("members:transfer_list") + "?tab=incoming"
    try:
        results = bulk.bulk_accept(request.user, request.POST.getlist("ids"))
    except ValidationError as exc:
        messages.error(request, f"未接收：{exc.messages[0]}")
        return redirect(back)
    done = sum(1 for r in results if r.ok)
    request.session[BULK_RESULTS] = [vars(r) for r in results]
    if done == len(results):
        messages.success(request, f"批量接收完成：{done} 件已接收。")
    else:
        messages.warning(request, f"批量接收：{done} 件已接收，{len(results) - done} 件未接收，原因见下表。")
    return redirect(back)


def _get_transfer(user, pk) -> Transfer:
    return get_object_for_user(Transfer.objects.select_related("member", "from_org", "to_org"), user, "view", pk=pk)


def _transfer_sides(user, transfer: Transfer) -> dict:
    receiving = transfer.kind != TransferKind.OUTGOING and holds(
        user, TRANSFER_CHANGE, areas=[transfer.area_path], orgs=[transfer.org_path]
    )
    sending = transfer.kind != TransferKind.INCOMING and holds(
        user, TRANSFER_CHANGE, areas=[transfer.from_area_path], orgs=[transfer.from_org_path]
    )
    return {"receiving": receiving, "sending": sending}


def _transfer_page(request, transfer, accept_form=None, reason_form=None, receipt_form=None):
    sides = _transfer_sides(request.user, transfer)
    pending = transfer.status == TransferStatus.PENDING
    return render(
        request,
        "members/transfer_detail.html",
        {
            "transfer": transfer,
            "person_id": mask_id_number(transfer.person_id_number) if transfer.person_id_number else "",
            "can_accept": pending and sides["receiving"],
            "can_cancel": pending
            and (sides["receiving"] if transfer.kind == TransferKind.INCOMING else sides["sending"]),
            "can_receipt": transfer.kind == TransferKind.OUTGOING
            and transfer.status in (TransferStatus.PENDING, TransferStatus.EXPIRED)
            and sides["sending"],
            "accept_form": accept_form
            or (forms.AcceptIncomingForm(prefix="accept") if transfer.kind == TransferKind.INCOMING else None),
            "reason_form": reason_form or forms.ReasonForm(prefix="reason"),
            "receipt_form": receipt_form or forms.ReceiptForm(prefix="receipt", initial={"received_on": _today()}),
            "member_visible": bool(transfer.member_id)
            and Member.objects.visible_to(request.user).filter(pk=transfer.member_id).exists(),
        },
    )


@login_required
def transfer_detail(request, pk):
    return _transfer_page(request, _get_transfer(request.user, pk))


def _transfer_action(request, pk, action):
    transfer = _get_transfer(request.user, pk)
    accept_form = reason_form = receipt_form = None
    try:
        if action == "accept":
            fields = {}
            if transfer.kind == TransferKind.INCOMING:
                accept_form = forms.AcceptIncomingForm(request.POST, prefix="accept")
                if not accept_form.is_valid():
                    return _transfer_page(request, transfer, accept_form=accept_form)
                fields = {k: v for k, v in accept_form.cleaned_data.items() if v not in (None, "")}
            services.accept_transfer(request.user, transfer, **fields)
            messages.success(request, "已接收。")
        elif action in ("reject", "cancel"):
            reason_form = forms.ReasonForm(request.POST, prefix="reason")
            reason_form.is_valid()
            reason = reason_form.cleaned_data.get("reason", "")
            if action == "reject":
                services.reject_transfer(request.user, transfer, reason)
                messages.success(request, "已退回。")
            else:
                services.cancel_transfer(request.user, transfer, reason)
                messages.success(request, "已撤销。")
        elif action == "receipt":
            receipt_form = forms.ReceiptForm(request.POST, prefix="receipt")
            if not receipt_form.is_valid():
                return _transfer_page(request, transfer, receipt_form=receipt_form)
            services.record_receipt(request.user, transfer, **receipt_form.cleaned_data)
            messages.success(request, "已登记回执，该党员组织关系已转出。")
    except services.MemberError as exc:
        # Bound (and empty, so valid): the service's refusal is added to it as a form error.
        form = accept_form or reason_form or receipt_form or forms.ReasonForm({}, prefix="reason")
        _apply_errors(form, exc)
        if form is accept_form:
            return _transfer_page(request, transfer, accept_form=form)
        if form is receipt_form:
            return _transfer_page(request, transfer, receipt_form=form)
        return _transfer_page(request, transfer, reason_form=form)
    return redirect("members:transfer_detail", pk=transfer.pk)


@login_required
@require_POST
def transfer_accept(request, pk):
    return _transfer_action(request, pk, "accept")


@login_required
@require_POST
def transfer_reject(request, pk):
    return _transfer_action(request, pk, "reject")


@login_required
@require_POST
def transfer_cancel(request, pk):
    return _transfer_action(request, pk, "cancel")


@login_required
@require_POST
def transfer_receipt(request, pk):
    return _transfer_action(request, pk, "receipt")


@login_required
@require_http_methods(["GET", "POST"])
def transfer_incoming_add(request):
    user = request.user
    if scope_for(user, TRANSFER_CHANGE).empty:
        raise PermissionDenied("您没有办理组织关系转接的权限。")
    form = forms.IncomingForm(request.POST or None, initial={"to_org": request.GET.get("org", "")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = Org.objects.visible_to(user).filter(code=data.pop("to_org").strip(), org_type__in=BRANCH_TYPES).first()
        if org is None:
            form.add_error("to_org", "接收党支部不存在，或不在您的管理范围内")
        else:
            try:
                transfer = services.register_incoming(user, org, **data)
            except services.MemberError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("to_org", str(exc))
            else:
                messages.success(request, "已登记转入介绍信，请核对档案后办理接收。")
                return redirect("members:transfer_detail", pk=transfer.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "title": "登记转入（平台外介绍信）", "back": reverse("members:transfer_list")},
    )


# --------------------------------------------------------------------------- receiving branch chooser


def receiving_branches(member: Member, q: str):
    """Branches an internal transfer of ``member`` may go to, matching ``q`` by name or code.

    The rule is the service's (``services.request_transfer``): the sender needs scope over the
    member, the receiving org only has to hold members (a 党支部, 联合 or 临时党支部) and be
    active — it may be anywhere in the city, and it accepts or refuses the letter itself. The
    member's own branch is left out (the service refuses it).
    """
    match = Q(name__contains=q) | Q(short_name__contains=q)
    if is_digits(q):
        match |= subtree_q(q, "code")  # the code is a path: a typed prefix is a range
    return (
        Org.objects.filter(match, org_type__in=BRANCH_TYPES, is_active=True)
        .exclude(pk=member.org_id)
        .select_related("parent", "area", "area__parent")
        .only(
            "code",
            "name",
            "org_type",
            "parent__name",
            "area__name",
            "area__parent__name",
        )
        .order_by("code")
    )


@login_required
@require_GET
def transfer_org_search(request, pk):
    """Search-as-you-type for the transfer form (htmx): at most 20 receiving branches."""
    member = get_member_for_user(request.user, pk)
    if not _member_scope(request.user, TRANSFER_CHANGE, member):
        raise PermissionDenied("您没有办理组织关系转接的权限。")
    q = request.GET.get("q", "").strip()[:60]
    orgs = list(receiving_branches(member, q)[: ORG_CHOICES_LIMIT + 1]) if q else []
    return render(
        request,
        "members/_transfer_org_results.html",
        {
            "orgs": orgs[:ORG_CHOICES_LIMIT],
            "truncated": len(orgs) > ORG_CHOICES_LIMIT,
            "q": q,
            "limit": ORG_CHOICES_LIMIT,
        },
    )
