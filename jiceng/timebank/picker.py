"""The volunteer picker of 兑换服务 and 捐赠: choose a volunteer by name, never by a typed number.

Two JSON answers in the shape of :mod:`jiceng.core.picker` (read by ``static/jiceng/picker.js``;
a volunteer's ``code`` is its number, so a number typed in whole is taken as it is):

* ``timebank:pick_beneficiary``: the volunteers of the communities where the user records
  redemptions (``timebank.add_redemption``), with their age (the eligibility rule reads it);
* ``timebank:pick_server``: any volunteer of the city (通存通兑: a volunteer of any community may
  serve), for a user who records redemptions somewhere; found by name or number only (at least
  two characters of a name), shown with their community, never their phone or birth date.

``?q=`` searches, ``?code=`` reads the one chosen, ``?parent=`` (the picker's 选择) lists the
volunteers of the user's own communities. At most :data:`LIMIT` rows, a fixed number of queries.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone

from jiceng.core.picker import NodePicker
from jiceng.core.scope import scope_for
from jiceng.volunteers.models import Volunteer

from .permissions import REDEEM

LIMIT = 20
MAX_QUERY = 50


def _answer(rows, more: bool, *, with_age: bool) -> JsonResponse:
    today = timezone.localdate()
    results = []
    for v in rows:
        parts = [v.community.name, f"编号{v.pk}"]
        if with_age:
            age = v.age_on(today)
            parts.insert(1, f"{age}岁" if age is not None else "未登记出生日期")
        results.append(
            {"code": str(v.pk), "name": v.name, "path": f"{v.name}（{' · '.join(parts)}）", "children": False}
        )
    return JsonResponse({"results": results, "more": more, "parent": None}, json_dumps_params={"ensure_ascii": False})


def _pick(request, pool, browse: Q, *, with_age: bool, min_name: int = 1) -> JsonResponse:
    params = request.GET
    q = (params.get("q") or "").strip()[:MAX_QUERY]
    rows = pool.select_related("community").only("id", "name", "birth_date", "community__name", "area_path")
    if "code" in params:
        code = params.get("code", "").strip()
        found = list(rows.filter(pk=int(code))[:1]) if code.isdigit() and len(code) < 19 else []
        return _answer(found, False, with_age=with_age)
    if q:
        condition = Q(name__contains=q) if len(q) >= min_name else Q(pk__in=[])
        if q.isdigit() and len(q) < 19:
            condition |= Q(pk=int(q))
        rows = rows.filter(condition)
    else:
        rows = rows.filter(browse)
    found = list(rows.order_by("name", "id")[: LIMIT + 1])
    return _answer(found[:LIMIT], len(found) > LIMIT, with_age=with_age)


def _mine(request) -> Q | None:
    scope = scope_for(request.user, REDEEM)
    return None if scope.empty else scope.q(area="area_path")


@login_required
def pick_beneficiary(request):
    mine = _mine(request)
    if mine is None:
        return _answer([], False, with_age=True)
    return _pick(request, Volunteer.objects.visible_to(request.user).filter(mine), Q(), with_age=True)


@login_required
def pick_server(request):
    mine = _mine(request)
    if mine is None:
        return _answer([], False, with_age=False)
    return _pick(request, Volunteer.objects.all(), mine, with_age=False, min_name=2)


class BeneficiaryPicker(NodePicker):
    url_name = "timebank:pick_beneficiary"
    placeholder = "输入受益人姓名或志愿者编号"


class ServerPicker(NodePicker):
    url_name = "timebank:pick_server"
    placeholder = "输入服务志愿者姓名（全市）或编号"
