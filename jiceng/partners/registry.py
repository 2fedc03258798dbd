"""What 共驻共建 plugs into the platform (read by jiceng.core.registry)."""

from jiceng.core.registry import ApiRoute, AppRegistry, MenuEntry, Permission, StoredPath, TodoSource, UrlMount

from .permissions import AGREEMENT_CHANGE, AGREEMENT_VIEW

REGISTRY = AppRegistry(
    permissions=(
        Permission(
            AGREEMENT_VIEW,
            "查看共驻共建协议",
            ("city_org", "district_org", "street", "community", "branch_secretary", "unit_contact"),
        ),
        Permission(AGREEMENT_CHANGE, "签订共建协议、登记责任完成、年度评议", ("street", "community")),
    ),
    menu=(MenuEntry("共建协议", "partners:agreement_list", AGREEMENT_VIEW, "building", order=760, group="service"),),
    urls=(UrlMount("partners/", "jiceng.partners.urls"),),
    api_routes=(ApiRoute("partner-agreements", "jiceng.partners.api.AgreementViewSet", "partneragreement"),),
    area_paths=(
        StoredPath("partners.Agreement", "area_path"),
        StoredPath("partners.Duty", "area_path"),
        StoredPath("partners.Review", "area_path"),
    ),
    org_paths=(
        StoredPath("partners.Agreement", "org_path"),
        StoredPath("partners.Duty", "org_path"),
        StoredPath("partners.Review", "org_path"),
    ),
    rules=("jiceng.partners.rules",),
    todos=(
        TodoSource(
            "partners.duties",
            "共建责任即将到期",
            "jiceng.partners.services.duties_due",
            AGREEMENT_CHANGE,
            "partners:agreement_list",
            "partners:agreement_list",
            order=760,
        ),
    ),
)
