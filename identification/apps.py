from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "识别与退出"

    def ready(self) -> None:
        from households.views import register_detail_action

        from .views.cases import household_button

        register_detail_action(household_button)
