from django.apps import AppConfig


class CobuildConfig(AppConfig):
    name = "jiceng.cobuild"
    label = "cobuild"
    verbose_name = "共建清单"
