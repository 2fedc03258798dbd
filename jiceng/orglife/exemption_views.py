"""免于考核 pages: a branch (its secretary or the offices) asks for an exemption from the
compliance check — 延期召开 of one type for one period, or 撤销中 — chosen with the org picker,
and the higher org approves or refuses it with a note; a pending request can be revoked by its
side, an approved one by the higher org. The buttons are the entries of the action table
(:mod:`jiceng.orglife.exemption_actions`, the API's too); the list is scoped."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiceng.core.picker import OrgPicker
from jiceng.core.scope import get_object_for_user, scope_for
from jiceng.orgs.models import BRANCH_TYPES, Org

from . import services
from .exemption_actions import EXEMPTION_ACTIONS, ExemptionRefused, available
from .forms import Styled
from .models import Exemption, ExemptionKind, MeetingType
from .permissions import EXEMPTION_VIEW, MEETING_CHANGE

LIST_LIMIT = 100


class ExemptionForm(Styled, forms.Form):
    org = forms.CharField(
        label="党支部",
        max_length=48,
        widget=OrgPicker,
        help_text="输入党支部名称，从列表中选择本人管辖范围内的党支部",
        error_messages={"required": "请选择党支部。"},
    )
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
                form.add_error("org", "请从列表中选择本人管辖范围内的党支部（党委、党小组不参加考核）。")
            else:
                try:
                    row, created = services.request_exemption(
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
                    if created:
                        messages.success(request, f"已提交“{org.name}”的免于考核申请，等待上级党组织审批。")
                    else:
                        messages.info(
                            request,
                            f"“{org.name}”已有相同的免于考核申请（{row.get_status_display()}），未重复提交。",
                        )
                    return redirect("orglife:exemption_list")
    rows = list(
        Exemption.objects.visible_to(request.user)
        .select_related("org__parent", "requested_by", "decided_by")
        .order_by("status", "-requested_at", "-id")[:LIST_LIMIT]
    )
    for row in rows:
        row.actions = available(EXEMPTION_ACTIONS, request.user, row)
    return render(
        request,
        "orglife/exemptions.html",
        {"form": form, "rows": rows, "decide_form": DecideForm(), "limit": LIST_LIMIT},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def exemption_decide(request, pk: int):
    row = get_object_for_user(Exemption.objects.select_related("org__parent"), request.user, "view", pk=pk)
    entry = EXEMPTION_ACTIONS.get(request.POST.get("decision", ""))
    if entry is None:
        messages.error(request, "请选择批准、不批准或撤销。")
        return redirect("orglife:exemption_list")
    # One text box on the page: the note of a decision, the reason of a revocation.
    text = request.POST.get("note", "")
    data = {"reason": text} if entry.key == "revoke" else {"note": text}
    try:
        entry.run(request.user, row, data)
    except ExemptionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, entry.done(row, data))
    return redirect("orglife:exemption_list")
