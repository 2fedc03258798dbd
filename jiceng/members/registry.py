"""What the members app plugs into the platform (read by jiceng.core.registry)."""

from datetime import timedelta

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    ExcelKind,
    Job,
    MenuEntry,
    MenuGroup,
    Metric,
    MetricSource,
    Permission,
    StoredPath,
    TodoSource,
    UrlMount,
)

from .permissions import (
    DUES_ADD,
    DUES_VIEW,
    MEMBER_ADD,
    MEMBER_CHANGE,
    MEMBER_EXPORT,
    MEMBER_IMPORT,
    MEMBER_PII,
    MEMBER_VIEW,
    TRANSFER_CHANGE,
    TRANSFER_VIEW,
)

M = "jiceng.members.metrics"
_ROSTER = "本级及下级党组织名册上的"
_STATS = "（党员名册办理时同步统计，每晚核对重算；docs/metrics.md）"
_SMALL = "人数少的节点（如网格）上可能指向个人：仅有党员名册查看权限者可见；大屏等公开展示时小于 3 的数显示为“<3”。"
_SMALL_BASE = "党员少于 3 人的节点上，比率可能指向个人（如 1 名党员的交纳率）：大屏等公开展示时显示为“—”。"


def _member_metrics(tree: str, source: str, prefix: str, order: int) -> tuple[Metric, ...]:
    """The party-member figures of one tree (the same definitions on the area and the org tree)."""
    where = "按党组织（含下级）" if tree == "orgs" else "按党组织所在区划（含下级）"
    side = "org" if tree == "orgs" else "area"  # drill to detail: the roster filtered the same way

    def metric(key, label, unit, value, definition, group, n, permission=MEMBER_VIEW, **extra):
        return Metric(
            f"{prefix}.{key}",
            label,
            unit,
            source,
            value,
            f"{where}：{definition}{_STATS}",
            permission,
            group,
            order + n,
            **extra,
        )

    pipeline = [
        metric(
            "applicants",
            "入党申请人",
            "人",
            "status:applicant",
            "状态为入党申请人的人员（《发展党员工作细则》第二章）。",
            "发展党员",
            0,
        ),
        metric(
            "activists",
            "入党积极分子",
            "人",
            "status:activist",
            "已确定为入党积极分子的人员（细则第十条）。",
            "发展党员",
            1,
        ),
        metric(
            "candidates", "发展对象", "人", "status:candidate", "已列为发展对象的人员（细则第十三条）。", "发展党员", 2
        ),
        metric(
            "probationary", "预备党员", "人", "status:probationary", "预备期内的党员（党章第七条）。", "发展党员", 3
        ),
        metric(
            "in_pipeline", "在培养人数", "人", f"{M}.pipeline", "入党申请人、积极分子和发展对象之和。", "发展党员", 4
        ),
    ]
    structure = [
        metric(
            "party",
            "党员",
            "人",
            f"{M}.party_members",
            f"{_ROSTER}正式党员和预备党员（党章第一条、第七条）。",
            "党员结构",
            10,
            detail=f"jiceng.members.stats.{side}_party_detail",
        ),
        metric(
            "full",
            "正式党员",
            "人",
            "status:full",
            f"{_ROSTER}正式党员（有表决权，党章第四条）。",
            "党员结构",
            11,
            detail=f"jiceng.members.stats.{side}_full_detail",
        ),
        metric(
            "men",
            "男党员",
            "人",
            "gender:M",
            "性别为男的党员（正式和预备）。",
            "党员结构",
            12,
            masking=_SMALL,
            min_cell=3,
            cell_group="gender",
        ),
        metric(
            "women",
            "女党员",
            "人",
            "gender:F",
            "性别为女的党员（正式和预备）。",
            "党员结构",
            13,
            masking=_SMALL,
            min_cell=3,
            cell_group="gender",
        ),
        metric(
            "women_share",
            "女党员占比",
            "%",
            f"{M}.women_share",
            "女党员 ÷ 党员（党内统计公报口径）。",
            "党员结构",
            14,
            percent=True,
            share_of=f"{prefix}.women",
            masking=_SMALL_BASE,
            min_cell=3,
            base=f"{prefix}.party",
        ),
    ]
    from jiceng.members.metrics import AGE_BANDS, EDUCATION_GROUPS

    ages = [
        metric(
            f"age_{key}",
            label,
            "人",
            f"born:age_{key}",
            f"年龄（截至本年12月31日的周岁，同党内统计口径）{label}的党员；年龄段同中组部《中国共产党党内统计公报》。",
            "党员年龄",
            20 + i,
            masking=_SMALL,
            min_cell=3,
            cell_group="age",
        )
        for i, (key, label, _) in enumerate(AGE_BANDS)
    ]
    education = [
        metric(
            f"edu_{key}",
            label,
            "人",
            f"education:{key}",
            f"学历为{label.removesuffix('学历')}的党员（名册“学历”一栏）。",
            "党员学历",
            40 + i,
            masking=_SMALL,
            min_cell=3,
            cell_group="education",
        )
        for i, (key, label, _) in enumerate(EDUCATION_GROUPS)
    ]
    dues = [
        metric(
            "dues_arrears",
            "欠交党费党员",
            "人",
            "dues:arrears",
            "连续未交党费达规则 members.dues.arrears_months（默认 6）个月及以上的党员，同党费页的欠交名单"
            "（党章第三十八条）。",
            "党费",
            50,
            permission=DUES_VIEW,
            masking=_SMALL,
            min_cell=3,
        ),
        metric(
            "dues_rate",
            "党费按月交纳率",
            "%",
            f"{M}.dues_rate",
            "本月以前各月党费均已交纳的党员 ÷ 党员（《关于中国共产党党费收缴、使用和管理的规定》：按月交纳）。",
            "党费",
            51,
            permission=DUES_VIEW,
            percent=True,
            masking=_SMALL_BASE,
            min_cell=3,
            base=f"{prefix}.party",
        ),
    ]
    return (*pipeline, *structure, *ages, *education, *dues)


def _dues_amounts(tree: str, source: str, prefix: str) -> tuple[Metric, ...]:
    """党费 in 元 (实缴/应缴/欠缴) from the dues counters (``members.metrics.dues_amount_changes``)."""
    where = "按党组织（含下级）" if tree == "orgs" else "按党组织所在区划（含下级）"
    basis = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
    nightly = "每晚重算，为截至上次重算的数字（docs/metrics.md）。"
    rows = (
        (
            "dues_paid_amount",
            "实缴党费金额",
            "dues_paid_yuan",
            f"统计期各月（按所属月份）已登记交纳的党费合计，{basis}。",
            52,
        ),
        (
            "dues_due_amount",
            "每月应缴党费金额",
            "dues_due_yuan",
            f"名册上的党员按当前党费类别和基数每月应交的党费合计（当前数，与统计期无关），{basis}。",
            53,
        ),
        (
            "dues_owed_amount",
            "欠缴党费金额",
            "dues_owed_yuan",
            "名册上的党员本月以前未交月份数 × 按当前类别和基数的每月应交额之和（当前数，与统计期无关；"
            f"按当前标准估算），{basis}。",
            54,
        ),
    )
    return tuple(
        Metric(
            f"{prefix}.{key}",
            label,
            "元",
            source,
            f"{M}.{value}",
            f"{where}：{definition}{nightly}",
            DUES_VIEW,
            "党费",
            600 + n,
        )
        for key, label, value, definition, n in rows
    )


# The offices and the branch secretary manage the roster; the grid worker only reads it (masked).
MANAGERS = ("city_org", "district_org", "street", "community", "branch_secretary")

REGISTRY = AppRegistry(
    permissions=(
        Permission(MEMBER_VIEW, "查看党员", (*MANAGERS, "grid_worker")),
        Permission(MEMBER_CHANGE, "修改党员信息", MANAGERS),
        Permission(MEMBER_ADD, "新增党员", MANAGERS),
        Permission(MEMBER_PII, "查看完整身份证号和电话", MANAGERS),
        Permission(MEMBER_IMPORT, "导入党员", MANAGERS),
        Permission(MEMBER_EXPORT, "导出党员", MANAGERS),
        Permission(TRANSFER_VIEW, "查看组织关系转接", MANAGERS),
        Permission(TRANSFER_CHANGE, "办理组织关系转接", MANAGERS),
        Permission(DUES_VIEW, "查看党费", MANAGERS),
        Permission(DUES_ADD, "登记党费", MANAGERS),
    ),
    menu_groups=(MenuGroup("members", "党员", "user"),),
    menu=(
        MenuEntry("党员", "members:member_list", MEMBER_VIEW, "user", order=300, group="members"),
        MenuEntry("发展党员", "members:pipeline", MEMBER_VIEW, "trending-up", order=310, group="members"),
        MenuEntry("组织关系转接", "members:transfer_list", TRANSFER_VIEW, "move", order=320, group="members"),
        MenuEntry("党费", "members:dues", DUES_VIEW, "yuan", order=330, group="members"),
        # The Excel page (core) lists every roster; the member roster's export right has always
        # opened it from the menu.
        MenuEntry("Excel 导入导出", "excel:home", MEMBER_EXPORT, "edit", order=900, group="system"),
    ),
    jobs=(
        Job("jiceng.members.tasks.expire_transfer_letters", timedelta(hours=24)),
        Job("jiceng.members.tasks.rebuild_member_stats", timedelta(hours=24)),
    ),
    excel_kinds=(
        ExcelKind(
            "members",
            "党员",
            "jiceng.members.importer.MEMBER_SPEC",
            "jiceng.members.importer.import_members",
            "jiceng.members.exporter.MemberExporter",
            MEMBER_IMPORT,
            MEMBER_EXPORT,
            order=100,
        ),
    ),
    urls=(UrlMount("members/", "jiceng.members.urls"),),
    api_routes=(
        ApiRoute("members", "jiceng.members.api.MemberViewSet", "member"),
        ApiRoute("transfers", "jiceng.members.api.TransferViewSet", "transfer"),
    ),
    rules=("jiceng.members.dues", "jiceng.members.rules", "jiceng.members.services"),
    area_paths=(
        StoredPath("members.Member", "area_path"),
        StoredPath("members.Member", "residence_path"),
        StoredPath("members.Transfer", "area_path"),
        StoredPath("members.Transfer", "from_area_path"),
        # The statistics' base follows the move; the rolled-up rows move in the same transaction
        # (jiceng.tallies.moves).
        StoredPath("members.MemberTally", "area_path"),
    ),
    # Org moves rewrite the stored org paths; an org's new anchor area follows to its members.
    org_paths=(
        StoredPath("members.Member", "org_path"),
        StoredPath("members.Transfer", "org_path"),
        StoredPath("members.Transfer", "from_org_path"),
        StoredPath("members.MemberTally", "org_path"),
    ),
    org_area_paths=(StoredPath("members.Member", "area_path", via="org"),),
    metric_sources=(
        MetricSource("members.area_stats", "areas", f"{M}.area_stats", periodic=False),
        MetricSource("members.org_stats", "orgs", f"{M}.org_stats", periodic=False),
        MetricSource("members.area_dues_amounts", "areas", f"{M}.area_dues_amounts"),
        MetricSource("members.org_dues_amounts", "orgs", f"{M}.org_dues_amounts"),
    ),
    metrics=(
        *_member_metrics("areas", "members.area_stats", "members.area", 600),
        *_member_metrics("orgs", "members.org_stats", "members.org", 600),
        *_dues_amounts("areas", "members.area_dues_amounts", "members.area"),
        *_dues_amounts("orgs", "members.org_dues_amounts", "members.org"),
    ),
    todos=(
        TodoSource(
            "members.transfer",
            "组织关系待接收",
            "jiceng.members.todos.to_accept",
            TRANSFER_CHANGE,
            "members:transfer_list",
            "members:transfer_list",
            order=300,
        ),
        TodoSource(
            "members.probation",
            "预备党员待转正",
            "jiceng.members.todos.probation_due",
            MEMBER_CHANGE,
            "members:pipeline",
            "members:pipeline",
            order=310,
        ),
    ),
)
