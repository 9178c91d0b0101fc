"""REST for help (三(八)): every queryset from ``assistance.selectors``, every write from
``assistance.services``; another scope's object answers 404."""

from rest_framework.routers import DefaultRouter

from .assignments import HelpAssignmentViewSet
from .kinds import MeasureKindViewSet, MeasureSuggestionViewSet
from .measures import MeasureViewSet
from .plans import PlanViewSet
from .visits import HelpVisitViewSet, VisitsDueViewSet

router = DefaultRouter()
# Pairing and help visits (三(三), 三(八)1, 三(四)1).
router.register("help-assignments", HelpAssignmentViewSet, basename="help-assignment")
router.register("visits/due", VisitsDueViewSet, basename="visits-due")
router.register("help-visits", HelpVisitViewSet, basename="help-visit")
# Plans, measures, the catalogue and suggestions (三(八)1-2).
router.register("assistance-plans", PlanViewSet, basename="assistance-plan")
router.register("measures", MeasureViewSet, basename="measure")
router.register("measure-kinds", MeasureKindViewSet, basename="measure-kind")
router.register("measure-suggestions", MeasureSuggestionViewSet, basename="measure-suggestion")
