from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    verbose_name = "党员"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from jiceng.orgs.models import Org

        post_save.connect(_org_reanchored, sender=Org, weak=False, dispatch_uid="members-stats-org-reanchored")


def _org_reanchored(instance, update_fields=None, raw=False, **kwargs) -> None:
    """``orgs.services.update_org`` gave the org another anchor area and rewrote its members'
    ``area_path`` in its transaction: their statistics leave the old area's nodes for the new
    one's in the same transaction (``stats.refresh`` diffs the branch's base rows)."""
    if raw or not update_fields or "area_path" not in update_fields:
        return
    from .stats import refresh

    refresh([instance.pk])
