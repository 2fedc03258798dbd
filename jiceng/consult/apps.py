from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "jiceng.consult"
    label = "consult"
    verbose_name = "协商议事"
