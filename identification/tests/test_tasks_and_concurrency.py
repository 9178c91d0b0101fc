"""The daily publicity task, and two users moving one case at the same moment."""

import threading

import pytest
from django.db import close_old_connections, connection

from identification import services, tasks
from identification.models import CaseState, IdentificationCase, Publicity
from identification.notices import PROPOSED_CATEGORY
from suixi_monitor.exceptions import ConflictError

from .factories import days_ago, walk


def village_publicity(world, *, started: int):
    case = walk(world, CaseState.COMPARED, start=started + 10)
    return services.case_publicize_village(
        actor=world.alice,
        case=case,
        meeting_on=days_ago(started),
        decision="同意",
        publicity_started_on=days_ago(started),
    )


def test_the_daily_task_catches_up_on_every_publicity_due_while_it_did_not_run(world):
    long_due = village_publicity(world, started=30)
    just_due = village_publicity(world, started=7)
    not_due = village_publicity(world, started=6)
    town_due = walk(world, CaseState.TOWN_PUBLICIZING, start=60)

    assert tasks.conclude_publicities.delay().get() == 3

    states = {
        c.pk: c.state
        for c in IdentificationCase.objects.filter(
            pk__in=[long_due.pk, just_due.pk, not_due.pk, town_due.pk]
        )
    }
    assert states == {
        long_due.pk: CaseState.TOWN_REVIEWING,
        just_due.pk: CaseState.TOWN_REVIEWING,
        not_due.pk: CaseState.VILLAGE_PUBLICIZING,
        town_due.pk: CaseState.COUNTY_FILING,
    }
    row = IdentificationCase.objects.get(pk=long_due.pk).history.latest()
    assert (row.history_user, row.history_change_reason) == (None, "系统：村公示期满无异议")


def test_the_daily_task_run_twice_changes_nothing_more(world):
    case = village_publicity(world, started=10)
    assert services.publicities_conclude_due() == 1
    rows = case.history.count()
    assert services.publicities_conclude_due() == 0
    assert case.history.count() == rows


def test_the_daily_task_leaves_a_publicity_with_an_open_objection(world):
    case = village_publicity(world, started=10)
    services.objection_lodge(actor=world.carol, case=case, content="有异议", lodged_on=days_ago(9))
    assert services.publicities_conclude_due() == 0
    case.refresh_from_db()
    assert case.state == CaseState.VILLAGE_PUBLICIZING
    assert case.publicities.get().outcome == Publicity.Outcome.RUNNING


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_users_concluding_one_publicity_at_once_make_exactly_one_step(world):
    case = village_publicity(world, started=10)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor) -> None:
        close_old_connections()
        try:
            barrier.wait()
            services.publicity_conclude(case=case, actor=actor)
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in (world.carol, world.erin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "won"]
    case.refresh_from_db()
    assert case.state == CaseState.TOWN_REVIEWING
    assert case.history.filter(state=CaseState.TOWN_REVIEWING).count() == 1
    assert Publicity.objects.filter(case=case, outcome=Publicity.Outcome.NO_OBJECTION).count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_monitors_verifying_one_case_at_once_record_one_home_check(world):
    case = walk(world, CaseState.APPLIED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act() -> None:
        close_old_connections()
        try:
            barrier.wait()
            services.case_verify(
                actor=world.alice,
                case=case,
                checked_on=days_ago(70),
                team=[
                    services.TeamMember(role="village_committee", user=world.alice),
                    services.TeamMember(role="helper", name="帮扶人吴某"),
                ],
                findings="入户核实",
                passed=True,
                medical_burden=True,
            )
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "won"]
    assert case.home_checks.count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_filings_at_once_take_consecutive_announcement_numbers(world):
    from households.models import RiskType
    from identification.models import Announcement

    cases = [walk(world, CaseState.COUNTY_FILING) for _ in range(2)]
    illness = RiskType.objects.get(code="illness")
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def act(case) -> None:
        close_old_connections()
        try:
            barrier.wait()
            services.case_file(
                actor=world.erin,
                case=case,
                filed_on=days_ago(1),
                # 三(一): the category that goes with the household's 2020 status.
                category=PROPOSED_CATEGORY[case.household.status_2020],
                risk_types=[illness],
            )
        except Exception as error:  # noqa: BLE001 - any failure is the test's finding
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(Announcement.objects.values_list("number", flat=True)) == [1, 2]
