from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    verbose_name = "党员"

    def ready(self):
        # Area moves rewrite these denormalised paths in the same transaction (areas.services).
        # Org moves rewrite org_path/area_path: jiceng.orgs.apps registers those.
        from jiceng.areas.services import AREA_PATH_MODELS, register_area_path

        from . import dues, rules, services  # noqa: F401  (registers the members' rules)
        from .models import Member, Transfer

        for model, field in (
            (Member, "area_path"),
            (Member, "residence_path"),
            (Transfer, "area_path"),
            (Transfer, "from_area_path"),
        ):
            if (model, field) not in AREA_PATH_MODELS:
                register_area_path(model, field)
