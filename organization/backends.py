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
