from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "jiceng.volunteers"
    label = "volunteers"
    verbose_name = "志愿服务"
