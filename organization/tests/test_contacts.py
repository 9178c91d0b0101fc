"""部门通讯录: each department's contact people with phone numbers, kept by the county bureau;
codes stay out of sight."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from organization.models import DepartmentContact
from organization.services import department_contact_delete, department_contact_save
from organization.tests.factories import department


def test_the_county_adds_changes_and_removes_a_contact(world, client):
    yibao = department("yibao")
    client.force_login(world.erin)
    response = client.post(
        reverse("department_contact_new", args=[yibao.pk]),
        {"name": "陈静", "title": "科长", "phone": "0561-6088888", "order": 1},
    )
    assert response.status_code == 302
    contact = DepartmentContact.objects.get()
    assert (contact.department, contact.name, contact.phone) == (yibao, "陈静", "0561-6088888")
    assert contact.history.get().history_user == world.erin
    client.post(
        reverse("department_contact_edit", args=[contact.pk]),
        {"name": "陈静", "title": "副局长", "phone": "13900000000", "order": 1},
    )
    contact.refresh_from_db()
    assert (contact.title, contact.phone) == ("副局长", "13900000000")
    client.post(reverse("department_contact_delete", args=[contact.pk]))
    assert not DepartmentContact.objects.exists()
    assert contact.history.first().history_type == "-"


def test_everyone_reads_the_directory_with_people_and_phones_and_no_codes(world, client):
    DepartmentContact.objects.create(
        department=department("yibao"), name="陈静", title="科长", phone="0561-6088888"
    )
    client.force_login(world.alice)
    page = client.get(reverse("departments")).content.decode()
    assert "陈静" in page and 'href="tel:0561-6088888"' in page
    assert "<code>" not in page and "yibao" not in page
    assert "添加联系人" not in page and "尚未登记联系人，请联系县扶贫局" in page
    client.force_login(world.erin)
    assert "添加联系人" in client.get(reverse("departments")).content.decode()


def test_only_the_county_edits_the_directory(world, client):
    yibao = department("yibao")
    contact = DepartmentContact.objects.create(department=yibao, name="陈静", phone="1")
    with pytest.raises(PermissionDenied):
        department_contact_save(actor=world.carol, department=yibao, values={"name": "x"})
    with pytest.raises(PermissionDenied):
        department_contact_delete(actor=world.frank, contact=contact)
    client.force_login(world.frank)
    assert client.get(reverse("department_contact_new", args=[yibao.pk])).status_code == 403
    assert client.post(reverse("department_contact_delete", args=[contact.pk])).status_code == 403
    client.force_login(world.erin)
    assert client.get(reverse("department_contact_edit", args=[99999])).status_code == 404


def test_a_contact_needs_a_name_and_a_phone(world, client):
    client.force_login(world.erin)
    response = client.post(
        reverse("department_contact_new", args=[department("yibao").pk]), {"order": 0}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "phone"}
