from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """The header's unread-notification count, one query per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count()}
