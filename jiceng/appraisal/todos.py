"""民主评议's waiting work on the 待办 list: a member's pending self-assessment and ballot; the
committee's rounds with members still without a proposed grade. One bounded query each."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse

from jiceng.core.scope import scope_for
from jiceng.core.todos import TodoItem

from .models import Participant, Receipt, RoundStatus
from .permissions import ROUND_CHANGE


def mine(user, now: datetime, limit: int) -> list[TodoItem]:
    rows = (
        Participant.objects.filter(member__user=user, round__status=RoundStatus.OPEN)
        .annotate(voted=Exists(Receipt.objects.filter(round_id=OuterRef("round_id"), member_id=OuterRef("member_id"))))
        .select_related("round", "round__org")
        .order_by("round__year", "round_id")[:limit]
    )
    items = []
    for row in rows:
        todo = []
        if not row.self_assessed_at:
            todo.append("个人自评")
        if row.can_vote and not row.voted:
            todo.append("民主测评投票")
        if todo:
            url = reverse("appraisal:my_round", args=[row.round_id])
            items.append(TodoItem(f"{row.round.year}年度民主评议 · 待{'、'.join(todo)}", url, note=row.round.org.name))
    return items


def proposals(user, now: datetime, limit: int) -> list[TodoItem]:
    from .models import Round

    scope = scope_for(user, ROUND_CHANGE)
    if scope.empty:
        return []
    rows = (
        Round.objects.filter(scope.q(area="area_path", org="org_path"), status=RoundStatus.PROPOSING)
        .filter(Exists(Participant.objects.filter(round_id=OuterRef("pk"), proposed_grade="")))
        .select_related("org")
        .order_by("year", "org_path", "id")[:limit]
    )
    return [
        TodoItem(f"{r.year}年度民主评议待提出等次 · {r.org.name}", reverse("appraisal:round_detail", args=[r.pk]))
        for r in rows
    ]
