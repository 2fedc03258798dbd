from django.apps import AppConfig


class TalliesConfig(AppConfig):
    name = "jiceng.tallies"
    label = "tallies"
    verbose_name = "统计计数"
