from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "jiceng.partners"
    label = "partners"
    verbose_name = "共驻共建"
