"""ID numbers, names and household make-up (no database)."""

import datetime
import random

import pytest

from civicgrid.demo import names
from civicgrid.demo.builder import chinese_numeral, staffing_plan, staffing_totals
from civicgrid.demo.people import REFERENCE_DATE, PeopleMaker, age_on, id_check_char, id_number
from civicgrid.grids.choices import PostRole
from civicgrid.registry.choices import CareTag, Gender
from civicgrid.testing.people import mod11_2_valid


def test_check_char_matches_the_standard_example():
    # The worked example of GB 11643-1999.
    assert id_check_char("11010519491231002") == "X"
    assert mod11_2_valid("11010519491231002X")


def test_id_number_encodes_birth_date_and_sex():
    birth = datetime.date(1958, 3, 9)
    male = id_number("310115", birth, 123, Gender.MALE)
    female = id_number("310115", birth, 123, Gender.FEMALE)
    assert male[:14] == "31011519580309" and female[:14] == "31011519580309"
    assert int(male[16]) % 2 == 1 and int(female[16]) % 2 == 0
    assert mod11_2_valid(male) and mod11_2_valid(female)


def test_staffing_for_kangqiao_is_251_251_269():
    totals = staffing_totals(251)
    assert totals[PostRole.LEADER] == 251
    assert totals[PostRole.FULL_TIME] == 251
    assert totals[PostRole.PART_TIME] == 269
    # The roll of "6200余人" in all; the 先锋骨干 spread unevenly but never absent.
    assert sum(totals.values()) == 6230
    plan = staffing_plan(251)
    assert all(p[PostRole.PART_TIME] in (1, 2) for p in plan)
    pioneers = [p[PostRole.PIONEER] for p in plan]
    assert min(pioneers) >= 10 and max(pioneers) <= 33 and len(set(pioneers)) > 10
    # A small street keeps the proportion.
    assert sum(staffing_totals(8).values()) == round(8 * 6230 / 251)
    assert plan == staffing_plan(251) and plan != staffing_plan(251, seed=1)


def test_staffing_scales_with_the_micro_grids():
    totals = staffing_totals(8)
    assert (totals[PostRole.LEADER], totals[PostRole.FULL_TIME]) == (8, 8)
    assert totals[PostRole.PART_TIME] == round(8 * 269 / 251) == 9


def test_households_look_like_pu_yu_li():
    maker = PeopleMaker(random.Random(1))
    households = [maker.household("old") for _ in range(2000)]
    people = [p for h in households for p in h]
    registered = [p for p in people if p.is_registered]
    living_registered = [p for p in registered if p.lives_here]
    # 普育里: 663 registered in 213 households (3.1), 450 of them living there (68 %).
    assert 2.6 <= len(registered) / len(households) <= 3.6
    assert 0.55 <= len(living_registered) / len(registered) <= 0.8
    assert all(h[0].relation == "户主" for h in households)
    assert len({p.id_number for p in people}) == len(people)
    assert all(mod11_2_valid(p.id_number) for p in people)
    for p in people:
        assert p.birth_date < REFERENCE_DATE
        assert p.id_number[6:14] == p.birth_date.strftime("%Y%m%d")
        assert (int(p.id_number[16]) % 2 == 1) == (p.gender == Gender.MALE)
        assert p.id_number.startswith("3101") == p.is_registered
        assert 2 <= len(p.name) <= 4
        if p.phone:
            assert len(p.phone) == 11 and p.phone[0] == "1"
        if CareTag.ELDERLY_ALONE in p.care_tags:
            assert age_on(p.birth_date) >= 65
    assert any(CareTag.ELDERLY_ALONE in p.care_tags for p in people)


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (37, "三十七")]
)
def test_chinese_numeral(n, text):
    assert chinese_numeral(n) == text


def test_names_are_deterministic_and_unique_per_street():
    first = names.community_names(random.Random(3), 4, 12)
    assert first == names.community_names(random.Random(3), 4, 12)
    assert len({n for n, _ in first}) == 12
    assert names.community_names(random.Random(3), 0, 6)[0] == ("康桥半岛居委", "commodity")
    roads = names.road_pool(random.Random(3), 7, 40)
    assert len(set(roads)) == 40 and all(r.endswith("路") for r in roads)
    assert names.street_name(0) == "康桥镇" and names.street_short("花木街道") == "花木"
