"""协商议事 records (seed 000/001): 议事会, 圆桌听证会, 居民公约 at an area node, with participants
by category (counts, and the named units and members), topics, decisions and a follow-up status."""

from django.db import models

from jiceng.core.scope import ScopedQuerySet


class Kind(models.TextChoices):
    COUNCIL = "council", "议事会"
    HEARING = "hearing", "圆桌听证会"
    PACT = "pact", "居民公约"


class FollowUp(models.TextChoices):
    PENDING = "pending", "待落实"
    ONGOING = "ongoing", "落实中"
    DONE = "done", "已落实"


class ConsultationQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)


class Consultation(models.Model):
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    held_on = models.DateField("日期")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    area_path = models.CharField("区划路径", max_length=21)
    title = models.CharField("议题", max_length=80)
    topics = models.TextField("议事内容", max_length=2000)
    decisions = models.TextField("议定事项", max_length=2000, blank=True)
    residents = models.PositiveIntegerField("居民代表（人）", default=0)
    unit_reps = models.PositiveIntegerField("驻区单位代表（人）", default=0)
    member_reps = models.PositiveIntegerField("党员代表（人）", default=0)
    owners_committee = models.PositiveIntegerField("业委会成员（人）", default=0)
    units = models.ManyToManyField("orgs.ResidentUnit", blank=True, related_name="+", verbose_name="参加单位")
    members = models.ManyToManyField("members.Member", blank=True, related_name="+", verbose_name="参加党员")
    items = models.ManyToManyField(
        "cobuild.Item", blank=True, related_name="consultations", verbose_name="转成的需求和项目"
    )
    follow_up = models.CharField("后续落实", max_length=300, blank=True)
    follow_up_status = models.CharField("落实情况", max_length=8, choices=FollowUp.choices, default=FollowUp.PENDING)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "协商议事"
        verbose_name_plural = "协商议事"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["area_path", "held_on"], name="consult_area_day")]

    def __str__(self) -> str:
        return self.title

    @property
    def participants(self) -> int:
        return self.residents + self.unit_reps + self.member_reps + self.owners_committee
