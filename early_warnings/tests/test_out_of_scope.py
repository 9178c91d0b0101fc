"""A red warning for a household outside the identification scope (三(五)), the whole path.

The village verifies a red 医保 warning (56,000 元 out of pocket) for an ordinary household
whose income is above the minimum living standard. "纳入监测" is refused by 三(五); the page
says so before the form is sent, says why and what would bring the household in (its
standing at the end of 2020, or its income), and the monitor can close the warning as
"转为线索/其他救助" with the reason instead of a false "无风险".
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from early_warnings import services
from early_warnings.models import Result, State, Warning
from households.models import Member, Status2020
from households.services import household_update, member_update
from identification.models import IdentificationCase
from organization.models import Notification

from .helpers import make_warning, person

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"early_warnings:{name}", args=args)


@pytest.fixture
def red(world):
    """An ordinary household earning 12,000 元 a head a year (1,000 a month, above 641)."""
    member = person(world.a1, name="赵大")
    household = member.household
    household.status_2020 = Status2020.ORDINARY
    household.latest_income_year = 2025
    household.latest_per_capita_income = Decimal("12000")
    household.save()
    warning = make_warning(
        world.a1,
        member=member,
        value=Decimal("56000"),
        priority="red",
        pushed_at=timezone.now() - datetime.timedelta(days=3),
    )
    services.item_assign(actor=world.carol, item=warning)
    return Warning.objects.get(pk=warning.pk)


def test_the_verify_form_says_before_sending_that_the_household_is_out_of_scope_and_why(
    world, client, red
):
    client.force_login(world.alice)
    page = client.get(url("warning_detail", red.pk)).content.decode()
    assert 'data-scope="out"' in page
    assert "该户不在识别范围内（三(五)）" in page
    assert "2020年底身份为一般农户" in page
    assert "折合每月1000.00元，不低于农村低保标准641元/月" in page
    # What would bring it in, linked to the fields that record it.
    edit = reverse("households:update", args=[red.household_id]) + "#id_status_2020"
    income = reverse("households:income_create", args=[red.household_id])
    assert f'href="{edit}"' in page and f'href="{income}"' in page
    assert "家庭成员现在患病、残疾不改变这一身份" in page
    assert 'value="referred"' in page
    # The date input carries an ISO value and no day after today.
    today = timezone.localdate().isoformat()
    assert f'name="verified_on" value="{today}"' in page and f'max="{today}"' in page


def test_a_member_falling_ill_does_not_bring_the_household_in_and_the_refusal_says_what_would(
    world, red
):
    head = Member.objects.get(household=red.household)
    member_update(actor=world.alice, member=head, health=Member.Health.SERIOUS)
    with pytest.raises(Exception) as refused:
        services.warning_verify(
            actor=world.alice, warning=red, result=Result.INCLUDE, reason="住院自付5.6万元"
        )
    message = str(getattr(refused.value, "message", refused.value))
    assert "三(五)：该户不在识别范围内" in message
    assert "2020年底身份为一般农户" in message and "可在农户信息中更正" in message
    assert "转为线索/其他救助" in message
    assert Warning.objects.get(pk=red.pk).state == State.ASSIGNED
    assert not IdentificationCase.objects.exists()


def test_the_monitor_refers_the_real_risk_with_a_reason_and_the_town_is_told(world, client, red):
    with pytest.raises(ValidationError) as refused:
        services.warning_verify(actor=world.alice, warning=red, result=Result.REFERRED)
    assert "reason" in refused.value.message_dict
    client.force_login(world.alice)
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        url("warning_detail", red.pk),
        {
            "verified_on": day.isoformat(),
            "result": "referred",
            "reason": "住院自付5.6万元，已协助申请医疗救助和临时救助",
        },
    )
    assert response.status_code == 302
    warning = Warning.objects.get(pk=red.pk)
    assert (warning.state, warning.result) == (State.VERIFIED, Result.REFERRED)
    assert timezone.localdate(warning.verified_at) == day
    told = Notification.objects.get(recipient=world.carol, message__contains="转为线索/其他救助")
    assert "赵大户" in told.message and "医疗救助" in told.message
    page = client.get(url("warning_detail", red.pk)).content.decode()
    assert "转为线索/其他救助（有风险但不在识别范围）" in page
    # Then closed (销号) like any verified warning.
    client.post(url("warning_close", red.pk))
    assert Warning.objects.get(pk=red.pk).state == State.CLOSED


def test_the_standing_at_the_end_of_2020_corrected_brings_it_in_and_the_case_opens(
    world, client, red
):
    household_update(
        actor=world.alice, household=red.household, status_2020=Status2020.SERIOUS_ILLNESS
    )
    client.force_login(world.alice)
    page = client.get(url("warning_detail", red.pk)).content.decode()
    assert 'data-scope="in"' in page and "三(五)2：截至2020年底为重病大病家庭" in page
    # A household in scope is not referred: it applies.
    with pytest.raises(ValidationError, match="纳入监测"):
        services.warning_verify(
            actor=world.alice, warning=red, result=Result.REFERRED, reason="自付费用高"
        )
    response = client.post(
        url("warning_detail", red.pk), {"result": "include", "reason": "住院自付5.6万元"}
    )
    assert response.status_code == 302
    warning = Warning.objects.get(pk=red.pk)
    assert warning.result == Result.INCLUDE and warning.case is not None
    assert warning.case.source == "warning"


def test_the_verify_date_is_never_ahead_nor_before_the_push(world, red):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as ahead:
        services.warning_verify(
            actor=world.alice, warning=red, result=Result.REFERRED, reason="x", verified_on=tomorrow
        )
    assert ahead.value.message_dict == {"verified_on": ["核实日期不能晚于今天"]}
    before = timezone.localdate(red.pushed_at) - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能早于推送到镇的日期"):
        services.warning_verify(
            actor=world.alice, warning=red, result=Result.REFERRED, reason="x", verified_on=before
        )
