from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiceng.core"
    verbose_name = "公共"

    def ready(self):
        from django.apps import apps
        from django.utils.module_loading import import_string

        from jiceng.core import registry, security  # noqa: F401  (security: registers the deploy checks)
        from jiceng.core.cache import forget_on_write
        from jiceng.core.inputs import guard_text_fields
        from jiceng.core.rules import forget_rule_on_write

        # Read every app's registry now, so their rules are registered before anything asks.
        registry.collected()
        for table in registry.cached_tables():
            forget_on_write(import_string(table.key), *(apps.get_model(label) for label in table.models))
        forget_rule_on_write(apps.get_model("core.Rule"))
        # No text field of the platform holds a control character, whichever path writes it.
        guard_text_fields(model for model in apps.get_models() if model.__module__.startswith("jiceng."))
