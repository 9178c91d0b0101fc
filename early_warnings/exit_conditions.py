"""The warnings' part of the exit conditions (三(九)), registered into identification's registry:
a household with a warning or clue still being checked is not proposed for exit."""

from __future__ import annotations

from identification.exit_conditions import CLAUSE, ConditionResult, register_exit_condition

from .models import Clue, State, Warning


@register_exit_condition
def no_open_warning_or_clue(subject, on, policy) -> ConditionResult:
    label = "无未销号的预警和线索"
    household_id = subject.household_id
    warnings = Warning.objects.filter(household_id=household_id).exclude(state=State.CLOSED)
    clues = Clue.objects.filter(household_id=household_id).exclude(state=State.CLOSED)
    open_items = [f"预警{n}条" for n in [warnings.count()] if n] + [
        f"线索{n}条" for n in [clues.count()] if n
    ]
    if open_items:
        return ConditionResult(
            label, False, f"{CLAUSE}：该户有未销号的{'、'.join(open_items)}，须先核实销号"
        )
    return ConditionResult(label, True)
