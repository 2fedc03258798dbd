"""The area tree: city → district → street → community → grid → compound (optional) → building.

The code is the path (DESIGN.md §4): national statistical codes of 4/6/9/12 digits down to the
community (DOMAIN.md §6), then 3 platform-issued digits per level (grid = community + 001, the
15-digit layout of Beijing's grid standard; a compound or building adds 3 more).
"""

from django.db import models

from jiceng.core.paths import subtree_q
from jiceng.core.scope import ScopedQuerySet


class Level(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区县"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"
    COMPOUND = "compound", "小区"
    BUILDING = "building", "楼栋"


LEVEL_ORDER = [level.value for level in Level]

# National statistical code lengths (DOMAIN.md §6); below the community the platform issues codes.
NATIONAL_CODE_LENGTH = {
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
}
ISSUED_SUFFIX_LENGTH = 3
ALLOWED_PARENT_LEVELS = {
    Level.CITY: set(),
    Level.DISTRICT: {Level.CITY},
    Level.STREET: {Level.DISTRICT},
    Level.COMMUNITY: {Level.STREET},
    Level.GRID: {Level.COMMUNITY},
    Level.COMPOUND: {Level.GRID},
    Level.BUILDING: {Level.GRID, Level.COMPOUND},
}
# Every code length a node can have; a node's ancestors are its prefixes of these lengths.
PATH_LENGTHS = (4, 6, 9, 12, 15, 18, 21)
MAX_CODE_LENGTH = PATH_LENGTHS[-1]


class Kind(models.TextChoices):
    CITY = "city", "市"
    URBAN_DISTRICT = "urban_district", "市辖区"
    COUNTY = "county", "县"
    SUBDISTRICT = "subdistrict", "街道"
    TOWN = "town", "镇"
    TOWNSHIP = "township", "乡"
    DEVELOPMENT_ZONE = "development_zone", "开发区/功能区"
    SPECIAL_UNIT = "special_unit", "农林场/监狱等特殊单位"
    RESIDENTIAL = "residential", "社区"
    VILLAGE = "village", "村"
    VIRTUAL = "virtual", "虚拟社区"
    COMPREHENSIVE_GRID = "comprehensive_grid", "综合网格"
    DEDICATED_GRID = "dedicated_grid", "专属网格"
    COMPOUND = "compound", "小区"
    BUILDING = "building", "楼栋"


def code_at_level(code: str, level: str) -> str:
    """The code of ``code``'s node or ancestor at a national level (city … community), or "" when
    the code is shorter than that level's (derived from the code alone)."""
    length = NATIONAL_CODE_LENGTH[level]
    return code[:length] if code and len(code) >= length else ""


def ancestor_codes(code: str) -> list[str]:
    """Codes of every ancestor of ``code``, root first (derived from the code alone)."""
    return [code[:n] for n in PATH_LENGTHS if n < len(code)]


class AreaQuerySet(ScopedQuerySet):
    scope_path_fields = ("code",)

    def subtree(self, code: str, include_self: bool = True):
        """The one helper for subtree queries: a range on the indexed code."""
        return self.filter(subtree_q(code, "code", include_self=include_self))

    def ancestors_of(self, area):
        return self.filter(code__in=ancestor_codes(area.code)).order_by("code")


# The largest own count of one node (the largest city proper holds some 30 million people): a
# bound that keeps every total far inside a 64-bit column.
HOUSEHOLDS_MAX = 20_000_000
POPULATION_MAX = 50_000_000


class Area(models.Model):
    code = models.CharField("编码", max_length=MAX_CODE_LENGTH, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=12, choices=Level.choices, db_index=True)
    kind = models.CharField("类型", max_length=24, choices=Kind.choices, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级"
    )
    # Recorded on this node itself (usually only on the lowest level that exists).
    households = models.PositiveIntegerField("本级户数", default=0)
    population = models.PositiveIntegerField("本级人口", default=0)
    # Maintained by services: this node plus everything below it.
    total_households = models.PositiveBigIntegerField("户数", default=0)
    total_population = models.PositiveBigIntegerField("人口", default=0)
    child_count = models.PositiveIntegerField("下级数", default=0)
    descendant_count = models.PositiveIntegerField("下辖区域数", default=0)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "区划"
        verbose_name_plural = "区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=LEVEL_ORDER),
                name="area_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.level)

    @property
    def is_issued_code(self) -> bool:
        """Codes below the community are issued by the platform (统一赋码)."""
        return self.level not in NATIONAL_CODE_LENGTH

    def child_levels(self) -> list[str]:
        return [lvl for lvl, parents in ALLOWED_PARENT_LEVELS.items() if self.level in parents]


def get_area_for_user(user, code: str, action: str = "view") -> Area:
    from jiceng.core.scope import get_object_for_user

    return get_object_for_user(Area.objects.select_related("parent"), user, action, code=code)
