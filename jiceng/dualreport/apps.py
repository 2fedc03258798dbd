from django.apps import AppConfig


class DualReportConfig(AppConfig):
    name = "jiceng.dualreport"
    label = "dualreport"
    verbose_name = "双报到"
