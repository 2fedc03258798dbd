"""Every date a form pre-fills is written ``YYYY-MM-DD`` and parses back through the same field:
a browser's ``<input type="date">`` shows nothing for ``2026/12/06`` (Django's zh_Hans default), so
the user saw an empty box and the form sent the date back empty."""

import importlib
import inspect
import pkgutil
import re
from datetime import date, datetime

import pytest
from django import forms
from django.utils import timezone

import jiceng

DAY = date(2026, 12, 6)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _project_forms():
    """(name, field name, field) for every date field of every form class in ``jiceng.<app>.forms``."""
    found = []
    for app in pkgutil.iter_modules(jiceng.__path__):
        try:
            module = importlib.import_module(f"jiceng.{app.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.DateField | forms.DateTimeField):
                    found.append((f"{module.__name__}.{name}.{field_name}", field))
    return found


FIELDS = _project_forms()


def test_the_project_has_date_fields_to_check():
    names = {name for name, _ in FIELDS}
    assert "jiceng.members.forms.PaymentForm.paid_on" in names
    assert "jiceng.orgs.forms.OrgForm.founded_on" in names


@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[name for name, _ in FIELDS])
def test_a_prefilled_date_is_iso_and_submits_back(name, field):
    if isinstance(field, forms.DateTimeField):
        value = timezone.make_aware(datetime(2026, 12, 6, 9, 30))
        shown = field.widget.format_value(value)
        assert field.clean(shown) == value, name
        return
    shown = field.widget.format_value(DAY)
    assert ISO_DAY.match(shown), f"{name} pre-fills {shown!r}"
    assert field.clean(shown) == DAY


def test_dates_typed_the_other_usual_ways_still_parse():
    field = forms.DateField()
    assert field.clean("2026/12/06") == DAY
    assert field.clean("2026年12月6日") == DAY
