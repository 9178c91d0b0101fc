from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "帮扶"

    def ready(self) -> None:
        from households.selectors import register_helper_households

        from .selectors import assigned_household_ids

        # A helper sees the households they are paired with, on every page, API and export.
        register_helper_households(assigned_household_ids)
