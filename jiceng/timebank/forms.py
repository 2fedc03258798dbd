import uuid

from django import forms

from .picker import BeneficiaryPicker, ServerPicker


class RedeemForm(forms.Form):
    beneficiary = forms.IntegerField(
        label="受益人",
        min_value=1,
        widget=BeneficiaryPicker,
        help_text="本社区登记的志愿者，输入姓名从列表中选择",
        error_messages={"required": "请选择受益人。"},
    )
    server = forms.IntegerField(
        label="服务志愿者",
        min_value=1,
        widget=ServerPicker,
        help_text="可为全市任何社区的志愿者（通存通兑），输入姓名从列表中选择",
        error_messages={"required": "请选择服务志愿者。"},
    )
    hours = forms.CharField(label="兑换时长（小时）", max_length=8)
    content = forms.CharField(label="服务内容", max_length=200)
    served_on = forms.DateField(label="服务日期", widget=forms.DateInput(attrs={"type": "date"}))
    # One key per rendered form: submitting it twice records the redemption once.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4().hex


class DonateForm(forms.Form):
    TARGETS = (("fund", "社区公益基金"), ("relative", "亲属（志愿者编号）"))
    target = forms.ChoiceField(label="捐赠给", choices=TARGETS)
    relative = forms.IntegerField(label="亲属的志愿者编号", min_value=1, required=False)
    hours = forms.CharField(label="捐赠时长（小时）", max_length=8)
    # One key per rendered form: submitting it twice gives the hours once.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4().hex


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=200)
