"""民主评议's forms: open a round, the member's self-assessment and ballot, the committee's
proposal and the branch meeting's decision."""

from django import forms
from django.utils import timezone

from .models import Grade


class RoundForm(forms.Form):
    year = forms.TypedChoiceField(label="评议年度", coerce=int)
    meeting = forms.TypedChoiceField(label="民主评议党员会议", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["year"].choices = [(year, f"{year}年度"), (year - 1, f"{year - 1}年度")]
        self.fields["meeting"].choices = [("", "（暂不关联）")] + [
            (m.pk, f"{m.planned_start:%Y-%m-%d} {m.topic}") for m in meetings
        ]
        self.fields["meeting"].help_text = "本支部类型为“民主评议党员”的会议；召开后可关联。"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class SelfAssessmentForm(forms.Form):
    text = forms.CharField(
        label="个人自评",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        help_text="对照党员标准，说明一年来在政治思想、学习、工作、作风和发挥作用方面的表现和不足。",
    )


class BallotForm(forms.Form):
    """One radio group per participant: ``p<participant id>``."""

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        for row in participants:
            self.fields[f"p{row.pk}"] = forms.ChoiceField(
                label=row.member.name,
                choices=Grade.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": f"请为{row.member.name}选择等次。"},
            )

    def marks(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ProposalForm(forms.Form):
    participant = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(
        label="建议等次", choices=Grade.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label="说明", max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="决定说明",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="支部党员大会改变支委会建议等次时必填。",
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        for row in participants:
            self.fields[f"g{row.pk}"] = forms.ChoiceField(
                label=row.member.name,
                choices=[("", "同支委会建议"), *Grade.choices],
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm", "form": "decision-form"}),
            )

    def changes(self, participants) -> dict[int, str]:
        result = {}
        for row in participants:
            value = self.cleaned_data.get(f"g{row.pk}")
            if value and value != row.proposed_grade:
                result[row.pk] = value
        return result
