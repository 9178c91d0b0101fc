"""Who may take which step in which state: one table, read by the page and checked by the service."""

import pytest
from django.core.exceptions import PermissionDenied

from identification import services
from identification.models import CaseState
from identification.services import permissions
from identification.views.cases import BUTTONS, case_actions
from organization.tests.factories import policy
from suixi_monitor.exceptions import ConflictError

from .factories import days_ago, walk


@pytest.mark.parametrize(
    ("state", "who", "steps"),
    [
        (CaseState.APPLIED, "alice", ["verify", "reject", "withdraw"]),
        (CaseState.APPLIED, "carol", ["reject", "withdraw"]),
        (CaseState.APPLIED, "erin", []),
        (CaseState.VERIFIED, "alice", ["deliberate", "reject", "withdraw"]),
        (CaseState.VERIFIED, "erin", ["reject"]),
        (CaseState.DELIBERATED, "erin", ["compare", "reject"]),
        (CaseState.DELIBERATED, "alice", ["withdraw"]),
        (CaseState.COMPARED, "alice", ["publicize_village", "reject", "withdraw"]),
        (CaseState.VILLAGE_PUBLICIZING, "alice", ["objection_lodge", "withdraw"]),
        (
            CaseState.VILLAGE_PUBLICIZING,
            "carol",
            ["objection_lodge", "conclude", "reject", "withdraw"],
        ),
        (CaseState.VILLAGE_PUBLICIZING, "erin", ["objection_lodge", "conclude"]),
        (CaseState.TOWN_REVIEWING, "carol", ["approve_town", "reject", "withdraw"]),
        (CaseState.COUNTY_FILING, "erin", ["file", "reject"]),
        (CaseState.COUNTY_FILING, "grace", []),
    ],
)
def test_the_page_offers_the_steps_the_table_gives_the_role_in_that_state(world, state, who, steps):
    case = walk(world, state)
    assert [action.name for action in case_actions(case, getattr(world, who))] == steps


def test_a_verified_case_under_the_2024_procedure_goes_to_the_village_deliberation(world):
    policy(year=days_ago(80).year, identification_procedure="anhui_2024")
    case = walk(world, CaseState.VERIFIED)
    assert [a.name for a in case_actions(case, world.alice)] == [
        "deliberate_village",
        "reject",
        "withdraw",
    ]
    assert [a.label for a in case_actions(case, world.alice)][0] == "录入民主评议"
    assert [a.name for a in case_actions(case, world.erin)] == ["reject"]


def test_the_service_refuses_a_role_the_table_does_not_name_for_the_step(world):
    case = walk(world, CaseState.APPLIED)
    home_check = {"checked_on": days_ago(1), "team": [], "findings": "入户核实", "passed": False}
    with pytest.raises(PermissionDenied, match="村初核须由村防贫监测员办理"):
        services.case_verify(actor=world.carol, case=case, **home_check)
    case.refresh_from_db()
    assert case.state == CaseState.APPLIED


def test_who_may_stop_a_case_follows_its_state(world):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING)
    with pytest.raises(PermissionDenied, match="“村公示中”环节的不予通过须由镇（园区）干部办理"):
        services.case_reject(actor=world.alice, case=case, reason="不符合条件")
    services.case_reject(actor=world.carol, case=case, reason="不符合条件")
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED


def test_the_service_refuses_a_step_the_table_does_not_give_the_state(world):
    case = walk(world, CaseState.VERIFIED)
    with pytest.raises(ConflictError, match="该申请当前环节为“已初核（待组评议）”，不能县备案"):
        services.case_file(
            actor=world.erin,
            case=case,
            filed_on=days_ago(1),
            category="sudden",
            risk_types=case.risk_types.all(),
        )


def test_every_step_of_a_button_is_in_a_procedure_table():
    names = {row.step.name for p in permissions.PROCEDURES.values() for row in p.rows}
    assert set(BUTTONS) <= names
