from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "jiceng.appeals"
    verbose_name = "民呼我应"
