"""REST for help (三(八)): every queryset from ``assistance.selectors``, every write from
``assistance.services``; another scope's object answers 404."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# --- plans, measures, the catalogue and suggestions (三(八)1-2) ---
from .kinds import MeasureKindViewSet, MeasureSuggestionViewSet  # noqa: E402
from .measures import MeasureViewSet  # noqa: E402
from .plans import PlanViewSet  # noqa: E402

router.register("assistance-plans", PlanViewSet, basename="assistance-plan")
router.register("measures", MeasureViewSet, basename="measure")
router.register("measure-kinds", MeasureKindViewSet, basename="measure-kind")
router.register("measure-suggestions", MeasureSuggestionViewSet, basename="measure-suggestion")
