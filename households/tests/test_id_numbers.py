"""The ID-number table (GB 11643-1999; the department files of 三(四)2, issue 2).

Every way an ID number reaches the system — typed, pasted from a spreadsheet, exported
by Excel as a number — is one row here, checked twice: by the normaliser alone and
through ``member_create``, which is what pages and the API call.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from households import id_numbers, services
from households.id_numbers import (
    MSG_CHECKSUM,
    MSG_EMPTY,
    MSG_FLOAT,
    MSG_FORMAT,
    MSG_OLD,
    MSG_REGION_OR_DATE,
    make_id_number,
    normalize_id_number,
)
from households.models import Member
from households.tests.factories import HouseholdFactory

VALID = make_id_number(region="340621", born=datetime.date(1990, 1, 1), sequence=123)  # …1232
WITH_X = "34062119900101007X"  # a real check digit X (10)
assert ric.is_valid(WITH_X)


def _with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def _bad_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

# (case, typed, normalised or None, message when refused)
TABLE = [
    ("valid", VALID, VALID, None),
    ("valid with check digit X", WITH_X, WITH_X, None),
    ("lower-case x", WITH_X.lower(), WITH_X, None),
    ("full-width digits", VALID.translate(FULL_WIDTH), VALID, None),
    ("full-width X", WITH_X.translate(FULL_WIDTH), WITH_X, None),
    ("spaced", f"{VALID[:6]} {VALID[6:14]} {VALID[14:]}", VALID, None),
    ("ideographic space and tab", f"\u3000{VALID[:9]}\t{VALID[9:]} ", VALID, None),
    ("quoted as text by Excel", f"'{VALID}", VALID, None),
    ("bad checksum", _bad_check_digit(VALID), None, MSG_CHECKSUM),
    ("15-digit old number", "340621900101123", None, MSG_OLD),
    ("float, as Excel stores it", 3.40621199001011e17, None, MSG_FLOAT),
    ("float printed as text", "3.40621199001011E+17", None, MSG_FLOAT),
    ("float printed in lower case", "3.40621199001011e+17", None, MSG_FLOAT),
    ("float printed whole, last digits zero", "340621199001011000", None, MSG_FLOAT),
    ("decimal point left behind", "340621199001011232.0", None, MSG_FLOAT),
    ("empty", "", None, MSG_EMPTY),
    ("only spaces", "   ", None, MSG_EMPTY),
    (
        "bad birth date (13th month)",
        _with_check_digit("34062119901332123"),
        None,
        MSG_REGION_OR_DATE,
    ),
    ("birth date in the future", _with_check_digit("34062121000101123"), None, MSG_REGION_OR_DATE),
    (
        "17 characters",
        VALID[:-1],
        None,
        "身份证号应为18位（前17位为数字，最后一位为数字或X），当前为17位",
    ),
    ("letters inside", VALID[:10] + "AB" + VALID[12:], None, MSG_FORMAT),
]
IDS = [case for case, *_ in TABLE]


@pytest.mark.parametrize(("case", "typed", "normalised", "message"), TABLE, ids=IDS)
def test_the_normaliser(case, typed, normalised, message):
    if normalised is not None:
        assert normalize_id_number(typed) == normalised
    else:
        with pytest.raises(ValidationError) as refused:
            normalize_id_number(typed)
        assert refused.value.messages == [message]


def test_none_is_empty():
    with pytest.raises(ValidationError) as refused:
        normalize_id_number(None)
    assert refused.value.messages == [MSG_EMPTY]


def test_the_float_message_says_digits_were_lost_and_the_column_must_be_text():
    assert "后几位已丢失" in MSG_FLOAT and "文本" in MSG_FLOAT


@pytest.mark.parametrize(("case", "typed", "normalised", "message"), TABLE, ids=IDS)
def test_member_create_stores_the_normalised_number_or_refuses_in_chinese(
    world, case, typed, normalised, message
):
    household = HouseholdFactory(village=world.a1)
    fields = {"name": "测试", "id_number": typed, "relation": Member.Relation.HEAD}
    if normalised is not None:
        member = services.member_create(actor=world.alice, household=household, **fields)
        member.refresh_from_db()
        assert member.id_number == normalised
    else:
        with pytest.raises(ValidationError) as refused:
            services.member_create(actor=world.alice, household=household, **fields)
        # The normaliser's message alone: no "too long" or "required" beside it.
        assert refused.value.message_dict["id_number"] == [message]
        assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("born", "sequence", "sex"),
    [
        (datetime.date(1956, 12, 31), 1, "M"),
        (datetime.date(1956, 12, 31), 2, "F"),
        (datetime.date(2012, 2, 29), 999, "M"),
        (datetime.date(2012, 2, 29), 998, "F"),
    ],
)
def test_sex_and_birth_date_come_from_the_number(world, born, sequence, sex):
    number = make_id_number(region="340621", born=born, sequence=sequence)
    member = services.member_create(
        actor=world.alice,
        household=HouseholdFactory(village=world.a1),
        name="测试",
        id_number=number,
        relation="head",
    )
    assert (member.sex, member.birth_date) == (sex, born)
    assert (id_numbers.sex(number), id_numbers.birth_date(number)) == (sex, born)


def test_changing_the_number_changes_sex_and_birth_date(world):
    member = services.member_create(
        actor=world.alice,
        household=HouseholdFactory(village=world.a1),
        name="测试",
        id_number=make_id_number(region="340621", born=datetime.date(1960, 1, 1), sequence=1),
        relation="head",
    )
    new = make_id_number(region="340621", born=datetime.date(1961, 6, 6), sequence=2)
    member = services.member_update(actor=world.alice, member=member, id_number=new)
    member.refresh_from_db()
    assert (member.sex, member.birth_date) == ("F", datetime.date(1961, 6, 6))


@pytest.mark.parametrize("spelling", ["same", "lower-case x", "spaced"])
def test_a_number_is_unique_across_the_county(world, spelling):
    """One person, one registration: a second household in another town cannot claim them."""
    services.member_create(
        actor=world.alice,
        household=HouseholdFactory(village=world.a1),
        name="王",
        id_number=WITH_X,
        relation="head",
    )
    typed = {"same": WITH_X, "lower-case x": WITH_X.lower(), "spaced": f"{WITH_X[:6]} {WITH_X[6:]}"}
    with pytest.raises(ValidationError) as refused:
        services.member_create(
            actor=world.dave,
            household=HouseholdFactory(village=world.b1),
            name="王",
            id_number=typed[spelling],
            relation="head",
        )
    (message,) = refused.value.message_dict["id_number"]
    assert "身份证号" in message and "已存在" in message
    assert Member.objects.filter(id_number=WITH_X).count() == 1


def test_masking_hides_the_birth_date():
    assert id_numbers.mask(WITH_X) == "340621********007X"
    assert "19900101" not in id_numbers.mask(WITH_X)


def test_make_id_number_makes_valid_numbers():
    for sequence in range(0, 1000, 37):
        assert ric.is_valid(
            make_id_number(region="340621", born=datetime.date(1985, 7, 7), sequence=sequence)
        )
