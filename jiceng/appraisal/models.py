"""民主评议党员 (DOMAIN.md §1.3, issue 10 point 4): once a year per branch a :class:`Round`.

Each member assessed is a :class:`Participant` (self-assessment, the ballot tally, the committee's
proposed grade, the branch meeting's final grade). The ballot is secret: a :class:`Ballot` holds
the marks and a random key, no voter, no time and no sequence a receipt could be matched by; the
:class:`Receipt` (round, voter; unique) says only that the member voted. Both are written in one
transaction (``services.cast_ballot``), so a member has one ballot, and nobody can tell which.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiceng.core.scope import ScopedQuerySet, VisibilityRule


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


# Best first: a grade "above" another has a smaller index.
GRADE_ORDER = [Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED]


def grade_rank(grade: str) -> int:
    return GRADE_ORDER.index(Grade(grade))


class RoundStatus(models.TextChoices):
    OPEN = "open", "自评和测评中"
    PROPOSING = "proposing", "支委会提出等次"
    DECIDED = "decided", "已由支部党员大会决定"


class ParticipantRounds(VisibilityRule):
    """A member sees the rounds they take part in (their own), nothing else."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(pk__in=Participant.objects.filter(member__user=user).values("round_id"))


class RoundQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_org_fields = ("org_path",)
    visibility_rules = (ParticipantRounds(),)


class Round(models.Model):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="appraisal_rounds", verbose_name="党支部"
    )
    org_path = models.CharField("组织路径", max_length=48)
    area_path = models.CharField("区划路径", max_length=21)
    year = models.PositiveSmallIntegerField("年度")
    # The orglife meeting of type 民主评议党员 where the round was held, when it is recorded.
    meeting = models.ForeignKey(
        "orglife.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appraisal_rounds",
        verbose_name="民主评议党员会议",
    )
    status = models.CharField("状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    voters = models.PositiveIntegerField("有表决权党员", default=0)
    ballots = models.PositiveIntegerField("已投票", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    voting_closed_at = models.DateTimeField("测评结束时间", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.CharField("支部党员大会决定说明", max_length=300, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"
        ordering = ["-year", "org_path", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="appraisal_round_org_year")]
        indexes = [
            models.Index(fields=["org_path", "year"], name="appraisal_round_org"),
            models.Index(fields=["area_path", "year"], name="appraisal_round_area"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度民主评议党员"

    @property
    def locked(self) -> bool:
        return self.status == RoundStatus.DECIDED


class ParticipantQuerySet(ScopedQuerySet):
    scope_path_fields = ("round__area_path",)
    scope_org_fields = ("round__org_path",)


class Participant(models.Model):
    """A member assessed in a round (the branch's full and probationary members when it opened)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="appraisals")
    can_vote = models.BooleanField("有表决权", default=False)
    self_assessment = models.TextField("个人自评", blank=True)
    self_assessed_at = models.DateTimeField("自评时间", null=True, blank=True)
    # The ballot's tally for this member, kept by ``cast_ballot`` in the ballot's transaction.
    votes_excellent = models.PositiveIntegerField("优秀票", default=0)
    votes_qualified = models.PositiveIntegerField("合格票", default=0)
    votes_basic = models.PositiveIntegerField("基本合格票", default=0)
    votes_unqualified = models.PositiveIntegerField("不合格票", default=0)
    # 双报到 (dualreport YearTally) when the committee proposed: confirmed services in the year.
    services = models.PositiveIntegerField("双报到服务次数", null=True, blank=True)
    proposed_grade = models.CharField("支委会建议等次", max_length=12, choices=Grade.choices, blank=True)
    proposal_note = models.CharField("建议说明", max_length=300, blank=True)
    proposed_at = models.DateTimeField("建议时间", null=True, blank=True)
    final_grade = models.CharField("评定等次", max_length=12, choices=Grade.choices, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = "评议对象"
        verbose_name_plural = "评议对象"
        ordering = ["round", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="appraisal_participant_once")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.member_id}"

    @property
    def votes(self) -> dict[str, int]:
        return {grade.value: getattr(self, f"votes_{grade.value}") for grade in GRADE_ORDER}


class Ballot(models.Model):
    """One secret ballot: a random key (no sequence), the round and the marks
    ``{participant id: grade}`` for every participant. No voter, no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballot_rows")
    marks = models.JSONField("评议票")

    class Meta:
        verbose_name = "测评票"
        verbose_name_plural = "测评票"

    def __str__(self) -> str:
        return f"测评票 {self.round_id}"


class Receipt(models.Model):
    """That ``member`` voted in ``round`` (one per member: the constraint refuses a second)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="receipts")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField("投票时间", auto_now_add=True)

    class Meta:
        verbose_name = "投票回执"
        verbose_name_plural = "投票回执"
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="appraisal_receipt_once")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.member_id}"


class RoundEvent(models.Model):
    """The round's log: opened, voting closed, proposals, decision."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)
    kind = models.CharField("事项", max_length=20)
    summary = models.CharField("说明", max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "民主评议记录"
        verbose_name_plural = "民主评议记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind}"


def get_round_for_user(user, pk: int, action: str = "view") -> Round:
    from jiceng.core.scope import get_object_for_user

    return get_object_for_user(Round.objects.select_related("org", "meeting"), user, action, pk=pk)
