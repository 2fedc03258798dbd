from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    verbose_name = "党员"
