"""One masking format for phones, whatever way the number was written or stored."""

import pytest

from civicgrid.core.masking import mask_phone, normalize_phone


@pytest.mark.parametrize(
    "written",
    [
        "13912345678",
        "139 1234 5678",
        "139-1234-5678",
        "+86 139 1234 5678",
        "+86-13912345678",
        "0086 13912345678",
        "１３９１２３４５６７８",
    ],
)
def test_a_mobile_is_stored_as_digits_and_shown_one_way(written):
    assert normalize_phone(written) == "13912345678"
    assert mask_phone(written) == "139****5678"


def test_landlines_and_short_numbers():
    assert mask_phone("021-64001234") == "021****1234"
    assert mask_phone("(021) 6400 1234") == "021****1234"
    assert mask_phone("64001234") == "****1234"
    assert mask_phone("1234") == "****"
    assert mask_phone("") == "" and mask_phone(None) == ""
