"""Synthetic residents: households of plausible make-up, names, birth dates, GB 11643 ID numbers.

Proportions follow what the seeds report: 普育里 (001) has 213 households with 663 registered
people of whom 450 actually live there, so an old estate has about 3.1 registered people per
household and two in three of them live at home; estates of 商品房 have fewer 人户分离; villages
rent their self-built houses to non-registered tenants (康桥's 1,692 rural self-built rental
houses, 002). Ages skew old as in Shanghai's registered population.
"""

import datetime
import random
from dataclasses import dataclass, field
from itertools import accumulate

from civicgrid.demo import names
from civicgrid.registry.choices import CareTag, Gender

# Ages are counted from a fixed day so that a seed gives the same people whatever the load date.
REFERENCE_DATE = datetime.date(2025, 6, 30)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# GB/T 2260 codes. Registered residents were mostly born in 浦东 (310115) or elsewhere in the city;
# tenants come from the provinces that send most people to Shanghai.
SHANGHAI_AREA_CODES = {
    "310115": 60, "310101": 6, "310104": 5, "310105": 3, "310106": 4, "310107": 4,
    "310109": 4, "310110": 5, "310112": 4, "310113": 3, "310114": 2, "310120": 2,
}  # fmt: skip
PROVINCE_AREA_CODES = {
    "340102": 8, "340121": 6, "342201": 5, "320102": 4, "320321": 5, "411522": 5, "410102": 3,
    "510104": 3, "510921": 4, "330102": 3, "360102": 3, "420102": 3, "430102": 2, "370102": 2,
}  # fmt: skip
# random.choices with cum_weights draws exactly what it draws with the weights (it accumulates
# them itself first); accumulated once here, not for each of the ~30,000 people.
_SHANGHAI_AREAS = list(SHANGHAI_AREA_CODES)
_SHANGHAI_CUM = list(accumulate(SHANGHAI_AREA_CODES.values()))
_PROVINCE_AREAS = list(PROVINCE_AREA_CODES)
_PROVINCE_CUM = list(accumulate(PROVINCE_AREA_CODES.values()))
# A household's make-up and its weight.
_SHAPES = ["elder_alone", "elder_couple", "nuclear", "three_gen", "young", "parent_adult"]
_SHAPES_CUM = list(accumulate([10, 16, 34, 20, 12, 8]))


def id_check_char(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_number(area: str, birth: datetime.date, sequence: int, gender: str) -> str:
    """An 18-character resident ID: area + YYYYMMDD + 3-digit order (odd male) + check char."""
    seq = sequence % 1000
    if (seq % 2 == 1) != (gender == Gender.MALE):
        seq = seq + 1 if seq < 999 else seq - 1
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


@dataclass
class Person:
    name: str
    gender: str
    birth_date: datetime.date
    id_number: str
    phone: str
    relation: str
    is_registered: bool = True
    lives_here: bool = True
    care_tags: list = field(default_factory=list)


def age_on(birth: datetime.date, day: datetime.date = REFERENCE_DATE) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class PeopleMaker:
    """Makes people with unique ID numbers from one random stream."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_ids: set[str] = set()

    def birth_date(self, age_low: int, age_high: int) -> datetime.date:
        age = self.rng.randint(age_low, age_high)
        days = self.rng.randrange(365)
        birth = REFERENCE_DATE - datetime.timedelta(days=age * 365 + age // 4 + days)
        return birth

    def unique_id(self, area: str, birth: datetime.date, gender: str) -> str:
        while True:
            number = id_number(area, birth, self.rng.randrange(1, 1000), gender)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def person(self, relation, gender, age_low, age_high, *, family=None, registered=True):
        rng = self.rng
        birth = self.birth_date(age_low, age_high)
        if registered:
            area = rng.choices(_SHANGHAI_AREAS, cum_weights=_SHANGHAI_CUM)[0]
        else:
            area = rng.choices(_PROVINCE_AREAS, cum_weights=_PROVINCE_CUM)[0]
        age = age_on(birth)
        # Children have no phone of their own; some of the very old do not either.
        has_phone = age >= 16 and (age < 80 or rng.random() < 0.6)
        return Person(
            name=names.person_name(rng, gender, birth.year, family=family),
            gender=gender,
            birth_date=birth,
            id_number=self.unique_id(area, birth, gender),
            phone=names.mobile(rng) if has_phone else "",
            relation=relation,
            is_registered=registered,
        )

    def _couple(self, low, high):
        rng = self.rng
        husband_first = rng.random() < 0.7
        head_gender = Gender.MALE if husband_first else Gender.FEMALE
        other = Gender.FEMALE if husband_first else Gender.MALE
        head = self.person("户主", head_gender, low, high)
        age = age_on(head.birth_date)
        spouse = self.person("配偶", other, max(low, age - 5), min(high + 3, age + 5))
        return head, spouse

    def _child(self, parent: Person, low, high):
        gender = self.rng.choice((Gender.MALE, Gender.FEMALE))
        relation = "子" if gender == Gender.MALE else "女"
        family = parent.name[0] if parent.gender == Gender.MALE else None
        return self.person(relation, gender, low, high, family=family)

    def household(self, kind: str) -> list[Person]:
        """The people of one dwelling for a community of this kind (commodity/old/village)."""
        rng = self.rng
        shape = rng.choices(_SHAPES, cum_weights=_SHAPES_CUM)[0]
        people: list[Person] = []
        if shape == "elder_alone":
            gender = Gender.FEMALE if rng.random() < 0.65 else Gender.MALE
            people.append(self.person("户主", gender, 65, 96))
        elif shape == "elder_couple":
            people.extend(self._couple(60, 90))
        elif shape == "nuclear":
            head, spouse = self._couple(28, 55)
            people += [head, spouse]
            parent_age = age_on(head.birth_date)
            for _ in range(rng.choice((1, 1, 1, 2))):
                people.append(self._child(head, 0, max(0, min(30, parent_age - 22))))
        elif shape == "three_gen":
            elder, elder_spouse = self._couple(58, 88)
            for p in (elder, elder_spouse):
                p.relation = "父亲" if p.gender == Gender.MALE else "母亲"
            father = elder if elder.gender == Gender.MALE else elder_spouse
            g_age = age_on(father.birth_date)
            head = self.person(
                "户主", Gender.MALE, max(25, g_age - 35), max(26, g_age - 22), family=father.name[0]
            )
            h_age = age_on(head.birth_date)
            spouse = self.person("配偶", Gender.FEMALE, max(22, h_age - 5), h_age + 3)
            people += [head, spouse, elder, elder_spouse]
            people.append(self._child(head, 0, max(0, min(25, h_age - 22))))
        elif shape == "young":
            if rng.random() < 0.5:
                gender = rng.choice((Gender.MALE, Gender.FEMALE))
                people.append(self.person("户主", gender, 24, 40))
            else:
                people.extend(self._couple(25, 40))
        else:  # a widowed parent with an adult child
            gender = Gender.FEMALE if rng.random() < 0.6 else Gender.MALE
            head = self.person("户主", gender, 55, 85)
            people += [head, self._child(head, 22, max(23, age_on(head.birth_date) - 22))]
        self._who_lives_here(people, kind)
        self._care_tags(people)
        return people

    def _who_lives_here(self, people: list[Person], kind: str):
        """人户分离 and tenants, by the kind of community."""
        rng = self.rng
        # Registered here but living elsewhere: whole household (moved out, flat let) or members.
        away_all = {"commodity": 0.10, "old": 0.22, "village": 0.18}[kind]
        away_member = {"commodity": 0.08, "old": 0.22, "village": 0.15}[kind]
        if rng.random() < away_all:
            for p in people:
                p.lives_here = False
            tenants = rng.choice((1, 2, 2, 3)) + (1 if kind == "village" else 0)
            for i in range(tenants):
                gender = rng.choice((Gender.MALE, Gender.FEMALE))
                tenant = self.person("租户", gender, 20, 50, registered=False)
                tenant.relation = "租户" if i == 0 else "同住人"
                people.append(tenant)
        else:
            for p in people[1:]:
                if age_on(p.birth_date) >= 18 and rng.random() < away_member:
                    p.lives_here = False
        # Old estates carry extra registrations of grown children who live elsewhere (普育里:
        # 663 registered for 213 households).
        extra = {"commodity": 0.05, "old": 0.45, "village": 0.2}[kind]
        if rng.random() < extra:
            head = people[0]
            child = self._child(head, 18, 45)
            child.lives_here = False
            people.append(child)

    def _care_tags(self, people: list[Person]):
        rng = self.rng
        living = [p for p in people if p.lives_here]
        for p in people:
            age = age_on(p.birth_date)
            if age >= 65 and living == [p]:
                p.care_tags.append(CareTag.ELDERLY_ALONE.value)
                if age >= 75 and rng.random() < 0.2:
                    p.care_tags.append(CareTag.ELDERLY_LONELY.value)
            if rng.random() < 0.02:
                p.care_tags.append(CareTag.DISABLED.value)
            if age >= 85 and p.gender == Gender.MALE and rng.random() < 0.15:
                p.care_tags.append(CareTag.VETERAN.value)
            if age >= 50 and rng.random() < 0.012:
                p.care_tags.append(CareTag.SERIOUS_ILLNESS.value)
            if age < 16 and rng.random() < 0.01:
                p.care_tags.append(CareTag.LEFT_BEHIND_CHILD.value)
        if people and people[0].is_registered and rng.random() < 0.012:
            people[0].care_tags.append(CareTag.LOW_INCOME.value)
