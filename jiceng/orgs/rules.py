"""The numbers of the org setup rules (DOMAIN.md §1), registered as city-editable rules.

Read them with :func:`jiceng.core.rules.get_rule`; never copy the defaults into code. Where the
sources disagree on a boundary ("超过50" vs "50人及以上") the default follows DOMAIN.md's
suggestion (branch 3–49, general branch 50–99, committee ≥ 100) and the city may change it.
"""

from jiceng.core.rules import Integer, register

BRANCH_MIN_FULL = "orgs.branch_min_full_members"
BRANCH_MAX_MEMBERS = "orgs.branch_max_members"
GENERAL_BRANCH_FROM = "orgs.general_branch_from_members"
COMMITTEE_FROM = "orgs.committee_from_members"
BRANCH_COMMITTEE_FROM_FULL = "orgs.branch_committee_from_full_members"
BRANCH_COMMITTEE_MIN = "orgs.branch_committee_min_size"
BRANCH_COMMITTEE_MAX = "orgs.branch_committee_max_size"
BRANCH_COMMITTEE_USUAL_MAX = "orgs.branch_committee_usual_max_size"
JOINT_BRANCH_MAX_UNITS = "orgs.joint_branch_max_units"
TERM_YEARS_VILLAGE_COMMUNITY = "orgs.term_years_village_community"
TERM_YEARS_COMMITTEE = "orgs.term_years_committee"
TERM_YEARS_GENERAL_BRANCH = "orgs.term_years_general_branch"
TERM_YEARS_DEFAULT = "orgs.term_years_default"  # 党支部 (the key predates the per-type rules)
TERM_REMINDER_MONTHS = "orgs.term_reminder_months"
SECRETARY_VACANCY_MONTHS = "orgs.secretary_vacancy_months"

_BRANCH_RULES = "《中国共产党支部工作条例（试行）》第4条（DOMAIN.md §1.1，[C]）"

register(
    BRANCH_MIN_FULL,
    "单位正式党员达到此数应成立党支部（应建未建）",
    3,
    f"{_BRANCH_RULES}：有正式党员3人以上的单位，应当成立党支部。",
    type=Integer(min_value=1),
)
register(
    BRANCH_MAX_MEMBERS,
    "党支部党员人数一般不超过",
    50,
    f"{_BRANCH_RULES}：党支部党员人数一般不超过50人。",
    type=Integer(min_value=1),
)
register(
    GENERAL_BRANCH_FROM,
    "党员达到此数可设立党总支",
    50,
    "党章第30条实践：党员50—99人的可设立党总支，经上级党组织批准（DOMAIN.md §1.1，[C]；边界表述不一，可调整）。",
    type=Integer(min_value=1),
)
register(
    COMMITTEE_FROM,
    "党员达到此数可设立基层党委",
    100,
    "党章第30条实践：党员100人以上的可设立基层党委，经上级党组织批准（DOMAIN.md §1.1，[C]；边界表述不一，可调整）。",
    type=Integer(min_value=1),
)
register(
    BRANCH_COMMITTEE_FROM_FULL,
    "正式党员达到此数应设立支部委员会",
    7,
    "《中国共产党支部工作条例（试行）》：正式党员7人以上的党支部，应当设立支部委员会（DOMAIN.md §1.2，[C]）。",
    type=Integer(min_value=1),
)
register(
    BRANCH_COMMITTEE_MIN,
    "支部委员会最少委员数",
    3,
    "《中国共产党支部工作条例（试行）》：支部委员会由3至5人组成，一般不超过7人（DOMAIN.md §1.2，[C]）。",
    type=Integer(min_value=1),
)
register(
    BRANCH_COMMITTEE_MAX,
    "支部委员会通常最多委员数",
    5,
    "《中国共产党支部工作条例（试行）》：支部委员会由3至5人组成，一般不超过7人（DOMAIN.md §1.2，[C]）。",
    type=Integer(min_value=1),
)
register(
    BRANCH_COMMITTEE_USUAL_MAX,
    "支部委员会委员数一般不超过（超过时提醒）",
    7,
    "《中国共产党支部工作条例（试行）》：支部委员会由3至5人组成，一般不超过7人（DOMAIN.md §1.2，[C]）；"
    "6至7人符合规定，不作提示。",
    type=Integer(min_value=1),
)
register(
    JOINT_BRANCH_MAX_UNITS,
    "联合党支部覆盖单位一般不超过",
    5,
    "《中国共产党支部工作条例（试行）》第4条：正式党员不足3人的单位，可以与邻近单位建立联合党支部；"
    "联合党支部覆盖单位一般不超过5个（DOMAIN.md §1.1，[C]）。",
    type=Integer(min_value=1),
)
register(
    TERM_YEARS_VILLAGE_COMMUNITY,
    "村、社区党组织每届任期（年）",
    5,
    "《中国共产党支部工作条例（试行）》第21条：村、社区党支部委员会每届任期5年（DOMAIN.md §1.2，[C]）。",
    type=Integer(min_value=1, max_value=10),
)
register(
    TERM_YEARS_COMMITTEE,
    "基层党委每届任期（年，3至5年）",
    5,
    "党章第三十一条：党的基层委员会每届任期三年至五年（DOMAIN.md §1.2，[C]）；本市在此范围内确定，默认5年。"
    "村、社区党组织另按村、社区的任期。",
    type=Integer(min_value=3, max_value=5),
)
register(
    TERM_YEARS_GENERAL_BRANCH,
    "党总支每届任期（年）",
    3,
    "《中国共产党支部工作条例（试行）》第21条及党章第三十一条：村、社区以外的党总支部委员会每届任期一般为3年"
    "（DOMAIN.md §1.2，[C]）。",
    type=Integer(min_value=1, max_value=10),
)
register(
    TERM_YEARS_DEFAULT,
    "党支部每届任期（年，村、社区除外）",
    3,
    "《中国共产党支部工作条例（试行）》第21条：其他基层单位党支部委员会每届任期一般为3年（DOMAIN.md §1.2，[C]）。"
    "临时党支部的负责人由上级党组织指派，不实行任期制（DOMAIN.md §1.1）。",
    type=Integer(min_value=1, max_value=10),
)
register(
    TERM_REMINDER_MONTHS,
    "任期届满前提醒换届（月）",
    6,
    "《中国共产党支部工作条例（试行）》：上级党组织一般提前6个月提醒党支部按期换届（DOMAIN.md §1.2，[C]）。",
    type=Integer(min_value=1, max_value=36),
)
register(
    SECRETARY_VACANCY_MONTHS,
    "书记空缺超过此月数提示",
    3,
    "书记出缺应及时补选或由上级党组织指派（DOMAIN.md §1.2）；3个月期限为常见工作要求（[P]，可调整）。",
    type=Integer(min_value=1),
)
