"""Marking a monitoring subject risk-eliminated on its page (三(九) 标注退出): the county
bureau files the exit; other roles are refused, another scope's subject is 404, and what the
service refuses comes back on the form."""

import datetime

import pytest
from django.urls import reverse

from households import services
from households.models import MonitoringSubject
from households.selectors import household_get

from .pages_support import login, registry

ELIMINATED = MonitoringSubject.Status.ELIMINATED
MONITORING = MonitoringSubject.Status.MONITORING


@pytest.fixture
def data(world):
    return registry(world)


def _url(subject) -> str:
    return reverse("households:subject_eliminate", args=[subject.pk])


def _post(client, subject, day: str = "2021-12-20"):
    return client.post(_url(subject), {"ended_on": day})


def test_the_bureau_marks_a_subject_risk_eliminated_with_the_clause_on_the_page(
    world, data, client
):
    login(client, world.erin)
    page = client.get(_url(data.subject)).content.decode()
    assert "三(九)标注退出" in page and "报县扶贫局备案" in page
    assert "确认标注风险消除" in page

    response = _post(client, data.subject)
    assert response.status_code == 302
    assert response["Location"] == reverse("households:subject_detail", args=[data.subject.pk])
    data.subject.refresh_from_db()
    assert data.subject.status == ELIMINATED
    assert data.subject.ended_on == datetime.date(2021, 12, 20)
    assert data.subject.history.first().history_user == world.erin
    # The household is no longer monitored: the bureau may file it again later.
    assert not household_get(user=world.erin, pk=data.a1.pk).is_monitored


@pytest.mark.parametrize("who", ["alice", "carol", "grace"])
def test_roles_that_see_the_subject_but_are_not_the_bureau_are_refused(world, data, client, who):
    login(client, getattr(world, who))
    response = _post(client, data.subject)
    assert response.status_code == 403
    assert services.MSG_ELIMINATE_COUNTY_ONLY in response.content.decode()
    data.subject.refresh_from_db()
    assert data.subject.status == MONITORING


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank", "grace"])
def test_another_scopes_subject_answers_404(world, data, client, who):
    login(client, getattr(world, who))
    assert _post(client, data.b1_subject).status_code == 404
    assert client.get(_url(data.b1_subject)).status_code == 404
    data.b1_subject.refresh_from_db()
    assert data.b1_subject.status == MONITORING


def test_a_subject_already_marked_shows_the_services_refusal_on_the_form(world, data, client):
    services.monitoring_subject_eliminate(
        actor=world.erin, subject=data.subject, on=datetime.date(2021, 12, 1)
    )
    login(client, world.erin)
    response = _post(client, data.subject, "2021-12-20")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [services.MSG_ALREADY_ELIMINATED]
    data.subject.refresh_from_db()
    assert data.subject.ended_on == datetime.date(2021, 12, 1)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2021-06-30", "风险消除日期不能早于纳入监测日期"),
        (str(datetime.date.today() + datetime.timedelta(days=2)), "日期不能晚于今天"),
    ],
)
def test_a_date_the_service_refuses_is_shown_on_the_date_field(world, data, client, day, message):
    login(client, world.erin)
    response = _post(client, data.subject, day)
    assert response.context["form"].errors["ended_on"] == [message]
    data.subject.refresh_from_db()
    assert data.subject.status == MONITORING


@pytest.mark.parametrize(("who", "shown"), [("erin", True), ("carol", False), ("alice", False)])
def test_the_button_shows_only_to_the_bureau_while_the_subject_is_monitored(
    world, data, client, who, shown
):
    login(client, getattr(world, who))
    pages = [
        reverse("households:subject_detail", args=[data.subject.pk]),
        reverse("households:detail", args=[data.a1.pk]),
    ]
    for page in pages:
        assert (_url(data.subject) in client.get(page).content.decode()) is shown, page
    services.monitoring_subject_eliminate(
        actor=world.erin, subject=data.subject, on=datetime.date(2021, 12, 1)
    )
    for page in pages:
        assert _url(data.subject) not in client.get(page).content.decode(), page
