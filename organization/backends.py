from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from .models import User


class ScopedUserBackend(ModelBackend):
    """Loads the signed-in user with the area of their scope in the same query.

    Every page shows the user's area in its header (``User.scope_label``);
    with the relations already joined here that costs no query of its own.
    """

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related(
                "village__town", "town", "department", "help_unit"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in ``AUTHENTICATION_BACKENDS``: a username locked at this
    address is refused before its password is tried.

    A sign-in without a request (a management command, the test client's ``login``) has no
    address to lock and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
