from django import forms


class RedeemForm(forms.Form):
    beneficiary = forms.IntegerField(label="受益人（志愿者编号）", min_value=1)
    server = forms.IntegerField(label="服务志愿者（编号，可为任何社区）", min_value=1)
    hours = forms.CharField(label="兑换时长（小时）", max_length=8)
    content = forms.CharField(label="服务内容", max_length=200)
    served_on = forms.DateField(label="服务日期", widget=forms.DateInput(attrs={"type": "date"}))


class DonateForm(forms.Form):
    TARGETS = (("fund", "社区公益基金"), ("relative", "亲属（志愿者编号）"))
    target = forms.ChoiceField(label="捐赠给", choices=TARGETS)
    relative = forms.IntegerField(label="亲属的志愿者编号", min_value=1, required=False)
    hours = forms.CharField(label="捐赠时长（小时）", max_length=8)


class ReverseForm(forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=200)
