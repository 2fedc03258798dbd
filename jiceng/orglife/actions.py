"""The meeting workflow's one action table (the shape of appeals/actions.py).

An entry names its key (the page's and the API's URL segment), its Chinese label, who may take it
in which state (``allowed``, reading a :class:`Who`), its input (a DRF serializer: the API's
request body and schema; the page's form is built from the same fields), the service call and the
message once done. The meeting and minutes pages show only the allowed entries; the API exposes
each as ``POST /api/v1/meetings/{id}/<key>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms
from rest_framework import serializers as drf

from jiceng.core.scope import can, holds
from jiceng.members.models import Member

from . import services
from .models import AttendanceStatus, Meeting, MeetingStatus, MinutesStatus
from .permissions import MEETING_CHANGE, MINUTES_REVIEW

# --------------------------------------------------------------------------- inputs


class NoInput(drf.Serializer):
    pass


class ReasonInput(drf.Serializer):
    reason = drf.CharField(label="原因", max_length=200)


class MoveInput(drf.Serializer):
    planned_start = drf.DateTimeField(label="新的会议时间")
    reason = drf.CharField(label="调整原因", max_length=200)


class ProxyInput(drf.Serializer):
    member = drf.IntegerField(label="党员", min_value=1, style={"pick": True})
    reason = drf.CharField(label="代签事由", max_length=200, style={"hint": "如：主持人核实到会，手机未带"})


class CodeInput(drf.Serializer):
    code = drf.CharField(label="党员签到码", max_length=60, style={"hint": "扫码枪扫描或手工输入党员手机上的签到码"})


class AttachInput(drf.Serializer):
    file = drf.FileField(label="附件", help_text="照片（JPG、PNG）或文档（PDF、DOCX、XLSX、PPTX）")


class MinutesInput(drf.Serializer):
    topics = drf.CharField(label="议题", max_length=4000, allow_blank=True, style={"rows": 3})
    discussion = drf.CharField(label="讨论情况", max_length=8000, allow_blank=True, style={"rows": 6})
    resolutions = drf.CharField(label="决议", max_length=4000, allow_blank=True, style={"rows": 3})


class DecisionInput(drf.Serializer):
    subject = drf.CharField(label="表决事项", max_length=200)
    votes_for = drf.IntegerField(label="赞成", min_value=0, max_value=100000)
    votes_against = drf.IntegerField(label="反对", min_value=0, max_value=100000)
    votes_abstain = drf.IntegerField(label="弃权", min_value=0, max_value=100000)


class AmendInput(drf.Serializer):
    field = drf.ChoiceField(label="修改部分", choices=list(services.MINUTES_FIELDS.items()))
    text = drf.CharField(label="修改后的内容", max_length=8000, style={"rows": 5})
    reason = drf.CharField(label="修改原因", max_length=200)


def _form_field(f: drf.Field) -> forms.Field:
    style = f.style or {}
    common = {"label": f.label, "required": f.required, "help_text": style.get("hint", f.help_text or "")}
    if isinstance(f, drf.FileField):
        return forms.FileField(**common)
    if isinstance(f, drf.ChoiceField):
        return forms.ChoiceField(choices=list(f.choices.items()), widget=forms.Select, **common)
    if isinstance(f, drf.DateTimeField):
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if style.get("pick"):
        return forms.TypedChoiceField(coerce=int, **common)
    if isinstance(f, drf.IntegerField):
        return forms.IntegerField(min_value=f.min_value, max_value=f.max_value, **common)
    if style.get("rows"):
        return forms.CharField(
            max_length=f.max_length,
            widget=forms.Textarea(attrs={"rows": style["rows"]}),
            **{**common, "required": False},
        )
    return forms.CharField(max_length=getattr(f, "max_length", None), **common)


def form_for(serializer_class: type[drf.Serializer], name: str) -> type[forms.Form]:
    fields = {key: _form_field(f) for key, f in serializer_class().fields.items()}
    for f in fields.values():
        css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
        f.widget.attrs["class"] = css
    return type(name, (forms.Form,), fields)


# --------------------------------------------------------------------------- who may


class Who:
    """What the ``allowed`` rules read, each worked out once."""

    def __init__(self, user, meeting: Meeting) -> None:
        self.user, self.meeting, self.status = user, meeting, meeting.status

    @cached_property
    def manager(self) -> bool:
        return holds(self.user, MEETING_CHANGE, areas=[self.meeting.area_path], orgs=[self.meeting.org_path])

    @cached_property
    def reviewer(self) -> bool:
        return holds(self.user, MINUTES_REVIEW, areas=[self.meeting.area_path], orgs=[self.meeting.org_path])

    def _is(self, member: Member | None) -> bool:
        return member is not None and member.user_id is not None and member.user_id == self.user.pk

    @cached_property
    def recorder(self) -> bool:
        return self.manager or self._is(self.meeting.recorder)

    @cached_property
    def host(self) -> bool:
        return self.manager or self._is(self.meeting.host)

    @cached_property
    def minutes_status(self) -> str | None:
        minutes = getattr(self.meeting, "minutes", None) if self.status == MeetingStatus.HELD else None
        return minutes.status if minutes is not None else None

    @property
    def minutes_open(self) -> bool:
        return self.minutes_status in (MinutesStatus.DRAFT, MinutesStatus.RETURNED)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    allowed: Callable[[Who], bool]
    inputs: type[drf.Serializer]
    run: Callable[[Any, Meeting, dict], Any]
    done: str
    section: str = "meeting"  # the page it is on: "meeting" or "minutes"
    style: str = "btn-primary"
    description: str = ""
    form: type[forms.Form] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", form_for(self.inputs, f"{self.key.title().replace('_', '')}Form"))

    @property
    def url_path(self) -> str:
        return self.key.replace("_", "-")

    @property
    def has_fields(self) -> bool:
        return bool(self.form.base_fields)

    @property
    def multipart(self) -> bool:
        return any(isinstance(f, forms.FileField) for f in self.form.base_fields.values())

    def page_form(self, meeting: Meeting, data=None, files=None) -> forms.Form:
        form = self.form(data, files, prefix=self.key)
        if "member" in form.fields:
            form.fields["member"].choices = proxy_choices(meeting)
        return form


def proxy_choices(meeting: Meeting) -> list[tuple[int, str]]:
    waiting = (AttendanceStatus.EXPECTED, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)
    rows = meeting.attendances.filter(status__in=waiting).select_related("member").order_by("member__name")
    return [(row.member_id, f"{row.member.name}（{row.get_status_display()}）") for row in rows]


def _proxy(actor, meeting: Meeting, data: dict):
    member = meeting.attendances.filter(member_id=data["member"]).select_related("member").first()
    if member is None:
        raise services.OrglifeError({"member": ["该党员不在本次会议的应到人员名单中。"]})
    return services.proxy_sign_in(actor, meeting, member.member, data["reason"])


def _decision_done(result) -> str:
    decision, reasons = result
    return (
        f"已记录表决“{decision.subject}”：通过。"
        if not reasons
        else f"已记录表决“{decision.subject}”：未通过。" + "".join(reasons)
    )


_table_entries = (
    Action(
        "open_signin",
        "开始签到",
        lambda w: w.manager and w.status == MeetingStatus.PLANNED,
        NoInput,
        lambda a, m, d: services.open_signin(a, m),
        "已开始签到，请打开签到二维码。",
        description="会议开始：签到二维码生效，党员用手机扫码签到。",
    ),
    Action(
        "close",
        "结束会议",
        lambda w: w.manager and w.status == MeetingStatus.SIGNIN,
        NoInput,
        lambda a, m, d: services.close_meeting(a, m),
        "会议已结束：未签到的党员记为缺席，并为缺席和请假的党员布置补学。",
        style="btn-success",
        description="结束签到，记录出席情况；会议计入本组织组织生活召开情况。",
    ),
    Action(
        "member_code",
        "扫党员签到码",
        lambda w: w.manager and w.status == MeetingStatus.SIGNIN,
        CodeInput,
        lambda a, m, d: services.sign_in_by_member_code(a, m, d["code"]),
        "已签到。",
        style="btn-outline-primary",
    ),
    Action(
        "proxy",
        "代签",
        lambda w: w.manager and w.status in (MeetingStatus.SIGNIN, MeetingStatus.HELD),
        ProxyInput,
        _proxy,
        "已代签，并记入会议记录。",
        style="btn-outline-primary",
        description="主持人核实到会后代为签到，须写明事由；会后代签会撤回该党员的补学。",
    ),
    Action(
        "move",
        "调整时间",
        lambda w: w.manager and w.status == MeetingStatus.PLANNED,
        MoveInput,
        lambda a, m, d: services.move_meeting(a, m, d["planned_start"], d["reason"]),
        "会议时间已调整。",
        style="btn-outline-secondary",
    ),
    Action(
        "cancel",
        "取消会议",
        lambda w: w.manager and w.status in (MeetingStatus.PLANNED, MeetingStatus.SIGNIN),
        ReasonInput,
        lambda a, m, d: services.cancel_meeting(a, m, d["reason"]),
        "会议已取消。",
        style="btn-outline-danger",
    ),
    Action(
        "attach",
        "上传附件",
        lambda w: w.manager and w.status != MeetingStatus.CANCELLED,
        AttachInput,
        lambda a, m, d: services.add_attachment(a, m, d["file"]),
        "附件已上传。",
        style="btn-outline-secondary",
    ),
    Action(
        "write_minutes",
        "保存纪要",
        lambda w: w.recorder and w.minutes_open,
        MinutesInput,
        lambda a, m, d: services.save_minutes(
            a, m, topics=d["topics"], discussion=d["discussion"], resolutions=d["resolutions"]
        ),
        "纪要已保存。",
        section="minutes",
        description="记录人填写纪要；保存后可继续修改，主持人提交审核。",
    ),
    Action(
        "decision",
        "记录表决",
        lambda w: w.recorder and w.minutes_open,
        DecisionInput,
        lambda a, m, d: services.record_decision(
            a,
            m,
            subject=d["subject"],
            votes_for=d["votes_for"],
            votes_against=d["votes_against"],
            votes_abstain=d["votes_abstain"],
        ),
        "",
        section="minutes",
        style="btn-outline-primary",
        description="支部党员大会：有表决权的正式党员实到须过半数，赞成票须超过全体有表决权正式党员的半数。",
    ),
    Action(
        "submit_minutes",
        "提交审核",
        lambda w: w.host and w.minutes_open,
        NoInput,
        lambda a, m, d: services.submit_minutes(a, m),
        "纪要已提交审核。",
        section="minutes",
        style="btn-success",
    ),
    Action(
        "approve",
        "审核通过",
        lambda w: w.reviewer and w.minutes_status == MinutesStatus.SUBMITTED,
        NoInput,
        lambda a, m, d: services.review_minutes(a, m, approve=True),
        "纪要已审核通过并锁定。",
        section="minutes",
        style="btn-success",
    ),
    Action(
        "return_minutes",
        "退回",
        lambda w: w.reviewer and w.minutes_status == MinutesStatus.SUBMITTED,
        ReasonInput,
        lambda a, m, d: services.review_minutes(a, m, approve=False, reason=d["reason"]),
        "纪要已退回。",
        section="minutes",
        style="btn-outline-danger",
    ),
    Action(
        "amend",
        "修改已通过的纪要",
        lambda w: w.manager and w.minutes_status == MinutesStatus.APPROVED,
        AmendInput,
        lambda a, m, d: services.amend_minutes(a, m, field=d["field"], text=d["text"], reason=d["reason"]),
        "已修改，修改前后的内容和原因已记录。",
        section="minutes",
        style="btn-outline-secondary",
    ),
)

MEETING_ACTIONS: dict[str, Action] = {entry.key: entry for entry in _table_entries}
BY_PATH: dict[str, Action] = {entry.url_path: entry for entry in _table_entries}


def available(user, meeting: Meeting, section: str | None = None) -> list[Action]:
    """The entries ``user`` may take on ``meeting`` now, in the table's order."""
    if not can(user, "view", meeting):
        return []
    who = Who(user, meeting)
    return [e for e in MEETING_ACTIONS.values() if (section is None or e.section == section) and e.allowed(who)]


def done_message(entry: Action, result) -> str:
    return _decision_done(result) if entry.key == "decision" else entry.done
