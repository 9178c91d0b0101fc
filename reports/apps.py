from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """台账与考核: the top app. Ledgers (三(十)) and the year-end assessment (三(九)) read every
    other app; nothing imports this one, so it can never close a cycle."""

    name = "reports"
    verbose_name = "台账与考核"

    def ready(self) -> None:
        # Register the tasks in every process (web too): the services queue them by name.
        from . import tasks  # noqa: F401
