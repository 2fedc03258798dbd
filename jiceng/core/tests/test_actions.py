"""The page form of an action comes from its input serializer (jiceng.core.actions): the fields a
user fills in have the API's labels, limits and requiredness, and a field's ``style`` says what
the API's field does not (a text area, radio buttons, stars, a step, a list the page fills)."""

from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework import serializers as drf

from jiceng.core.actions import Action, UserAction, available, serializer_form, table


class Everything(drf.Serializer):
    note = drf.CharField(label="说明", max_length=20, style={"rows": 3, "hint": "页面上的说明"}, help_text="API 的说明")
    remark = drf.CharField(label="备注", max_length=20, allow_blank=True)
    outcome = drf.ChoiceField(label="结果", choices=[("done", "已办"), ("no", "未办")], style={"radio": True})
    level = drf.ChoiceField(label="等级", choices=[(1, "一级"), (2, "二级")])
    approve = drf.BooleanField(label="同意")
    count = drf.IntegerField(label="人数", min_value=1, max_value=9)
    rating = drf.IntegerField(label="评价", min_value=1, max_value=5, style={"stars": True})
    member = drf.IntegerField(label="党员", min_value=1, style={"pick": True})
    hours = drf.DecimalField(
        label="时长", max_digits=4, decimal_places=1, min_value=Decimal("0.1"), style={"step": "0.5"}
    )
    served_on = drf.DateField(label="日期", required=False)
    starts = drf.DateTimeField(label="时间", required=False)
    people = drf.ListField(label="队员", child=drf.IntegerField(), required=False)
    photos = drf.ListField(label="照片", child=drf.FileField(), required=False)
    file = drf.FileField(label="附件", required=False)


EverythingForm = serializer_form(Everything, "EverythingForm")


def _form(data, files=None):
    form = EverythingForm(data, files)
    form.fields["member"].choices = [(7, "张三"), (8, "李四")]
    form.fields["people"].choices = [(1, "甲"), (2, "乙")]
    return form


VALID = {
    "note": "已电话联系",
    "outcome": "done",
    "level": "2",
    "approve": "false",
    "count": "3",
    "rating": "4",
    "member": "8",
    "hours": "1.5",
    "served_on": "2025-03-01",
    "people": ["1", "2"],
}


def test_the_page_reads_as_the_api_with_the_style_hints():
    html = str(EverythingForm())
    assert '<textarea name="note" cols="40" rows="3" maxlength="20" required' in html
    assert "页面上的说明" in html and "API 的说明" not in html
    assert 'type="radio" name="outcome" value="done"' in html
    assert '<input type="number" name="count" min="1" max="9" required' in html
    # Stars, highest first; a half-hour step; a date picker; boxes for a list.
    assert [label for _, label in EverythingForm.base_fields["rating"].choices] == ["★★★★★", "★★★★", "★★★", "★★", "★"]
    assert 'name="hours" step="0.5" min="0.1"' in html
    assert '<input type="date" name="served_on"' in html
    assert '<input type="datetime-local" name="starts"' in html
    assert isinstance(EverythingForm.base_fields["people"].widget, forms.CheckboxSelectMultiple)
    assert [label for _, label in EverythingForm.base_fields["approve"].choices] == ["是", "否"]


def test_the_values_come_out_as_the_services_take_them():
    form = _form(VALID, {"photos": SimpleUploadedFile("a.jpg", b"x"), "file": SimpleUploadedFile("b.pdf", b"y")})
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (data["level"], data["approve"], data["rating"], data["member"]) == (2, False, 4, 8)
    assert data["people"] == [1, 2] and data["hours"] == Decimal("1.5") and data["remark"] == ""
    assert [f.name for f in data["photos"]] == ["a.jpg"] and data["file"].name == "b.pdf"


def test_what_the_api_requires_the_page_requires():
    form = _form({})
    assert not form.is_valid()
    required = {"note", "outcome", "level", "approve", "count", "rating", "member", "hours"}
    assert set(form.errors) == required  # blank-allowing, optional and list fields are not
    assert not _form({**VALID, "member": "9"}).is_valid()  # only the page's choices
    assert not _form({**VALID, "rating": "6"}).is_valid()


def test_names_pick_the_page_fields_in_their_order():
    form = serializer_form(Everything, "Two", ["remark", "note"])
    assert list(form.base_fields) == ["remark", "note"]


def test_an_entry_has_its_url_its_form_and_its_rule():
    entry = UserAction(
        key="mark_done",
        label="办结",
        inputs=Everything,
        run=lambda actor, target, data: target,
        allowed=lambda user, target: target == "mine",
        done=lambda result, data: "已办结。",
        page_fields=("note", "file"),
    )
    bare = Action(key="open", label="开始", inputs=drf.Serializer, run=lambda actor, target, data: None)
    assert entry.url_path == "mark-done" and entry.multipart and entry.has_fields
    assert not bare.multipart and not bare.has_fields and bare.style == "btn-primary"
    actions = table(entry)
    assert available(actions, None, "mine") == [entry] and available(actions, None, "theirs") == []
