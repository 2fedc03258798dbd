"""Forms for the org pages. They validate input; the services validate the rules."""

from django import forms
from django.utils import timezone

from jiceng.areas.models import Area
from jiceng.core.inputs import DateField
from jiceng.core.paths import is_digits
from jiceng.core.phones import PhoneField
from jiceng.core.picker import AreaPicker, OrgPicker
from jiceng.orgs.models import (
    DepartmentLevel,
    Org,
    OrgCategory,
    OrgType,
    PartTimeRole,
    Post,
    ResidentUnit,
    UnitKind,
)
from jiceng.orgs.services import ALLOWED_PARENT_TYPES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TablerMixin:
    """Tabler/Bootstrap classes on every widget, so templates can render ``{{ field }}``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class AreaCodeField(forms.CharField):
    """An area given by its code; the view checks that the user may use it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 21)
        kwargs.setdefault("widget", AreaPicker)
        kwargs.setdefault("help_text", "输入区划名称查找并选择，或点“选择”按层级选。")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        value = value.strip()
        if not is_digits(value):
            raise forms.ValidationError("区划编码只能是数字。")
        return value


def resolve_area(form, field: str, queryset) -> Area | None:
    """The Area for ``form.cleaned_data[field]`` among ``queryset`` (the user's scope), or an error."""
    code = form.cleaned_data.get(field)
    if not code:
        return None
    area = queryset.filter(code=code).first()
    if area is None:
        form.add_error(field, f"区划“{code}”不存在，或不在您的管理范围内。")
    return area


def resolve_org(form, field: str, queryset) -> Org | None:
    code = form.cleaned_data.get(field)
    if not code:
        return None
    org = queryset.filter(code=code).first()
    if org is None:
        form.add_error(field, f"党组织“{code}”不存在，或不在您的管理范围内。")
    return org


class OrgCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 48)
        kwargs.setdefault("widget", OrgPicker)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        value = value.strip()
        if not is_digits(value) or len(value) % 3:
            raise forms.ValidationError("组织编码应为3的倍数位数字。")
        return value


def _type_choices(parent: Org | None):
    parent_type = parent.org_type if parent is not None else None
    return [(t.value, t.label) for t in OrgType if parent_type in ALLOWED_PARENT_TYPES[t]]


class OrgForm(TablerMixin, forms.Form):
    name = forms.CharField(label="名称", max_length=120)
    short_name = forms.CharField(label="简称", max_length=60, required=False)
    org_type = forms.ChoiceField(label="组织类型")
    category = forms.ChoiceField(label="类别", choices=OrgCategory.choices)
    area = AreaCodeField(label="所在区划")
    founded_on = DateField(label="成立日期", required=False, widget=DateInput())
    term_start = DateField(label="本届任期开始", required=False, widget=DateInput())
    term_end = DateField(
        label="本届任期届满",
        required=False,
        widget=DateInput(),
        help_text="留空则按类别自动计算：村、社区5年，其他3年。",
    )

    def __init__(self, *args, parent: Org | None, instance: Org | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "short_name": instance.short_name,
                "org_type": instance.org_type,
                "category": instance.category,
                "area": instance.area_path,
                "founded_on": instance.founded_on,
                "term_start": instance.term_start,
                "term_end": instance.term_end,
                "is_active": instance.is_active,
            }
        super().__init__(*args, **kwargs)
        self.fields["org_type"].choices = _type_choices(parent)
        if not self.fields["org_type"].choices:
            self.fields["org_type"].help_text = "该组织下不能再设下级组织。"

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if end and not start:
            self.add_error("term_start", "填写任期届满日期时，须同时填写任期开始日期。")
        if start and end and end <= start:
            self.add_error("term_end", "任期届满日期必须晚于任期开始日期。")
        founded = data.get("founded_on")
        if founded and founded > timezone.localdate():
            self.add_error("founded_on", "成立日期不能晚于今天。")
        return data


class OrgEditForm(OrgForm):
    is_active = forms.BooleanField(label="有效（取消勾选即撤销该组织）", required=False)


class OrgMoveForm(TablerMixin, forms.Form):
    new_parent = OrgCodeField(label="新的上级组织")


class ElectionForm(TablerMixin, forms.Form):
    term_start = DateField(label="新一届任期开始（选举日期）", widget=DateInput())
    term_end = DateField(
        label="任期届满", required=False, widget=DateInput(), help_text="留空则按类别自动计算：村、社区5年，其他3年。"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", "任期届满日期必须晚于任期开始日期。")
        return data


def post_choices(org: Org):
    if org.org_type == OrgType.GROUP:
        return [(Post.GROUP_LEADER.value, Post.GROUP_LEADER.label)]
    return [(p.value, p.label) for p in Post if p != Post.GROUP_LEADER]


class PostAppointForm(TablerMixin, forms.Form):
    post = forms.ChoiceField(label="职务")
    member = forms.TypedChoiceField(label="选择党员", coerce=int, required=False, empty_value=None)
    holder_name = forms.CharField(
        label="任职人姓名", max_length=50, required=False, help_text="不在下拉列表中（如上级指派）时填写姓名。"
    )
    start_on = DateField(label="任职日期", widget=DateInput())

    def __init__(self, *args, org: Org, members=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("start_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = post_choices(org)
        self.fields["member"].choices = [("", "—（不选择）")] + [(m.pk, f"{m.name}（{m.org.name}）") for m in members]

    def clean(self):
        data = super().clean()
        if not data.get("member") and not (data.get("holder_name") or "").strip():
            self.add_error("holder_name", "请选择党员或填写任职人姓名。")
        return data


class PostEndForm(TablerMixin, forms.Form):
    end_on = DateField(label="离任日期", widget=DateInput())
    leave_vacant = forms.BooleanField(
        label="登记为空缺（待补选）", required=False, initial=True, help_text="取消勾选表示该职务不再设置。"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("end_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class VacancyForm(TablerMixin, forms.Form):
    post = forms.ChoiceField(label="职务")
    since = DateField(label="空缺起始日期", widget=DateInput())

    def __init__(self, *args, org: Org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = post_choices(org)

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError("空缺起始日期不能晚于今天。")
        return since


class PartTimeForm(TablerMixin, forms.Form):
    role = forms.ChoiceField(label="身份", choices=PartTimeRole.choices)
    person_name = forms.CharField(label="姓名", max_length=50)
    unit = forms.TypedChoiceField(label="所在驻区单位", coerce=int, required=False, empty_value=None)
    job_title = forms.CharField(label="单位职务", max_length=60, required=False)
    start_on = DateField(label="任职日期", widget=DateInput())

    def __init__(self, *args, units=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("start_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—（不选择）")] + [(u.pk, u.name) for u in units]


class PartTimeEndForm(TablerMixin, forms.Form):
    end_on = DateField(label="离任日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("end_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ResidentUnitForm(TablerMixin, forms.Form):
    name = forms.CharField(label="单位名称", max_length=120)
    kind = forms.ChoiceField(label="单位类型", choices=UnitKind.choices)
    area = AreaCodeField(label="所在区划")
    party_org = OrgCodeField(label="单位党组织", required=False, help_text="单位已建党组织时，输入名称查找并选择。")
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = PhoneField(label="联系电话", required=False)

    @classmethod
    def initial_for(cls, unit: ResidentUnit) -> dict:
        return {
            "name": unit.name,
            "kind": unit.kind,
            "area": unit.area_path,
            "party_org": unit.party_org.code if unit.party_org_id else "",
            "contact_name": unit.contact_name,
            "contact_phone": unit.contact_phone,
        }


class DepartmentForm(TablerMixin, forms.Form):
    name = forms.CharField(label="部门名称", max_length=120)
    level = forms.ChoiceField(label="层级", choices=DepartmentLevel.choices)
    area = AreaCodeField(label="所属区划", help_text="市级部门选市，区级选区，街道选街道。")
    areas_served = forms.CharField(
        label="服务区域编码",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="多个编码用空格、逗号或换行分隔；须在所属区划范围内。",
    )

    def clean_areas_served(self):
        raw = self.cleaned_data.get("areas_served") or ""
        codes = [c for c in raw.replace("，", ",").replace(",", " ").split() if c]
        bad = [c for c in codes if not is_digits(c)]
        if bad:
            raise forms.ValidationError(f"区划编码只能是数字：{'、'.join(bad)}")
        return list(dict.fromkeys(codes))


class OrgSearchForm(TablerMixin, forms.Form):
    q = forms.CharField(label="名称或编码", max_length=60, required=False)


class CheckFilterForm(TablerMixin, forms.Form):
    severity = forms.ChoiceField(label="级别", required=False)
    kind = forms.ChoiceField(label="问题类型", required=False)

    def __init__(self, *args, **kwargs):
        from jiceng.orgs.checks import Severity, kind_choices

        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [("", "全部级别"), *Severity.choices]
        self.fields["kind"].choices = [("", "全部类型"), *kind_choices()]
