from django import forms
from django.core.validators import MaxValueValidator

from jiceng.areas.maps import check_pair, latitude_field, longitude_field
from jiceng.areas.models import HOUSEHOLDS_MAX, NATIONAL_CODE_LENGTH, POPULATION_MAX, Area, Kind, Level
from jiceng.core.inputs import validate_latitude, validate_longitude

# The bounds the services check, on the form's fields so that the page shows them per field.
FIELD_VALIDATORS = {
    "households": MaxValueValidator(HOUSEHOLDS_MAX),
    "population": MaxValueValidator(POPULATION_MAX),
    "latitude": validate_latitude,
    "longitude": validate_longitude,
}


class Bounded:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, validator in FIELD_VALIDATORS.items():
            if name in self.fields:
                self.fields[name].validators.append(validator)


class AreaForm(Bounded, forms.ModelForm):
    latitude = latitude_field()
    longitude = longitude_field()

    class Meta:
        model = Area
        fields = ["name", "kind", "households", "population", "latitude", "longitude"]

    def clean(self):
        data = super().clean()
        check_pair(self)
        return data


class AreaCreateForm(Bounded, forms.Form):
    level = forms.ChoiceField(label="层级")
    name = forms.CharField(label="名称", max_length=100)
    code = forms.CharField(
        label="编码",
        max_length=12,
        required=False,
        help_text="街道、社区填国家统计编码；网格、小区、楼栋由平台统一赋码，留空。",
    )
    kind = forms.ChoiceField(label="类型", choices=[("", "—"), *list(Kind.choices)], required=False)
    households = forms.IntegerField(label="本级户数", min_value=0, initial=0)
    population = forms.IntegerField(label="本级人口", min_value=0, initial=0)

    def __init__(self, *args, parent: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.fields["level"].choices = [(lvl, Level(lvl).label) for lvl in parent.child_levels()]

    def clean(self):
        data = super().clean()
        level = data.get("level")
        if level in NATIONAL_CODE_LENGTH and not data.get("code"):
            self.add_error("code", f"{Level(level).label}须填写国家统计编码。")
        if level not in NATIONAL_CODE_LENGTH:
            data["code"] = None
        return data


class AreaMoveForm(forms.Form):
    new_parent = forms.CharField(label="新的上级编码", max_length=21)
    new_code = forms.CharField(
        label="新编码", max_length=12, required=False, help_text="仅街道、社区需要；网格及以下自动赋码。"
    )


class AreaSearchForm(forms.Form):
    q = forms.CharField(label="名称或编码", max_length=50, required=False)
    level = forms.ChoiceField(label="层级", choices=[("", "全部层级"), *list(Level.choices)], required=False)
