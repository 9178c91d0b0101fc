"""REST for department warnings (三(四)2/3), thin: scoped selectors in, services out.

``/api/indicators/``, ``/api/uploads/`` (+ ``/errors/``), ``/api/warnings/`` (filters and the
``assign``/``verify``/``close`` actions), ``/api/clues/``, ``/api/sweeps/``, and
``/api/notifications/`` for every user's in-app messages. Serializers live in
``serializers.py``, one module of viewsets per resource; a refused rule is mapped to
400/409 by the project's one exception handler.
"""

from rest_framework.routers import SimpleRouter

from .clues import ClueViewSet
from .indicators import IndicatorViewSet
from .notifications import NotificationViewSet
from .sweeps import SweepViewSet
from .uploads import UploadViewSet
from .warnings import WarningViewSet

router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="warning-indicator")
router.register("uploads", UploadViewSet, basename="warning-upload")
router.register("warnings", WarningViewSet, basename="warning")
router.register("clues", ClueViewSet, basename="clue")
router.register("sweeps", SweepViewSet, basename="sweep")
router.register("notifications", NotificationViewSet, basename="notification")

__all__ = [
    "ClueViewSet",
    "IndicatorViewSet",
    "NotificationViewSet",
    "SweepViewSet",
    "UploadViewSet",
    "WarningViewSet",
    "router",
]
