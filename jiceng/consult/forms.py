from django import forms

from .models import FollowUp, Kind


class ConsultationForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择"), *Kind.choices])
    held_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.ChoiceField(label="区划")
    title = forms.CharField(label="议题", max_length=80)
    topics = forms.CharField(label="议事内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(
        label="议定事项", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    residents = forms.IntegerField(label="居民代表（人）", min_value=0, max_value=10000, initial=0)
    unit_reps = forms.IntegerField(label="驻区单位代表（人）", min_value=0, max_value=10000, initial=0)
    member_reps = forms.IntegerField(label="党员代表（人）", min_value=0, max_value=10000, initial=0)
    owners_committee = forms.IntegerField(label="业委会成员（人）", min_value=0, max_value=10000, initial=0)
    units = forms.MultipleChoiceField(label="参加单位", required=False)
    follow_up = forms.CharField(label="后续落实", max_length=300, required=False)
    follow_up_status = forms.ChoiceField(label="落实情况", choices=FollowUp.choices, initial=FollowUp.PENDING)

    def __init__(self, *args, areas=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [
            ("", "请选择"),
            *((a.code, f"{a.name}（{a.get_level_display()}）") for a in areas),
        ]
        self.fields["units"].choices = [(str(u.pk), u.name) for u in units]


class FollowUpForm(forms.Form):
    follow_up_status = forms.ChoiceField(label="落实情况", choices=FollowUp.choices)
    follow_up = forms.CharField(label="落实说明", max_length=300, required=False)


class DecisionItemForm(forms.Form):
    """转为需求 / 立为项目: what goes on the 共建清单 (the cobuild service checks it all again)."""

    title = forms.CharField(label="名称", max_length=80)
    category = forms.ChoiceField(label="类别", choices=())
    quantity = forms.IntegerField(
        label="数量", min_value=1, max_value=100000, initial=1, help_text="可分割的事项填总数，如20名志愿者"
    )
    unit_label = forms.CharField(label="计量单位", max_length=8, initial="项", help_text="人、份、次、场、项")
    description = forms.CharField(
        label="内容", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner_name = forms.CharField(label="项目负责人", max_length=40, required=False)
    budget = forms.DecimalField(label="预算（元）", max_digits=12, decimal_places=2, min_value=0, required=False)

    def __init__(self, *args, kind: str = "need", **kwargs):
        from jiceng.cobuild.forms import category_choices

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        if kind != "project":
            del self.fields["owner_name"]
            del self.fields["budget"]
