from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "jiceng.orglife"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from jiceng.orgs.models import Org
        from jiceng.tallies.moves import subtree_moved_signal

        from .rollup import refresh_after_move

        post_save.connect(_org_saved, sender=Org, weak=False, dispatch_uid="orglife-compliance-org-saved")
        subtree_moved_signal.connect(refresh_after_move, weak=False, dispatch_uid="orglife-compliance-moved")


def _org_saved(instance, raw=False, **kwargs) -> None:
    """An org created, dissolved or re-anchored (``orgs.services`` save it in their transaction):
    its compliance roll-up follows (a no-op for an org that is not a branch and never was)."""
    if raw:
        return
    from jiceng.orgs.models import BRANCH_TYPES

    from .models import ComplianceBranch
    from .rollup import refresh

    if instance.org_type in BRANCH_TYPES or ComplianceBranch.objects.filter(org_id=instance.pk).exists():
        refresh([instance.pk])
