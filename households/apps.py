from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = "农户台账"

    def ready(self) -> None:
        from . import signals  # noqa: F401
