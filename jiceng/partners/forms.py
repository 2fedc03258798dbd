from django import forms

from .models import Side

DUTY_ROWS = 6


class AgreementForm(forms.Form):
    community_org = forms.ChoiceField(label="社区（街道）党组织")
    unit = forms.ChoiceField(label="驻区单位")
    title = forms.CharField(label="协议名称", max_length=80)
    content = forms.CharField(label="共建内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    resources = forms.CharField(
        label="承诺投入的资源",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="文字说明（场地、资金、人员、物资等）；签订后可在协议页关联资源清单中的资源。",
    )
    community_contact = forms.CharField(label="社区方联系人", max_length=60)
    unit_contact = forms.CharField(label="单位方联系人", max_length=60)
    signed_on = forms.DateField(label="签订日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, orgs=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community_org"].choices = [("", "请选择"), *((o.code, o.name) for o in orgs)]
        self.fields["unit"].choices = [("", "请选择"), *((u.pk, u.name) for u in units)]
        for n in range(DUTY_ROWS):
            self.fields[f"duty{n}_side"] = forms.ChoiceField(
                label=f"责任{n + 1}：责任方", choices=[("", "—"), *Side.choices], required=False
            )
            self.fields[f"duty{n}_content"] = forms.CharField(
                label=f"责任{n + 1}：内容", max_length=200, required=False
            )
            self.fields[f"duty{n}_due_on"] = forms.DateField(
                label=f"责任{n + 1}：完成期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        self.fields["duties"] = forms.CharField(required=False, widget=forms.HiddenInput, label="双方责任")

    def duties(self) -> list:
        d = self.cleaned_data
        return [
            (d.get(f"duty{n}_side") or "", d.get(f"duty{n}_content") or "", d.get(f"duty{n}_due_on"))
            for n in range(DUTY_ROWS)
        ]
