"""三(九): the county's old "标注风险消除" page is gone; a subject leaves monitoring only through
its exit case (村级上报、镇评估公示、县备案)."""

import pytest
from django.urls import NoReverseMatch, reverse

from households.models import MonitoringSubject

from .pages_support import login, registry


@pytest.fixture
def data(world):
    return registry(world)


def test_the_old_elimination_page_no_longer_exists(world, data, client):
    with pytest.raises(NoReverseMatch):
        reverse("households:subject_eliminate", args=[data.subject.pk])
    login(client, world.erin)
    response = client.post(
        f"/households/monitoring/{data.subject.pk}/eliminate/", {"ended_on": "2021-12-20"}
    )
    assert response.status_code == 404
    data.subject.refresh_from_db()
    assert data.subject.status == MonitoringSubject.Status.MONITORING


def test_the_bureau_sees_no_elimination_button_on_the_subject_or_household(world, data, client):
    login(client, world.erin)
    pages = [
        reverse("households:subject_detail", args=[data.subject.pk]),
        reverse("households:detail", args=[data.a1.pk]),
    ]
    for page in pages:
        assert "标注风险消除" not in client.get(page).content.decode(), page
