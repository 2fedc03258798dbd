"""What 时间银行 plugs into the platform (read by jiceng.core.registry)."""

from datetime import timedelta

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    ExcelKind,
    Job,
    MenuEntry,
    Permission,
    StoredPath,
    UrlMount,
)

from .permissions import ACCOUNT_VIEW, CHECK_VIEW, MOVEMENT_VIEW, REDEEM, REDEMPTION_VIEW, REVERSE

READERS = ("city_org", "district_org", "street", "community")
COMMUNITY = ("street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(ACCOUNT_VIEW, "查看时间银行账户", READERS),
        Permission(MOVEMENT_VIEW, "查看和导出时间银行流水", READERS),
        Permission(REDEEM, "登记时间银行兑换服务", COMMUNITY),
        Permission(REDEMPTION_VIEW, "查看时间银行兑换服务", READERS),
        Permission(REVERSE, "冲正时间银行流水", ("city_org", "district_org", "street")),
        Permission(CHECK_VIEW, "查看时间银行账实核对", ("city_org",)),
    ),
    menu=(
        MenuEntry("时间银行账户", "timebank:account_list", ACCOUNT_VIEW, "chart", order=840, group="volunteers"),
        MenuEntry("兑换服务", "timebank:redeem", REDEEM, "plus", order=850, group="volunteers"),
    ),
    urls=(UrlMount("timebank/", "jiceng.timebank.urls"),),
    api_routes=(
        ApiRoute("timebank-accounts", "jiceng.timebank.api.AccountViewSet", "timebankaccount"),
        ApiRoute("timebank-movements", "jiceng.timebank.api.MovementViewSet", "timebankmovement"),
        ApiRoute("timebank-redemptions", "jiceng.timebank.api.RedemptionViewSet", "timebankredemption"),
    ),
    rules=("jiceng.timebank.rules",),
    jobs=(Job("jiceng.timebank.tasks.check_ledger", timedelta(hours=24)),),
    excel_kinds=(
        ExcelKind(
            "timebank_statement",
            "时间银行流水",
            "jiceng.timebank.exporter.STATEMENT_SPEC",
            None,
            "jiceng.timebank.exporter.StatementExporter",
            MOVEMENT_VIEW,
            MOVEMENT_VIEW,
            order=700,
        ),
    ),
    area_paths=(
        StoredPath("timebank.Account", "area_path"),
        StoredPath("timebank.Redemption", "area_path"),
    ),
)
