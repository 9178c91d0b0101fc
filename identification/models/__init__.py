"""Entering monitoring (三(七)): the case, each step's record, comparison data, notices."""

from .case import CaseSource, CaseState, IdentificationCase
from .comparison import ComparisonDataset, ComparisonKind, ComparisonRecord, DatasetUpload
from .steps import (
    Announcement,
    AnnouncementCounter,
    Comparison,
    ComparisonHit,
    Deliberation,
    Filing,
    HomeCheck,
    HomeCheckMember,
    NoticeExport,
    Objection,
    Publicity,
    TownApproval,
    VillageDecision,
)

__all__ = [
    "Announcement",
    "AnnouncementCounter",
    "CaseSource",
    "CaseState",
    "Comparison",
    "ComparisonDataset",
    "ComparisonHit",
    "ComparisonKind",
    "ComparisonRecord",
    "DatasetUpload",
    "Deliberation",
    "Filing",
    "HomeCheck",
    "HomeCheckMember",
    "IdentificationCase",
    "NoticeExport",
    "Objection",
    "Publicity",
    "TownApproval",
    "VillageDecision",
]
