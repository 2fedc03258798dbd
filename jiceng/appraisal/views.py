"""民主评议党员 pages: the offices' round list, opening a round, the committee's round page (tally,
双报到 results, proposals, the branch meeting's decision); the member's phone pages (我的评议:
个人自评 and the secret ballot)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.core.scope import holds, scope_for
from jiceng.core.views import scoped_list
from jiceng.members.models import member_of
from jiceng.orgs.models import BRANCH_TYPES, Org

from . import rules, services
from .filtersets import KEYS, RoundFilterSet
from .forms import BallotForm, DecisionForm, ProposalForm, RoundForm, SelfAssessmentForm
from .models import GRADE_ORDER, Grade, Participant, Receipt, Round, RoundStatus, get_round_for_user
from .permissions import ROUND_CHANGE, ROUND_VIEW

ORG_CHOICES_LIMIT = 200


def _apply_errors(form, exc: services.AppraisalError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
def round_list(request):
    if scope_for(request.user, ROUND_VIEW).empty:
        raise PermissionDenied("您没有查看民主评议的权限。")
    base = Round.objects.select_related("org")
    listing = scoped_list(request, base.visible_to(request.user, own_rows=False), RoundFilterSet, keys=KEYS)
    return render(
        request,
        "appraisal/round_list.html",
        {
            "list": listing,
            "rows": listing.rows,
            "next_url": listing.next_url,
            "can_add": not scope_for(request.user, ROUND_CHANGE).empty,
        },
    )


def _branches(user, code: str | None):
    scope = scope_for(user, ROUND_CHANGE)
    if scope.empty:
        raise PermissionDenied("您没有组织民主评议的权限。")
    orgs = Org.objects.filter(scope.q(area="area_path", org="code"), is_active=True, org_type__in=BRANCH_TYPES)
    if code:
        return orgs.filter(code=code).first()
    return orgs.order_by("code")


@login_required
def round_add(request):
    from jiceng.orglife.models import Meeting, MeetingStatus, MeetingType

    code = request.GET.get("org", "")
    if not code:
        orgs = _branches(request.user, None)[:ORG_CHOICES_LIMIT]
        return render(request, "appraisal/org_chooser.html", {"orgs": orgs})
    org = _branches(request.user, code)
    if org is None:
        raise Http404("未找到该党支部，或您无权访问。")
    meetings = list(
        Meeting.objects.filter(org=org, kinds__type=MeetingType.REVIEW)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-planned_start")[:20]
    )
    form = RoundForm(request.POST or None, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        meeting = next((m for m in meetings if m.pk == form.cleaned_data["meeting"]), None)
        try:
            round_ = services.open_round(request.user, org, form.cleaned_data["year"], meeting)
        except services.AppraisalError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已开始{round_.year}年度民主评议，请通知党员在手机上完成自评和测评。")
            return redirect("appraisal:round_detail", round_.pk)
    return render(request, "appraisal/round_form.html", {"form": form, "org": org}, status=400 if form.errors else 200)


def _staff_round(request, pk: int) -> Round:
    round_ = get_round_for_user(request.user, pk)
    if not holds(request.user, ROUND_VIEW, areas=[round_.area_path], orgs=[round_.org_path]):
        raise _Redirect(pk)
    return round_


class _Redirect(Exception):
    def __init__(self, pk: int):
        self.pk = pk


def _participants(round_: Round) -> list[Participant]:
    rows = list(Participant.objects.filter(round=round_).select_related("member").order_by("member__name", "id"))
    counts = services.service_counts(round_, [r.member_id for r in rows])
    for row in rows:
        row.service_now = counts.get(row.member_id, 0)
        row.capped = rules.applies_to(row.member.is_employed) and not rules.served(row.service_now)
        current = row.proposed_grade or Grade.QUALIFIED
        row.options = [
            (
                g.value,
                g.label,
                bool(rules.grade_cap_reasons(g, employed=row.member.is_employed, services=row.service_now)),
                g == current,
            )
            for g in GRADE_ORDER
        ]
    return rows


@login_required
def round_detail(request, pk: int, proposal_form=None, decision_form=None, status=200):
    try:
        round_ = _staff_round(request, pk)
    except _Redirect:
        return redirect("appraisal:my_round", pk)
    rows = _participants(round_)
    can_change = holds(request.user, ROUND_CHANGE, areas=[round_.area_path], orgs=[round_.org_path])
    if decision_form is None and round_.status == RoundStatus.PROPOSING:
        decision_form = DecisionForm(participants=rows)
    for row in rows:
        row.decision_field = decision_form[f"g{row.pk}"] if decision_form else None
    return render(
        request,
        "appraisal/round_detail.html",
        {
            "round": round_,
            "rows": rows,
            "can_change": can_change,
            "self_done": sum(1 for r in rows if r.self_assessed_at),
            "proposed": sum(1 for r in rows if r.proposed_grade),
            "proposal_form": proposal_form,
            "decision_form": decision_form,
            "cap_on": rules.cap_applies(),
            "cap_label": dict(Grade.choices)[rules.get_rule("appraisal.cap_grade")],
            "events": round_.events.select_related("actor")[:20],
        },
        status=status,
    )


@login_required
@require_POST
def round_act(request, pk: int, action: str):
    try:
        round_ = _staff_round(request, pk)
    except _Redirect:
        raise PermissionDenied("您没有组织民主评议的权限。") from None
    try:
        if action == "close":
            services.close_voting(request.user, round_)
            messages.success(request, "已结束民主测评，请支委会提出每名党员的建议等次。")
        elif action == "propose":
            form = ProposalForm(request.POST)
            if not form.is_valid():
                return round_detail(request, pk, proposal_form=form, status=400)
            row = Participant.objects.filter(round=round_, pk=form.cleaned_data["participant"]).first()
            if row is None:
                raise Http404("未找到该评议对象。")
            try:
                services.propose_grade(request.user, round_, row, form.cleaned_data["grade"], form.cleaned_data["note"])
            except services.AppraisalError as exc:
                _apply_errors(form, exc)
                form.row_pk = row.pk
                return round_detail(request, pk, proposal_form=form, status=400)
            messages.success(request, f"已记录支委会对{row.member.name}的建议等次。")
        elif action == "decide":
            rows = list(Participant.objects.filter(round=round_))
            form = DecisionForm(request.POST, participants=rows)
            if form.is_valid():
                try:
                    services.decide(request.user, round_, changes=form.changes(rows), note=form.cleaned_data["note"])
                except services.AppraisalError as exc:
                    _apply_errors(form, exc)
            if form.errors:
                return round_detail(request, pk, decision_form=form, status=400)
            messages.success(request, "已记录支部党员大会的决定，评议结果已锁定。")
        else:
            raise Http404("未知的操作。")
    except services.AppraisalError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("appraisal:round_detail", pk)


# --------------------------------------------------------------------------- the member's pages


@login_required
def my_rounds(request):
    member = member_of(request.user)
    rows = []
    if member is not None:
        rows = list(
            Participant.objects.filter(member=member)
            .select_related("round", "round__org")
            .order_by("-round__year")[:20]
        )
        voted = set(Receipt.objects.filter(member=member).values_list("round_id", flat=True))
        for row in rows:
            row.voted = row.round_id in voted
    return render(request, "appraisal/my_rounds.html", {"member": member, "rows": rows})


def _my_participant(request, pk: int) -> Participant:
    member = member_of(request.user)
    row = (
        Participant.objects.filter(round_id=pk, member=member).select_related("round", "round__org").first()
        if member is not None
        else None
    )
    if row is None:
        raise Http404("未找到您参加的这次民主评议。")
    return row


@login_required
def my_round(request, pk: int):
    me = _my_participant(request, pk)
    round_ = me.round
    others = list(Participant.objects.filter(round=round_).select_related("member").order_by("member__name", "id"))
    voted = Receipt.objects.filter(round=round_, member_id=me.member_id).exists()
    self_form = SelfAssessmentForm(initial={"text": me.self_assessment})
    ballot_form = BallotForm(participants=others)
    status = 200
    if request.method == "POST" and round_.status == RoundStatus.OPEN:
        if request.POST.get("form") == "self":
            self_form = SelfAssessmentForm(request.POST)
            if self_form.is_valid():
                try:
                    services.save_self_assessment(request.user, round_, self_form.cleaned_data["text"])
                except services.AppraisalError as exc:
                    _apply_errors(self_form, exc)
                else:
                    messages.success(request, "已保存个人自评。")
                    return redirect("appraisal:my_round", pk)
        elif request.POST.get("form") == "ballot":
            ballot_form = BallotForm(request.POST, participants=others)
            if ballot_form.is_valid():
                try:
                    services.cast_ballot(request.user, round_, ballot_form.marks())
                except services.AppraisalError as exc:
                    _apply_errors(ballot_form, exc)
                else:
                    messages.success(request, "已投票。您的选择不记名保存，任何人都无法查看是谁投的票。")
                    return redirect("appraisal:my_round", pk)
        if self_form.errors or ballot_form.errors:
            status = 400
    for row in others:
        row.field = ballot_form[f"p{row.pk}"]
    return render(
        request,
        "appraisal/my_round.html",
        {
            "me": me,
            "round": round_,
            "rows": others,
            "voted": voted,
            "self_form": self_form,
            "ballot_form": ballot_form,
            "now": timezone.now(),
        },
        status=status,
    )
