from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = "农户台账"

    def ready(self) -> None:
        from organization.selectors import register_helper_villages

        from . import signals  # noqa: F401
        from .selectors import helper_villages

        # A helper covers the villages of the households they may see.
        register_helper_villages(helper_villages)
