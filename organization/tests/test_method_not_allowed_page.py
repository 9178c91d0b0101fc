"""A page opened with a method it does not take answers 405 on a page of the site, in Chinese,
with the ``Allow`` header; the API keeps answering 405 in JSON."""

from django.urls import reverse


def test_opening_a_submit_only_address_shows_a_chinese_page_in_the_sites_layout(world, client):
    client.force_login(world.alice)
    response = client.get(reverse("notifications_read"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "无法这样打开" in page
    assert "只接受页面上按钮或表单的提交" in page
    # The site's layout: its title, the signed-in user's header and the way home.
    assert "濉溪县防止返贫动态监测系统" in page
    assert "退出" in page and "回到首页" in page
    # The header's sign-out form on this page still works: its CSRF cookie is set.
    assert "csrftoken" in response.cookies


def test_a_method_a_class_based_page_does_not_take_is_explained_too(db, client):
    response = client.put(reverse("logout"))
    assert response.status_code == 405
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "POST", "OPTIONS"}
    page = response.content.decode()
    assert "这个地址不接受这种提交方式" in page
    assert "回到首页" in page


def test_the_api_still_answers_a_wrong_method_in_json(world, client, api):
    api.force_authenticate(world.erin)
    response = api.post("/api/towns/", {"name": "新"}, format="json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    # Signed in to the pages, the same address still answers JSON, not the page.
    client.force_login(world.erin)
    page_client = client.delete("/api/towns/")
    assert page_client.status_code == 405
    assert page_client["Content-Type"] == "application/json"
