"""A masked ID number cannot be rebuilt from what the same role is shown beside it.

The attacker's best case: every resident is registered in a Shanghai district (the street's own
district code, 3101xx, or the old county codes), they know the birth year and the gender (both
shown), and the masked form. Every candidate number that agrees with all of it and has a valid
GB 11643 check character is counted; the old mask (4 + 4 digits beside the full birth date) left a
handful, the mask in use must leave thousands.
"""

import datetime
import random
from collections import Counter

import pytest

from civicgrid.core.masking import birth_year, mask_id_number
from civicgrid.registry.validators import ID_CHECK_CHARS, ID_WEIGHTS, id_check_char

# Districts a Shanghai street's residents are mostly registered in (GB/T 2260, past and present).
SHANGHAI_DISTRICTS = [f"3101{n:02d}" for n in range(1, 21)] + ["310230", "310151"]


def make_id(area: str, born: datetime.date, seq: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def _sums(values, offset, masked):
    """Weighted GB 11643 sums (mod 11) of the segment values that agree with the mask."""
    sums = Counter()
    for value in values:
        if all(masked[offset + i] in ("*", c) for i, c in enumerate(value)):
            sums[sum(int(c) * ID_WEIGHTS[offset + i] for i, c in enumerate(value)) % 11] += 1
    return sums


def candidates(masked: str, year: int, gender_odd: bool, *, full_date=None) -> int:
    """How many numbers agree with the masked form, the birth year (or full date) and gender:
    segment by segment (district, birth date, sequence), then the check character."""
    first = datetime.date(year, 1, 1)
    days = [full_date] if full_date else [first + datetime.timedelta(d) for d in range(366)]
    dates = [f"{d:%Y%m%d}" for d in days if d.year == year]
    seqs = [f"{n:03d}" for n in range(1000) if (n % 2 == 1) == gender_odd]
    parts = [_sums(SHANGHAI_DISTRICTS, 0, masked), _sums(dates, 6, masked), _sums(seqs, 14, masked)]
    total = Counter({0: 1})
    for part in parts:
        mixed = Counter()
        for a, n in total.items():
            for b, m in part.items():
                mixed[(a + b) % 11] += n * m
        total = mixed
    return sum(n for r, n in total.items() if masked[17] == "*" or ID_CHECK_CHARS[r] == masked[17])


def old_mask(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_masked_id_and_birth_year_leave_thousands_of_candidates(seed):
    rng = random.Random(seed)
    born = datetime.date(1945, 1, 1) + datetime.timedelta(rng.randrange(365 * 60))
    number = make_id(rng.choice(SHANGHAI_DISTRICTS), born, rng.randrange(1000))
    gender_odd = int(number[16]) % 2 == 1
    shown = mask_id_number(number)
    assert set(shown[2:-2]) == {"*"}
    assert candidates(shown, birth_year(born), gender_odd) >= 5_000


def test_the_old_mask_beside_the_full_date_was_recoverable():
    # What the hostile test found: 3101**********147X beside the birth date leaves a few numbers.
    number = make_id("310115", datetime.date(1961, 7, 14), 147)
    left = candidates(old_mask(number), 1961, True, full_date=datetime.date(1961, 7, 14))
    assert left <= 10


def test_the_api_shows_the_birth_year_never_the_day(populated, by_role, api):
    from civicgrid.accounts.choices import Role
    from civicgrid.registry.models import Resident

    resident = Resident.objects.exclude(birth_date=None).first()
    body = api(by_role[Role.ADMIN]).get(f"/api/registry/residents/{resident.pk}/").json()
    assert body["birth_year"] == resident.birth_date.year
    assert "birth_date" not in body
    assert resident.birth_date.isoformat() not in str(body)
    assert body["id_number"] == mask_id_number(resident.id_number)
