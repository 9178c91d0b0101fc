"""REST for help (三(八)): every queryset from ``assistance.selectors``, every write from
``assistance.services``; another scope's object answers 404."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# --- pairing and help visits (三(八)1) --------------------------------------------------
from .assignments import HelpAssignmentViewSet  # noqa: E402
from .visits import HelpVisitViewSet, VisitsDueViewSet  # noqa: E402

router.register("help-assignments", HelpAssignmentViewSet, basename="help-assignment")
router.register("visits/due", VisitsDueViewSet, basename="visits-due")
router.register("help-visits", HelpVisitViewSet, basename="help-visit")
