from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timezone import make_aware
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.accounts import services
from jiceng.accounts.forms import AuditSearchForm, LoginForm, TokenForm
from jiceng.accounts.models import AuditLog, User
from jiceng.accounts.roles import ROLES
from jiceng.accounts.throttling import MESSAGE, login_wait
from jiceng.areas.models import Area
from jiceng.areas.permissions import AREA_VIEW
from jiceng.core.metrics import Period, figures, format_value, metrics_for
from jiceng.core.paging import page_total, request_page
from jiceng.core.scope import scope_prefixes
from jiceng.core.sorting import Sort, Sorts, sorted_keys
from jiceng.core.todos import todo_groups


class AuthenticatedRequest(HttpRequest):
    """The request a ``login_required`` view gets: its user is signed in (for the type checker)."""

    user: User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Counted before the password is checked, so a flood costs no password hashing.
        wait = login_wait(request)
        if wait is not None:
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, throttled=f"{MESSAGE}请{wait}秒后再试。")
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """One home page, its content chosen by the user's roles and scope."""
    user = request.user
    assignments = list(user.assignments_for_display())
    roles = {a.role for a in assignments}
    scope_codes = scope_prefixes(user, AREA_VIEW)
    if scope_codes is None:
        scope_areas = list(Area.objects.filter(parent__isnull=True).order_by("code"))
    else:
        scope_areas = list(Area.objects.visible_to(user).filter(code__in=scope_codes).order_by("code"))
    children = []
    if len(scope_areas) == 1:
        children = list(Area.objects.visible_to(user).filter(parent=scope_areas[0]).order_by("code")[:50])
    month_figures = _month_figures(user, scope_areas[:5])
    for area in scope_areas:
        area.month_figures = month_figures.get(area.code, [])  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/home.html",
        {
            "assignments": assignments,
            "role_cards": [ROLES[r] for r in ROLES if r in roles],
            "scope_areas": scope_areas,
            "children": children,
            "is_grid_worker": roles == {"grid_worker"},
            "todo_groups": todo_groups(user),
            "month_label": Period.month_of(timezone.localdate()).label,
        },
    )


def _month_figures(user: User, areas: list[Area]) -> dict[str, list[tuple[str, str]]]:
    """This month's figures of each scope area that the user chose for their 数据看板 (the same
    choice and order), from the metric registry: one query per source for all the cards, the same
    numbers as the 数据看板."""
    if not areas:
        return {}
    from jiceng.dashboards.choice import chosen_keys, in_reading_order

    # The figures the user chose for their dashboards (指标设置), else the default of the level.
    available = metrics_for(user, "areas", areas[0])
    keys, _own = chosen_keys(user, "areas", areas[0], available)
    chosen = in_reading_order("areas", [m for m in available if m.key in keys])
    if not chosen:
        return {}
    values = figures(chosen, [a.code for a in areas], Period.month_of(timezone.localdate()))
    return {code: [(m.label, format_value(m, row.get(m.key))) for m in chosen] for code, row in values.items()}


AUDIT_PAGE_SIZE = 50
AUDIT_SORTS = Sorts((Sort("at", "时间", ("at", "id"), first_descending=True),))


@login_required
def audit_list(request: AuthenticatedRequest) -> HttpResponse:
    logs = AuditLog.objects.visible_to(request.user).select_related("actor")
    form = AuditSearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data if valid else {}
    q = (query.get("q") or "").strip()[:50]
    if q:
        logs = logs.filter(
            Q(object_repr__contains=q) | Q(actor__username__contains=q) | Q(actor__display_name__contains=q)
        )
    # Whole days in the site's time zone, as a range on the indexed timestamp.
    start, end = query.get("start"), query.get("end")
    if start:
        logs = logs.filter(at__gte=make_aware(datetime.combine(start, time.min)))
    if end:
        logs = logs.filter(at__lt=make_aware(datetime.combine(end + timedelta(days=1), time.min)))
    # Keyset pages on (at, id), newest first or oldest first (?sort=at): the log only grows, so
    # no OFFSET and a capped total (jiceng.core.paging).
    rows, next_url, first_url, total = [], None, None, ""
    if valid:
        keys = sorted_keys(AUDIT_SORTS, request.GET, ("-at", "-id"))
        rows, next_url, first_url = request_page(request, logs, keys, AUDIT_PAGE_SIZE, "after")
        total = page_total(logs, rows, single_page=next_url is None and first_url is None)
    context = {
        "rows": rows,
        "next_url": next_url,
        "first_url": first_url,
        "total": total,
        "sort": AUDIT_SORTS.state(request.GET, default="-at"),
        "q": q,
        "start": start,
        "end": end,
        "errors": _form_errors(form),
    }
    return render(request, "accounts/audit_list.html", context, status=200 if valid else 400)


def _form_errors(form: AuditSearchForm) -> list[str]:
    return [
        f"{form.fields[name].label or name}：{message}"
        for name, messages in form.errors.items()
        for message in messages
    ]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own API tokens: list, issue one (its key shown this once) and revoke."""
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        token, key = services.issue_token(request.user, request.user, label=form.cleaned_data["label"])
        issued = {"token": token, "key": key}
        form = TokenForm()
    tokens = list(request.user.api_tokens.all()[:50])
    return render(request, "accounts/my_tokens.html", {"form": form, "tokens": tokens, "issued": issued})


@login_required
@require_POST
def my_token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_token_of(request.user, token)
    messages.success(request, f"已撤销令牌 {token.prefix}…。")
    return redirect("accounts:my_tokens")
