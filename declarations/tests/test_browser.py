"""一码申报 through a real browser at phone width (390 px): a person opens the page from their
village's QR code, changes nothing but what they must, consents, gets a receipt code, and
follows the declaration up with the code and their phone number."""

import pytest

from declarations import services
from declarations.models import Declaration, State
from households.tests.factories import new_id_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(open_page):
    return open_page(width=390, height=844)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_person_declares_from_the_qr_code_and_follows_it_up(live_server, world, page):
    token = services.poster_codes_ensure(villages=[world.a2])[world.a2.pk]
    id_number = new_id_number()

    page.goto(f"{live_server.url}/declare/v/{token}/")
    assert "甲镇 甲二村" in page.text_content(".declare__village")
    assert page.input_value("#id_village") == str(world.a2.pk)
    assert fits_the_phone(page)

    # The village is changeable: town first, then only that town's villages are offered.
    page.select_option("#id_town", str(world.town_b.pk))
    offered = page.locator("#id_village option[value]:not([value=''])")
    assert offered.all_text_contents() == ["乙镇 · 乙一村"]
    page.select_option("#id_town", str(world.town_a.pk))
    page.select_option("#id_village", str(world.a1.pk))

    page.fill("#id_name", "孙秀英")
    page.fill("#id_id_number", f"{id_number[:6]} {id_number[6:].lower()}")
    page.fill("#id_phone", "139-1234-5678")
    page.check("text=因病")
    page.check("text=因灾")
    page.fill("#id_words", "老伴住院，房子漏雨")

    # Without the consent nothing is sent.
    page.click("form.declare__form button[type=submit]")
    page.wait_for_load_state()
    assert "请阅读并勾选同意个人信息使用说明" in page.text_content("form.declare__form")
    assert not Declaration.objects.exists()
    assert page.input_value("#id_name") == "孙秀英"

    page.check("#id_consent")
    page.click("form.declare__form button[type=submit]")
    page.wait_for_selector("[data-receipt]")
    code = page.text_content("[data-receipt]").strip()
    declaration = Declaration.objects.get()
    assert code == declaration.receipt_code
    assert declaration.village == world.a1 and declaration.phone == "13912345678"
    assert {r.code for r in declaration.risk_types.all()} == {"illness", "disaster"}
    assert fits_the_phone(page)

    # Following it up from the same page.
    page.click("a:has-text('查询办理进度')")
    page.wait_for_selector("#status_code")
    page.fill("#status_code", code.lower())
    page.fill("#status_phone", "13912345678")
    page.click("form.declare__status button[type=submit]")
    page.wait_for_selector("[data-status]")
    assert page.text_content("[data-status]") == "已受理（待核实）"
    assert "孙秀英" not in page.text_content("form.declare__status")

    services.declaration_decline(
        actor=world.alice, declaration=declaration, reason="no_risk", note="入户核实收入稳定"
    )
    page.fill("#status_code", code)
    page.fill("#status_phone", "13912345678")
    page.click("form.declare__status button[type=submit]")
    page.wait_for_selector("[data-status]")
    assert page.text_content("[data-status]") == "未纳入（经核实无返贫致贫风险）"
    assert "入户核实收入稳定" not in page.content()
    assert Declaration.objects.get().state == State.DECLINED

    # A wrong phone reads like an unknown code.
    page.fill("#status_code", code)
    page.fill("#status_phone", "13800000000")
    page.click("form.declare__status button[type=submit]")
    page.wait_for_selector("[data-status-missing]")
    assert fits_the_phone(page)
