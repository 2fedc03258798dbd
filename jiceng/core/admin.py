from django import forms
from django.contrib import admin
from django.db import transaction

from jiceng.accounts.services import audit
from jiceng.core.models import CalendarDay, Rule
from jiceng.core.rules import RULES, RuleValueError, forget_rule


class RuleValueField(forms.JSONField):
    """JSON, or plain text for a one-word value: a city types ``7wd`` or ``2014-06-10`` without
    the quotes JSON would need."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            text = (value or "").strip()
            if not text or any(c in text for c in "[]{}\"'"):
                raise
            return text


class RuleForm(forms.ModelForm):
    key = forms.ChoiceField(
        label="规则",
        # A callable: the apps register their rules after this module may have been imported.
        choices=lambda: [(r.key, f"{r.label}（默认 {r.default}；{r.value_type.description}）") for r in RULES.values()],
    )
    value = RuleValueField(label="取值", help_text="按所选规则的类型填写：数字直接填写，表格和列表按 JSON 格式填写。")

    class Meta:
        model = Rule
        fields = ["key", "value", "note"]

    def clean(self):
        """The value must be one of the rule's type; it is stored in the type's own form."""
        # ModelForm.clean() returns cleaned_data (the stubs allow None for overrides that do not).
        super().clean()
        cleaned = self.cleaned_data
        key = cleaned.get("key")  # absent when the choice itself was invalid
        definition = RULES.get(key) if isinstance(key, str) else None
        if definition is not None and "value" in cleaned:
            try:
                parsed = definition.parse(cleaned["value"])
            except RuleValueError as exc:
                self.add_error("value", str(exc))
            else:
                cleaned["value"] = definition.value_type.to_json(parsed)
        return cleaned


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


# --------------------------------------------------------------------------- the site itself

admin.site.site_header = "基层治理平台管理后台"
admin.site.site_title = "基层治理平台"
admin.site.index_title = "数据维护"


def _unregister_untranslated() -> None:
    """Third-party models whose admin pages are in English only leave the admin: django-axes'
    login records (lockouts are lifted on the Chinese 系统管理 pages) and django-tasks-db's queue
    rows (the Excel jobs page shows what users need of them)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_tasks_db.models import DBTaskResult

    for model in (AccessAttempt, AccessLog, AccessFailureLog, DBTaskResult):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_untranslated()
