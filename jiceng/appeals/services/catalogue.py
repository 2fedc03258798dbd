"""The service catalogue (诉求类别) the city edits: codes issued as paths, definitions validated."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Length

from jiceng.accounts.services import audit, snapshot
from jiceng.appeals.deadlines import parse_limit
from jiceng.appeals.errors import AppealError
from jiceng.appeals.models import CATEGORY_CODE_MAX, CATEGORY_SEGMENT, Category, ResponsibleLevel, Urgency
from jiceng.appeals.permissions import CATEGORY_CHANGE
from jiceng.appeals.services.access import Actor
from jiceng.core.paths import is_digits, subtree_q
from jiceng.core.scope import scope_for

AUDIT_FIELDS = [
    "code",
    "name",
    "parent",
    "responsible_level",
    "department_keyword",
    "default_urgency",
    "deadlines",
    "attributes",
    "area_paths",
    "is_active",
]
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
EDITABLE = {
    "name",
    "description",
    "keywords",
    "responsible_level",
    "department_keyword",
    "default_urgency",
    "deadlines",
    "attributes",
    "area_paths",
    "sort_order",
    "is_active",
}


def _error(message: str, code: str = "invalid") -> AppealError:
    return AppealError(message, code=code)


def _require_editor(actor) -> None:
    """The catalogue is city-wide: only a grant on the city root (or a superuser) edits it."""
    if actor is None:
        return
    scope = scope_for(actor, CATEGORY_CHANGE)
    if not (scope.everywhere or any(len(code) <= 4 for code in scope.areas)):
        raise PermissionDenied("只有市级管理员可以修改诉求类别。")


def validate_deadlines(value: object) -> dict:
    if not isinstance(value, dict):
        raise _error("时限应为 {紧急程度: {dispatch, response, answer}} 的形式。", "deadlines")
    for urgency, limits in value.items():
        if urgency not in Urgency.values or not isinstance(limits, dict):
            raise _error(f"未知的紧急程度“{urgency}”。", "deadlines")
        for key, limit in limits.items():
            if key not in ("dispatch", "response", "answer"):
                raise _error(f"未知的时限“{key}”。", "deadlines")
            parse_limit(limit)
    return value


def validate_attribute_definitions(value: object) -> list:
    if not isinstance(value, list):
        raise _error("附加字段定义应为列表。", "attributes")
    codes = set()
    for order, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not str(item.get("code") or "").strip():
            raise _error(f"第{order}个附加字段缺少编码。", "attributes")
        code = str(item["code"]).strip()
        if code in codes:
            raise _error(f"附加字段编码“{code}”重复。", "attributes")
        codes.add(code)
        datatype = item.get("datatype", "string")
        if datatype not in DATATYPES:
            raise _error(f"附加字段“{code}”的类型“{datatype}”不正确。", "attributes")
        if datatype.endswith("valuelist"):
            values = item.get("values")
            if not values or not all(isinstance(v, dict) and "key" in v and "name" in v for v in values):
                raise _error(f"附加字段“{code}”需要可选值（key、name）。", "attributes")
        item.setdefault("variable", True)
        item.setdefault("required", False)
        item.setdefault("order", order)
        item.setdefault("description", code)
        item["code"] = code
    return value


def validate_area_paths(value: object) -> list:
    if not isinstance(value, list) or not all(is_digits(str(p)) for p in value):
        raise _error("适用区域应为区划编码列表。", "area_paths")
    return [str(p) for p in value]


def _issue_code(parent: Category | None) -> str:
    prefix = parent.code if parent else ""
    length = len(prefix) + CATEGORY_SEGMENT
    if length > CATEGORY_CODE_MAX:
        raise _error("类别层级过深（最多5级）。", "parent")
    siblings = Category.objects.annotate(n=Length("code")).filter(n=length)
    if prefix:
        siblings = siblings.filter(subtree_q(prefix, "code"))
    last = siblings.aggregate(m=Max("code"))["m"]
    sequence = int(last[-CATEGORY_SEGMENT:]) + 1 if last else 1
    if sequence >= 10**CATEGORY_SEGMENT:
        raise _error("同级类别已满（最多999个）。", "parent")
    return prefix + str(sequence).zfill(CATEGORY_SEGMENT)


def _full_name(name: str, parent: Category | None) -> str:
    return f"{parent.full_name or parent.name}/{name}" if parent else name


@transaction.atomic
def create_category(
    actor: Actor,
    *,
    name: str,
    parent: Category | None = None,
    responsible_level: str = ResponsibleLevel.COMMUNITY,
    department_keyword: str = "",
    default_urgency: str = Urgency.GENERAL,
    deadlines: dict | None = None,
    attributes: list | None = None,
    area_paths: list | None = None,
    description: str = "",
    keywords: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> Category:
    _require_editor(actor)
    name = (name or "").strip()
    if not name or "/" in name:
        raise _error("类别名称不能为空，也不能含“/”。", "name")
    if responsible_level not in ResponsibleLevel.values:
        raise _error("责任层级不正确。", "responsible_level")
    if default_urgency not in Urgency.values:
        raise _error("紧急程度不正确。", "default_urgency")
    if parent is not None:
        Category.objects.select_for_update().filter(pk=parent.pk).first()
    category = Category.objects.create(
        code=_issue_code(parent),
        name=name,
        full_name=_full_name(name, parent),
        parent=parent,
        responsible_level=responsible_level,
        department_keyword=(department_keyword or "").strip(),
        default_urgency=default_urgency,
        deadlines=validate_deadlines(deadlines or {}),
        attributes=validate_attribute_definitions(attributes or []),
        area_paths=validate_area_paths(area_paths or []),
        description=(description or "").strip(),
        keywords=(keywords or "").strip(),
        sort_order=sort_order,
        is_active=is_active,
    )
    audit(actor, "create_category", category, after=snapshot(category, AUDIT_FIELDS))
    return category


@transaction.atomic
def update_category(actor: Actor, target: Category, **changes) -> Category:
    _require_editor(actor)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise _error(f"不能直接修改：{'、'.join(sorted(unknown))}", "fields")
    category = Category.objects.select_for_update().get(pk=target.pk)
    before = snapshot(category, AUDIT_FIELDS)
    validators = {
        "deadlines": validate_deadlines,
        "attributes": validate_attribute_definitions,
        "area_paths": validate_area_paths,
    }
    for field, value in changes.items():
        if field in validators:
            value = validators[field](value)
        if field == "responsible_level" and value not in ResponsibleLevel.values:
            raise _error("责任层级不正确。", "responsible_level")
        if field == "default_urgency" and value not in Urgency.values:
            raise _error("紧急程度不正确。", "default_urgency")
        setattr(category, field, value)
    if "name" in changes:
        category.name = (category.name or "").strip()
        if not category.name or "/" in category.name:
            raise _error("类别名称不能为空，也不能含“/”。", "name")
        old = category.full_name
        category.full_name = _full_name(category.name, category.parent)
        for child in Category.objects.subtree(category.code, include_self=False):
            child.full_name = category.full_name + child.full_name[len(old) :]
            child.save(update_fields=["full_name", "updated_at"])
    category.save()
    after = snapshot(category, AUDIT_FIELDS)
    if after != before:
        audit(actor, "update_category", category, before=before, after=after)
    for f in Category._meta.concrete_fields:  # the caller's instance is up to date too
        setattr(target, f.attname, getattr(category, f.attname))
    return category
