from django import forms
from django.core.exceptions import ValidationError

from .models import WishStatus


def put_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service refusal on the fields it names (a dict, or its ``code``), else on the whole form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    code = getattr(exc, "code", "")
    for message in exc.messages:
        form.add_error(code if code in form.fields else None, message)


class WishForm(forms.Form):
    community = forms.ChoiceField(label="社区")
    beneficiary_area = forms.ChoiceField(label="心愿人所在网格或小区", help_text="须在所选社区内。")
    title = forms.CharField(label="心愿", max_length=60, help_text="如：一台助听器、孩子的一套课外书")
    content = forms.CharField(
        label="心愿说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    name = forms.CharField(label="心愿人姓名", max_length=50)
    phone = forms.CharField(label="心愿人电话", max_length=20, required=False)
    address = forms.CharField(label="心愿人住址", max_length=120)

    def __init__(self, *args, communities=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "请选择社区"), *((a.code, a.name) for a in communities)]
        self.fields["beneficiary_area"].choices = [
            ("", "请选择"),
            *((a.code, f"{a.name}（{a.get_level_display()}）") for a in areas),
        ]


class DeliverForm(forms.Form):
    photo = forms.FileField(
        label="送达照片", required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    note = forms.CharField(label="送达说明", max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)


class UnitClaimForm(forms.Form):
    unit = forms.ChoiceField(label="认领单位")


class WishFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "全部状态"), *WishStatus.choices], required=False)
