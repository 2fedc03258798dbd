"""What 协商议事 plugs into the platform (read by jiceng.core.registry)."""

from jiceng.core.registry import ApiRoute, AppRegistry, ExcelKind, MenuEntry, Permission, StoredPath, UrlMount

from .permissions import CONSULT_ADD, CONSULT_EXPORT, CONSULT_IMPORT, CONSULT_VIEW

OFFICES = ("city_org", "district_org", "street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(CONSULT_VIEW, "查看协商议事记录", (*OFFICES, "grid_worker")),
        Permission(CONSULT_ADD, "登记协商议事、更新落实情况", ("street", "community")),
        Permission(CONSULT_EXPORT, "导出协商议事记录", OFFICES),
        Permission(CONSULT_IMPORT, "导入协商议事（暂无导入，只有导出）", ()),
    ),
    menu=(MenuEntry("协商议事", "consult:consultation_list", CONSULT_VIEW, "message", order=770, group="service"),),
    urls=(UrlMount("consult/", "jiceng.consult.urls"),),
    api_routes=(ApiRoute("consultations", "jiceng.consult.api.ConsultationViewSet", "consultation"),),
    area_paths=(StoredPath("consult.Consultation", "area_path"),),
    excel_kinds=(
        ExcelKind(
            "consultations",
            "协商议事",
            "jiceng.consult.exporter.CONSULT_SPEC",
            None,
            "jiceng.consult.exporter.ConsultationExporter",
            CONSULT_IMPORT,
            CONSULT_EXPORT,
            order=770,
        ),
    ),
)
