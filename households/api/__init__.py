"""REST for the registry (台账): households, members, income, monitoring subjects, visits.

Thin on purpose: every queryset is a scoped selector from
``households.selectors`` (another scope's object is simply not found: 404),
every write is a service from ``households.services`` (which owns the rules
and raises Django ``ValidationError`` / ``PermissionDenied``, mapped once in
``suixi_monitor.api``). Serializers only check the shape of the input and
keep derived and state fields read-only.
"""

from rest_framework.routers import SimpleRouter

from .views import (
    HouseholdViewSet,
    IncomeRecordViewSet,
    LowIncomeStatusViewSet,
    MemberViewSet,
    MonitoringSubjectViewSet,
    RiskTypeViewSet,
    VisitViewSet,
)

# The organisation's router carries the API root page; this one adds its routes beside it.
router = SimpleRouter()
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
router.register("income-records", IncomeRecordViewSet, basename="income-record")
router.register("monitoring-subjects", MonitoringSubjectViewSet, basename="monitoring-subject")
router.register("risk-types", RiskTypeViewSet, basename="risk-type")
router.register("visits", VisitViewSet, basename="visit")
router.register("low-income-statuses", LowIncomeStatusViewSet, basename="low-income-status")
