"""The appeal's action table (:data:`APPEAL_ACTIONS`) and the whistle's with its summons
(:data:`WHISTLE_ACTIONS`): the pattern is :mod:`jiceng.core.actions`'s.

Here an entry's ``allowed`` reads a :class:`Who`, ``done`` (or ``done_for``, when the message
depends on who acted) says what the page says, ``prepare`` fills the form's per-object choices,
and the card's title, button, template and fold are the appeal page's. The API's routes come
from :func:`add_api_actions` (same URLs as ever).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action as drf_action

from jiceng.appeals import serializers as inputs
from jiceng.appeals import services
from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.models import (
    FINAL_STATUSES,
    WITH_HANDLER,
    Appeal,
    Extension,
    ExtensionStatus,
    Status,
    SummonsStatus,
    Whistle,
    WhistleStatus,
    WhistleSummons,
    get_appeal_for_user,
)
from jiceng.appeals.permissions import APPEAL_DISPATCH, APPEAL_SUPERVISE, SUMMONS_RATE, SUMMONS_REPORT, WHISTLE_ADD
from jiceng.appeals.rules import EXTENSION_MAX_WORKDAYS
from jiceng.areas.models import Area
from jiceng.core import actions as core
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for
from jiceng.orgs.models import Department

# --------------------------------------------------------------------------- the entries


@dataclass(frozen=True, kw_only=True)
class Action(core.Action):
    """One action on an appeal, a whistle or a summons; see the module's docstring."""

    allowed: Callable[[Any], bool]
    done: Callable[[Any, Any, dict], str]
    # (actor, target, result, data) → the message, when it depends on who acted; else ``done``.
    done_for: Callable[[Any, Any, Any, dict], str] | None = None
    title: str = ""
    button: str = ""
    fold: bool = False
    # (request, target, form) → extra context for the page (and the form's per-object choices);
    # ``None`` hides the form (nothing to act on).
    prepare: Callable[[Any, Any, forms.Form], dict | None] | None = None
    template: str = "appeals/actions/_card.html"
    intro: str = ""
    api: bool = True
    on: str = "appeal"  # what the action acts on: "appeal", "whistle" or "summons"

    def message(self, actor, target, result, data: dict) -> str:
        """What the page says once the action is done, to ``actor``."""
        if self.done_for is not None:
            return self.done_for(actor, target, result, data)
        return self.done(target, result, data)

    @property
    def html_id(self) -> str:
        return self.url_path

    @property
    def first_field(self) -> dict:
        """The form's first field (name, label, length), for one-line forms (报到, 反馈)."""
        name, f = next(iter(self.form.base_fields.items()))
        return {"name": name, "label": f.label, "max_length": getattr(f, "max_length", None)}

    def page_form(self, request, target, *, prefix: str | None = None, bound: bool = False):
        """(form, context) for the page: the form bound to the POST when ``bound``; context ``None``
        when the page has nothing to offer for this target."""
        data = (request.POST, request.FILES) if bound else ()
        form = self.form(*data, prefix=self.key if prefix is None else prefix)
        context = self.prepare(request, target, form) if self.prepare else {}
        return form, context


# --------------------------------------------------------------------------- who may


class Who:
    """What the ``allowed`` rules of the appeal table read, each worked out once, from the user's
    cached grants (no queries beyond ``appeal.assigned_area``)."""

    def __init__(self, user, appeal: Appeal) -> None:
        self.user, self.appeal, self.status = user, appeal, appeal.status

    @cached_property
    def dispatcher(self) -> bool:
        return services.may(self.user, APPEAL_DISPATCH, self.appeal)

    @cached_property
    def handler(self) -> bool:
        return self.status in WITH_HANDLER and services.is_handler(self.user, self.appeal)

    @cached_property
    def reporter(self) -> bool:
        return services.is_reporter(self.user, self.appeal)

    @cached_property
    def supervisor(self) -> bool:
        return services.may(self.user, APPEAL_SUPERVISE, self.appeal)

    @cached_property
    def whistler(self) -> bool:
        return services.may(self.user, WHISTLE_ADD, self.appeal)

    @property
    def open(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def may_extend(self) -> bool:
        appeal = self.appeal
        return not appeal.extension_pending and bool(appeal.answer_due) and timezone.now() < appeal.answer_due


def available_actions(user, appeal: Appeal) -> list[str]:
    """The keys of :data:`APPEAL_ACTIONS` ``user`` may take on ``appeal`` now, in the table's order."""
    who = Who(user, appeal)
    return [key for key, entry in APPEAL_ACTIONS.items() if entry.allowed(who)]


# --------------------------------------------------------------------------- the appeal's inputs


def _photos(data: dict) -> list:
    return list(data.get("photos") or [])


def _dispatch(actor, appeal: Appeal, data: dict):
    kind, _, ident = (data.get("target") or "").partition(":")
    area = department = None
    if kind in ("a", "d") and ident.isdigit():
        area = Area.objects.filter(pk=ident).first() if kind == "a" else None
        department = Department.objects.filter(pk=ident).first() if kind == "d" else None
        if area is None and department is None:
            raise AppealError("所选承办单位不存在。", code="invalid")
    if data.get("area"):
        area = Area.objects.filter(code=data["area"]).first()
        if area is None:
            raise AppealError("所选承办单位不存在。", code="invalid")
    if data.get("department"):
        department = Department.objects.filter(pk=data["department"]).first()
        if department is None:
            raise AppealError("所选部门不存在。", code="invalid")
    return services.dispatch_appeal(actor, appeal, area=area, department=department, note=data.get("note", ""))


def dispatch_targets(appeal: Appeal) -> tuple[list[tuple[str, str]], str, services.Suggestion]:
    """(choices, initial, suggestion): the units above the location and the departments serving it."""
    path = appeal.area_path
    prefixes = [path[:n] for n in (6, 9, 12, 15) if len(path) >= n]
    areas = Area.objects.filter(code__in=prefixes, level__in=services.DISPATCH_LEVELS).order_by("code")
    choices = [(f"a:{a.pk}", f"{a.get_level_display()}：{a.name}") for a in areas]
    choices += [(f"d:{d.pk}", f"职能部门：{d.name}") for d in services.departments_serving(path).order_by("name")]
    suggestion = services.suggest_dispatch(appeal)
    initial = ""
    if suggestion.department is not None:
        initial = f"d:{suggestion.department.pk}"
    elif suggestion.area is not None:
        initial = f"a:{suggestion.area.pk}"
    return choices, initial, suggestion


def _prepare_dispatch(request, appeal: Appeal, form) -> dict:
    choices, initial, suggestion = dispatch_targets(appeal)
    form.fields["target"].choices = choices
    if not form.is_bound:
        form.initial["target"] = initial
    return {"suggestion": suggestion}


def whistle_area(user, appeal: Appeal) -> Area | None:
    """The street (or else the community) the user may blow a whistle for, over the appeal's location."""
    scope = scope_for(user, WHISTLE_ADD)
    path = appeal.area_path
    for length in (9, 12):
        code = path[:length]
        if len(path) >= length and scope.covers(code):
            area = Area.objects.filter(code=code, level__in=services.WHISTLE_LEVELS).first()
            if area is not None:
                return area
    return None


def _prepare_whistle(request, appeal: Appeal, form) -> dict | None:
    area = whistle_area(request.user, appeal)
    departments = list(services.departments_serving(area.code).order_by("name")) if area else []
    form.fields["departments"].choices = [(d.pk, d.name) for d in departments]
    if area is None:
        return None
    if not form.is_bound:
        form.initial["title"] = appeal.title
    return {"whistle_area": area, "title": f"吹哨（以{area.name}名义召集部门报到）"}


def _whistle(actor, appeal: Appeal, data: dict):
    area = whistle_area(actor, appeal)
    if area is None:
        raise PermissionDenied("您不能为该诉求吹哨。")
    departments = list(Department.objects.filter(pk__in=data["departments"]))
    return services.blow_whistle(
        actor, area=area, case=data["case"], title=data["title"], departments=departments, appeal=appeal
    )


def pending_extension(appeal: Appeal) -> Extension | None:
    return (
        Extension.objects.filter(appeal=appeal, status=ExtensionStatus.PENDING)
        .select_related("requested_by")
        .order_by("-id")
        .first()
    )


def _decide(actor, appeal: Appeal, data: dict) -> Extension:
    if data.get("extension"):
        extension = Extension.objects.filter(pk=data["extension"], appeal=appeal).first()
        if extension is None:
            raise AppealError("延期申请不存在。", code="not_found")
    else:
        extension = pending_extension(appeal)
        if extension is None:
            raise TransitionError("该诉求没有待审批的延期申请。", code="transition")
    extension.appeal = appeal
    return services.decide_extension(actor, extension, approve=core.yes(data["approve"]), note=data.get("note", ""))


def _decided(appeal: Appeal, extension: Extension, data: dict) -> str:
    if extension.status == ExtensionStatus.APPROVED:
        return f"已批准延期，答复时限延至{timezone.localtime(extension.new_due):%Y-%m-%d %H:%M}。"
    return "已驳回延期申请。"


def _prepare_decide(request, appeal: Appeal, form) -> dict | None:
    extension = pending_extension(appeal)
    return None if extension is None else {"pending_extension": extension}


def _merge(actor, appeal: Appeal, data: dict) -> Appeal:
    if data.get("number"):
        into = Appeal.objects.visible_to(actor, "dispatch").filter(number=data["number"]).first()
        if into is None:
            raise AppealError(f"未找到工单编号为“{data['number']}”的诉求，或您无权处理该诉求。", code="merge")
    elif data.get("into"):
        into = get_appeal_for_user(actor, data["into"])
    else:
        raise AppealError("请填写合并到的工单编号。", code="merge")
    return services.merge_appeal(actor, appeal, into, note=data.get("note", ""))


def _prepare_rate_summons(request, summons, form) -> dict:
    """The rating as one radio button per point of the city's scale, highest first."""
    low, high = services.rating_scale()
    label = form.fields["rating"].label
    form.fields["rating"] = forms.TypedChoiceField(
        label=label, choices=[(n, f"{n}分") for n in range(high, low - 1, -1)], coerce=int, widget=forms.RadioSelect
    )
    return {}


def _rated(actor, appeal: Appeal, result, data: dict) -> str:
    """The resident is thanked; the staff recording a phone call back is told it is recorded."""
    if services.is_reporter(actor, appeal):
        return "感谢您的评价。"
    return "已记录回访结果。"


def _prepare_rate(request, appeal: Appeal, form) -> dict:
    if services.is_reporter(request.user, appeal):
        return {}
    return {"title": "记录回访结果（电话回访诉求人）", "button": "保存回访结果"}


def _prepare_reopen(request, appeal: Appeal, form) -> dict:
    return {"title": f"重办（交{appeal.assignee_name or '原承办单位'}）"}


def _prepare_extend(request, appeal: Appeal, form) -> dict:
    return {"extension_limit": get_rule(EXTENSION_MAX_WORKDAYS)}


CANCELLABLE = services.CANCELLABLE

# The order is the page's order of the cards (the folded ones come last) and of ``actions`` in the API.
APPEAL_ACTIONS: dict[str, Action] = core.table(
    Action(
        key="rate",
        label="回访评价",
        verb=services.rate_appeal,
        allowed=lambda w: w.status == Status.ANSWERED and (w.reporter or w.dispatcher),
        inputs=inputs.RateSerializer,
        run=lambda actor, appeal, d: services.rate_appeal(
            actor, appeal, outcome=d["outcome"], satisfaction=d["satisfaction"], comment=d.get("comment", "")
        ),
        done=lambda appeal, result, d: "感谢您的评价。",
        done_for=_rated,
        prepare=_prepare_rate,
        description="回访评价：是否解决、是否满意。已解决（含部分）且满意（含基本满意）即办结。",
        title="评价办理结果",
        button="提交评价",
    ),
    Action(
        key="sign",
        label="签收",
        verb=services.sign_appeal,
        allowed=lambda w: w.handler and w.status == Status.DISPATCHED,
        inputs=inputs.SignSerializer,
        run=lambda actor, appeal, d: services.sign_appeal(actor, appeal, note=d.get("note", "")),
        done=lambda appeal, result, d: "已签收。",
        description="签收。两人同时签收时只有一人成功，另一人得到 409。",
        template="appeals/actions/_sign.html",
    ),
    Action(
        key="progress",
        label="办理",
        verb=services.record_progress,
        allowed=lambda w: w.handler and w.status in (Status.SIGNED, Status.HANDLING),
        inputs=inputs.ProgressSerializer,
        run=lambda actor, appeal, d: services.record_progress(actor, appeal, note=d["note"], photos=_photos(d)),
        done=lambda appeal, result, d: "已记录办理情况。",
        description="记录办理情况（走访、现场核实），可附照片。",
        title="记录走访/办理",
        button="保存记录",
        style="",
    ),
    Action(
        key="answer",
        label="答复",
        verb=services.answer_appeal,
        allowed=lambda w: w.handler and w.status in (Status.SIGNED, Status.HANDLING),
        inputs=inputs.AnswerSerializer,
        run=lambda actor, appeal, d: services.answer_appeal(
            actor, appeal, text=d["text"], result=d["result"], photos=_photos(d)
        ),
        done=lambda appeal, result, d: "已答复，等待诉求人评价。",
        description="答复：答复内容和办理结果（解决/部分解决/未解决）。",
        title="答复诉求人",
    ),
    Action(
        key="decide_extension",
        label="审批延期",
        verb=services.decide_extension,
        allowed=lambda w: w.dispatcher and w.appeal.extension_pending,
        inputs=inputs.ExtensionDecisionSerializer,
        run=_decide,
        done=_decided,
        description="审批延期申请（派单单位）。",
        page_fields=("approve", "note"),
        prepare=_prepare_decide,
        template="appeals/actions/_decide_extension.html",
    ),
    Action(
        key="close",
        label="办结",
        verb=services.close_appeal,
        allowed=lambda w: w.dispatcher and w.status in (Status.ANSWERED, Status.RATED),
        inputs=inputs.CloseSerializer,
        run=lambda actor, appeal, d: services.close_appeal(actor, appeal, note=d.get("note", "")),
        done=lambda appeal, result, d: "已办结。",
        description="办结（不满意件经研判办结，或未回访办结）。",
        style="btn-success",
        intro="appeals/actions/_close_intro.html",
    ),
    Action(
        key="reopen",
        label="重办",
        verb=services.reopen_appeal,
        allowed=lambda w: w.dispatcher and w.status == Status.RATED,
        inputs=inputs.ReopenSerializer,
        run=lambda actor, appeal, d: services.reopen_appeal(actor, appeal, note=d["note"]),
        done=lambda appeal, result, d: f"已重办，交{result.assignee_name}重新办理。",
        description="重办（评价为不满意或未解决后）。",
        style="btn-warning",
        prepare=_prepare_reopen,
    ),
    Action(
        key="dispatch",
        label="派单",
        verb=services.dispatch_appeal,
        allowed=lambda w: w.dispatcher and w.status in (Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED),
        inputs=inputs.DispatchSerializer,
        run=_dispatch,
        done=lambda appeal, result, d: "已派单。",
        description="派单（或改派、退单后重新派单）：`area` 为网格/社区/街道/区编码，或 `department` 为部门 id。",
        page_fields=("target", "note"),
        prepare=_prepare_dispatch,
        intro="appeals/actions/_dispatch_intro.html",
    ),
    Action(
        key="whistle",
        label="吹哨",
        verb=services.blow_whistle,
        allowed=lambda w: w.open and w.whistler,
        inputs=inputs.AppealWhistleSerializer,
        run=_whistle,
        done=lambda appeal, result, d: "已吹哨，等待部门报到。",
        style="btn-danger",
        prepare=_prepare_whistle,
        # The API blows whistles, on an appeal or not, at /api/v1/whistles/.
        api=False,
    ),
    Action(
        key="extend",
        label="申请延期",
        verb=services.request_extension,
        allowed=lambda w: w.handler and w.may_extend,
        inputs=inputs.ExtendSerializer,
        run=lambda actor, appeal, d: services.request_extension(
            actor, appeal, workdays=d["workdays"], reason=d["reason"]
        ),
        done=lambda appeal, result, d: f"已申请延长{result.workdays}个工作日，等待派单单位审批。",
        description="申请延期（须在答复时限前）。",
        button="提交延期申请",
        style="",
        fold=True,
        prepare=_prepare_extend,
        intro="appeals/actions/_extend_intro.html",
    ),
    Action(
        key="supervise",
        label="挂牌督办",
        verb=services.supervise_appeal,
        allowed=lambda w: w.open and not w.appeal.supervised and w.supervisor,
        inputs=inputs.SuperviseSerializer,
        run=lambda actor, appeal, d: services.supervise_appeal(actor, appeal, note=d["note"]),
        done=lambda appeal, result, d: "已挂牌督办。",
        description="挂牌督办（区、市）。",
        button="督办",
        style="btn-outline-danger",
        fold=True,
    ),
    Action(
        key="merge",
        label="合并",
        verb=services.merge_appeal,
        allowed=lambda w: w.dispatcher and w.status in CANCELLABLE,
        inputs=inputs.MergeSerializer,
        run=_merge,
        done=lambda appeal, result, d: f"已作为重复件合并到工单{result.merged_into.number}。",
        description="作为重复件合并到另一件诉求（`into` 为其 id，或 `number` 为其工单编号）。",
        title="重复件合并",
        button="合并到该工单",
        style="btn-outline-secondary",
        fold=True,
        page_fields=("number", "note"),
    ),
    Action(
        key="cancel",
        label="撤销",
        verb=services.cancel_appeal,
        allowed=lambda w: w.status in CANCELLABLE and (w.dispatcher or w.reporter),
        inputs=inputs.CancelSerializer,
        run=lambda actor, appeal, d: services.cancel_appeal(actor, appeal, reason=d["reason"]),
        done=lambda appeal, result, d: "已撤销。",
        description="撤销（诉求人本人，或派单单位）。",
        title="撤销诉求",
        style="btn-outline-danger",
        fold=True,
    ),
    Action(
        key="return",
        label="退单",
        verb=services.return_appeal,
        allowed=lambda w: w.handler,
        inputs=inputs.ReturnSerializer,
        run=lambda actor, appeal, d: services.return_appeal(actor, appeal, reason=d["reason"]),
        done=lambda appeal, result, d: "已退单。",
        description="退单：承办单位说明理由后退回派单单位。",
        button="退回派单单位",
        style="btn-outline-secondary",
        fold=True,
    ),
)


# --------------------------------------------------------------------------- the whistle's table


def _reports_for(user, summons: WhistleSummons) -> bool:
    return scope_for(user, SUMMONS_REPORT).covers_department(summons.department_id)


def _rates_for(user, summons: WhistleSummons) -> bool:
    return scope_for(user, SUMMONS_RATE).covers(summons)


def _blew(user, whistle: Whistle) -> bool:
    return scope_for(user, WHISTLE_ADD).covers(whistle)


WHISTLE_ACTIONS: dict[str, Action] = core.table(
    Action(
        key="report",
        label="报到",
        verb=services.report_summons,
        allowed=lambda w: w.target.status == SummonsStatus.SUMMONED and _reports_for(w.user, w.target),
        inputs=inputs.PlanSerializer,
        run=lambda actor, summons, d: services.report_summons(actor, summons, plan=d["plan"]),
        done=lambda summons, result, d: "已报到。",
        description="报到，并说明处置措施。",
        on="summons",
    ),
    Action(
        key="feedback",
        label="反馈",
        verb=services.feedback_summons,
        allowed=lambda w: w.target.status == SummonsStatus.REPORTED and _reports_for(w.user, w.target),
        inputs=inputs.FeedbackSerializer,
        run=lambda actor, summons, d: services.feedback_summons(actor, summons, feedback=d["feedback"]),
        done=lambda summons, result, d: "已反馈。",
        description="反馈办理结果。",
        style="",
        on="summons",
    ),
    Action(
        key="rate",
        label="评价",
        verb=services.rate_summons,
        allowed=lambda w: w.target.status == SummonsStatus.FED_BACK and _rates_for(w.user, w.target),
        inputs=inputs.SummonsRateSerializer,
        run=lambda actor, summons, d: services.rate_summons(actor, summons, rating=d["rating"], note=d.get("note", "")),
        done=lambda summons, result, d: f"已评价{summons.department.name}：{d['rating']}分。",
        description="吹哨单位为报到部门打分（分值范围按规则设定，默认1—5分）。",
        prepare=_prepare_rate_summons,
        button="提交评价",
        on="summons",
    ),
    Action(
        key="close",
        label="结束吹哨",
        verb=services.close_whistle,
        allowed=lambda w: w.target.status == WhistleStatus.OPEN and _blew(w.user, w.target),
        inputs=inputs.CloseWhistleSerializer,
        run=lambda actor, whistle, d: services.close_whistle(actor, whistle, note=d.get("note", "")),
        done=lambda whistle, result, d: "吹哨已结束。",
        description="结束吹哨（吹哨单位）。",
        style="btn-success",
        on="whistle",
    ),
)


@dataclass(frozen=True)
class On:
    """What the ``allowed`` rules of the whistle table read: the user and the whistle or summons."""

    user: Any
    target: Whistle | WhistleSummons


def whistle_actions(user, target: Whistle | WhistleSummons) -> list[Action]:
    """The entries of :data:`WHISTLE_ACTIONS` ``user`` may take on ``target`` now."""
    kind = "whistle" if isinstance(target, Whistle) else "summons"
    who = On(user, target)
    return [entry for entry in WHISTLE_ACTIONS.values() if entry.on == kind and entry.allowed(who)]


# --------------------------------------------------------------------------- the API's actions

# Every action may answer: 400 bad input, 401 not logged in, 403 no right, 404 not in scope, 409 wrong state.
ERRORS = {
    400: inputs.ApiErrorSerializer,
    401: inputs.ApiErrorSerializer,
    403: inputs.ApiErrorSerializer,
    404: inputs.ApiErrorSerializer,
    409: inputs.ApiErrorSerializer,
}


def _api_action(entry: Action, response):
    def act(self, request, pk=None):
        target = self.get_object()
        serializer = entry.inputs(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "photos" in serializer.fields and not data.get("photos") and hasattr(request, "FILES"):
            data["photos"] = request.FILES.getlist("photos")
        return self.respond_to_action(entry, lambda: entry.run(request.user, target, data))

    act.__name__ = act.__qualname__ = f"act_{entry.key}"
    act.__doc__ = entry.description or entry.label
    act = drf_action(detail=True, methods=["post"], url_path=entry.url_path, url_name=entry.url_path)(act)
    return extend_schema(
        operation_id=f"{entry.on}_{entry.key}",
        summary=entry.label,
        description=entry.description or entry.label,
        request=entry.inputs,
        responses={200: response, **ERRORS},
    )(act)


def add_api_actions(viewset, table: dict[str, Action], *, on: str, response) -> type:
    """Add one POST ``@action`` per API entry of ``table`` acting on ``on`` to ``viewset``.

    The viewset provides ``respond_to_action(entry, call)``: run the call, answer with the object.
    """
    for entry in table.values():
        if entry.api and entry.on == on:
            setattr(viewset, f"act_{entry.key}", _api_action(entry, response))
    return viewset
