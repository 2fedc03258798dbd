"""Roles are code-defined permission sets (DESIGN.md §1).

A role is granted on a node (an area, an org or a department) by a ``RoleAssignment`` and covers
that node's subtree. This file is the catalogue of roles: key, label, the level it is usually
granted at, and what it is for. Which permissions a role holds is not written here: each app
declares its permissions and the role keys that hold them in its ``registry.py``, and a role's set
is built from those declarations once the apps are loaded. ``manage.py roles_table`` prints the
resulting table (docs/hierarchy-and-permissions.md §2 carries it).
"""

from collections import defaultdict
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field, replace

from django.core.exceptions import ImproperlyConfigured

from jiceng.core import registry


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    level_hint: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    description: str = ""


CATALOGUE: tuple[Role, ...] = (
    Role("city_org", "市委组织部", "city", description="看到全市；制定规则、标准和指标；考核各区。"),
    Role("district_org", "区委组织部", "district", description="同上，限本区。"),
    Role("street", "街道党工委", "street", description="派单、吹哨、评价职能部门；管理本街道区划与网格。"),
    Role("community", "社区党委", "community", description="管理本社区的组织、党员、网格、清单、会议和诉求。"),
    Role(
        "branch_secretary",
        "党支部书记",
        "org",
        description="管理本支部（及所属党小组）的党员、发展、组织关系转接和党费。授予在党组织上。",
    ),
    Role(
        "grid_worker",
        "网格员",
        "grid",
        description="在手机上现场受理、代居民登记诉求、签收办理和答复；查看本网格楼栋信息。党员信息脱敏显示。",
    ),
    Role(
        "department",
        "职能部门",
        "district",
        description="接收吹哨、报到，办理和答复诉求。授予在职能部门上：只看到派给本部门和召集本部门的诉求。",
    ),
    Role("member", "党员", "community", description="参加组织生活、双报到、认领、志愿服务、交纳党费。"),
    Role("unit_contact", "驻区单位联络人", "community", description="共驻共建、认领项目、提供资源。"),
    Role("resident", "居民", "community", description="提交诉求、评价答复、微心愿、预约。只看到本人提交的诉求。"),
)

# The model field's choices need only keys and labels, known before any app is loaded.
ROLE_CHOICES = [(role.key, role.label) for role in CATALOGUE]


def build_roles() -> dict[str, Role]:
    """The catalogue with each role's permissions, as the installed apps declare them."""
    held: dict[str, set[str]] = defaultdict(set)
    keys = {role.key for role in CATALOGUE}
    for permission in registry.permissions():
        unknown = set(permission.roles) - keys
        if unknown:
            raise ImproperlyConfigured(f"{permission.name} names unknown roles: {', '.join(sorted(unknown))}.")
        for key in permission.roles:
            held[key].add(permission.name)
    return {role.key: replace(role, permissions=frozenset(held[role.key])) for role in CATALOGUE}


class RoleTable(MutableMapping):
    """``ROLES``: built on first read, rebuilt when the installed apps change (tests may patch it)."""

    def __init__(self):
        self._key = None
        self._roles: dict[str, Role] = {}

    def _current(self) -> dict[str, Role]:
        key = registry.installed_key()
        if self._key != key:
            self._roles = build_roles()
            self._key = key
        return self._roles

    def __getitem__(self, key: str) -> Role:
        return self._current()[key]

    def __setitem__(self, key: str, role: Role) -> None:
        self._current()[key] = role

    def __delitem__(self, key: str) -> None:
        del self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


ROLES: RoleTable = RoleTable()


def permissions_of(role_key: str) -> frozenset[str]:
    role = ROLES.get(role_key)
    return role.permissions if role else frozenset()


def roles_holding(permission: str) -> list[str]:
    """Keys of the roles whose permission set includes ``permission``."""
    return [key for key, role in ROLES.items() if permission in role.permissions]
