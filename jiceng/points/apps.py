from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "jiceng.points"
    label = "points"
    verbose_name = "党员积分"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the 双报到 signals)
