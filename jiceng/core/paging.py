"""Keyset pages, the one helper behind every paged list: pages, desk lists and the API.

Offsets grow slower with every page and shift when rows arrive; a keyset does neither. A list is
ordered by ``keys`` (field names, ``-`` for descending, the last one unique: ``("-id",)``,
``("area_path", "id")``, ``("code",)``) and a page is "the rows after this position", where the
position is the key values of the previous page's last row. A nullable key field sorts its nulls
after every value (so a deadline that is not set comes last), on SQLite as on PostgreSQL.

Positions travel in URLs as cursors: a bare id for a single ``id`` key (``?before=123`` on the
desk lists), else an opaque URL-safe token. :mod:`jiceng.core.api` pages the API with the same
helper; :mod:`jiceng.core.views` pages the list pages.
"""

import base64
import binascii
import json

from django.core.exceptions import ValidationError
from django.db.models import F, Q


def _field(key: str) -> str:
    return key.removeprefix("-")


def _nullable(model, key: str) -> bool:
    name = _field(key)
    return model is not None and name != "pk" and model._meta.get_field(name).null


def _equal_q(key: str, value, nullable: bool) -> Q:
    return Q(**{f"{_field(key)}__isnull": True}) if nullable and value is None else Q(**{_field(key): value})


def _beyond_q(key: str, value, nullable: bool) -> Q | None:
    """Rows strictly beyond ``value`` on one key; a null sorts after every value (see ``order_of``)."""
    descending, name = key.startswith("-"), _field(key)
    if not nullable:
        return Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
    if value is None:  # nothing lies beyond a null going up; every value does going down
        return Q(**{f"{name}__isnull": False}) if descending else None
    if descending:
        return Q(**{f"{name}__lt": value})
    return Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})


def after_q(keys, position, model=None) -> Q:
    """Rows strictly after ``position`` in the order of ``keys`` (lexicographic, per-key direction).

    Give ``model`` when a key field may be null: nulls then sort after every value (before them
    going down), the same on SQLite and PostgreSQL, which disagree by default.
    """
    nullable = [_nullable(model, key) for key in keys]
    steps = []
    for i, key in enumerate(keys):
        beyond = _beyond_q(key, position[i], nullable[i])
        if beyond is not None:
            for k, v, n in zip(keys[:i], position[:i], nullable[:i], strict=True):
                beyond &= _equal_q(k, v, n)
            steps.append(beyond)
    if not steps:
        return Q(pk__in=[])
    q = steps[0]
    for step in steps[1:]:
        q |= step
    return q


def order_of(keys, model=None) -> list:
    """``order_by`` arguments for ``keys``; a nullable field puts nulls after every value."""
    order = []
    for key in keys:
        if _nullable(model, key):
            field = F(_field(key))
            order.append(field.desc(nulls_first=True) if key.startswith("-") else field.asc(nulls_last=True))
        else:
            order.append(key)
    return order


def reversed_keys(keys) -> tuple[str, ...]:
    return tuple(_field(k) if k.startswith("-") else f"-{k}" for k in keys)


def position_of(row, keys) -> tuple:
    return tuple(getattr(row, _field(k)) for k in keys)


def keyset_page(queryset, keys, position=None, size: int = 50, *, backwards: bool = False):
    """``(rows, more)``: the ``size`` rows after ``position`` in ``keys`` order (before it if
    ``backwards``, still returned in ``keys`` order) and whether more rows lie that way."""
    keys = tuple(keys)
    order = reversed_keys(keys) if backwards else keys
    queryset = queryset.order_by(*order_of(order, queryset.model))
    if position is not None:
        queryset = queryset.filter(after_q(order, position, queryset.model))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    return rows, more


# --------------------------------------------------------------------------- cursors


def _plain(value):
    """Dates and times in full ISO form (``DjangoJSONEncoder`` would cut microseconds, and a
    position must be exact), decimals and the rest as text; the field's ``to_python`` reads them back."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def encode_cursor(position, *, backwards: bool = False) -> str:
    payload = json.dumps([1 if backwards else 0, list(position)], default=_plain, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, model, keys, *, strict: bool = False):
    """``(position, backwards)`` from a cursor, or ``(None, False)`` for none; a bad one gives
    the first page too, or ``ValueError`` if ``strict``."""
    if not token:
        return None, False
    if len(keys) == 1 and _field(keys[0]) in ("id", "pk") and token.isdigit():
        return (int(token),), False
    try:
        backwards, values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("wrong number of values")
        fields = [model._meta.pk if _field(k) == "pk" else model._meta.get_field(_field(k)) for k in keys]
        return tuple(f.to_python(v) for f, v in zip(fields, values, strict=True)), bool(backwards)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, ValidationError):
        if strict:
            raise ValueError(f"bad cursor: {token!r}") from None
        return None, False


def forward_cursor(row, keys) -> str:
    """The cursor of the page after ``row``: a bare id for a single id key, else a token."""
    position = position_of(row, keys)
    if len(keys) == 1 and _field(keys[0]) in ("id", "pk"):
        return str(position[0])
    return encode_cursor(position)


def page_url(params, param: str, cursor: str | None) -> str:
    """``?<params>`` with ``param`` set to ``cursor`` (or removed), the other parameters kept."""
    params = params.copy()
    params.pop(param, None)
    if cursor:
        params[param] = cursor
    return f"?{params.urlencode()}"


def before_id_page(request, queryset, size: int, param: str = "before") -> tuple[list, str | None]:
    """The page of ``queryset`` (newest first, by id) below ``?before=``, and the URL of the
    next page (the request's other parameters kept), or None on the last page."""
    rows, next_url, _ = request_page(request, queryset, ("-id",), size, param)
    return rows, next_url


def request_page(request, queryset, keys, size: int, param: str = "after"):
    """``(rows, next_url, first_url)`` of a list page: the page after ``?<param>=`` in ``keys``
    order; ``next_url`` is None on the last page, ``first_url`` None on the first."""
    token = request.GET.get(param)
    position, _ = decode_cursor(token, queryset.model, keys)
    rows, more = keyset_page(queryset, keys, position, size)
    next_url = page_url(request.GET, param, forward_cursor(rows[-1], keys)) if more else None
    first_url = page_url(request.GET, param, None) if token else None
    return rows, next_url, first_url


# --------------------------------------------------------------------------- totals

COUNT_CAP = 10_000  # past this a list says "1 万+" instead of counting every row


def capped_count(queryset, cap: int | None = None) -> int:
    """How many rows ``queryset`` has, counted up to ``cap + 1`` (``COUNT … FROM (… LIMIT cap+1)``):
    one bounded query whatever the city's size, like the to-do counts (:mod:`jiceng.core.todos`)."""
    cap = COUNT_CAP if cap is None else cap
    return queryset.order_by()[: cap + 1].count()


def count_text(count: int, cap: int | None = None) -> str:
    """``1,234`` exact below the cap; ``1 万+`` (or ``500+``) past it."""
    cap = COUNT_CAP if cap is None else cap
    if count > cap:
        return f"{cap // 10_000} 万+" if cap % 10_000 == 0 else f"{cap:,}+"
    return f"{count:,}"


def total_text(queryset, cap: int | None = None) -> str:
    """The total a list page shows: exact where cheap, capped where counting would be slow."""
    return count_text(capped_count(queryset, cap), cap)


def page_total(queryset, rows: list, *, single_page: bool, cap: int | None = None) -> str:
    """:func:`total_text`, without a query when the list fits on the page it shows."""
    return count_text(len(rows), cap) if single_page else total_text(queryset, cap)
