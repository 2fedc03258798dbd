"""免于考核 pages: a branch (its secretary or the offices) asks for an exemption from the
compliance check — 延期召开 of one type for one period, or 撤销中 — and the higher org approves
or refuses it with a note. Both writes go through ``services`` (audited); the list is scoped."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiceng.core.scope import get_object_for_user, holds, scope_for
from jiceng.orgs.models import BRANCH_TYPES, Org

from . import services
from .forms import Styled
from .models import Exemption, ExemptionKind, ExemptionStatus, MeetingType
from .permissions import EXEMPTION_DECIDE, EXEMPTION_VIEW, MEETING_CHANGE

LIST_LIMIT = 100


class ExemptionForm(Styled, forms.Form):
    org = forms.CharField(label="党支部编码", max_length=48, help_text="本人管辖范围内党支部的组织编码")
    kind = forms.ChoiceField(label="申请类别", choices=ExemptionKind.choices)
    type = forms.ChoiceField(label="会议类型（延期召开）", choices=[("", "—"), *MeetingType.choices], required=False)
    # Not required here: the service checks period, type and reason together and reports every
    # error at once (a form-level "required" would hide the others).
    period = forms.CharField(label="考核期", max_length=8, required=False, help_text="如 2026-Q4、2026-11 或 2026")
    reason = forms.CharField(label="申请理由", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(Styled, forms.Form):
    note = forms.CharField(label="审批意见", max_length=200, required=False)


def _apply(form, exc: services.OrglifeError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
def exemption_list(request):
    if scope_for(request.user, EXEMPTION_VIEW).empty:
        raise PermissionDenied("您没有查看免于考核申请的权限。")
    can_request = not scope_for(request.user, MEETING_CHANGE).empty
    form = ExemptionForm(request.POST or None) if can_request else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您没有申请免于考核的权限。")
        if form.is_valid():
            org = (
                Org.objects.visible_to(request.user)
                .filter(code=form.cleaned_data["org"].strip(), org_type__in=BRANCH_TYPES)
                .first()
            )
            if org is None:
                form.add_error("org", "请填写本人管辖范围内党支部的组织编码。")
            else:
                try:
                    services.request_exemption(
                        request.user,
                        org=org,
                        kind=form.cleaned_data["kind"],
                        period=form.cleaned_data["period"],
                        reason=form.cleaned_data["reason"],
                        meeting_type=form.cleaned_data["type"],
                    )
                except PermissionDenied as exc:
                    form.add_error("org", str(exc))
                except services.OrglifeError as exc:
                    _apply(form, exc)
                else:
                    messages.success(request, f"已提交“{org.name}”的免于考核申请，等待上级党组织审批。")
                    return redirect("orglife:exemption_list")
    rows = list(
        Exemption.objects.visible_to(request.user)
        .select_related("org__parent", "requested_by", "decided_by")
        .order_by("status", "-requested_at", "-id")[:LIST_LIMIT]
    )
    deciding = scope_for(request.user, EXEMPTION_DECIDE)
    for row in rows:
        parent = row.org.parent
        row.can_decide = (
            row.status == ExemptionStatus.PENDING
            and not deciding.empty
            and row.requested_by_id != request.user.pk
            and parent is not None
            and holds(request.user, EXEMPTION_DECIDE, areas=[parent.area_path], orgs=[parent.code])
        )
    return render(
        request,
        "orglife/exemptions.html",
        {"form": form, "rows": rows, "decide_form": DecideForm(), "limit": LIST_LIMIT},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def exemption_decide(request, pk: int):
    row = get_object_for_user(Exemption.objects.select_related("org"), request.user, "view", pk=pk)
    form = DecideForm(request.POST)
    note = form.data.get("note", "")
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_exemption(request.user, row, approve=approve, note=note)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except services.OrglifeError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已{'批准' if approve else '不批准'}“{row.org.name}”的免于考核申请。")
    return redirect("orglife:exemption_list")
