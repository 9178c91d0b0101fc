"""监测对象 found by a name (head or member) or an ID number, whole or its first digits."""

import datetime

from django.urls import reverse

from households.models import MonitoringSubject
from households.tests.factories import HouseholdFactory, MemberFactory


def subject(village, head: str, spouse: str = ""):
    household = HouseholdFactory(village=village, head_name=head)
    head_member = MemberFactory(household=household, name=head)
    if spouse:
        MemberFactory(household=household, name=spouse, relation="spouse")
    MonitoringSubject.objects.create(
        household=household, category="marginal", started_on=datetime.date(2025, 3, 1)
    )
    return head_member


def names(response) -> set[str]:
    return {s.household.head_name for s in response.context["page"]}


def test_the_subject_list_searches_names_and_id_numbers_within_scope(world, client):
    zhang = subject(world.a1, "张建国", spouse="李秀英")
    subject(world.a1, "王志刚")
    far = subject(world.b1, "张建军")
    client.force_login(world.carol)
    page = reverse("households:subject_list")
    assert names(client.get(page, {"q": "张建"})) == {"张建国"}  # 张建军 is another town's
    assert names(client.get(page, {"q": "李秀英"})) == {"张建国"}
    assert names(client.get(page, {"q": zhang.id_number})) == {"张建国"}
    assert names(client.get(page, {"q": zhang.id_number[:16]})) == {"张建国"}
    assert names(client.get(page, {"q": far.id_number})) == set()
    html = client.get(page, {"q": "王"}).content.decode()
    assert 'placeholder="户主或成员姓名、身份证号"' in html and "王志刚" in html


def test_the_api_searches_subjects_too(world, api):
    zhang = subject(world.a1, "张建国")
    subject(world.a1, "王志刚")
    api.force_authenticate(world.alice)
    response = api.get("/api/monitoring-subjects/", {"q": zhang.id_number})
    assert [row["household"] for row in response.data["results"]] == [zhang.household_id]
