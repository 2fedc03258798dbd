"""时间银行 pages: accounts in scope, a statement (keyset, newest first) with export and 冲正,
兑换服务 recorded by the beneficiary's community (volunteers chosen with the picker, one
redemption per rendered form), and a volunteer's donation. 冲正 and 捐赠 run the entries of the
app's action tables (:mod:`jiceng.timebank.actions`), as the API does."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.rules import get_rule
from jiceng.core.scope import get_object_for_user, holds, scope_for
from jiceng.core.views import scoped_list
from jiceng.volunteers.models import Volunteer, volunteer_of

from . import services
from .actions import ACCOUNT_ACTIONS, MOVEMENT_ACTIONS
from .filtersets import AccountFilterSet
from .forms import DonateForm, RedeemForm, ReverseForm
from .models import Account, Movement
from .permissions import MOVEMENT_VIEW, REDEEM, REVERSE

PAGE = 50


def _put(form, exc) -> None:
    for error in exc.error_list:
        field = error.code if error.code in form.fields else None
        form.add_error(field, error.message)


@login_required
def account_list(request):
    page = scoped_list(request, Account.objects.all(), AccountFilterSet, keys=("area_path", "id"), size=PAGE)
    return render(
        request,
        "timebank/account_list.html",
        {
            "rows": page.rows,
            "form": page.filterset.form,
            "next_cursor": page.next_cursor,
            "is_first": page.first_url is None,
            "query": page.query,
            "total": page.total,
        },
    )


@login_required
def account_detail(request, pk: int):
    account = get_object_for_user(Account.objects.all(), request.user, "view", pk=pk)
    before = request.GET.get("before", "")
    before_id = int(before) if before.isdigit() and len(before) < 19 else None
    rows = services.statement(account, before_id=before_id, limit=PAGE)
    # The table's rule per row (a reversal is never reversed) is applied in the template by kind.
    can_reverse = holds(request.user, REVERSE, areas=[account.area_path])
    return render(
        request,
        "timebank/account_detail.html",
        {
            "account": account,
            "rows": [(m, m.signed_for(account.pk)) for m in rows],
            "next_before": rows[-1].pk if len(rows) == PAGE else None,
            "can_export": holds(request.user, MOVEMENT_VIEW, areas=[account.area_path]),
            "can_reverse": can_reverse,
            "reverse_form": ReverseForm(),
        },
    )


@login_required
@require_POST
def movement_reverse(request, pk: int):
    movement = get_object_for_user(Movement.objects.select_related("debit", "credit"), request.user, "view", pk=pk)
    back = request.POST.get("account", "")
    entry = MOVEMENT_ACTIONS["reverse"]
    data = {"reason": request.POST.get("reason", "")}
    try:
        entry.run(request.user, movement, data)
    except services.LedgerError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, entry.done(movement, data))
    account_id = int(back) if back.isdigit() and len(back) < 19 else movement.credit_id
    return redirect("timebank:account_detail", account_id)


@login_required
@require_http_methods(["GET", "POST"])
def redeem(request):
    if scope_for(request.user, REDEEM).empty:
        raise PermissionDenied("没有登记兑换服务的权限。")
    form = RedeemForm(request.POST or None, initial={"served_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        beneficiary = (
            Volunteer.objects.visible_to(request.user)
            .select_related("community")
            .filter(pk=data["beneficiary"])
            .first()
        )
        server = Volunteer.objects.filter(pk=data["server"]).first()
        if beneficiary is None:
            form.add_error("beneficiary", "没有这个受益人，或其不在您的辖区。")
        if server is None:
            form.add_error("server", "没有这个志愿者编号。")
        if beneficiary is not None and server is not None:
            try:
                redemption, _created = services.redeem(
                    request.user,
                    beneficiary,
                    server,
                    data["hours"],
                    data["content"],
                    data["served_on"],
                    request_key=data.get("request_key", ""),
                )
            except services.LedgerError as exc:
                _put(form, exc)
            else:
                messages.success(
                    request,
                    f"已登记兑换：{beneficiary.name} {redemption.hours} 小时，由{server.name}服务。",
                )
                return redirect("timebank:redeem")
    return render(request, "timebank/redeem_form.html", {"form": form, "min_age": get_rule("timebank.redeem_min_age")})


@login_required
@require_http_methods(["GET", "POST"])
def donate(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise Http404("您的账号尚未登记为志愿者。")
    form = DonateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = ACCOUNT_ACTIONS["donate"]
        data = form.cleaned_data
        try:
            entry.run(request.user, services.person_account(volunteer), data)
        except services.LedgerError as exc:
            _put(form, exc)
        else:
            messages.success(request, "捐赠成功。")
            return redirect("volunteers:mine")
    account = Account.objects.filter(volunteer=volunteer).first()
    return render(request, "timebank/donate_form.html", {"form": form, "account": account, "volunteer": volunteer})
