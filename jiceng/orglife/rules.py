"""Organisational life's rules with numbers (DOMAIN.md §1.3), as data with their legal basis.

Frequencies are the defaults of 《中国共产党支部工作条例（试行）》(2018) as DOMAIN.md quotes it;
each is a rule the city may change. The pure checks at the end (``decision_reasons``,
``period_starts``) read nothing but their arguments and the rule values.
"""

from dataclasses import dataclass
from datetime import date

from jiceng.core.rules import Choice, Integer, ListOf, get_rule, register

from .models import MeetingType

FREQUENCIES = ("monthly", "quarterly", "yearly", "none")
FREQUENCY_LABELS = {"monthly": "每月", "quarterly": "每季度", "yearly": "每年", "none": "不作要求"}

_BASIS = "《中国共产党支部工作条例（试行）》(2018)"
_FREQUENCY_DEFAULTS = {
    MeetingType.CONGRESS: (
        "quarterly",
        f"{_BASIS}第十一条：支部党员大会一般每季度召开1次（DOMAIN.md §1.3，[C]）。",
    ),
    MeetingType.COMMITTEE: (
        "monthly",
        f"{_BASIS}：支部委员会会议一般每月召开1次，根据需要可随时召开（DOMAIN.md §1.3，[C]）。",
    ),
    MeetingType.GROUP: (
        "monthly",
        f"{_BASIS}：党小组会一般每月召开1次（DOMAIN.md §1.3，[C]）。",
    ),
    MeetingType.LECTURE: (
        "quarterly",
        f"{_BASIS}未规定支部党课频次；多地规定每季度至少1次（DOMAIN.md §1.3，[P]），作为默认值。",
    ),
    MeetingType.THEME_DAY: (
        "monthly",
        f"{_BASIS}：党支部应当每月相对固定1天开展主题党日（DOMAIN.md §1.3，[C]）。",
    ),
    MeetingType.LIFE: (
        "yearly",
        "组织生活会一般每年至少召开1次，通常在第四季度（DOMAIN.md §1.3，[P]）。",
    ),
    MeetingType.REVIEW: (
        "yearly",
        "民主评议党员一般每年开展1次，可与组织生活会结合（DOMAIN.md §1.3，[P]）。",
    ),
    MeetingType.TALK: (
        "yearly",
        "支部委员与党员之间谈心谈话每年至少1次（部分地方规定至少2次）（DOMAIN.md §1.3，[P]）。",
    ),
}

for _type, (_default, _basis) in _FREQUENCY_DEFAULTS.items():
    register(
        f"orglife.frequency.{_type.value}",
        f"{_type.label}召开频次",
        _default,
        _basis,
        type=Choice(FREQUENCIES),
    )

register(
    "orglife.secretary_lectures_per_year",
    "书记每年讲党课次数（至少）",
    1,
    f"{_BASIS}：党委（党组）书记每年至少讲1次党课（DOMAIN.md §1.3，[C]）。",
    type=Integer(min_value=0, max_value=12),
)
register(
    "orglife.observer_types",
    "入党申请人、积极分子可列席的会议类型",
    [MeetingType.CONGRESS.value, MeetingType.LECTURE.value, MeetingType.THEME_DAY.value],
    "支部党员大会讨论接收预备党员等事项时，积极分子、发展对象可列席；党课、主题党日可吸收积极分子参加"
    "（地方做法，[U]，城市可调整）。",
    type=ListOf(Choice(tuple(MeetingType.values))),
)
register(
    "orglife.qr_rotate_seconds",
    "签到二维码刷新间隔（秒）",
    30,
    "平台设定：二维码定时更换，截图转发的旧码很快失效；上一周期的码仍可使用，照顾扫码时的刷新。",
    type=Integer(min_value=10, max_value=600),
)
register(
    "orglife.late_grace_minutes",
    "迟到判定宽限（分钟，自会议开始时间起）",
    10,
    "平台设定（各地考勤做法不一，[U]）：开始后宽限时间内签到记为出席，之后记为迟到。",
    type=Integer(min_value=0, max_value=120),
)
register(
    "orglife.meeting_past_days",
    "会议日期最早可早于今天（天）",
    400,
    "平台设定：补录上一年度的会议；更早的日期多为输入错误。",
    type=Integer(min_value=1, max_value=3660),
)
register(
    "orglife.meeting_future_days",
    "会议日期最晚可晚于今天（天）",
    400,
    "平台设定：可排定下一年度的计划；更晚的日期多为输入错误。",
    type=Integer(min_value=1, max_value=3660),
)
register(
    "orglife.backfill_days",
    "补录会议最早可补录多少天前召开的会议",
    90,
    "平台设定（[U]，各地未见统一规定）：会议应在召开后及时录入；确因系统故障、网络中断等未能及时录入的，"
    "可在一个季度内补录，补录在会议记录中注明“补录”。城市可调整。",
    type=Integer(min_value=1, max_value=400),
)
register(
    "orglife.attachment_max_bytes",
    "会议附件单个文件大小上限（字节）",
    10 * 1024 * 1024,
    "平台设定：现场照片和会议材料一般在 10 MB 以内。",
    type=Integer(min_value=1024, max_value=100 * 1024 * 1024),
)
register(
    "orglife.attachment_max_count",
    "每次会议附件数量上限",
    20,
    "平台设定。",
    type=Integer(min_value=1, max_value=200),
)


def frequency(meeting_type: str) -> str:
    return get_rule(f"orglife.frequency.{meeting_type}")


def observer_types() -> set[str]:
    return set(get_rule("orglife.observer_types"))


# --------------------------------------------------------------------------- pure checks


@dataclass(frozen=True)
class Tally:
    entitled: int  # members with a vote expected at the meeting (正式党员)
    present: int  # of them, present (出席 or 迟到)
    votes_for: int
    votes_against: int
    votes_abstain: int


def tally_errors(t: Tally) -> list[str]:
    """Tallies that cannot be true: more votes than voters present."""
    for value, label in ((t.votes_for, "赞成"), (t.votes_against, "反对"), (t.votes_abstain, "弃权")):
        if value < 0:
            return [f"{label}票数不能为负数。"]
    cast = t.votes_for + t.votes_against + t.votes_abstain
    if cast > t.present:
        return [
            f"赞成、反对、弃权合计{cast}票，多于实到会有表决权的正式党员{t.present}人（预备党员和列席人员没有表决权）。"
        ]
    return []


def decision_reasons(t: Tally, congress: bool) -> list[str]:
    """Why a decision did not pass; empty when it passed.

    The 支部党员大会 (DOMAIN.md §1.3, 条例第十一条): more than half of the members with a vote must
    be present, and more than half of *all* members with a vote (not of those present) must vote
    for. Other meetings: more votes for than half of the votes cast."""
    reasons = []
    if congress:
        if t.present * 2 <= t.entitled:
            reasons.append(
                f"有表决权的正式党员应到{t.entitled}人、实到{t.present}人，未超过半数，支部党员大会不能作出决定。"
            )
        if t.votes_for * 2 <= t.entitled:
            reasons.append(f"赞成{t.votes_for}票，未超过全体有表决权正式党员（{t.entitled}人）的半数，决定未通过。")
        return reasons
    cast = t.votes_for + t.votes_against + t.votes_abstain
    if t.votes_for * 2 <= cast or cast == 0:
        reasons.append(f"赞成{t.votes_for}票，未超过表决票数（{cast}票）的半数，决定未通过。")
    return reasons


def period_starts(freq: str, year: int, day: int) -> list[date]:
    """The dates of a recurring plan's meetings in ``year``: day ``day`` of each month, of each
    quarter's first month, or of January."""
    months = {"monthly": range(1, 13), "quarterly": (1, 4, 7, 10), "yearly": (1,)}.get(freq, ())
    return [date(year, month, day) for month in months]


register(
    "orglife.compliance_warn_days",
    "组织生活未召开提醒（考核期结束前天数）",
    14,
    "平台设定：考核期结束前两周提醒党支部书记和社区尚未召开的会议，留出召开时间（issue 10）。",
    type=Integer(min_value=1, max_value=90),
)
