import datetime

import pytest
from django.core.exceptions import ValidationError

from civicgrid.registry.choices import IdType
from civicgrid.registry.pii import mask_id_number, mask_phone
from civicgrid.registry.validators import (
    id_check_char,
    validate_document,
    validate_mobile,
    validate_resident_id,
)
from civicgrid.testing.people import make_id


def test_check_char_known_examples():
    # Worked example of GB 11643: 11010519491231002 → X.
    assert id_check_char("11010519491231002") == "X"
    assert make_id("19491231", "002", "110105") == "11010519491231002X"


def test_valid_numbers_pass_and_lowercase_x_is_normalised():
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"
    number = make_id("19900131", "123")
    assert validate_resident_id(f" {number} ") == number


@pytest.mark.parametrize(
    "number, fragment",
    [
        (make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1"), "校验码错误"),
        (make_id()[:17], "应为18位"),
        ("31011519900131002A", "应为18位"),
        ("310115900131002", "15位"),
        (make_id("19900231"), "不是有效日期"),
        (make_id("21000101"), "不合理"),
        (make_id(region="990115"), "地区码"),
    ],
)
def test_invalid_numbers(number, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(number)
    assert fragment in exc.value.messages[0]


def test_document_must_agree_with_gender_and_birth_date():
    number = make_id("19900131", "003")  # odd sequence: male
    assert validate_document(IdType.RESIDENT_ID, number, gender="M") == {}
    errors = validate_document(
        IdType.RESIDENT_ID, number, gender="F", birth_date=datetime.date(1990, 2, 1)
    )
    assert "性别" in errors["gender"] and "1990-01-31" in errors["birth_date"]


def test_other_documents_skip_the_checksum():
    assert validate_document(IdType.PASSPORT, "E12345678") == {}
    assert "证件号码" in validate_document(IdType.PASSPORT, "E1@#")["id_number"]


@pytest.mark.parametrize("raw", ["13912345678", "139 1234 5678", "+86 139-1234-5678"])
def test_mobile_ok(raw):
    assert validate_mobile(raw) == "13912345678"


@pytest.mark.parametrize("raw", ["12912345678", "1391234567", "021-12345678", "abc"])
def test_mobile_bad(raw):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(raw)
    assert "手机号" in exc.value.messages[0]


def test_masking():
    assert mask_id_number("310101199001011234") == "31**************34"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_id_number("") == "" and mask_phone("") == ""
    assert "E1234567" not in mask_id_number("E12345678")
