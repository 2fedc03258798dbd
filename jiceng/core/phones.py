"""Phone numbers: the one check every form, API serializer, service and import uses.

Accepted (spaces are ignored):

* a mainland mobile number, 11 digits ``1[3-9]xxxxxxxxx``, optionally written ``138-1234-5678``
  or with ``+86`` / ``86`` / ``0086`` in front; kept as the 11 digits;
* a landline with its area code, ``025-84561234``, ``02584561234`` or ``(025)84561234``: the
  code is ``010`` or ``02x`` (3 digits, then an 8-digit number) or ``0xxx`` (4 digits, then a 7-
  or 8-digit number), and the number does not start with 0 or 1; an extension may follow after
  ``-``, ``转``, ``#`` or ``ext``. Kept as ``025-84561234`` (``-123`` for an extension).

Anything else (letters, a number without area code, a 10-digit "mobile", control characters) is
refused with :class:`PhoneError`, whose text says what is expected.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

PHONE_HELP = "手机号为11位数字（如 13812345678）；座机须带区号（如 025-84561234），分机号用“-”隔开"

_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$", re.ASCII)
_EXTENSION = r"(?:(?:-|转|#|ext\.?)(\d{1,6}))?$"
# 010 and 02x are 3-digit codes followed by 8 digits; the other codes have 4 digits and 7 or 8.
_LANDLINE = re.compile(
    r"^\(?(0(?:10|2\d))\)?-?([2-9]\d{7})" + _EXTENSION + r"|^\(?(0[3-9]\d{2})\)?-?([2-9]\d{6,7})" + _EXTENSION,
    re.ASCII | re.IGNORECASE,
)
# Separators people type inside a number; a mobile number is read without them.
_SPACES = re.compile(r"[ \u3000\t]")


class PhoneError(ValueError):
    """A Chinese message saying what a phone number should look like."""


def normalize_phone(raw, label: str = "电话号码") -> str:
    """The phone number in its stored form, ``""`` for a blank value; :class:`PhoneError` if
    invalid, whose message names the field by ``label``."""
    text = _SPACES.sub("", str(raw if raw is not None else ""))
    if not text:
        return ""
    mobile = _MOBILE.match(text.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = _landline(text)
    if landline:
        return landline
    raise PhoneError(f"{label}“{text[:30]}”格式不正确：{PHONE_HELP}")


def _landline(text: str) -> str:
    match = _LANDLINE.match(text)
    if not match:
        return ""
    groups = match.groups()
    code, number, extension = groups[:3] if groups[0] else groups[3:]
    return f"{code}-{number}" + (f"-{extension}" if extension else "")


@deconstructible
class PhoneValidator:
    """A Django validator (model fields, forms, DRF serializers) for :func:`normalize_phone`."""

    def __call__(self, value) -> None:
        try:
            normalize_phone(value)
        except PhoneError as exc:
            raise ValidationError(str(exc), code="phone") from exc

    def __eq__(self, other) -> bool:
        return isinstance(other, PhoneValidator)

    def __hash__(self) -> int:
        return hash(PhoneValidator)


validate_phone = PhoneValidator()


class PhoneField(forms.CharField):
    """A form field for a phone number: cleaned to its stored form (:func:`normalize_phone`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", PHONE_HELP)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return normalize_phone(value, str(self.label or "电话号码"))
        except PhoneError as exc:
            raise ValidationError(str(exc), code="phone") from exc
