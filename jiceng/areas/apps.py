from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "jiceng.areas"
    verbose_name = "区划与网格"
