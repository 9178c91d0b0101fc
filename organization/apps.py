from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = "组织体系"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # Django saves last_login on every sign-in; that is not a change of the
        # user's role or scope, so it must not add a history version each time.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_update_last_login_without_history, dispatch_uid="update_last_login")


def _update_last_login_without_history(sender, user, **kwargs) -> None:
    from django.utils import timezone

    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving
