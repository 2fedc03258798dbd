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
