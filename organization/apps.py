from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = "组织体系"

    def ready(self) -> None:
        # Importing a models module before the app registry is ready raises
        # AppRegistryNotReady, so this import waits for ready().
        from django.contrib.auth.models import update_last_login

        # Django saves last_login on every sign-in; that is not a change of the
        # user's role or scope, so it must not add a history version each time.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login_without_history, dispatch_uid="update_last_login")

        from .middleware import SessionIdleMiddleware

        # A new session starts its idle time now: the next request need not renew it.
        user_logged_in.connect(SessionIdleMiddleware.mark_signed_in, dispatch_uid="session_idle")


def _update_last_login_without_history(sender, user, **kwargs) -> None:
    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving
