"""The org tree: code issuing, creation, edits, moves (prefix rewrites), and the shared helpers."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max, Model, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone

from jiceng.accounts.services import Actor, audit, snapshot
from jiceng.areas.models import Area
from jiceng.core.paths import is_in_subtree, subtree_q
from jiceng.orgs.models import BRANCH_TYPES, ORG_CODE_MAX, ORG_SEGMENT, Org, OrgCategory, OrgType
from jiceng.orgs.terms import APPOINTED_TYPES, default_term_end

ORG_AUDIT_FIELDS = [
    "code",
    "name",
    "short_name",
    "org_type",
    "category",
    "parent",
    "area",
    "founded_on",
    "term_start",
    "term_end",
    "is_active",
]


# Which org types may sit directly under which (``None`` = a root of the party tree).
_UPPER = {OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE}
ALLOWED_PARENT_TYPES: dict[str, set[str | None]] = {
    OrgType.COMMITTEE: {None, *_UPPER},
    OrgType.WORKING_COMMITTEE: {None, *_UPPER},
    OrgType.GENERAL_BRANCH: set(_UPPER),
    OrgType.BRANCH: {*_UPPER, OrgType.GENERAL_BRANCH},
    OrgType.JOINT_BRANCH: {*_UPPER, OrgType.GENERAL_BRANCH},
    OrgType.TEMPORARY_BRANCH: {*_UPPER, OrgType.GENERAL_BRANCH},
    OrgType.GROUP: set(BRANCH_TYPES),
}

# Models that carry a denormalised org path (like ``Member.org_path``) register here, so a move
# rewrites them in the same transaction. ``ORG_AREA_MODELS`` copy the org's anchor area path
# through a foreign key and follow when an org's anchor area changes.
ORG_PATH_MODELS: list[tuple[type[Model], str]] = []
ORG_AREA_MODELS: list[tuple[type[Model], str, str]] = []

_ROOT_LOCK_KEY = 7_406_301  # advisory lock serialising the issue of root org codes on PostgreSQL


def register_org_path(model: type[Model], field: str = "org_path") -> None:
    if (model, field) not in ORG_PATH_MODELS:
        ORG_PATH_MODELS.append((model, field))


def register_org_area_path(model: type[Model], org_field: str = "org", field: str = "area_path") -> None:
    if (model, org_field, field) not in ORG_AREA_MODELS:
        ORG_AREA_MODELS.append((model, org_field, field))


class OrgError(ValidationError):
    pass


def _today() -> date:
    return timezone.localdate()


def _clean_name(value: str | None, label: str = "名称") -> str:
    value = (value or "").strip()
    if not value:
        raise OrgError(f"{label}不能为空。", code="name")
    return value


def _check_choice(value: str, choices: type[models.Choices], label: str) -> None:
    if value not in choices.values:
        raise OrgError(f"未知的{label}：{value}", code=label)


# --- the tree --------------------------------------------------------------------------------


def ancestor_org_codes(code: str) -> list[str]:
    """Codes of every ancestor of an org code, root first (derived from the code alone)."""
    return [code[:n] for n in range(ORG_SEGMENT, len(code), ORG_SEGMENT)]


def validate_parent_type(org_type: str, parent: Org | None) -> None:
    allowed = ALLOWED_PARENT_TYPES[org_type]
    label = OrgType(org_type).label
    if parent is None:
        if None not in allowed:
            raise OrgError(f"{label}必须有上级党组织。", code="parent")
        return
    if parent.org_type not in allowed:
        names = "、".join(OrgType(t).label for t in OrgType.values if t in allowed)
        raise OrgError(
            f"{label}的上级应为{names}，不能是{OrgType(parent.org_type).label}“{parent.name}”。", code="parent"
        )


def lock_org(org: Org | None) -> None:
    """Lock ``org`` (or, for ``None``, the set of roots) until the end of the transaction, so
    codes issued under it do not collide. Bulk writers (the org importer) call it too."""
    # SQLite runs write transactions as IMMEDIATE (settings), which already serialises them.
    if org is not None:
        Org.objects.select_for_update().filter(pk=org.pk).first()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROOT_LOCK_KEY])


_lock_org = lock_org  # the name the org importer imports


def issue_code(parent: Org | None) -> str:
    """Next free code under ``parent``: the parent code + a 3-digit sequence (root orgs 001, 002 …).

    Callers hold the parent locked (``lock_org``) so two issuers never get the same code.
    """
    prefix = parent.code if parent is not None else ""
    if len(prefix) + ORG_SEGMENT > ORG_CODE_MAX:
        raise OrgError(f"组织层级过深（最多{ORG_CODE_MAX // ORG_SEGMENT}级）。", code="parent")
    siblings = Org.objects.filter(parent=parent) if parent is not None else Org.objects.filter(parent__isnull=True)
    last = siblings.aggregate(m=Max("code"))["m"]
    sequence = int(last[-ORG_SEGMENT:]) + 1 if last else 1
    if sequence >= 10**ORG_SEGMENT:
        where = f"“{parent.name}”下" if parent is not None else "顶级"
        raise OrgError(f"{where}的组织编码已用完（最多999个）。", code="parent")
    return prefix + str(sequence).zfill(ORG_SEGMENT)


def _check_term(org_type: str, term_start: date | None, term_end: date | None) -> None:
    if org_type in APPOINTED_TYPES and (term_start or term_end):
        label = OrgType(org_type).label
        raise OrgError(f"{label}的负责人由上级党组织指派，不实行任期制，不填写任期。", code="term_start")
    if term_start and term_end and term_end <= term_start:
        raise OrgError("任期届满日期必须晚于任期开始日期。", code="term_end")


@transaction.atomic
def create_org(
    actor: Actor,
    *,
    parent: Org | None,
    name: str,
    org_type: str,
    category: str,
    area: Area,
    short_name: str = "",
    founded_on: date | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
    is_active: bool = True,
) -> Org:
    """Create one org under ``parent`` (``None`` for a root) and issue its code.

    A ``term_start`` without ``term_end`` gets the default term length for the category.
    """
    lock_org(parent)
    if parent is not None:
        parent = Org.objects.get(pk=parent.pk)
    name = _clean_name(name)
    _check_choice(org_type, OrgType, "组织类型")
    _check_choice(category, OrgCategory, "类别")
    if area is None:
        raise OrgError("必须选择所在区划。", code="area")
    validate_parent_type(org_type, parent)
    if parent is not None and not parent.is_active:
        raise OrgError(f"上级党组织“{parent.name}”已撤销，不能新增下级。", code="parent")
    if term_start and not term_end:
        term_end = default_term_end(org_type, category, term_start)
    _check_term(org_type, term_start, term_end)
    org = Org.objects.create(
        code=issue_code(parent),
        name=name,
        short_name=(short_name or "").strip(),
        org_type=org_type,
        category=category,
        parent=parent,
        area=area,
        area_path=area.code,
        founded_on=founded_on,
        term_start=term_start,
        term_end=term_end,
        is_active=is_active,
    )
    if parent is not None:
        Org.objects.filter(pk=parent.pk).update(child_count=F("child_count") + 1)
    audit(actor, "create_org", org, after=snapshot(org, ORG_AUDIT_FIELDS), area_path=org.area_path)
    return org


ORG_EDITABLE_FIELDS = {
    "name",
    "short_name",
    "org_type",
    "category",
    "area",
    "founded_on",
    "term_start",
    "term_end",
    "is_active",
}


def _check_type_change(org: Org, new_type: str) -> None:
    """The new type must fit under the parent and above every child the org has."""
    _check_choice(new_type, OrgType, "组织类型")
    validate_parent_type(new_type, org.parent)
    for child_type in set(Org.objects.filter(parent=org).values_list("org_type", flat=True)):
        if new_type not in ALLOWED_PARENT_TYPES[child_type]:
            raise OrgError(
                f"该组织下有{OrgType(child_type).label}，不能改为{OrgType(new_type).label}。", code="org_type"
            )


def _check_deactivation(org: Org) -> None:
    """An org is dissolved only once it has no active children and no members left."""
    if Org.objects.filter(parent=org, is_active=True).exists():
        raise OrgError("该组织还有未撤销的下级组织，不能撤销。", code="is_active")
    if org.total_members:
        raise OrgError(f"该组织还有{org.total_members}名党员，须先转接组织关系，才能撤销。", code="is_active")


@transaction.atomic
def update_org(actor: Actor, org: Org, **changes: Any) -> Org:
    """Edit an org's own fields. The code and parent change only through :func:`move_org`."""
    unknown = set(changes) - ORG_EDITABLE_FIELDS
    if unknown:
        raise OrgError(f"不能直接修改：{'、'.join(sorted(unknown))}", code="fields")
    org = Org.objects.select_for_update(of=("self",)).select_related("parent").get(pk=org.pk)
    before = snapshot(org, ORG_AUDIT_FIELDS)
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"])
    if "short_name" in changes:
        changes["short_name"] = (changes["short_name"] or "").strip()
    if "category" in changes:
        _check_choice(changes["category"], OrgCategory, "类别")
    if "org_type" in changes and changes["org_type"] != org.org_type:
        _check_type_change(org, changes["org_type"])
    if "area" in changes and changes["area"] is None:
        raise OrgError("必须选择所在区划。", code="area")
    if changes.get("is_active") is False and org.is_active:
        _check_deactivation(org)
    _check_term(
        changes.get("org_type", org.org_type),
        changes.get("term_start", org.term_start),
        changes.get("term_end", org.term_end),
    )
    old_area_id = org.area_id
    for field, value in changes.items():
        setattr(org, field, value)
    fields = {*changes, "updated_at"}
    if org.area_id != old_area_id:
        org.area_path = org.area.code
        fields.add("area_path")
        for model, org_field, field in ORG_AREA_MODELS:
            model._default_manager.filter(**{org_field: org}).update(**{field: org.area_path})
    # Only the edited columns: the member counts on this row are maintained by other writers.
    org.save(update_fields=sorted(fields))
    after = snapshot(org, ORG_AUDIT_FIELDS)
    if after != before:
        audit(actor, "update_org", org, before=before, after=after, area_path=org.area_path)
    return org


@transaction.atomic
def record_election(actor: Actor, org: Org, *, term_start: date, term_end: date | None = None) -> Org:
    """换届: a new term starts; without ``term_end`` the default length for the type and category
    applies. An appointed org (临时党支部) has no term."""
    if term_start is None:
        raise OrgError("请填写本届任期开始日期。", code="term_start")
    if term_end is None:
        term_end = default_term_end(org.org_type, org.category, term_start)
    return update_org(actor, org, term_start=term_start, term_end=term_end)


def _add_to_ancestors(codes: list[str], members: int, full: int) -> None:
    if codes and (members or full):
        Org.objects.filter(code__in=codes).update(
            total_members=F("total_members") + members, total_full_members=F("total_full_members") + full
        )


@transaction.atomic
def move_org(actor: Actor, org: Org, new_parent: Org | None) -> Org:
    """Move ``org`` and its subtree under ``new_parent``: a new code, prefixes rewritten in one
    transaction (orgs and every registered org path such as ``Member.org_path``), counts moved."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    lock_org(new_parent)
    if new_parent is not None:
        new_parent = Org.objects.get(pk=new_parent.pk)
        if is_in_subtree(new_parent.code, org.code):
            raise OrgError("不能把组织移动到它自己或它的下级之下。", code="parent")
        if not new_parent.is_active:
            raise OrgError(f"“{new_parent.name}”已撤销，不能作为上级。", code="parent")
    if (new_parent.pk if new_parent else None) == org.parent_id:
        raise OrgError("新的上级与原上级相同。", code="parent")
    validate_parent_type(org.org_type, new_parent)
    new_code = issue_code(new_parent)
    deepest = (
        Org.objects.filter(subtree_q(org.code)).annotate(code_len=Length("code")).aggregate(m=Max("code_len"))["m"]
    )
    if deepest - len(org.code) + len(new_code) > ORG_CODE_MAX:
        raise OrgError(f"移动后组织层级过深（最多{ORG_CODE_MAX // ORG_SEGMENT}级）。", code="parent")
    before = snapshot(org, ORG_AUDIT_FIELDS)
    old_code, old_parent_id = org.code, org.parent_id

    _add_to_ancestors(ancestor_org_codes(old_code), -org.total_members, -org.total_full_members)
    if old_parent_id:
        Org.objects.filter(pk=old_parent_id).update(child_count=F("child_count") - 1)

    Org.objects.filter(subtree_q(old_code)).update(code=Concat(Value(new_code), Substr("code", len(old_code) + 1)))
    for model, field in ORG_PATH_MODELS:
        model._default_manager.filter(subtree_q(old_code, field)).update(
            **{field: Concat(Value(new_code), Substr(field, len(old_code) + 1))}
        )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)

    _add_to_ancestors(ancestor_org_codes(new_code), org.total_members, org.total_full_members)
    # The rolled-up figures (members by dimension, tallies) leave the old ancestors for the new ones.
    from jiceng.tallies.moves import subtree_moved

    subtree_moved("orgs", old_code, new_code)
    if new_parent is not None:
        Org.objects.filter(pk=new_parent.pk).update(child_count=F("child_count") + 1)

    org.refresh_from_db()
    after = snapshot(org, ORG_AUDIT_FIELDS)
    audit(actor, "move_org", org, before=before, after={**after, "old_code": old_code}, area_path=org.area_path)
    return org
