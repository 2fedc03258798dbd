"""Page forms of 双报到 (the services check everything again; these read what was typed)."""

from django import forms

from jiceng.areas.models import Area, Level, code_at_level
from jiceng.core.inputs import DateField
from jiceng.core.paths import subtree_q

DATE = {"type": "date"}


def community_choices(city: str) -> list:
    """The city's communities, grouped by street (one query): the phone's picker."""
    rows = (
        Area.objects.filter(subtree_q(city), level__in=[Level.STREET, Level.COMMUNITY])
        .order_by("code")
        .values_list("code", "name", "level")
    )
    streets: dict[str, tuple[str, list]] = {}
    for code, name, level in rows:
        if level == Level.STREET:
            streets[code] = (name, [])
        elif code_at_level(code, Level.STREET) in streets:
            streets[code_at_level(code, Level.STREET)][1].append((code, name))
    return [("", "请选择社区")] + [(name, items) for name, items in streets.values() if items]


class RegisterForm(forms.Form):
    community = forms.ChoiceField(label="报到社区（居住地）", choices=())
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    skills = forms.CharField(
        label="特长与服务意向", max_length=200, required=False, help_text="如：法律咨询、助老、文艺"
    )

    def __init__(self, *args, city: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices(city)
        self.fields["community"].error_messages["invalid_choice"] = "请从列表中选择本市的社区。"


class StaffRegisterForm(forms.Form):
    member = forms.IntegerField(label="党员编号", min_value=1, required=False, help_text="在职党员在名册中的编号")
    unit = forms.IntegerField(
        label="驻区单位编号", min_value=1, required=False, help_text="组织报到时填写，与党员编号二选一"
    )
    community = forms.RegexField(
        label="报到社区编码",
        regex=r"^[0-9]{12}$",
        error_messages={"invalid": "请填写12位社区编码。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    skills = forms.CharField(label="特长与服务意向", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("member")) == bool(data.get("unit")):
            raise forms.ValidationError("请填写党员编号或驻区单位编号中的一项。")
        return data


class ServiceForm(forms.Form):
    served_on = DateField(label="服务日期", widget=forms.DateInput(attrs=DATE))
    hours = forms.CharField(
        label="服务时长（小时）", max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    content = forms.CharField(label="服务内容", max_length=300)


class PostForm(forms.Form):
    title = forms.CharField(label="岗位名称", max_length=80)
    needs = forms.CharField(label="服务内容与要求", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = DateField(label="开始日期", widget=forms.DateInput(attrs=DATE))
    ends_on = DateField(label="结束日期", widget=forms.DateInput(attrs=DATE))
    places = forms.IntegerField(label="招募人数", min_value=1, max_value=500)


class FeedbackForm(forms.Form):
    year = forms.IntegerField(label="反馈年度", min_value=2000, max_value=2100)
    comment = forms.CharField(label="社区评价", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


def put_error(form: forms.Form, exc, fields: tuple[str, ...]) -> None:
    """A service refusal on the field it names (its ``code``), else on the whole form."""
    code = getattr(exc, "code", "")
    target = code if code in fields and code in form.fields else None
    for message in exc.messages:
        form.add_error(target, message)
