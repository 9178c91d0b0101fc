from django.apps import AppConfig


class EarlyWarningsConfig(AppConfig):
    name = "early_warnings"
    verbose_name = "预警"

    def ready(self) -> None:
        # Register the tasks in every process (web too): the services queue them by name.
        from . import tasks  # noqa: F401
