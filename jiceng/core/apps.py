from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiceng.core"
    verbose_name = "公共"

    def ready(self):
        from jiceng.core.cache import forget_on_write
        from jiceng.core.models import CalendarDay
        from jiceng.core.workdays import CITY_CALENDAR

        forget_on_write(CITY_CALENDAR, CalendarDay)
