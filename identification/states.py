"""The states an identification case passes (三(七)); each procedure takes its own path
through them (``identification.procedures``)."""

from __future__ import annotations

from django.db import models


class CaseState(models.TextChoices):
    APPLIED = "applied", "已申请（待村初核）"
    VERIFIED = "verified", "已初核（待组评议）"
    DELIBERATED = "deliberated", "已评议（待信息比对）"
    COMPARED = "compared", "已比对（待村研究公示）"
    VILLAGE_PUBLICIZING = "village_publicizing", "村公示中"
    TOWN_REVIEWING = "town_reviewing", "待镇审定"
    TOWN_PUBLICIZING = "town_publicizing", "镇公示中"
    COUNTY_FILING = "county_filing", "待县备案"
    FILED = "filed", "已备案"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


# Every state a case may pass, in order, from the application to the filing: the 2021
# procedure's path. Another procedure skips some of them (``Procedure.path``).
STEP_ORDER = [
    CaseState.APPLIED,
    CaseState.VERIFIED,
    CaseState.DELIBERATED,
    CaseState.COMPARED,
    CaseState.VILLAGE_PUBLICIZING,
    CaseState.TOWN_REVIEWING,
    CaseState.TOWN_PUBLICIZING,
    CaseState.COUNTY_FILING,
    CaseState.FILED,
]
# Every step before the filing: the case is still being decided.
OPEN_STATES = STEP_ORDER[:-1]
PUBLICIZING_STATES = [CaseState.VILLAGE_PUBLICIZING, CaseState.TOWN_PUBLICIZING]
CLOSED_STATES = [CaseState.REJECTED, CaseState.WITHDRAWN]
