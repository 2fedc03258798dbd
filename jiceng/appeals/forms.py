"""Forms of the appeals pages (民呼我应) that are not workflow actions (those are derived from the
action tables in jiceng.appeals.actions); every write still goes through the services."""

import uuid

from django import forms

from jiceng.appeals.models import WhistleCase
from jiceng.areas.maps import check_pair, latitude_field, longitude_field
from jiceng.core.phones import PhoneField


class SubmitForm(forms.Form):
    category = forms.ChoiceField(label="问题分类")
    description = forms.CharField(label="诉求内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    area = forms.ChoiceField(label="所在位置", required=False)
    address = forms.CharField(label="或填写地址", max_length=200, required=False)
    latitude = latitude_field()
    longitude = longitude_field()
    photo = forms.FileField(label="照片", required=False)
    reporter_name = forms.CharField(label="诉求人姓名", max_length=50, required=False)
    reporter_phone = PhoneField(label="诉求人电话", required=False)
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

    def clean(self):
        data = super().clean()
        check_pair(self)
        return data


# --------------------------------------------------------------------------- 吹哨报到


class IncidentWhistleForm(forms.Form):
    """吹哨 on an incident (no appeal): the unit, the case, what and where, the departments.

    (吹哨 on an appeal is an entry of the action table, jiceng.appeals.actions.)"""

    area = forms.ChoiceField(label="吹哨单位")
    case = forms.ChoiceField(label="吹哨情形", choices=WhistleCase.choices)
    title = forms.CharField(label="事项", max_length=100)
    description = forms.CharField(
        label="情况说明", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label="地点", max_length=200, required=False)
    departments = forms.MultipleChoiceField(label="召集部门", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, areas=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(str(a.pk), f"{a.get_level_display()}：{a.name}") for a in areas]
        self.fields["departments"].choices = [(str(d.pk), d.name) for d in departments]
