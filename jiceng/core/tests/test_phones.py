"""The one phone check (jiceng.core.phones) and the masks (jiceng.core.masking), issue 13."""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError

from jiceng.core.excel import CellError, parse_phone
from jiceng.core.masking import mask_birth_date, mask_id_number, mask_phone
from jiceng.core.phones import PhoneError, PhoneField, normalize_phone, validate_phone


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13812341234", "13812341234"),
        (" 138 1234 1234 ", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("+8613812341234", "13812341234"),
        ("0086 13812341234", "13812341234"),
        ("025-84561234", "025-84561234"),
        ("02584561234", "025-84561234"),
        ("(025)84561234", "025-84561234"),
        ("010-62345678", "010-62345678"),
        ("0755-2345678", "0755-2345678"),
        ("07552345678", "0755-2345678"),
        ("0512-65231234", "0512-65231234"),
        ("025-84561234-123", "025-84561234-123"),
        ("025-84561234转8001", "025-84561234-8001"),
        ("", ""),
        (None, ""),
    ],
)
def test_accepted_numbers_are_stored_in_one_form(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "电话",
        "12345",
        "84561234",  # a landline without its area code
        "1381234123",  # 10 digits
        "138123412345",  # 12 digits
        "12812341234",  # no mobile network starts 12
        "025-1234567",  # Nanjing numbers have 8 digits
        "025-04561234",  # a local number does not start with 0 or 1
        "0755-12345678",
        "13812341234x",
        "１３８１２３４１２３４",  # full-width digits
        "138\x0012341234",
        "+1 555 0100",
    ],
)
def test_anything_else_is_refused_with_what_is_expected(raw):
    with pytest.raises(PhoneError, match="格式不正确：手机号为11位数字"):
        normalize_phone(raw, "手机号")
    with pytest.raises(ValidationError):
        validate_phone(raw)


def test_the_form_field_cleans_and_names_itself():
    class Form(forms.Form):
        phone = PhoneField(label="联系电话", required=False)

    form = Form({"phone": "025 8456 1234"})
    assert form.is_valid() and form.cleaned_data["phone"] == "025-84561234"
    form = Form({"phone": "12345678"})
    assert not form.is_valid() and form.errors["phone"][0].startswith("联系电话“12345678”格式不正确")


def test_an_import_cell_uses_the_same_check():
    assert parse_phone(13812341234) == "13812341234"
    assert parse_phone("02584561234") == "025-84561234"
    for bad in ("84561234", 84561234, "138123412"):
        with pytest.raises(CellError, match="电话号码格式不正确"):
            parse_phone(bad)


def test_a_masked_id_number_keeps_no_region_and_no_birth_digit():
    number = "320102199203073896"
    masked = mask_id_number(number)
    assert masked == "3****************6" and len(masked) == 18
    assert masked[1:17] == "*" * 16  # digits 2–6 (county), 7–14 (birth date), 15–17 (sequence)
    assert mask_id_number("") == "" and mask_id_number("1234") == "****"


def test_phone_and_birth_masks():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("025-84561234") == "025*****1234"
    assert mask_birth_date(date(1992, 3, 7)) == 1992 and mask_birth_date(None) is None
