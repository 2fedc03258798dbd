"""Filters shared by the filter sets of several apps."""

import django_filters  # type: ignore[import-untyped]  # ships no type information
from django import forms

from jiceng.core.inputs import ID_MAX, ID_MIN, DateField


class IdFilter(django_filters.NumberFilter):
    """A row id in a query (``?department=12``): an integer that fits an id column.

    ``NumberFilter`` reads a decimal, so ``1e300`` reached the database and failed there (a 500);
    here anything that is not such an integer is a form error, which the API answers with 400.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class DateFilter(django_filters.DateFilter):
    """A day in a query (``?created_after=2025-01-01``) within the platform's date range: a day
    like 0001-01-01 shifted to UTC (or 9999-12-31 plus a day) overflowed in the query (a 500)."""

    field_class = DateField


class _OptionalChoicesField(django_filters.fields.MultipleChoiceField):
    """A list page's select sends ``status=`` for 全部状态: an empty choice is no choice, not an error."""

    def to_python(self, value):
        return [v for v in super().to_python(value) if v]


class OptionalMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """A multiple choice whose empty value (the select's 全部…) filters nothing."""

    field_class = _OptionalChoicesField


IDS_MAX = 500  # the rows a 批量导出 may name: at most a few pages of ticked rows


class IdListField(forms.Field):
    """Ticked row ids (``?ids=3&ids=7`` or ``?ids=3,7``): whole numbers that fit an id column."""

    widget = forms.SelectMultiple

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids = []
        for item in values:
            for part in str(item).split(","):
                part = part.strip()
                if not part:
                    continue
                if not part.isdigit() or not ID_MIN <= int(part) <= ID_MAX:
                    raise forms.ValidationError("勾选的记录编号无效。", code="invalid_ids")
                ids.append(int(part))
        if len(ids) > IDS_MAX:
            raise forms.ValidationError(f"一次最多勾选 {IDS_MAX} 条记录。", code="too_many_ids")
        return ids


class IdsFilter(django_filters.Filter):
    """Only the ticked rows (批量导出): the list's own filter set and scope still apply, so an id
    outside them is simply not among the rows."""

    field_class = IdListField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "勾选的记录")
        kwargs.setdefault("field_name", "id")
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})
