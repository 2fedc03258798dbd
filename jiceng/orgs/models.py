"""The party-organisation tree (DESIGN.md §4): its own path code, every org anchored to an area.

Party lines are not always territorial (行业党委, 机关, 两新), so orgs form a second tree. The org
code is a path of 3-digit segments (root ``001``, its children ``001001``, ``001002`` …), issued
by the platform. ``area_path`` copies the anchor area's code so scope is one indexed range.
"""

from django.db import models

from jiceng.core.paths import subtree_q
from jiceng.core.scope import ScopedQuerySet

ORG_SEGMENT = 3
ORG_CODE_MAX = 48  # 16 levels


class OrgType(models.TextChoices):
    COMMITTEE = "committee", "党委"
    WORKING_COMMITTEE = "working_committee", "党工委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
    GROUP = "group", "党小组"


# Types that hold members' formal relationships (党支部 and its variants).
BRANCH_TYPES = {OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.TEMPORARY_BRANCH}


class OrgCategory(models.TextChoices):
    CITY = "city", "市级"
    DISTRICT = "district", "区级"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    VILLAGE = "village", "村"
    GRID = "grid", "网格"
    COMPOUND = "compound", "小区"
    BUILDING = "building", "楼栋"
    ORGAN = "organ", "机关"
    INSTITUTION = "institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE_ENTERPRISE = "private_enterprise", "非公企业"
    SOCIAL_ORG = "social_org", "社会组织"
    INDUSTRY = "industry", "行业党委"
    COMPREHENSIVE = "comprehensive", "商圈/楼宇/园区综合党组织"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    OTHER = "other", "其他"


# 村/社区 committees serve 5-year terms, others normally 3 (支部工作条例 第21条, DOMAIN §1.2).
FIVE_YEAR_TERM_CATEGORIES = {
    OrgCategory.COMMUNITY,
    OrgCategory.VILLAGE,
    OrgCategory.GRID,
    OrgCategory.COMPOUND,
    OrgCategory.BUILDING,
}


class OrgQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_org_fields = ("code",)

    def subtree(self, code: str, include_self: bool = True):
        return self.filter(subtree_q(code, "code", include_self=include_self))


class Org(models.Model):
    code = models.CharField("组织编码", max_length=ORG_CODE_MAX, unique=True)
    name = models.CharField("名称", max_length=120)
    short_name = models.CharField("简称", max_length=60, blank=True)
    org_type = models.CharField("组织类型", max_length=24, choices=OrgType.choices)
    category = models.CharField("类别", max_length=24, choices=OrgCategory.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级党组织"
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="orgs", verbose_name="所在区划")
    area_path = models.CharField("区划路径", max_length=21, db_index=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("本届任期届满", null=True, blank=True)
    # Maintained by orgs.services.refresh_member_counts (called by the members app after writes):
    # party members (正式+预备) held directly, and in the subtree.
    full_members = models.PositiveIntegerField("正式党员（本级）", default=0)
    probationary_members = models.PositiveIntegerField("预备党员（本级）", default=0)
    total_members = models.PositiveIntegerField("党员总数（含下级）", default=0)
    total_full_members = models.PositiveIntegerField("正式党员（含下级）", default=0)
    child_count = models.PositiveIntegerField("下级组织数", default=0)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.org_type in BRANCH_TYPES

    @property
    def members_held(self) -> int:
        return self.full_members + self.probationary_members


class Post(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANISATION = "organisation", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    MEMBER = "member", "委员"
    GROUP_LEADER = "group_leader", "党小组组长"


class CommitteePost(models.Model):
    """One seat on an org's committee for a term; ``member`` empty with ``vacant_since`` = vacancy."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="posts", verbose_name="党组织")
    post = models.CharField("职务", max_length=20, choices=Post.choices)
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name="任职党员",
    )
    holder_name = models.CharField("任职人", max_length=50, blank=True)
    start_on = models.DateField("任职日期", null=True, blank=True)
    end_on = models.DateField("离任日期", null=True, blank=True)
    vacant_since = models.DateField("空缺起始", null=True, blank=True)

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["org", "post", "start_on"]

    def __str__(self) -> str:
        return f"{self.org} {self.get_post_display()} {self.holder_name or '（空缺）'}"

    @property
    def is_current(self) -> bool:
        return self.end_on is None


class UnitKind(models.TextChoices):
    ORGAN = "organ", "机关"
    INSTITUTION = "institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE_ENTERPRISE = "private_enterprise", "非公企业"
    SOCIAL_ORG = "social_org", "社会组织"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    MILITARY = "military", "部队"
    OTHER = "other", "其他"


class ResidentUnitQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)


class ResidentUnit(models.Model):
    """驻区单位: a unit located in an area, possibly with its own party org."""

    name = models.CharField("单位名称", max_length=120)
    kind = models.CharField("单位类型", max_length=24, choices=UnitKind.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="resident_units", verbose_name="所在区划"
    )
    area_path = models.CharField("区划路径", max_length=21, db_index=True)
    party_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.SET_NULL, related_name="units", verbose_name="单位党组织"
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)

    objects = ResidentUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "驻区单位"
        verbose_name_plural = "驻区单位"
        ordering = ["area_path", "name"]

    def __str__(self) -> str:
        return self.name


class DepartmentLevel(models.TextChoices):
    CITY = "city", "市级"
    DISTRICT = "district", "区级"
    STREET = "street", "街道"


class DepartmentQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    # A handler granted on a department (role "department") sees that department.
    scope_department_fields = ("id",)


class Department(models.Model):
    """职能部门: a government department that answers summons (报到) for the areas it serves."""

    name = models.CharField("部门名称", max_length=120)
    level = models.CharField("层级", max_length=12, choices=DepartmentLevel.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="departments", verbose_name="所属区划"
    )
    area_path = models.CharField("区划路径", max_length=21, db_index=True)
    areas_served = models.ManyToManyField("areas.Area", related_name="served_by", blank=True, verbose_name="服务区域")

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "职能部门"
        verbose_name_plural = "职能部门"
        ordering = ["area_path", "name"]

    def __str__(self) -> str:
        return self.name


class PartTimeRole(models.TextChoices):
    PART_TIME_MEMBER = "part_time_member", "兼职委员"
    FIRST_SECRETARY = "first_secretary", "兼职第一书记"


class PartTimeMember(models.Model):
    """Part-time members of the street 大工委 / community 大党委 from resident units."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="part_time_members", verbose_name="党组织")
    role = models.CharField("身份", max_length=24, choices=PartTimeRole.choices)
    person_name = models.CharField("姓名", max_length=50)
    unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="part_time_members",
        verbose_name="所在单位",
    )
    job_title = models.CharField("单位职务", max_length=60, blank=True)
    start_on = models.DateField("任职日期", null=True, blank=True)
    end_on = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "兼职委员"
        verbose_name_plural = "兼职委员"

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_role_display()}）"


def get_org_for_user(user, code: str, action: str = "view") -> Org:
    from jiceng.core.scope import get_object_for_user

    return get_object_for_user(Org.objects.select_related("parent", "area"), user, action, code=code)
