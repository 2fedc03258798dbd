from django import forms
from django.utils import timezone

from jiceng.members.models import Member
from jiceng.orgs.models import Org, OrgType

from .models import MeetingType, RecurringPlan
from .services import eligible_members


class Styled:
    """Tabler classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class MeetingForm(Styled, forms.Form):
    """安排会议 for one org (chosen before the form: ``org``)."""

    types = forms.MultipleChoiceField(
        label="会议类型",
        choices=MeetingType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="一次会议可同时计为多种类型，如主题党日同时召开支部党员大会。",
    )
    topic = forms.CharField(label="会议主题", max_length=120)
    planned_start = forms.DateTimeField(
        label="会议时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label="地点", max_length=120, required=False)
    group = forms.TypedChoiceField(label="党小组", coerce=int, required=False, empty_value=None)
    host = forms.TypedChoiceField(label="主持人", coerce=int, required=False, empty_value=None)
    recorder = forms.TypedChoiceField(label="记录人", coerce=int, required=False, empty_value=None)
    agenda = forms.CharField(
        label="议程", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一项"
    )

    def __init__(self, *args, org: Org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        people = [("", "（不指定）")] + [
            (m.pk, m.name) for m in Member.objects.filter(org=org, left_on__isnull=True).only("id", "name")[:500]
        ]
        self.fields["host"].choices = people
        self.fields["recorder"].choices = people
        groups = Org.objects.filter(parent=org, org_type=OrgType.GROUP, is_active=True).only("id", "name")
        self.fields["group"].choices = [("", "（不是党小组会）")] + [(g.pk, g.name) for g in groups]

    def clean(self):
        data = super().clean()
        members = {
            m.pk: m for m in Member.objects.filter(org=self.org, pk__in=[data.get("host"), data.get("recorder")])
        }
        data["host"] = members.get(data.get("host"))
        data["recorder"] = members.get(data.get("recorder"))
        data["group"] = Org.objects.filter(pk=data.get("group"), parent=self.org).first() if data.get("group") else None
        return data


class PlanForm(Styled, forms.Form):
    """A recurring plan: the year's planned meetings of one type on a fixed day."""

    year = forms.TypedChoiceField(label="年度", coerce=int)
    types = forms.MultipleChoiceField(
        label="会议类型", choices=MeetingType.choices, widget=forms.CheckboxSelectMultiple
    )
    frequency = forms.ChoiceField(label="频次", choices=RecurringPlan.Frequency.choices)
    day = forms.IntegerField(label="固定日", min_value=1, max_value=28, initial=15, help_text="每期第几日（1—28）")
    start_time = forms.TimeField(label="开始时间", initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    topic = forms.CharField(label="主题", max_length=100, initial="主题党日")
    place = forms.CharField(label="地点", max_length=120, required=False)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(today.year, f"{today.year}年"), (today.year + 1, f"{today.year + 1}年")]


class LeaveForm(Styled, forms.Form):
    reason = forms.CharField(label="请假事由", max_length=200)


class MakeupForm(Styled, forms.Form):
    note = forms.CharField(
        label="学习体会（可选）", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GroupMembersForm(Styled, forms.Form):
    members = forms.TypedMultipleChoiceField(
        label="小组成员", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, group: Org, **kwargs):
        super().__init__(*args, **kwargs)
        assert group.parent is not None
        pool = eligible_members(group.parent, None, [], timezone.localdate())
        self.fields["members"].choices = [(m.pk, m.name) for m, _ in pool]


class BackfillForm(Styled, forms.Form):
    """补录 a meeting held on ``day`` (chosen before the form): the roster is that day's."""

    types = forms.MultipleChoiceField(
        label="会议类型", choices=MeetingType.choices, widget=forms.CheckboxSelectMultiple
    )
    topic = forms.CharField(label="会议主题", max_length=120)
    time = forms.TimeField(label="开始时间", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(label="地点", max_length=120, required=False)
    host = forms.TypedChoiceField(label="主持人", coerce=int, required=False, empty_value=None)
    recorder = forms.TypedChoiceField(label="记录人", coerce=int, required=False, empty_value=None)
    present = forms.TypedMultipleChoiceField(
        label="出席人员",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="未勾选的记为缺席，并布置补学。",
    )
    minutes_topics = forms.CharField(
        label="议题", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes_discussion = forms.CharField(
        label="讨论情况", max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    minutes_resolutions = forms.CharField(
        label="决议", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {m.pk: m for m in roster}
        choices = [(m.pk, m.name) for m in roster]
        self.fields["present"].choices = choices
        self.fields["host"].choices = [("", "（不指定）"), *choices]
        self.fields["recorder"].choices = [("", "（不指定）"), *choices]
