from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "帮扶"

    def ready(self) -> None:
        from households.dashboard import register_dashboard_panel
        from households.selectors import register_helper_households
        from households.views import register_detail_action
        from organization.models import Role
        from organization.views import register_role_home

        from .dashboard import help_panel
        from .selectors import assigned_household_ids
        from .views.pairing import pair_button
        from .views.plans import plan_button
        from .views.visits import help_visit_button

        # A helper sees the households they are paired with, on every page, API and export.
        register_helper_households(assigned_household_ids)
        # A helper's home is 我的帮扶户 (三(八)1).
        register_role_home(Role.HELPER, "assistance:home")
        for button in (pair_button, plan_button, help_visit_button):
            register_detail_action(button)
        # Help coverage on the county's and each town's dashboard.
        register_dashboard_panel(help_panel)
        # 三(九) 重新审核认定: a reverted exit reopens the plan and measures the exit closed.
        from . import receivers  # noqa: F401
