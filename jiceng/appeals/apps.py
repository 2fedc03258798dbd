from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "jiceng.appeals"
    verbose_name = "民呼我应"

    def ready(self):
        from jiceng.appeals import rules  # noqa: F401  (registers the appeals' rules)
        from jiceng.appeals.intake import CATALOGUE
        from jiceng.appeals.models import Appeal, AreaStat, Category, Whistle, WhistleSummons
        from jiceng.core.cache import forget_on_write

        forget_on_write(CATALOGUE, Category)
        from jiceng.areas.services import AREA_PATH_MODELS, register_area_path
        from jiceng.core.excel_jobs import KINDS, ExcelKind, register_kind

        # Area moves rewrite the denormalised paths, and the moved nodes' rate rows follow them.
        # The timeline keeps the path an event happened at, like the audit log (no index there to
        # rewrite 35 M rows by); stats.rebuild() reads the appeals' current paths.
        for model, field in (
            (Appeal, "area_path"),
            (Whistle, "area_path"),
            (WhistleSummons, "area_path"),
            (AreaStat, "path"),
        ):
            if (model, field) not in AREA_PATH_MODELS:
                register_area_path(model, field)
        if "appeals" not in KINDS:
            register_kind(
                ExcelKind(
                    "appeals",
                    "诉求工单",
                    "jiceng.appeals.exporter.APPEAL_SPEC",
                    None,
                    "jiceng.appeals.exporter.AppealExporter",
                    # Work orders are not imported from Excel: no role holds this permission.
                    "appeals.import_appeal",
                    "appeals.export_appeal",
                )
            )
