"""Forms of the appeals pages (民呼我应); every write still goes through the services."""

import uuid

from django import forms

from jiceng.appeals.models import Outcome, Satisfaction, WhistleCase


class SubmitForm(forms.Form):
    category = forms.ChoiceField(label="问题分类")
    description = forms.CharField(label="诉求内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    area = forms.ChoiceField(label="所在位置", required=False)
    address = forms.CharField(label="或填写地址", max_length=200, required=False)
    photo = forms.FileField(label="照片", required=False)
    reporter_name = forms.CharField(label="诉求人姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(label="诉求人电话", max_length=20, required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, categories=(), areas=(), recording=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not recording:  # a resident reports for themself; a grid worker records for someone
            del self.fields["reporter_name"], self.fields["reporter_phone"]
        self.fields["category"].choices = [("", "请选择")] + [(str(c.pk), str(c)) for c in categories]
        self.fields["area"].choices = [("", "请选择小区、楼栋或网格")] + [
            (str(a.pk), f"{'　' * max(0, (len(a.code) - 12) // 3)}{a.name}") for a in areas
        ]
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4().hex)


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label="现场照片", required=False)


class AnswerForm(forms.Form):
    text = forms.CharField(label="答复内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    result = forms.ChoiceField(label="办理结果", choices=Outcome.choices)
    photo = forms.FileField(label="照片", required=False)


class RateForm(forms.Form):
    outcome = forms.ChoiceField(label="是否解决", choices=Outcome.choices, widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label="是否满意", choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="评价意见", max_length=500, required=False)


class DispatchForm(forms.Form):
    target = forms.ChoiceField(label="承办单位")
    note = forms.CharField(label="派单说明", max_length=500, required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets


class WhistleForm(forms.Form):
    case = forms.ChoiceField(label="吹哨情形", choices=WhistleCase.choices)
    title = forms.CharField(label="事项", max_length=100)
    departments = forms.MultipleChoiceField(label="召集部门", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = [(str(d.pk), d.name) for d in departments]


class ReasonForm(forms.Form):
    note = forms.CharField(label="理由", max_length=500)


class PlanForm(forms.Form):
    text = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


# --------------------------------------------------------------------------- 延期 · 办结 · 重办 · 合并 · 撤销


class ExtensionForm(forms.Form):
    # No bounds here: the limit is a city rule, and the service says it in its refusal.
    workdays = forms.IntegerField(label="延长工作日", widget=forms.NumberInput(attrs={"min": 1}))
    reason = forms.CharField(label="延期理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DecideExtensionForm(forms.Form):
    """批准 or 驳回: the pressed button carries the decision; a refusal needs a note (the service says so)."""

    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "驳回")])
    note = forms.CharField(label="审批意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    note = forms.CharField(
        label="办结说明",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="评价为不满意或未解决后办结的，须说明理由。",
    )


class ReopenForm(forms.Form):
    note = forms.CharField(label="重办要求", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    number = forms.CharField(label="合并到工单编号", max_length=24, help_text="填写同一事项先受理的工单编号。")
    note = forms.CharField(label="合并说明", max_length=500, required=False)

    def clean_number(self):
        return self.cleaned_data["number"].strip()


class CancelForm(forms.Form):
    note = forms.CharField(label="撤销理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


# --------------------------------------------------------------------------- 吹哨报到


class IncidentWhistleForm(WhistleForm):
    """吹哨 on an incident (no appeal): the unit, the case, what and where, the departments."""

    area = forms.ChoiceField(label="吹哨单位")
    description = forms.CharField(
        label="情况说明", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label="地点", max_length=200, required=False)

    field_order = ["area", "case", "title", "description", "address", "departments"]

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(str(a.pk), f"{a.get_level_display()}：{a.name}") for a in areas]


class SummonsRateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="评价分",
        coerce=int,
        choices=[(n, f"{n}分") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="评价意见", max_length=500, required=False)


class CloseWhistleForm(forms.Form):
    note = forms.CharField(label="结束说明", max_length=500, required=False)
