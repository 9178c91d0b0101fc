"""Browser forms of the registry, by subject like the views."""

from .households import HouseholdCreateForm, HouseholdFilterForm, HouseholdForm
from .income import IncomeRecordForm
from .members import MemberForm, MemberFormSet
from .monitoring import (
    MonitoringSubjectForm,
    SubjectFilterForm,
    SubjectRisksForm,
)
from .visits import VisitForm

__all__ = [
    "HouseholdCreateForm",
    "HouseholdFilterForm",
    "HouseholdForm",
    "IncomeRecordForm",
    "MemberForm",
    "MemberFormSet",
    "MonitoringSubjectForm",
    "SubjectFilterForm",
    "SubjectRisksForm",
    "VisitForm",
]
