from django import forms

from .models import Team


class ActivityForm(forms.Form):
    team = forms.ModelChoiceField(label="志愿服务队", queryset=Team.objects.none(), empty_label="请选择队伍")
    title = forms.CharField(label="活动名称", max_length=80)
    place = forms.CharField(label="活动地点", max_length=120)
    starts_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    places = forms.IntegerField(label="招募人数", min_value=1, max_value=10000)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class HoursForm(forms.Form):
    served_on = forms.DateField(label="服务日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.CharField(label="时长（小时）", max_length=8)
    content = forms.CharField(label="服务内容", max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)


def put_error(form: forms.Form, exc) -> None:
    """A service's refusal on the form: each message under its field when the code names one."""
    for error in exc.error_list:
        field = error.code if error.code in form.fields else None
        form.add_error(field, error.message)
