from django.apps import AppConfig


class EarlyWarningsConfig(AppConfig):
    name = "early_warnings"
    verbose_name = "预警"

    def ready(self) -> None:
        # Register the tasks in every process (web too): the services queue them by name.
        from households.dashboard import register_dashboard_panel
        from organization.models import Role
        from organization.views import register_role_home

        from . import exit_conditions, tasks  # noqa: F401
        from .dashboard import warnings_panel

        register_dashboard_panel(warnings_panel)
        # Department staff start on this month's file (三(四)2).
        register_role_home(Role.DEPARTMENT_STAFF, "early_warnings:department_home")
