"""Resident units (驻区单位) and functional departments (职能部门)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from jiceng.accounts.services import Actor, audit, snapshot
from jiceng.areas.models import Area
from jiceng.core.paths import is_in_subtree
from jiceng.core.phones import PhoneError, normalize_phone
from jiceng.orgs.models import Department, DepartmentLevel, Org, ResidentUnit, UnitKind
from jiceng.orgs.services.tree import OrgError, _check_choice, _clean_name

UNIT_AUDIT_FIELDS = ["name", "kind", "area", "party_org", "contact_name", "contact_phone"]
DEPARTMENT_AUDIT_FIELDS = ["name", "level", "area"]


def _clean_phone(value: str | None) -> str:
    try:
        return normalize_phone(value, "联系电话")
    except PhoneError as exc:
        raise OrgError(str(exc), code="contact_phone") from exc


@transaction.atomic
def create_resident_unit(
    actor: Actor,
    *,
    name: str,
    kind: str,
    area: Area | None,
    party_org: Org | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> ResidentUnit:
    _check_choice(kind, UnitKind, "单位类型")
    if area is None:
        raise OrgError("必须选择所在区划。", code="area")
    unit = ResidentUnit.objects.create(
        name=_clean_name(name, "单位名称"),
        kind=kind,
        area=area,
        area_path=area.code,
        party_org=party_org,
        contact_name=(contact_name or "").strip(),
        contact_phone=_clean_phone(contact_phone),
    )
    audit(actor, "create_resident_unit", unit, after=snapshot(unit, UNIT_AUDIT_FIELDS), area_path=unit.area_path)
    return unit


UNIT_EDITABLE_FIELDS = {"name", "kind", "area", "party_org", "contact_name", "contact_phone"}


@transaction.atomic
def update_resident_unit(actor: Actor, unit: ResidentUnit, **changes: Any) -> ResidentUnit:
    unknown = set(changes) - UNIT_EDITABLE_FIELDS
    if unknown:
        raise OrgError(f"不能直接修改：{'、'.join(sorted(unknown))}", code="fields")
    unit = ResidentUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_AUDIT_FIELDS)
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], "单位名称")
    if "kind" in changes:
        _check_choice(changes["kind"], UnitKind, "单位类型")
    if "contact_phone" in changes:
        changes["contact_phone"] = _clean_phone(changes["contact_phone"])
    if "contact_name" in changes:
        changes["contact_name"] = (changes["contact_name"] or "").strip()
    if "area" in changes:
        if changes["area"] is None:
            raise OrgError("必须选择所在区划。", code="area")
        unit.area_path = changes["area"].code
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.save()
    after = snapshot(unit, UNIT_AUDIT_FIELDS)
    if after != before:
        audit(actor, "update_resident_unit", unit, before=before, after=after, area_path=unit.area_path)
    return unit


def _check_department(level: str, area: Area | None, areas_served: Iterable[Area]) -> None:
    _check_choice(level, DepartmentLevel, "层级")
    if area is None:
        raise OrgError("必须选择所属区划。", code="area")
    if area.level != level:
        raise OrgError(
            f"{DepartmentLevel(level).label}部门应属于{DepartmentLevel(level).label.rstrip('级')}一级区划，"
            f"“{area.name}”是{area.get_level_display()}。",
            code="area",
        )
    outside = [a.name for a in areas_served if not is_in_subtree(a.code, area.code)]
    if outside:
        raise OrgError(f"服务区域须在“{area.name}”范围内：{'、'.join(outside)}不在其中。", code="areas_served")


@transaction.atomic
def create_department(
    actor: Actor, *, name: str, level: str, area: Area, areas_served: Iterable[Area] = ()
) -> Department:
    areas_served = list(areas_served or [])
    _check_department(level, area, areas_served)
    department = Department.objects.create(
        name=_clean_name(name, "部门名称"), level=level, area=area, area_path=area.code
    )
    if areas_served:
        department.areas_served.set(areas_served)
    after = {**snapshot(department, DEPARTMENT_AUDIT_FIELDS), "areas_served": sorted(a.code for a in areas_served)}
    audit(actor, "create_department", department, after=after, area_path=department.area_path)
    return department


DEPARTMENT_EDITABLE_FIELDS = {"name", "level", "area", "areas_served"}


@transaction.atomic
def update_department(actor: Actor, department: Department, **changes: Any) -> Department:
    unknown = set(changes) - DEPARTMENT_EDITABLE_FIELDS
    if unknown:
        raise OrgError(f"不能直接修改：{'、'.join(sorted(unknown))}", code="fields")
    department = Department.objects.select_for_update().get(pk=department.pk)
    served_before = sorted(department.areas_served.values_list("code", flat=True))
    before = {**snapshot(department, DEPARTMENT_AUDIT_FIELDS), "areas_served": served_before}
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], "部门名称")
    areas_served = changes.pop("areas_served", None)
    for field, value in changes.items():
        setattr(department, field, value)
    served = list(department.areas_served.all()) if areas_served is None else list(areas_served)
    _check_department(department.level, department.area, served)
    department.area_path = department.area.code
    department.save()
    if areas_served is not None:
        department.areas_served.set(served)
    after = {**snapshot(department, DEPARTMENT_AUDIT_FIELDS), "areas_served": sorted(a.code for a in served)}
    if after != before:
        audit(actor, "update_department", department, before=before, after=after, area_path=department.area_path)
    return department
