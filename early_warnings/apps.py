from django.apps import AppConfig


class EarlyWarningsConfig(AppConfig):
    name = "early_warnings"
    verbose_name = "预警"
