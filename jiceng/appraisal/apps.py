from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "jiceng.appraisal"
    verbose_name = "民主评议党员"
