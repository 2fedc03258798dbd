from django.apps import AppConfig


class WishesConfig(AppConfig):
    name = "jiceng.wishes"
    label = "wishes"
    verbose_name = "微心愿"
