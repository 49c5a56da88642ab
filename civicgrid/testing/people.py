"""Households and residents for the tests, with well-formed ID numbers (GB 11643 check
character computed) and realistic names."""

import datetime
import itertools

from civicgrid.registry.choices import CareTag, DwellingUse, Tenure
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.validators import id_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "秀英",
    "桂英",
    "建国",
    "国强",
    "志明",
    "丽华",
    "海燕",
    "振华",
    "美玲",
    "文杰",
    "晓东",
    "玉兰",
]

_sequence = itertools.count(1)
_household_sequence = itertools.count(1)


def make_id(birth="19900131", seq="002", region="310115") -> str:
    """A well-formed resident ID number with the check character computed. `birth` is
    "YYYYMMDD" or a date, `seq` three digits or an int (its last three digits are used)."""
    if isinstance(birth, datetime.date):
        birth = f"{birth:%Y%m%d}"
    if isinstance(seq, int):
        seq = f"{seq % 1000:03d}"
    first17 = f"{region}{birth}{seq}"
    return first17 + id_check_char(first17)


def mod11_2_valid(number: str) -> bool:
    """ISO 7064 MOD 11-2 in its own form: Σ a_i·2^(18-i) ≡ 1 (mod 11), X counting 10 — an
    independent check of the ID numbers id_check_char makes."""
    values = [10 if ch == "X" else int(ch) for ch in number]
    return sum(v * pow(2, 17 - i, 11) for i, v in enumerate(values)) % 11 == 1


def add_residents(
    building_group,
    n=2,
    *,
    start=0,
    tenure=Tenure.SOLD_PUBLIC,
    use=DwellingUse.OWNER_OCCUPIED,
    road="测试路",
):
    """One address + household (`tenure`, `use`) in the building group with n residents
    (alternating sex)."""
    address = Address.objects.create(
        road=road, lane=str(building_group.pk), number=str(start + 1), building_group=building_group
    )
    household = Household.objects.create(address=address, tenure=tenure, use=use)
    people = []
    for i in range(n):
        n_seq = next(_sequence)
        seq = f"{n_seq % 1000:03d}"
        birth = datetime.date(1950 + n_seq // 1000 + i, 1 + i % 12, 10)
        people.append(
            Resident.objects.create(
                household=household,
                name=f"居民{building_group.pk}-{start + i}",
                gender="M" if int(seq[-1]) % 2 else "F",
                birth_date=birth,
                id_number=make_id(birth, seq),
                # Eleven digits whatever the key: PostgreSQL's sequences run on across tests.
                phone=f"139{building_group.pk % 10000:04d}{start + i:04d}",
                is_registered=i % 2 == 0,
                lives_here=True,
            )
        )
    return household, people


def add_household(building_group, number, *, residents=2, road="秀沿路", lane="1501"):
    """A household at `road` `lane`弄 `number`号 301室 with `residents` named residents (every
    fifth an elderly person living alone)."""
    address = Address.objects.create(
        road=road,
        lane=lane,
        number=str(number),
        room="301",
        building_group=building_group,
    )
    household = Household.objects.create(
        address=address, tenure=Tenure.COMMERCIAL, use=DwellingUse.OWNER_OCCUPIED
    )
    for i in range(residents):
        n = next(_household_sequence)
        birth = datetime.date(1950 + n % 40, 1 + n % 12, 1 + n % 28)
        Resident.objects.create(
            household=household,
            name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
            gender="M" if n % 2 else "F",
            birth_date=birth,
            id_number=make_id(birth, n),
            phone=f"1391234{n:04d}",
            relation_to_head="户主" if i == 0 else "配偶",
            care_tags=[CareTag.ELDERLY_ALONE] if n % 5 == 0 else [],
        )
    return household
