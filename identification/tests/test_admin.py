"""The admin reaches the transitions that need only a reason through the same services as the
pages and the API: stopping a case, a withdrawal, deciding objections."""

from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from identification import services
from identification.models import CaseState, IdentificationCase, Objection

from .factories import days_ago, walk

CASES = reverse("admin:identification_identificationcase_changelist")
OBJECTIONS = reverse("admin:identification_objection_changelist")


def staff(client, user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def act(client, url, action, pks, reason=None):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]}
    if reason is not None:
        data.update(apply="1", reason=reason)
    return client.post(url, data, follow=reason is not None)


def test_the_town_stops_a_case_from_the_admin_with_the_reason_kept(world, client):
    case = walk(world, CaseState.TOWN_REVIEWING)
    staff(client, world.carol, "view_identificationcase")
    form = act(client, CASES, "reject_cases", [case.pk])
    assert form.status_code == 200 and "原因或处理意见" in form.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.TOWN_REVIEWING  # asking for the reason writes nothing
    act(client, CASES, "reject_cases", [case.pk], reason="经镇领导小组研究，不符合识别标准")
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
    assert case.closed_step == CaseState.TOWN_REVIEWING
    assert case.closed_reason == "经镇领导小组研究，不符合识别标准"
    assert case.history.first().history_user == world.carol


def test_an_admin_action_in_the_wrong_state_names_the_refusal_and_changes_nothing(world, client):
    filed = walk(world, CaseState.FILED)
    staff(client, world.erin, "view_identificationcase")
    page = act(client, CASES, "reject_cases", [filed.pk], reason="试图撤销").content.decode()
    assert "不能作不予通过处理" in page and "已办理 0 件" in page
    filed.refresh_from_db()
    assert filed.state == CaseState.FILED


def test_a_withdrawal_from_the_admin_ends_the_running_publicity(world, client):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    staff(client, world.alice, "view_identificationcase")
    act(client, CASES, "withdraw_cases", [case.pk], reason="农户书面申请撤回")
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert not case.publicities.filter(outcome="running").exists()


def test_another_towns_official_cannot_act_on_a_case_from_the_admin(world, client):
    case = walk(world, CaseState.TOWN_REVIEWING)
    staff(client, world.dave, "view_identificationcase")
    act(client, CASES, "reject_cases", [case.pk], reason="越权")
    case.refresh_from_db()
    assert case.state == CaseState.TOWN_REVIEWING


def test_objections_are_decided_from_the_admin(world, client):
    case = walk(world, CaseState.VILLAGE_PUBLICIZING, start=12)
    first = services.objection_lodge(
        actor=world.alice, case=case, content="该户有经营性收入", lodged_on=days_ago(3)
    )
    staff(client, world.carol, "view_objection")
    act(client, OBJECTIONS, "dismiss_objections", [first.pk], reason="经核实为零星务工收入")
    first.refresh_from_db()
    assert first.status == Objection.Status.DISMISSED
    assert first.decision_reason == "经核实为零星务工收入"
    second = services.objection_lodge(
        actor=world.alice, case=case, content="该户家庭成员有财政供养人员", lodged_on=days_ago(2)
    )
    act(client, OBJECTIONS, "uphold_objections", [second.pk], reason="属实，须复核")
    second.refresh_from_db()
    assert second.status == Objection.Status.UPHELD
    assert IdentificationCase.objects.get(pk=case.pk).state == CaseState.APPLIED
