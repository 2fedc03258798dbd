from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiceng.orgs"
    verbose_name = "党组织"

    def ready(self):
        from jiceng.core import registry
        from jiceng.orgs.services import register_org_area_path, register_org_path

        # Org moves rewrite every copy of an org code the apps declare (their org_paths); an org's
        # new anchor area follows to the rows that copy it through a foreign key (org_area_paths).
        for model, entry in registry.stored_paths("org_paths"):
            register_org_path(model, entry.field)
        for model, entry in registry.stored_paths("org_area_paths"):
            register_org_area_path(model, entry.via, entry.field)
