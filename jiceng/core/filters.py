"""Filters shared by the filter sets of several apps."""

import django_filters  # type: ignore[import-untyped]  # ships no type information
from django import forms

# The range of a 64-bit id column, on PostgreSQL and SQLite alike.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


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
