from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "识别与退出"

    def ready(self) -> None:
        from households.dashboard import register_dashboard_panel
        from households.views import register_detail_action

        # Register the tasks in every process (web too): the services queue them by name.
        from . import (
            exit_conditions,  # noqa: F401  (the registry's own exit conditions)
            signals,  # noqa: F401  (the case limits follow the year's PolicySettings)
            tasks,  # noqa: F401
        )
        from .views.cases import household_button
        from .views.exits import household_exit_button

        register_detail_action(household_button)
        register_detail_action(household_exit_button)
        from .dashboard import cases_panel

        register_dashboard_panel(cases_panel)
