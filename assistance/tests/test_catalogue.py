"""The catalogue of measure kinds (三(八)2), kept by the county bureau."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assistance import services
from assistance.models import MeasureKind
from suixi_monitor.exceptions import ConflictError

from .factories_plans import MeasureFactory, kind


def test_seeded_kinds_and_the_continuing_ones(db):
    continuing = set(
        MeasureKind.objects.filter(continues_after_exit=True).values_list("code", flat=True)
    )
    assert continuing == {"microcredit", "public_job", "yulu_plan"}
    assert kind("public_job").is_development and not kind("dibao").is_development


def test_county_adds_edits_and_retires(world):
    k = services.measure_kind_create(
        actor=world.erin, name=" 光伏收益分配 ", group="industry", has_amount=True, order=5
    )
    assert k.name == "光伏收益分配" and k.code.startswith("industry_") and k.is_development
    services.measure_kind_update(actor=world.erin, kind=k, is_active=False, description="停止新增")
    k.refresh_from_db()
    assert not k.is_active and k.history.first().history_user == world.erin


def test_names_are_unique(world):
    with pytest.raises(ValidationError) as error:
        services.measure_kind_create(actor=world.erin, name="小额信贷", group="microcredit")
    assert "name" in error.value.message_dict


@pytest.mark.parametrize("who", ["alice", "carol", "frank", "grace"])
def test_only_the_county_keeps_the_catalogue(world, who):
    with pytest.raises(PermissionDenied):
        services.measure_kind_create(actor=getattr(world, who), name="新措施", group="social")


def test_a_kind_in_use_is_never_deleted(world):
    used = kind("dibao")
    MeasureFactory(kind=used)
    with pytest.raises(ConflictError):
        services.measure_kind_delete(actor=world.erin, kind=used)
    assert MeasureKind.objects.filter(pk=used.pk).exists()
    unused = services.measure_kind_create(actor=world.erin, name="临时新增", group="social")
    services.measure_kind_delete(actor=world.erin, kind=unused)
    assert not MeasureKind.objects.filter(pk=unused.pk).exists()


# --- pages -----------------------------------------------------------------------------------


def test_catalogue_page_lists_and_edits(world, client, django_assert_max_num_queries):
    client.force_login(world.erin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("assistance:kind_list"))
    assert response.status_code == 200 and "雨露计划" in response.content.decode()
    response = client.post(
        reverse("assistance:kind_create"),
        {
            "name": "光伏收益",
            "group": "industry",
            "order": 3,
            "is_active": "on",
            "has_amount": "on",
        },
    )
    assert response.status_code == 302
    k = MeasureKind.objects.get(name="光伏收益")
    response = client.post(
        reverse("assistance:kind_update", args=[k.pk]),
        {"name": "光伏收益分配", "group": "industry", "order": 3},
    )
    assert response.status_code == 302
    k.refresh_from_db()
    assert k.name == "光伏收益分配" and not k.is_active


def test_catalogue_page_refuses_a_delete_in_use(world, client):
    used = kind("dibao")
    MeasureFactory(kind=used)
    client.force_login(world.erin)
    response = client.post(reverse("assistance:kind_delete", args=[used.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert MeasureKind.objects.filter(pk=used.pk).exists()


@pytest.mark.parametrize("who", ["alice", "carol", "frank", "grace"])
def test_catalogue_page_is_the_countys(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("assistance:kind_list")).status_code == 403
    assert client.get(reverse("assistance:kind_create")).status_code == 403
