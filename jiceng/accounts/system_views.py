"""系统管理: accounts, role grants and department staff, for an administrator at any level.

Every page reads within the administrator's subtree (accounts by their home area, grants by their
node); every change goes through a service of ``accounts.services``, which checks the authority
again (``accounts.granting``) and writes the audit record.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.accounts import services
from jiceng.accounts.filtersets import UserFilterSet
from jiceng.accounts.forms import GrantForm, PasswordResetForm, UserCreateForm
from jiceng.accounts.granting import grant_refusal, management_refusal
from jiceng.accounts.lockout import locked_usernames
from jiceng.accounts.models import ApiToken, RoleAssignment, User
from jiceng.accounts.permissions import ROLE_GRANT, USER_CHANGE, USER_VIEW
from jiceng.accounts.roles import ROLES
from jiceng.areas.models import LEVEL_ORDER, Area, Level
from jiceng.core.paths import is_digits, subtrees_q
from jiceng.core.scope import get_object_for_user, scope_for
from jiceng.core.views import scoped_list
from jiceng.orgs.models import Department, Org

PAGE_SIZE = 50
# How far below an administrator's own nodes the area pickers reach (a street: its communities
# and their grids); deeper nodes are granted by the offices below.
PICKER_DEPTH = 2
PICKER_LIMIT = 500
ASSIGNMENTS = Prefetch(
    "role_assignments", queryset=RoleAssignment.objects.select_related("area", "org", "department").order_by("pk")
)


def _require(user, permission: str, what: str) -> None:
    if scope_for(user, permission).empty:
        raise PermissionDenied(f"没有{what}的权限。")


def picker_areas(user, permission: str):
    """The areas an administrator may choose for ``permission``: their own nodes and two levels
    below them (a queryset, filtered further by code)."""
    scope = scope_for(user, permission)
    tops = (
        list(Area.objects.filter(parent__isnull=True).values_list("code", "level"))
        if scope.everywhere
        else list(Area.objects.filter(code__in=scope.areas).values_list("code", "level"))
    )
    if not tops:
        return Area.objects.none()
    first = min(LEVEL_ORDER.index(level) for _, level in tops)
    last = min(first + PICKER_DEPTH, LEVEL_ORDER.index(Level.GRID))
    levels = LEVEL_ORDER[first : last + 1]
    codes = [code for code, _ in tops]
    return Area.objects.filter(subtrees_q(codes), level__in=levels)


def chosen_area(form, field: str, user, permission: str) -> Area | None:
    """The area whose code the form's picker sent, if the administrator may choose it; else the
    field's error (outside the subtree, too deep, or no such code look the same)."""
    code = (form.cleaned_data.get(field) or "").strip()
    area = picker_areas(user, permission).filter(code=code).first() if is_digits(code) else None
    if area is None:
        form.add_error(field, "该区划不在您可以选择的范围内，请从列表中选择。")
    return area


def _account(request, pk: int, action: str = "view") -> User:
    return get_object_for_user(User.objects.select_related("area"), request.user, action, pk=pk)


def _back(user: User):
    return redirect("system:user_detail", pk=user.pk)


# --------------------------------------------------------------------------- accounts


@login_required
def user_list(request):
    _require(request.user, USER_VIEW, "查看用户")
    page = scoped_list(
        request,
        User.objects.select_related("area").prefetch_related(ASSIGNMENTS),
        UserFilterSet,
        keys=("area_path", "id"),
        size=PAGE_SIZE,
    )
    locked = locked_usernames(u.username for u in page.rows)
    for row in page.rows:
        row.locked = row.username in locked
    return render(
        request,
        "accounts/system/user_list.html",
        {"page": page, "users": page.rows, "can_add": not scope_for(request.user, USER_CHANGE).empty},
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_add(request):
    _require(request.user, USER_CHANGE, "新建用户")
    form = UserCreateForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    area = chosen_area(form, "area", request.user, USER_CHANGE) if valid else None
    if area is not None:
        data = form.cleaned_data
        try:
            user = services.onboard_user(
                request.user,
                username=data["username"],
                password=data["password1"],
                display_name=data["display_name"],
                phone=data["phone"],
                area=area,
            )
        except services.AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, f"已新建用户“{user.username}”，请为其授予角色。")
            return redirect("system:user_detail", pk=user.pk)
    return _form_page(request, form, "新建用户", reverse("system:user_list"), "新建")


def _form_page(request, form, title: str, cancel_url: str, submit: str, intro: str = "", script: str = ""):
    return render(
        request,
        "accounts/system/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "submit": submit, "intro": intro, "script": script},
    )


@login_required
def user_detail(request, pk: int):
    _require(request.user, USER_VIEW, "查看用户")
    account = _account(request, pk)
    refusal = management_refusal(request.user, account)
    assignments = list(account.assignments_for_display())
    revocable = {a.pk for a in assignments if a.node is not None and not grant_refusal(request.user, a.role, a.node)}
    tokens = list(account.api_tokens.all()[:50])
    can_grant = not scope_for(request.user, ROLE_GRANT).empty
    return render(
        request,
        "accounts/system/user_detail.html",
        {
            "account": account,
            "assignments": assignments,
            "revocable": revocable,
            "tokens": tokens,
            "locked": bool(locked_usernames([account.username])),
            "manageable": refusal is None,
            "refusal": refusal,
            "can_grant": can_grant,
            "is_self": account.pk == request.user.pk,
        },
    )


def _act(request, pk: int, verb, done: str):
    """Run ``verb(actor, account)`` on an account the user may change; report and go back."""
    account = _account(request, pk, "change")
    try:
        verb(request.user, account)
    except services.AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(name=account.username))
    return _back(account)


@login_required
@require_POST
def user_active(request, pk: int):
    active = request.POST.get("active") == "1"
    return _act(
        request,
        pk,
        lambda actor, account: services.set_user_active(actor, account, active),
        "已启用账号“{name}”。" if active else "已停用账号“{name}”，其登录和 API 令牌均不再可用。",
    )


@login_required
@require_POST
def user_unlock(request, pk: int):
    return _act(request, pk, services.unlock_user, "已解除账号“{name}”的登录锁定。")


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request, pk: int):
    account = _account(request, pk, "change")
    refusal = management_refusal(request.user, account)
    if refusal:
        messages.error(request, refusal)
        return _back(account)
    form = PasswordResetForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(request.user, account, form.cleaned_data["password1"])
        except services.AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, f"已重置“{account.username}”的密码，其 API 令牌已全部撤销。")
            return _back(account)
    intro = "重置后该账号须用新密码重新登录，已签发的 API 令牌全部撤销。"
    return _form_page(
        request, form, f"重置密码 · {account}", reverse("system:user_detail", args=[account.pk]), "重置", intro
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = _token_in_scope(request, pk)
    try:
        services.revoke_token_of(request.user, token)
    except services.AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销令牌 {token.prefix}…。")
    return _back(token.user)


def _token_in_scope(request, pk: int) -> ApiToken:
    """A token of an account the user may change, else 404."""
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None:
        raise Http404("未找到该记录，或您无权访问。")
    _account(request, token.user_id, "change")
    return token


# --------------------------------------------------------------------------- grants


def _grant_form(request):
    user = request.user
    departments = list(Department.objects.visible_to(user).order_by("area_path", "name")[:PICKER_LIMIT])
    form = GrantForm(request.POST or None, departments=departments)
    return form, departments


def _chosen_node(request, form, departments) -> dict | None:
    """The node the role is granted on, from the form's pickers; ``None`` with the field's error."""
    role = ROLES[form.cleaned_data["role"]]
    chosen = form.cleaned_data[role.node]
    if role.node == "area":
        area = chosen_area(form, "area", request.user, ROLE_GRANT)
        return {"area": area} if area is not None else None
    if role.node == "org":
        org = Org.objects.visible_to(request.user).filter(code=chosen).first() if is_digits(chosen) else None
        if org is None:
            form.add_error("org", "该党组织不在您的管理范围内，请从列表中选择。")
            return None
        return {"org": org}
    return {"department": next(d for d in departments if str(d.pk) == chosen)}


@login_required
@require_http_methods(["GET", "POST"])
def grant_add(request, pk: int):
    _require(request.user, ROLE_GRANT, "授予角色")
    account = _account(request, pk, "change")
    form, departments = _grant_form(request)
    node = _chosen_node(request, form, departments) if request.method == "POST" and form.is_valid() else None
    if node is not None:
        try:
            services.grant_role(request.user, account, form.cleaned_data["role"], **node)
        except services.AccountError as exc:
            form.add_error("role" if exc.field in (None, "node") else exc.field, exc.message)
        else:
            messages.success(request, f"已为“{account}”授予“{ROLES[form.cleaned_data['role']].label}”。")
            return _back(account)
    intro = "只能在您管辖的区划、党组织或部门上授权，且不能授予含有您不具备权限的角色。"
    cancel = reverse("system:user_detail", args=[account.pk])
    return _form_page(request, form, f"授予角色 · {account}", cancel, "授予", intro, "jiceng/grant-form.js")


def grants_in_scope(user):
    """Grants on nodes of ``user``'s subtree, for the 角色授权 list."""
    scope = scope_for(user, USER_VIEW)
    grants = RoleAssignment.objects.select_related("user", "area", "org", "department")
    if not scope.everywhere:
        grants = grants.filter(
            subtrees_q(scope.areas, "area__code")
            | subtrees_q(scope.areas, "org__area_path")
            | subtrees_q(scope.areas, "department__area_path")
        )
    return grants


@login_required
@require_POST
def grant_revoke(request, pk: int):
    _require(request.user, ROLE_GRANT, "撤销角色")
    assignment = grants_in_scope(request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404("未找到该记录，或您无权访问。")
    try:
        services.withdraw_role(request.user, assignment)
    except services.AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销“{assignment.user}”的“{assignment.role_label}”。")
    return _back(assignment.user)


@login_required
def grant_list(request):
    _require(request.user, USER_VIEW, "查看角色授权")
    role = request.GET.get("role") or ""
    grants = grants_in_scope(request.user)
    if role in ROLES:
        grants = grants.filter(role=role)
    rows = list(grants.order_by("area__code", "org__code", "department__name", "user__username", "pk")[:500])
    return render(
        request,
        "accounts/system/grant_list.html",
        {"grants": rows, "roles": [(r.key, r.label) for r in ROLES.values()], "role": role, "capped": len(rows) == 500},
    )


# --------------------------------------------------------------------------- departments


@login_required
def department_users(request):
    """职能部门 of the subtree with the accounts that handle each one's desk."""
    _require(request.user, USER_VIEW, "查看部门人员")
    handlers = Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.select_related("user").order_by("user__username"),
        to_attr="handlers",
    )
    departments = list(
        Department.objects.visible_to(request.user)
        .select_related("area")
        .prefetch_related(handlers)
        .order_by("area_path", "name")[:200]
    )
    visible = set(
        User.objects.visible_to(request.user)
        .filter(pk__in={a.user_id for d in departments for a in d.handlers})
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "accounts/system/department_users.html",
        {"departments": departments, "visible": visible, "can_add": not scope_for(request.user, USER_CHANGE).empty},
    )
