from django import forms
from django.core.validators import MaxValueValidator


class ShareForm(forms.Form):
    days = forms.IntegerField(label="有效期（天）", initial=7, min_value=1)
    note = forms.CharField(label="用途", max_length=100, required=False, help_text="如：街道指挥中心大屏")

    def __init__(self, *args, max_days: int = 30, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = max_days
        self.fields["days"].validators.append(MaxValueValidator(max_days))
        self.fields["days"].error_messages.update(
            {
                "required": "请填写有效期。",
                "invalid": "有效期应为整数天数。",
                "min_value": "有效期至少 1 天。",
                "max_value": f"有效期最长 {max_days} 天。",
            }
        )
        self.fields["days"].widget.attrs.update({"min": 1, "max": max_days})
