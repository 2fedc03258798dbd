"""Every write to the area tree: validation, code issuing, roll-ups, moves, audit."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Model, Value
from django.db.models.functions import Concat, Length, Substr

from jiceng.accounts.services import Actor, audit, snapshot
from jiceng.areas.models import (
    ALLOWED_PARENT_LEVELS,
    HOUSEHOLDS_MAX,
    ISSUED_SUFFIX_LENGTH,
    MAX_CODE_LENGTH,
    NATIONAL_CODE_LENGTH,
    POPULATION_MAX,
    Area,
    Level,
    ancestor_codes,
)
from jiceng.core.inputs import InputError, read_latitude, read_longitude
from jiceng.core.paths import is_digits, is_in_subtree, subtree_q

AUDIT_FIELDS = ["code", "name", "level", "kind", "parent", "households", "population", "latitude", "longitude"]

# Models that carry a denormalised ``area_path`` (DESIGN.md §4) register here, so a move rewrites
# their paths in the same transaction. Historical records (the audit log) are not registered.
AREA_PATH_MODELS: list[tuple[type[Model], str]] = []


def register_area_path(model: type[Model], field: str = "area_path") -> None:
    AREA_PATH_MODELS.append((model, field))


class AreaError(ValidationError):
    pass


def expected_code_length(level: str, parent: Area | None) -> int:
    if level in NATIONAL_CODE_LENGTH:
        return NATIONAL_CODE_LENGTH[Level(level)]
    assert parent is not None, "levels below the national codes always have a parent"
    return len(parent.code) + ISSUED_SUFFIX_LENGTH


def validate_placement(code: str, level: str, parent: Area | None, *, exclude_pk: int | None = None) -> None:
    """The code rules: digits of the right length, extending the parent's, not taken."""
    if level not in ALLOWED_PARENT_LEVELS:
        raise AreaError(f"未知的层级：{level}", code="level")
    label = Level(level).label
    allowed = ALLOWED_PARENT_LEVELS[Level(level)]
    if not allowed:
        if parent is not None:
            raise AreaError(f"{label}级区划不能有上级。", code="parent")
    elif parent is None:
        raise AreaError(f"{label}必须有上级区划。", code="parent")
    elif parent.level not in allowed:
        names = "、".join(Level(p).label for p in sorted(allowed))
        raise AreaError(f"{label}的上级必须是{names}，不能是{parent.get_level_display()}。", code="parent")
    if not is_digits(code):
        raise AreaError(f"编码“{code}”必须全部是数字。", code="code")
    length = expected_code_length(level, parent)
    if len(code) != length or length > MAX_CODE_LENGTH:
        raise AreaError(f"{label}编码应为{length}位数字，“{code}”是{len(code)}位。", code="code")
    if parent is not None and not is_in_subtree(code, parent.code):
        raise AreaError(f"编码“{code}”必须以上级编码“{parent.code}”开头。", code="code")
    if parent is not None and code == parent.code + "0" * (len(code) - len(parent.code)):
        raise AreaError(f"编码“{code}”的本级序号不能全为0。", code="code")
    taken = Area.objects.filter(code=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise AreaError(f"编码“{code}”已被使用。", code="duplicate")


def issue_code(parent: Area) -> str:
    """Next free platform code under ``parent`` (统一赋码): the parent code + a 3-digit sequence.

    Callers hold the parent row locked (see ``_lock``) so two issuers never get the same code.
    """
    length = len(parent.code) + ISSUED_SUFFIX_LENGTH
    last = (
        Area.objects.subtree(parent.code, include_self=False)
        .annotate(code_len=Length("code"))
        .filter(code_len=length)
        .aggregate(m=Max("code"))["m"]
    )
    sequence = int(last[-ISSUED_SUFFIX_LENGTH:]) + 1 if last else 1
    if sequence >= 10**ISSUED_SUFFIX_LENGTH:
        raise AreaError(f"“{parent.name}”下的编码已用完（最多999个）。", code="code")
    return parent.code + str(sequence).zfill(ISSUED_SUFFIX_LENGTH)


def _lock(area: Area | None) -> None:
    # SQLite runs write transactions as IMMEDIATE (settings), which already serialises them.
    if area is not None:
        Area.objects.select_for_update().filter(pk=area.pk).first()


def _add_to_ancestors(codes: list[str], households: int, population: int, nodes: int) -> None:
    if codes and (households or population or nodes):
        Area.objects.filter(code__in=codes).update(
            total_households=F("total_households") + households,
            total_population=F("total_population") + population,
            descendant_count=F("descendant_count") + nodes,
        )


def _check_counts(households: int | None, population: int | None) -> None:
    """Own counts within their bounds: a count past them (9223372036854775807) made the ancestors'
    totals overflow (SQLite turns an overflowing sum into a float, and setting the count back
    then left them wrong)."""
    for value, label, top in ((households, "户数", HOUSEHOLDS_MAX), (population, "人口", POPULATION_MAX)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise AreaError(f"{label}应为整数。", code="counts")
        if value < 0:
            raise AreaError(f"{label}不能为负数。", code="counts")
        if value > top:
            raise AreaError(f"{label}不能超过{top}。", code="counts")


def _check_location(latitude: Decimal | float | str | None, longitude: Decimal | float | str | None) -> dict:
    """Latitude and longitude in China's box (``core.inputs``), to six places; both or neither."""
    try:
        point = {"latitude": read_latitude(latitude), "longitude": read_longitude(longitude)}
    except InputError as exc:
        raise AreaError(str(exc), code="location") from None
    if (point["latitude"] is None) != (point["longitude"] is None):
        raise AreaError("纬度与经度须同时填写。", code="location")
    return point


@transaction.atomic
def create_area(
    actor: Actor,
    *,
    parent: Area | None,
    level: str,
    name: str,
    code: str | None = None,
    kind: str = "",
    households: int = 0,
    population: int = 0,
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
) -> Area:
    """Create one node. Codes below the community are issued when ``code`` is not given."""
    _lock(parent)
    name = (name or "").strip()
    if not name:
        raise AreaError("名称不能为空。", code="name")
    _check_counts(households, population)
    point = _check_location(latitude, longitude)
    if code is None and level not in NATIONAL_CODE_LENGTH and parent is not None:
        code = issue_code(parent)
    code = code or ""
    validate_placement(code, level, parent)
    area = Area.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        households=households,
        population=population,
        total_households=households,
        total_population=population,
        **point,
    )
    _add_to_ancestors(ancestor_codes(code), households, population, 1)
    if parent is not None:
        Area.objects.filter(pk=parent.pk).update(child_count=F("child_count") + 1)
    audit(actor, "create_area", area, after=snapshot(area, AUDIT_FIELDS), area_path=area.code)
    return area


EDITABLE_FIELDS = {"name", "kind", "households", "population", "latitude", "longitude"}


@transaction.atomic
def update_area(actor: Actor, area: Area, **changes: Any) -> Area:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise AreaError(f"不能直接修改：{'、'.join(sorted(unknown))}", code="fields")
    area = Area.objects.select_for_update().get(pk=area.pk)
    before = snapshot(area, AUDIT_FIELDS)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise AreaError("名称不能为空。", code="name")
    _check_counts(changes.get("households", 0), changes.get("population", 0))
    if "latitude" in changes or "longitude" in changes:
        changes.update(
            _check_location(changes.get("latitude", area.latitude), changes.get("longitude", area.longitude))
        )
    d_households = int(changes.get("households", area.households)) - area.households
    d_population = int(changes.get("population", area.population)) - area.population
    for field, value in changes.items():
        setattr(area, field, value)
    area.total_households += d_households
    area.total_population += d_population
    area.save()
    _add_to_ancestors(ancestor_codes(area.code), d_households, d_population, 0)
    after = snapshot(area, AUDIT_FIELDS)
    if after != before:
        audit(actor, "update_area", area, before=before, after=after, area_path=area.code)
    return area


@transaction.atomic
def move_area(actor: Actor, area: Area, new_parent: Area, new_code: str | None = None) -> Area:
    """Move ``area`` with its subtree under ``new_parent``; rewrite the prefix in one transaction.

    Levels with national codes need the new official ``new_code``; issued levels get a new one.
    """
    area = Area.objects.select_for_update().get(pk=area.pk)
    _lock(new_parent)
    if is_in_subtree(new_parent.code, area.code):
        raise AreaError("不能把区划移动到它自己或它的下级之下。", code="parent")
    if new_parent.pk == area.parent_id:
        raise AreaError("新的上级与原上级相同。", code="parent")
    if new_code is None:
        if area.level in NATIONAL_CODE_LENGTH:
            raise AreaError(f"{area.get_level_display()}使用国家统计编码，移动时必须给出新编码。", code="code")
        new_code = issue_code(new_parent)
    validate_placement(new_code, area.level, new_parent, exclude_pk=area.pk)
    before = snapshot(area, AUDIT_FIELDS)
    old_code, old_parent_id = area.code, area.parent_id
    moved_nodes = area.descendant_count + 1

    _add_to_ancestors(ancestor_codes(old_code), -area.total_households, -area.total_population, -moved_nodes)
    if old_parent_id is not None:
        Area.objects.filter(pk=old_parent_id).update(child_count=F("child_count") - 1)

    rewrite = Concat(Value(new_code), Substr("code", len(old_code) + 1))
    Area.objects.filter(subtree_q(old_code)).update(code=rewrite)
    for model, field in AREA_PATH_MODELS:
        model._default_manager.filter(subtree_q(old_code, field)).update(
            **{field: Concat(Value(new_code), Substr(field, len(old_code) + 1))}
        )
    Area.objects.filter(pk=area.pk).update(parent=new_parent)

    _add_to_ancestors(ancestor_codes(new_code), area.total_households, area.total_population, moved_nodes)
    # The rolled-up figures (members, requests, tallies …) leave the old ancestors for the new ones.
    from jiceng.tallies.moves import subtree_moved

    subtree_moved("areas", old_code, new_code)
    Area.objects.filter(pk=new_parent.pk).update(child_count=F("child_count") + 1)

    area.refresh_from_db()
    audit(actor, "move_area", area, before=before, after=snapshot(area, AUDIT_FIELDS), area_path=area.code)
    return area


@transaction.atomic
def recompute_rollups(batch_size: int = 5000) -> int:
    """Recompute every total and count from the own values, bottom up; returns rows changed.

    Used after bulk loads (import, demo), nightly as a safety net, and to verify the incremental
    roll-ups in tests. Reads and writes in one transaction with writers held off (PostgreSQL:
    a SHARE ROW EXCLUSIVE table lock; SQLite: the IMMEDIATE transaction), so a concurrent edit
    cannot be overwritten with a stale total.
    """
    table = connection.ops.quote_name(Area._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    rows = list(
        Area.objects.values_list(
            "id",
            "code",
            "parent_id",
            "households",
            "population",
            "total_households",
            "total_population",
            "child_count",
            "descendant_count",
        )
    )
    totals = {r[0]: [r[3], r[4], 0, 0] for r in rows}  # households, population, children, descendants
    for row in sorted(rows, key=lambda r: len(r[1]), reverse=True):
        if row[2] in totals:
            mine, theirs = totals[row[0]], totals[row[2]]
            theirs[0] += mine[0]
            theirs[1] += mine[1]
            theirs[2] += 1
            theirs[3] += mine[3] + 1
    changed = [(*totals[row[0]], row[0]) for row in rows if tuple(row[5:9]) != tuple(totals[row[0]])]
    # One parameterised UPDATE per changed row (executemany): bulk_update's CASE expressions
    # cost minutes at this size.
    sql = (
        f"UPDATE {table} SET total_households = %s, total_population = %s, "
        "child_count = %s, descendant_count = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(changed), batch_size):
            cursor.executemany(sql, changed[start : start + batch_size])
    return len(changed)
