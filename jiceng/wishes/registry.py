"""What 微心愿 plugs into the platform (read by jiceng.core.registry)."""

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    ExcelKind,
    MenuEntry,
    MenuGroup,
    Permission,
    StoredPath,
    UrlMount,
)

from .permissions import BENEFICIARY_VIEW, WISH_ADD, WISH_CLAIM, WISH_EXPORT, WISH_IMPORT, WISH_VIEW

OFFICES = ("city_org", "district_org", "street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(
            WISH_VIEW, "查看微心愿（心愿人信息脱敏）", (*OFFICES, "grid_worker", "member", "unit_contact", "resident")
        ),
        Permission(WISH_ADD, "发布、撤销微心愿，代心愿人确认", ("community", "grid_worker")),
        Permission(BENEFICIARY_VIEW, "查看心愿人完整姓名、电话和住址", ("community", "grid_worker")),
        Permission(WISH_CLAIM, "认领微心愿并登记送达", ("member", "unit_contact")),
        Permission(WISH_EXPORT, "导出微心愿", OFFICES),
        Permission(WISH_IMPORT, "导入微心愿（暂无导入，只有导出）", ()),
    ),
    menu_groups=(MenuGroup("service", "服务群众", "heart"),),
    menu=(MenuEntry("微心愿", "wishes:wish_list", WISH_VIEW, "heart", order=750, group="service"),),
    urls=(UrlMount("wishes/", "jiceng.wishes.urls"),),
    api_routes=(ApiRoute("wishes", "jiceng.wishes.api.WishViewSet", "wish"),),
    area_paths=(StoredPath("wishes.Wish", "area_path"),),
    excel_kinds=(
        ExcelKind(
            "wishes",
            "微心愿",
            "jiceng.wishes.exporter.WISH_SPEC",
            None,
            "jiceng.wishes.exporter.WishExporter",
            WISH_IMPORT,
            WISH_EXPORT,
            order=750,
        ),
    ),
)
