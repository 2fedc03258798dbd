"""Text refuses control characters on every entry path: every model text field (forms and
serializers built from it), every request (pages, API, Open311: core.middleware), every import
cell (core.excel.cells.parse_text). Open311's own test is in jiceng/appeals/tests/test_open311_input.py."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from jiceng.areas.models import Area
from jiceng.core.excel import CellError, parse_text
from jiceng.core.inputs import MULTILINE_FROM, validate_line, validate_text

TEXT_FIELDS = [
    (model, field)
    for model in apps.get_models()
    if model.__module__.startswith("jiceng.")
    for field in model._meta.local_fields
    if isinstance(field, models.CharField | models.TextField)
]


def test_there_are_text_fields_to_walk():
    assert len(TEXT_FIELDS) > 100


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS, ids=[f"{m._meta.label}.{f.name}" for m, f in TEXT_FIELDS])
def test_every_text_field_refuses_control_characters(model, field):
    multiline = isinstance(field, models.TextField) or field.max_length >= MULTILINE_FROM
    validator = validate_text if multiline else validate_line
    assert validator in field.validators

    def refused(value) -> bool:
        try:
            field.run_validators(value)
        except ValidationError as exc:
            return any(error.code == "control_character" for error in exc.error_list)
        return False

    for bad in ("a\x00b", "a\x1bb", "a\x7fb", "a\ud800b"):
        assert refused(bad), repr(bad)
    for fine in ("北安门社区", "a b", "㐀𠀀😀"):
        assert not refused(fine)
    assert refused("第一行\n第二行") is not multiline
    assert refused("第一行\r\n第二行\t完") is not multiline


def test_migrations_do_not_see_the_validators():
    field = Area._meta.get_field("name")
    assert validate_line in field.validators
    assert "validators" not in field.deconstruct()[3]


@pytest.mark.parametrize("name", ["北安门\x00社区", "北安门\x01社区", "北安门\x1b社区"])
def test_a_page_form_refuses_control_characters(login, tree, users, name):
    response = login(users.community).post(
        f"/areas/{tree.grid1.code}/edit/", {"name": name, "households": 100, "population": 260}
    )
    assert response.status_code == 400
    assert "不能含有控制字符" in response.content.decode()
    tree.grid1.refresh_from_db()
    assert tree.grid1.name == "北安门社区第一网格"


def test_a_model_form_refuses_a_line_break_in_a_name(login, tree, users):
    response = login(users.community).post(
        f"/areas/{tree.grid1.code}/edit/", {"name": "北安门\n第一网格", "households": 100, "population": 260}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["不能含有换行、制表符等控制字符。"]


@pytest.mark.parametrize("query", ["q=%01", "q=%1B%5B31m", "level%00=grid"])
def test_a_query_with_control_characters_is_a_400_envelope(api_client, superuser, query):
    api_client.force_authenticate(superuser)
    response = api_client.get(f"/api/v1/areas/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("max_length", [50, None])
def test_import_cells_refuse_control_characters(max_length):
    with pytest.raises(CellError, match="控制字符"):
        parse_text("王\x00建国", max_length)
    with pytest.raises(CellError):
        parse_text("王\x0b建国", max_length)
    assert parse_text(" 王建国 ", max_length) == "王建国"
    if max_length is None:
        assert parse_text("第一行\n第二行", max_length) == "第一行\n第二行"
    else:
        with pytest.raises(CellError, match="换行"):
            parse_text("第一行\n第二行", max_length)
