from django.apps import AppConfig


class SampleAppConfig(AppConfig):
    name = "jiceng.core.tests.sampleapp"
    label = "sampleapp"
    verbose_name = "样例应用"
