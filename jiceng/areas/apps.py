from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "jiceng.areas"
    verbose_name = "区划与网格"

    def ready(self):
        from jiceng.areas.services import AREA_PATH_MODELS, register_area_path
        from jiceng.core import registry

        # Area moves rewrite every copy of an area code the apps declare (their area_paths).
        for model, entry in registry.stored_paths("area_paths"):
            if (model, entry.field) not in AREA_PATH_MODELS:
                register_area_path(model, entry.field)
