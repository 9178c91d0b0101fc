"""Who may take which step of 三(七) in which state: the table of the case's own procedure
(``identification.procedures``), read by the services that check it and by the pages that offer
a button for it. A step the case's procedure does not have answers 409, naming the procedure.
"""

from __future__ import annotations

from organization.models import Role

from ..models import IdentificationCase, Publicity
from ..procedures import (
    ANY_STATE,
    APPROVE_COUNTY,
    APPROVE_TOWN,
    COMPARE,
    CONCLUDE,
    CONSENT,
    COUNTY,
    DELIBERATE,
    DELIBERATE_VILLAGE,
    FILE,
    OBJECTION_DECIDE,
    OBJECTION_LODGE,
    PROCEDURES,
    PUBLICIZE_VILLAGE,
    REJECT,
    REVIEW_TOWN,
    SUIXI_2021,
    TOWN,
    VERIFY,
    VILLAGE,
    WITHDRAW,
    Procedure,
    Step,
    StepTable,
)

__all__ = [
    "ANY_STATE",
    "APPROVE_COUNTY",
    "APPROVE_TOWN",
    "COMPARE",
    "CONCLUDE",
    "CONSENT",
    "COUNTY",
    "DELIBERATE",
    "DELIBERATE_VILLAGE",
    "FILE",
    "OBJECTION_DECIDE",
    "OBJECTION_LODGE",
    "PROCEDURES",
    "PUBLICIZE_VILLAGE",
    "REJECT",
    "REVIEW_TOWN",
    "TOWN",
    "VERIFY",
    "VILLAGE",
    "WITHDRAW",
    "Procedure",
    "Step",
    "StepTable",
    "case_step",
    "case_steps",
    "comparison_recorded",
    "may_take",
    "next_step",
    "procedure_of",
]


def procedure_of(case: IdentificationCase) -> Procedure:
    return case.procedure_definition


def case_step(case: IdentificationCase, name: str) -> tuple[StepTable, Step]:
    """The case's procedure's table and its step ``name`` (409 where the procedure lacks it)."""
    procedure = procedure_of(case)
    return procedure.table, procedure.require_step(name)


def may_take(role: str, step: Step, state: str | None = None) -> bool:
    """Whether ``role`` takes ``step`` under any procedure (in ``state``, when given)."""
    return any(p.table.may_take(role, step, state) for p in PROCEDURES.values())


def comparison_recorded(case: IdentificationCase) -> bool:
    """Anhui 2024: the county has recorded the comparison of the running village publicity."""
    return case.comparisons.filter(
        publicity__case=case, publicity__outcome=Publicity.Outcome.RUNNING
    ).exists()


def case_steps(case: IdentificationCase, role: str) -> list[Step]:
    """The steps ``role`` may take on ``case`` now, in its procedure's table order.

    Under Anhui 2024 the county compares once during a village publicity: once recorded, the
    step is no longer offered.
    """
    procedure = procedure_of(case)
    steps = procedure.table.steps_now(case, role)
    compares_now = case.state in procedure.table.step_states(COMPARE)
    if procedure.compares_during_publicity and compares_now and comparison_recorded(case):
        steps = [step for step in steps if step.name != COMPARE.name]
    return steps


# The 2021 procedure's table, for what reads it without a case (the exit table's shared roles).
CASES = SUIXI_2021.table

# The steps that do not move a case on towards its filing.
SIDE_STEPS = frozenset({OBJECTION_LODGE, OBJECTION_DECIDE, REJECT, WITHDRAW})
# From the most local level up: who is asked first to take a step several levels may take.
LEVELS = (Role.VILLAGE_MONITOR, Role.TOWN_OFFICIAL, Role.COUNTY_BUREAU)


def next_step(case: IdentificationCase) -> tuple[Step, str] | None:
    """The step that moves ``case`` on now and the role responsible for it, read from the
    table: the most local level that has such a step (a publicity is concluded by the town,
    though the bureau may too). None for a closed case."""
    for role in LEVELS:
        for step in case_steps(case, role):
            if step not in SIDE_STEPS:
                return step, role
    return None
