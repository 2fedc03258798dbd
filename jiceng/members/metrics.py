"""The party-member figures (by stage, gender, education, age band, dues) from ``MemberStat``.

The rows are maintained by the roster's write verbs (``members.stats``); a fetch reads them for
all the nodes asked in one query, with the age bands and the dues arrears derived in that query
from the stored birth months and first unpaid months against today (a stock: the figures are as
of now, whatever the period).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, F, Sum, Value, When
from django.utils import timezone

from jiceng.members import dues as dues_rules
from jiceng.members.models import MemberStat

# Age bands of the 中共中央组织部《中国共产党党内统计公报》 (30岁及以下, 31至35岁 … 61岁及以上):
# (key, label, highest age in the band); the last band has no upper bound.
AGE_BANDS: tuple[tuple[str, str, int | None], ...] = (
    ("le30", "30岁及以下", 30),
    ("31_35", "31至35岁", 35),
    ("36_40", "36至40岁", 40),
    ("41_45", "41至45岁", 45),
    ("46_50", "46至50岁", 50),
    ("51_55", "51至55岁", 55),
    ("56_60", "56至60岁", 60),
    ("ge61", "61岁及以上", None),
)
# Education groups as the 党内统计 reports them (大专及以上 split out): (key, label, codes).
EDUCATION_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("postgraduate", "研究生学历", ("master", "doctor")),
    ("bachelor", "大学本科学历", ("bachelor",)),
    ("college", "大专学历", ("college",)),
    ("secondary", "高中/中专及以下学历", ("senior", "junior", "primary")),
    ("none", "学历未填", ("none",)),
)


def age(birth: date, today: date) -> int:
    """The age reached in ``today``'s year (the bands' definition: the 党内统计 counts at 31 December)."""
    return today.year - birth.year


def _key(today: date) -> Case:
    # Born in year Y: age this year is today.year - Y, at most ``top`` when Y >= today.year - top.
    whens = [
        When(dim="born", value__gte=f"{today.year - top:04d}", then=Value(f"age_{key}"))
        for key, _, top in AGE_BANDS
        if top is not None
    ]
    whens.append(When(dim="born", then=Value(f"age_{AGE_BANDS[-1][0]}")))
    current = today.replace(day=1)
    # First unpaid month at or before this one: ``arrears_months`` or more months unpaid (arrears_q).
    limit = dues_rules.add_month(current, -dues_rules.arrears_threshold())
    whens += [
        When(dim="dues", value__lte=f"{limit:%Y-%m}", then=Value("arrears")),
        When(dim="dues", value__lt=f"{current:%Y-%m}", then=Value("behind")),
        When(dim="dues", then=Value("paid")),
    ]
    groups = {code: key for key, _, codes in EDUCATION_GROUPS for code in codes}
    whens += [When(dim="education", value=code, then=Value(key)) for code, key in groups.items()]
    return Case(*whens, default=F("value"), output_field=CharField())


def fetch(tree: str, codes: list[str], today: date | None = None) -> dict:
    """{code: {"dim:key": n}} for these nodes of ``tree``: one grouped query over their rows."""
    today = today or timezone.localdate()
    rows = (
        MemberStat.objects.filter(tree=tree, code__in=codes)
        .order_by()
        .values("code", "dim", key=_key(today))
        .annotate(n=Sum("count"))
    )
    result: dict[str, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["code"], {})[f"{row['dim']}:{row['key']}"] = row["n"]
    return result


def area_stats(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    return fetch("areas", codes)


def org_stats(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    return fetch("orgs", codes)


def party_members(row: dict) -> int:
    return (row.get("status:full") or 0) + (row.get("status:probationary") or 0)


def pipeline(row: dict) -> int:
    return sum(row.get(f"status:{s}") or 0 for s in ("applicant", "activist", "candidate"))


def dues_rate(row: dict) -> float | None:
    """Share of party members with no unpaid month before the current one; None without members."""
    total = party_members(row)
    return (row.get("dues:paid") or 0) / total if total else None


def women_share(row: dict) -> float | None:
    total = party_members(row)
    return (row.get("gender:F") or 0) / total if total else None


# --------------------------------------------------------------------------- dues amounts in 元

DUES_PREFIX = "members/dues_"
PAID = "members/dues_paid_fen"  # per dues month: payments recorded for that month (分)
DUE = "members/dues_due_fen"  # a stock: what the party members owe each month at today's amounts (分)
OWED = "members/dues_owed_fen"  # a stock: unpaid months before this one × each member's monthly amount (分)


def _fen(amount) -> int:
    from decimal import Decimal

    return int((Decimal(str(amount or 0)) * 100).to_integral_value())


def dues_amount_changes(today: date | None = None):
    """The tallies' changes ``(org_path, area_path, key, month, fen)`` behind the dues amounts:

    * 实缴: every recorded payment, by its dues month, under the member's branch (one grouped query);
    * 应缴 (each month) and 欠缴: for the party members on the roster, today's monthly amount
      (``dues.monthly_dues`` of their category and base) and the months unpaid before the current
      one (``dues.unpaid_months``, from the month after ``dues_paid_through``, else from admission,
      as the arrears count does: ``members.stats.first_unpaid``) times that amount.
    """
    from django.db.models import Sum

    from jiceng.members.models import PARTY_MEMBER_STATUSES, DuesPayment, Member
    from jiceng.members.stats import first_unpaid
    from jiceng.tallies.models import STOCK

    today = today or timezone.localdate()
    paid = (
        DuesPayment.objects.order_by()
        .values_list("member__org_path", "member__area_path", "month")
        .annotate(total=Sum("amount"))
    )
    for org_path, area_path, month, total in paid.iterator():
        yield (org_path, area_path, PAID, month, _fen(total))
    members = Member.objects.filter(left_on__isnull=True, status__in=PARTY_MEMBER_STATUSES).order_by()
    fields = (
        "org_path",
        "area_path",
        "dues_category",
        "dues_base",
        "dues_paid_through",
        "admission_date",
        "full_member_date",
    )
    for org_path, area_path, category, base, paid_through, admission, full in members.values_list(*fields).iterator(
        chunk_size=5000
    ):
        try:
            monthly = dues_rules.monthly_dues(category, base)
        except ValueError:  # no category set: nothing is due
            continue
        unpaid_from = first_unpaid(paid_through, admission, full)
        unpaid = dues_rules.months_between(unpaid_from, today.replace(day=1)) if unpaid_from else 0
        yield (org_path, area_path, DUE, STOCK, _fen(monthly))
        yield (org_path, area_path, OWED, STOCK, _fen(monthly) * max(unpaid, 0))


def rebuild_dues_amounts() -> int:
    """Recompute the dues amounts' counters (``tallies.NodeTally``): by the nightly ``tallies`` job
    and the ``rebuild_tallies`` command, so the amounts are as of the last run (docs/metrics.md)."""
    from jiceng.tallies import services as tallies

    return tallies.rebuild(DUES_PREFIX, dues_amount_changes())


def area_dues_amounts(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("areas", (DUES_PREFIX,), codes, start, end, by_month)


def org_dues_amounts(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("orgs", (DUES_PREFIX,), codes, start, end, by_month)


def _yuan(fen) -> float:
    return round((fen or 0) / 100, 2)


def dues_paid_yuan(row: dict) -> float:
    return _yuan(row.get(PAID))


def dues_due_yuan(row: dict) -> float:
    return _yuan(row.get(DUE))


def dues_owed_yuan(row: dict) -> float:
    return _yuan(row.get(OWED))
