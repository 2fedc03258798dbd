from django.apps import AppConfig


class TalliesConfig(AppConfig):
    name = "jiceng.tallies"
    label = "tallies"
    verbose_name = "统计计数"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from jiceng.orgs.models import Org

        from .tasks import org_reanchored

        post_save.connect(org_reanchored, sender=Org, weak=False, dispatch_uid="tallies-org-reanchored")
