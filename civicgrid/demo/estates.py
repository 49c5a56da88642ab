"""The demo street's estates (小区; in a village its 村民小组), their 物业 and 业委会.

Each 居村 gets 4–8 estates over its micro-grids; the lanes its addresses already use are split
among them as address ranges, and every address is matched to its estate. One old estate carries
普育里's figures (seed 001): built 1867, 不可移动文物, 213 households (77 公房, 136 售后公房),
663 registered residents, 450 of them living there. Everything goes through estates.services.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db import transaction

from civicgrid.demo.people import PeopleMaker
from civicgrid.estates import services
from civicgrid.estates.choices import EstateClass, EstateKind
from civicgrid.estates.models import Estate, PropertyCompany, lane_number
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.choices import DwellingUse, Tenure
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.services import build_address, refresh_household_counts

COMPANIES = [
    ("康桥物业管理有限公司", "赵经理"),
    ("浦东城建物业服务有限公司", "钱经理"),
    ("上海秀康物业有限公司", "孙经理"),
    ("周浦康居物业管理有限公司", "李经理"),
    ("上海航头乐居物业有限公司", "周经理"),
]
ESTATE_SUFFIXES = ["苑", "新村", "花园", "小区", "公寓", "家园", "名邸", "坊"]
ESTATE_WORDS = [
    "康乐", "秀康", "沔北", "叠桥", "康花", "南洲", "绿波", "康桥", "百曲", "东明",
    "秀沿", "康涵", "听潮", "周康", "御桥", "锦康", "和康", "晨康", "汇康", "怡康",
    "丽康", "康城", "海富", "博康", "华康", "鹏康", "康沁", "盛康", "康和", "康馨",
    "银杏", "香樟", "紫薇", "海棠", "玉兰", "桂花", "丁香", "枫林", "莲溪", "春晓",
    "晨曦", "阳光", "碧云", "翠湖", "金色", "东方", "世纪", "锦绣", "瑞和", "怡景",
]  # fmt: skip
PUYULI = {"households": 213, "public_rent": 77, "registered": 663, "living": 450}


PHASES = "二三四五六七八九十"


def _unused(name: str, used: set) -> str:
    """`name`, or its next phase (东明公寓二期, 三期 …) when the street has it already (every
    word and suffix taken): a street has one 东明公寓, and a list of its estates that named five
    alike was a guess."""
    chosen, phase = name, 0
    while chosen in used:
        chosen = f"{name}{PHASES[phase]}期" if phase < len(PHASES) else f"{name}{phase + 2}期"
        phase += 1
    used.add(chosen)
    return chosen


def _is_village(community: Grid) -> bool:
    return getattr(community, "kind", "") == "village" or community.name.endswith("村")


def build_demo_estates(seed: int = 2023) -> dict:
    """Estates for every 居村 of the demo street and 普育里; returns counts."""
    rng = random.Random(f"{seed}:estates")
    counts = defaultdict(int)
    with transaction.atomic():
        companies = [
            services.do_save_property_company(
                PropertyCompany(name=name, contact_name=contact, contact_phone=f"139{i:04d}{i:04d}")
            )
            for i, (name, contact) in enumerate(COMPANIES, start=1)
            if not PropertyCompany.objects.filter(name=name).exists()
        ] or list(PropertyCompany.objects.all())
        lanes_by_community = defaultdict(lambda: defaultdict(set))
        for road, lane, community in Address.objects.values_list(
            "road", "lane", "micro_grid__parent"
        ):
            number = lane_number(lane)
            if number is not None:
                lanes_by_community[community][road].add(number)
        communities = Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code")
        used = set(Estate.objects.values_list("name", flat=True))
        for community in communities:
            if community.estates.exists():
                continue
            village = _is_village(community)
            micros = list(community.children.filter(level=GridLevel.MICRO_GRID).order_by("code"))
            n = rng.randint(4, 8)
            estates = []
            for i in range(n):
                if village:
                    name = f"{community.name.removesuffix('村委会').removesuffix('村')}{i + 1}组"
                    kind, estate_class = EstateKind.VILLAGER_GROUP, EstateClass.PEASANT
                else:
                    free = [
                        f"{word}{suffix}"
                        for word in ESTATE_WORDS
                        for suffix in ESTATE_SUFFIXES
                        if f"{word}{suffix}" not in used
                    ]
                    name = _unused(rng.choice(free or sorted(used)), used)
                    kind = EstateKind.ESTATE
                    estate_class = rng.choice(
                        [EstateClass.COMMERCIAL] * 3
                        + [EstateClass.OLD, EstateClass.RESETTLEMENT, EstateClass.AFFORDABLE_RENTAL]
                    )
                estate = services.do_save_estate(
                    Estate(
                        name=name,
                        kind=kind,
                        estate_class=estate_class,
                        community=community,
                        year_built=rng.randint(1985, 2020) if not village else None,
                        property_company=None if village else rng.choice(companies),
                    ),
                    micro_grids=[micros[j] for j in range(len(micros)) if j % n == i],
                )
                estates.append(estate)
                counts["estate"] += 1
            # Each road's lanes, in order, cut into n contiguous runs: one per estate.
            ranges = defaultdict(list)
            for road, lanes in sorted(lanes_by_community[community.pk].items()):
                ordered = sorted(lanes)
                size = max(1, -(-len(ordered) // n))
                for k in range(0, len(ordered), size):
                    chunk = ordered[k : k + size]
                    ranges[estates[(k // size) % n].pk].append(
                        {"road": road, "lane_from": chunk[0], "lane_to": chunk[-1]}
                    )
            for estate in estates:
                if ranges[estate.pk]:
                    services.do_set_address_ranges(estate, ranges[estate.pk], assign=False)
            for estate in estates[:2] if not village else []:
                services.do_elect_committee(
                    estate,
                    term_start=datetime.date(2024, 1, 1),
                    term_end=datetime.date(2028, 12, 31),
                    members=[
                        {"name": "业委会主任", "role": "chair", "is_party_member": True},
                        {"name": "业委会委员", "role": "member"},
                    ],
                    party_liaison="居委党总支委员",
                    is_red=estate is estates[0],
                )
        counts["address"] = services.assign_addresses()
        counts.update(_build_puyuli(rng, communities))
        refresh_household_counts()
        counts["rental"] = _build_rentals(rng)
    return dict(counts)


def _build_rentals(rng, limit: int = 40) -> int:
    """租赁登记 for some of the let households: the landlord by name and phone (often not living
    there), the household's residents as tenants. Runs once (skipped when any exists)."""
    from civicgrid.demo.names import person_name
    from civicgrid.registry.choices import RENTED_USES
    from civicgrid.registry.models import RentalRegistration
    from civicgrid.registry.services import do_register_rental

    if RentalRegistration.objects.exists():
        return 0
    let = list(
        Household.objects.filter(use__in=RENTED_USES)
        .prefetch_related("residents")
        .order_by("pk")[: limit * 3]
    )
    made = 0
    for household in rng.sample(let, min(limit, len(let))):
        do_register_rental(
            household,
            start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(300)),
            landlord_name=person_name(rng, rng.choice("MF"), rng.randint(1950, 1985)),
            landlord_phone=f"139{rng.randrange(10**8):08d}",
            tenants=list(household.residents.all())[:3],
        )
        made += 1
    return made


def _build_puyuli(rng, communities) -> dict:
    """普育里: an old lane estate of 1867 with its 001 figures, in the first 居委."""
    if Estate.objects.filter(name="普育里").exists():
        return {}
    community = next((c for c in communities if not _is_village(c)), None)
    if community is None:
        return {}
    group = (
        Grid.objects.filter(level=GridLevel.BUILDING_GROUP, parent__parent=community)
        .order_by("code")
        .first()
    )
    if group is None:
        return {}
    estate = services.do_save_estate(
        Estate(
            name="普育里",
            community=community,
            estate_class=EstateClass.OLD,
            year_built=1867,
            is_heritage=True,
            heritage_note="不可移动文物",
        ),
        micro_grids=[group.parent],
    )
    services.do_set_address_ranges(
        estate, [{"road": "普育东路", "lane_from": 1, "lane_to": 99}], assign=False
    )
    addresses = [
        build_address(f"普育东路{1 + i // 30}弄{i % 30 + 1}号", group)
        for i in range(PUYULI["households"])
    ]
    for address in addresses:
        address.estate = estate
    Address.objects.bulk_create(addresses)
    addresses = list(Address.objects.filter(estate=estate).order_by("pk"))
    Household.objects.bulk_create(
        Household(
            address=address,
            tenure=Tenure.PUBLIC_RENT if i < PUYULI["public_rent"] else Tenure.SOLD_PUBLIC,
            use=DwellingUse.OWNER_OCCUPIED,
        )
        for i, address in enumerate(addresses)
    )
    households = list(Household.objects.filter(address__estate=estate).order_by("pk"))
    maker = PeopleMaker(rng)
    residents = []
    for i in range(PUYULI["registered"]):
        gender = "M" if i % 2 else "F"
        person = maker.person("户主" if i < len(households) else "家庭成员", gender, 18, 90)
        residents.append(
            Resident(
                household=households[i % len(households)],
                name=person.name,
                gender=person.gender,
                birth_date=person.birth_date,
                # No document numbers: the street's generator owns the ID sequence.
                relation_to_head=person.relation,
                is_registered=True,
                lives_here=i < PUYULI["living"],
            )
        )
    Resident.objects.bulk_create(residents, batch_size=1000)
    return {"puyuli_households": len(households), "puyuli_residents": len(residents)}
