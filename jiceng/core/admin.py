from django import forms
from django.contrib import admin
from django.db import transaction

from jiceng.accounts.services import audit
from jiceng.core.models import CalendarDay, Rule
from jiceng.core.rules import RULES, forget_rule


class RuleForm(forms.ModelForm):
    key = forms.ChoiceField(label="规则", choices=[(r.key, f"{r.label}（默认 {r.default}）") for r in RULES.values()])

    class Meta:
        model = Rule
        fields = ["key", "value", "note"]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """The city's overrides of rule defaults; every change is audited."""

    form = RuleForm
    list_display = ["key", "label", "value", "default", "updated_at"]

    @admin.display(description="名称")
    def label(self, obj):
        return RULES[obj.key].label if obj.key in RULES else "—"

    @admin.display(description="默认值")
    def default(self, obj):
        return RULES[obj.key].default if obj.key in RULES else "—"

    def save_model(self, request, obj, form, change):
        before = Rule.objects.filter(pk=obj.pk).values("key", "value", "note").first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit(
                request.user,
                "change_rule",
                obj,
                before=before,
                after={"key": obj.key, "value": obj.value, "note": obj.note},
            )
        forget_rule(obj.key)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit(request.user, "delete_rule", obj, before={"key": obj.key, "value": obj.value})
            super().delete_model(request, obj)
        forget_rule(obj.key)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
