"""The meeting workflow's one action table, :data:`MEETING_ACTIONS` (the pattern is
:mod:`jiceng.core.actions`'s).

Here ``allowed`` reads a :class:`Who`, ``done`` is the page's message and ``section`` the page the
entry is on (the meeting's or the minutes'). The meeting and minutes pages show only the allowed
entries; the API exposes each as ``POST /api/v1/meetings/{id}/<key>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django import forms
from rest_framework import serializers as drf

from jiceng.core import actions as core
from jiceng.core.scope import can, holds
from jiceng.members.models import Member

from . import services
from .forms import Styled
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


class ActionForm(Styled, forms.Form):
    """The action forms carry Tabler's classes, like the app's other forms."""


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


@dataclass(frozen=True, kw_only=True)
class Action(core.Action):
    """One action on a meeting or its minutes; see the module's docstring."""

    allowed: Callable[[Who], bool]
    done: str
    section: str = "meeting"  # the page it is on: "meeting" or "minutes"

    form_base = ActionForm

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
        key="open_signin",
        label="开始签到",
        allowed=lambda w: w.manager and w.status == MeetingStatus.PLANNED,
        inputs=NoInput,
        run=lambda a, m, d: services.open_signin(a, m),
        done="已开始签到，请打开签到二维码。",
        description="会议开始：签到二维码生效，党员用手机扫码签到。",
    ),
    Action(
        key="close",
        label="结束会议",
        allowed=lambda w: w.manager and w.status == MeetingStatus.SIGNIN,
        inputs=NoInput,
        run=lambda a, m, d: services.close_meeting(a, m),
        done="会议已结束：未签到的党员记为缺席，并为缺席和请假的党员布置补学。",
        style="btn-success",
        description="结束签到，记录出席情况；会议计入本组织组织生活召开情况。",
    ),
    Action(
        key="member_code",
        label="扫党员签到码",
        allowed=lambda w: w.manager and w.status == MeetingStatus.SIGNIN,
        inputs=CodeInput,
        run=lambda a, m, d: services.sign_in_by_member_code(a, m, d["code"]),
        done="已签到。",
        style="btn-outline-primary",
    ),
    Action(
        key="proxy",
        label="代签",
        allowed=lambda w: w.manager and w.status in (MeetingStatus.SIGNIN, MeetingStatus.HELD),
        inputs=ProxyInput,
        run=_proxy,
        done="已代签，并记入会议记录。",
        style="btn-outline-primary",
        description="主持人核实到会后代为签到，须写明事由；会后代签会撤回该党员的补学。",
    ),
    Action(
        key="move",
        label="调整时间",
        allowed=lambda w: w.manager and w.status == MeetingStatus.PLANNED,
        inputs=MoveInput,
        run=lambda a, m, d: services.move_meeting(a, m, d["planned_start"], d["reason"]),
        done="会议时间已调整。",
        style="btn-outline-secondary",
    ),
    Action(
        key="cancel",
        label="取消会议",
        allowed=lambda w: w.manager and w.status in (MeetingStatus.PLANNED, MeetingStatus.SIGNIN),
        inputs=ReasonInput,
        run=lambda a, m, d: services.cancel_meeting(a, m, d["reason"]),
        done="会议已取消。",
        style="btn-outline-danger",
    ),
    Action(
        key="attach",
        label="上传附件",
        allowed=lambda w: w.manager and w.status != MeetingStatus.CANCELLED,
        inputs=AttachInput,
        run=lambda a, m, d: services.add_attachment(a, m, d["file"]),
        done="附件已上传。",
        style="btn-outline-secondary",
    ),
    Action(
        key="write_minutes",
        label="保存纪要",
        allowed=lambda w: w.recorder and w.minutes_open,
        inputs=MinutesInput,
        run=lambda a, m, d: services.save_minutes(
            a, m, topics=d["topics"], discussion=d["discussion"], resolutions=d["resolutions"]
        ),
        done="纪要已保存。",
        section="minutes",
        description="记录人填写纪要；保存后可继续修改，主持人提交审核。",
    ),
    Action(
        key="decision",
        label="记录表决",
        allowed=lambda w: w.recorder and w.minutes_open,
        inputs=DecisionInput,
        run=lambda a, m, d: services.record_decision(
            a,
            m,
            subject=d["subject"],
            votes_for=d["votes_for"],
            votes_against=d["votes_against"],
            votes_abstain=d["votes_abstain"],
        ),
        done="",
        section="minutes",
        style="btn-outline-primary",
        description="支部党员大会：有表决权的正式党员实到须过半数，赞成票须超过全体有表决权正式党员的半数。",
    ),
    Action(
        key="submit_minutes",
        label="提交审核",
        allowed=lambda w: w.host and w.minutes_open,
        inputs=NoInput,
        run=lambda a, m, d: services.submit_minutes(a, m),
        done="纪要已提交审核。",
        section="minutes",
        style="btn-success",
    ),
    Action(
        key="approve",
        label="审核通过",
        allowed=lambda w: w.reviewer and w.minutes_status == MinutesStatus.SUBMITTED,
        inputs=NoInput,
        run=lambda a, m, d: services.review_minutes(a, m, approve=True),
        done="纪要已审核通过并锁定。",
        section="minutes",
        style="btn-success",
    ),
    Action(
        key="return_minutes",
        label="退回",
        allowed=lambda w: w.reviewer and w.minutes_status == MinutesStatus.SUBMITTED,
        inputs=ReasonInput,
        run=lambda a, m, d: services.review_minutes(a, m, approve=False, reason=d["reason"]),
        done="纪要已退回。",
        section="minutes",
        style="btn-outline-danger",
    ),
    Action(
        key="amend",
        label="修改已通过的纪要",
        allowed=lambda w: w.manager and w.minutes_status == MinutesStatus.APPROVED,
        inputs=AmendInput,
        run=lambda a, m, d: services.amend_minutes(a, m, field=d["field"], text=d["text"], reason=d["reason"]),
        done="已修改，修改前后的内容和原因已记录。",
        section="minutes",
        style="btn-outline-secondary",
    ),
)

MEETING_ACTIONS: dict[str, Action] = core.table(*_table_entries)
BY_PATH: dict[str, Action] = {entry.url_path: entry for entry in _table_entries}


def available(user, meeting: Meeting, section: str | None = None) -> list[Action]:
    """The entries ``user`` may take on ``meeting`` now, in the table's order."""
    if not can(user, "view", meeting):
        return []
    who = Who(user, meeting)
    return [e for e in MEETING_ACTIONS.values() if (section is None or e.section == section) and e.allowed(who)]


def done_message(entry: Action, result) -> str:
    return _decision_done(result) if entry.key == "decision" else entry.done
