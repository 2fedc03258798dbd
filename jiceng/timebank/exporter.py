"""Excel export of an account's statement (个人/队伍流水) through core/excel_jobs.py.

``params``: ``{"account": <id>}`` (an account the user may see: their own, or one in their scope)
or ``{"team": <id>}`` (a team's account and every movement made for the team's activities). The
counterpart of a person-to-person movement (a donation to a relative) is another resident: their
name is masked unless the user holds ``timebank.view_account`` on that person's community.
"""

from django.db.models import Q
from django.utils import timezone

from jiceng.core.excel import Column, Spec, write_rows
from jiceng.core.scope import scope_for

from .models import Account, AccountKind, Movement, MovementKind
from .permissions import ACCOUNT_VIEW

HEADERS = [
    ("流水号", 10),
    ("记账时间", 20),
    ("类型", 16),
    ("户名", 16),
    ("对方户名", 20),
    ("转入（小时）", 12),
    ("转出（小时）", 12),
    ("摘要", 40),
]
STATEMENT_SPEC = Spec(
    "timebank_statement", "时间银行流水", tuple(Column(h, f"col{i}") for i, (h, _) in enumerate(HEADERS))
)
KINDS = dict(MovementKind.choices)


def mask_name(name: str) -> str:
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def _param(params, key: str) -> int:
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _accounts(user, params) -> tuple[list[int], Q]:
    visible = Account.objects.visible_to(user)
    params = {"team": _param(params, "team"), "account": _param(params, "account")}
    if params.get("team"):
        ids = list(visible.filter(team_id=params["team"], kind=AccountKind.TEAM).values_list("pk", flat=True))
        q = Q(team_id=params["team"]) if visible.filter(team_id=params["team"]).exists() or ids else Q(pk__in=[])
        from jiceng.volunteers.models import Team

        if not Team.objects.visible_to(user).filter(pk=params["team"]).exists():
            return [], Q(pk__in=[])
        return ids, q | Q(debit_id__in=ids) | Q(credit_id__in=ids)
    ids = list(visible.filter(pk=params.get("account") or 0).values_list("pk", flat=True))
    return ids, Q(debit_id__in=ids) | Q(credit_id__in=ids)


class StatementExporter:
    label = "时间银行流水"

    def __init__(self):
        self.audit_extra = {}
        self.area_path = ""

    def queryset(self, user, params):
        ids, q = _accounts(user, params or {})
        self._own = set(ids)
        self.audit_extra = {"accounts": ids}
        return Movement.objects.filter(q).select_related("debit", "credit").order_by("id")

    def rows(self, user, queryset):
        scope = scope_for(user, ACCOUNT_VIEW)
        own = getattr(self, "_own", set())
        for m in queryset.iterator(chunk_size=2000):
            mine_credit = m.credit_id in own
            this, other = (m.credit, m.debit) if mine_credit or m.debit_id not in own else (m.debit, m.credit)
            other_name = other.name
            if (
                other.kind == AccountKind.PERSON
                and not scope.covers(other.area_path)
                and other.volunteer_id
                and (getattr(other, "volunteer_id", None) and other.pk not in own)
            ):
                other_name = mask_name(other_name)
            amount_in = m.amount if this.pk == m.credit_id else ""
            amount_out = m.amount if this.pk == m.debit_id else ""
            yield [
                m.pk,
                timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                KINDS.get(m.kind, m.kind),
                this.name,
                other_name,
                amount_in,
                amount_out,
                m.memo,
            ]

    def write(self, user, queryset, target, progress=None) -> int:
        return write_rows(
            target,
            "时间银行流水",
            [h for h, _ in HEADERS],
            self.rows(user, queryset),
            [w for _, w in HEADERS],
            progress=progress,
        )
