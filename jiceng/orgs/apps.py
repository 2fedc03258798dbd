from datetime import timedelta

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiceng.orgs"
    verbose_name = "党组织"

    def ready(self):
        from jiceng.areas.services import AREA_PATH_MODELS, register_area_path
        from jiceng.core.schedule import SCHEDULE
        from jiceng.members.models import Member, Transfer
        from jiceng.orgs import rules  # noqa: F401  (registers the setup-check rules)
        from jiceng.orgs.models import Department, Org, ResidentUnit
        from jiceng.orgs.services import register_org_area_path, register_org_path

        # Area moves rewrite the anchor paths of orgs, resident units and departments.
        for model in (Org, ResidentUnit, Department):
            if (model, "area_path") not in AREA_PATH_MODELS:
                register_area_path(model)
        # Org moves rewrite every stored org path (members, transfers); an org's new anchor area
        # follows to the members it holds.
        for model, field in ((Member, "org_path"), (Transfer, "org_path"), (Transfer, "from_org_path")):
            if any(f.name == field for f in model._meta.fields):
                register_org_path(model, field)
        register_org_area_path(Member, "org", "area_path")

        job = ("jiceng.orgs.tasks.refresh_org_member_counts", timedelta(hours=24))
        if job not in SCHEDULE:
            SCHEDULE.append(job)
