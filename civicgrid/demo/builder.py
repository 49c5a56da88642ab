"""The demo street generator: grid, "1+2+N" staff, departments, addresses, households, residents.

`build_demo_street(DemoParams(...))` writes one seeded synthetic street (or many, for city-scale
benchmarks) in one transaction with bulk_create in batches and no per-row queries. The geometry
comes from grids.synthetic.generate_tree, which tiles each parent with its children without gaps
or overlaps; this module names the nodes, staffs the micro-grids and fills the registries.

The defaults are 康桥 (seed 002): 6 片区 (its 镇管社区, each with a 社区党委) over 62 居村 (a fifth
of them villages) over 251 micro-grids (3–5 per 居村) with 3–6 building groups each, and the roll
of 251 网格长 + 251 专职网格员 + 269 兼职网格员 + 先锋骨干, 6,200-odd people in all.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import shapely
from django.db import connections, router, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from civicgrid.demo import names
from civicgrid.demo.people import PeopleMaker
from civicgrid.grids.choices import (
    AreaKind,
    CommunityKind,
    Duty,
    GridLevel,
    PostRole,
    StaffOrigin,
)
from civicgrid.grids.models import Grid, GridPost, StaffMember
from civicgrid.registry.addresses import AddressParts
from civicgrid.registry.choices import DwellingUse, Tenure
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.services import build_address

BATCH_SIZE = 2000
DEFAULT_SEED = 2023

# 康桥 (002): 251 网格长, 251 专职网格员, 269 兼职网格员 for 251 micro-grids.
KANGQIAO_MICRO_GRIDS = 251
# "1+6+62+X": 6 镇管社区 (片区) over 62 居村.
KANGQIAO_AREAS = 6
KANGQIAO_COMMUNITIES = 62
KANGQIAO_PART_TIME = 269
# "由双报到党员、志愿者骨干等组成的各类网格在册人员6200余人": the whole roll, the 771 of the
# "1+2" included; the rest are the "N" (先锋骨干: 双报到 members, volunteers, 居(村)民小组长).
KANGQIAO_ROLL = 6230
# "党员骨干、下沉党员等任兼职网格员": where the part-time grid workers come from.
PART_TIME_ORIGINS = [StaffOrigin.SENT_DOWN, StaffOrigin.DUAL_REPORT, StaffOrigin.RESIDENT]
PART_TIME_ORIGIN_WEIGHTS = [4, 3, 3]
# Of the "N" beyond the 楼组长: 双报到 members, the rest volunteers.
DUAL_REPORT_SHARE = 0.45

# Housing stock by kind of community, as (tenure, use) → weight (普育里, an old estate: 77 公房
# and 136 售后公房 of 213). Villages' 自建房 are partly let (seed 002: "1692户农村自建房出租屋").
_OWN = DwellingUse.OWNER_OCCUPIED
HOUSING_MIX = {
    "commodity": {
        (Tenure.COMMERCIAL, _OWN): 88,
        (Tenure.COMMERCIAL, DwellingUse.RENTED): 8,
        (Tenure.OTHER, _OWN): 4,
    },
    "old": {
        (Tenure.SOLD_PUBLIC, _OWN): 60,
        (Tenure.PUBLIC_RENT, _OWN): 34,
        (Tenure.COMMERCIAL, _OWN): 6,
    },
    "village": {
        (Tenure.SELF_BUILT, _OWN): 90,
        (Tenure.SELF_BUILT, DwellingUse.RENTED): 6,
        (Tenure.OTHER, _OWN): 4,
    },
}
# Flats per floor in a building: walk-ups of old estates have 2, commodity towers 4; a building
# group with more dwellings than one building holds spreads over several (幢): walk-ups have 6
# floors, towers 18.
FLATS_PER_FLOOR = {"commodity": 4, "old": 2}
FLATS_PER_BUILDING = {"commodity": 4 * 18, "old": 2 * 6}
# "实有人口超30万" (002): `population="full"` builds ~115,000 households (~300,000 living there, 实住).
FULL_HOUSEHOLDS = 115_000
# Households written per round of bulk inserts, so the full population never sits in memory.
REGISTRY_FLUSH = 10_000


@dataclass(frozen=True)
class DemoParams:
    """What to generate. The defaults are the demo street that `make demo` loads."""

    seed: int = DEFAULT_SEED
    streets: int = 1
    areas_per_street: int = KANGQIAO_AREAS  # at most one per community
    communities: int = KANGQIAO_COMMUNITIES  # per street
    micro_grids_per_street: int = KANGQIAO_MICRO_GRIDS
    micro_grids_per_community: tuple[int, int] = (3, 5)  # where the totals allow it
    communities_per_area: tuple[int, int] = (7, 14)  # likewise
    building_groups_per_micro_grid: tuple[int, int] = (3, 6)
    households_per_building_group: int = 8
    # When set, the households of the whole run (康桥 full: FULL_HOUSEHOLDS) instead of the mean
    # per building group; 0 households per building group still means geometry only.
    households_total: int | None = None
    county_code: str = "310115"
    first_street_number: int = 125
    origin: tuple[float, float] = (121.55, 31.13)


@dataclass
class BuildResult:
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def staffing_plan(micro_grids: int, seed: int = DEFAULT_SEED) -> list[dict]:
    """Posts per micro-grid: 1 网格长, 1 专职网格员, ≥1 兼职网格员 and the 先锋骨干 ("1+2+N").

    Part-time posts scale with 康桥's 269 for 251 micro-grids; the extra ones go to micro-grids
    drawn by the seed. The whole roll scales with 康桥's 6,200-odd: the 先锋骨干 make up the
    rest, unevenly (half to one and a half times the mean per micro-grid), summing exactly.
    Pure: no database.
    """
    rng = random.Random(f"{seed}:staffing")
    part_time_total = max(
        micro_grids, round(micro_grids * KANGQIAO_PART_TIME / KANGQIAO_MICRO_GRIDS)
    )
    extra = set(rng.sample(range(micro_grids), part_time_total - micro_grids))
    roll = round(micro_grids * KANGQIAO_ROLL / KANGQIAO_MICRO_GRIDS)
    pioneers = _spread(rng, max(micro_grids, roll - 2 * micro_grids - part_time_total), micro_grids)
    return [
        {
            PostRole.LEADER: 1,
            PostRole.FULL_TIME: 1,
            PostRole.PART_TIME: 2 if i in extra else 1,
            PostRole.PIONEER: pioneers[i],
        }
        for i in range(micro_grids)
    ]


def _spread(rng: random.Random, total: int, parts: int) -> list[int]:
    """`parts` positive counts summing to `total`, each within half to 1.5 times the mean."""
    mean = total / parts
    low, high = max(1, math.floor(mean * 0.5)), max(1, math.ceil(mean * 1.5))
    counts = [rng.randint(low, high) for _ in range(parts)]
    while (diff := total - sum(counts)) != 0:
        step = 1 if diff > 0 else -1
        room = [i for i, n in enumerate(counts) if (n < high if step > 0 else n > low)]
        for i in rng.sample(room, min(abs(diff), len(room))):
            counts[i] += step
    return counts


def staffing_totals(micro_grids: int, seed: int = DEFAULT_SEED) -> Counter:
    totals = Counter()
    for posts in staffing_plan(micro_grids, seed):
        totals.update(posts)
    return totals


def chinese_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (village groups in addresses: 新苗村十二组)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _bulk(model, objs):
    return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)


def insert_rows(model, objs) -> int:
    """Insert rows nothing refers to afterwards (residents, history rows, ledger entries): the
    values bulk_create would write (auto_now times and all, each field's own conversion) in one
    executemany, without the ids read back and without building the SQL value by value, which
    took twice as long for the street's 30,000 residents. The objects get no pk; a model with
    database defaults or generated columns goes through bulk_create."""
    objs = list(objs)
    if not objs:
        return 0
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    if opts.pk.get_default() is not None or any(
        f.generated or f.has_db_default() for f in opts.concrete_fields
    ):
        return len(model.objects.bulk_create(objs, batch_size=BATCH_SIZE))
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(opts.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        rows.append([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


class _Builder:
    def __init__(self, params: DemoParams):
        self.p = params
        self.result = BuildResult()
        self.rng_names = random.Random(f"{params.seed}:names")
        self.rng_addr = random.Random(f"{params.seed}:addresses")
        self.rng_staff = random.Random(f"{params.seed}:staff")
        self.people = PeopleMaker(random.Random(f"{params.seed}:people"))
        self.lane_counter: dict[str, int] = {}
        self.community_kind: dict[int, str] = {}  # id(Grid) → kind

    # --- grid ------------------------------------------------------------------------------
    def build_grids(self) -> list[Grid]:
        from civicgrid.grids.synthetic import generate_tree

        p = self.p
        nodes = generate_tree(
            p.seed,
            streets=p.streets,
            areas_per_street=min(p.areas_per_street, p.communities),
            communities_per_street=p.communities,
            micro_grids_per_street=p.micro_grids_per_street,
            building_groups_per_micro_grid=p.building_groups_per_micro_grid,
            county_code=p.county_code,
            first_street_number=p.first_street_number,
            origin=p.origin,
            micro_grids_per_community=p.micro_grids_per_community,
            communities_per_area=p.communities_per_area,
        )
        grids: list[Grid] = []
        for node in nodes:
            parent = grids[node.parent] if node.parent is not None else None
            grids.append(
                Grid(
                    name=node.name,
                    level=node.level,
                    number=node.number,
                    parent=parent,
                    county_code=node.county_code or "",
                    geometry=node.geometry,
                    party_organisation=node.party_organisation or "",
                )
            )
        self._name_grids(grids)
        for grid in grids:
            grid.refresh_derived_fields()
        # Parents first, one level at a time, so every child has its parent's primary key.
        for level in (
            GridLevel.STREET,
            GridLevel.AREA,
            GridLevel.COMMUNITY,
            GridLevel.MICRO_GRID,
            GridLevel.BUILDING_GROUP,
        ):
            batch = [g for g in grids if g.level == level]
            _bulk(Grid, batch)
            self.result.counts[f"grid:{level}"] = len(batch)
        return grids

    def _name_grids(self, grids: list[Grid]):
        children: dict[int, list[Grid]] = {}
        for grid in grids:
            if grid.parent is not None:
                children.setdefault(id(grid.parent), []).append(grid)
        streets = [g for g in grids if g.level == GridLevel.STREET]
        for s_index, street in enumerate(streets):
            street.name = names.street_name(s_index)
            short = names.street_short(street.name)
            areas = children.get(id(street), [])
            communities = [c for a in areas for c in children.get(id(a), [])]
            communities.sort(key=lambda c: c.number)
            labels = names.community_names(self.rng_names, s_index, len(communities))
            for area in areas:
                # A 镇管社区 and its 社区党委 (康桥: "六大社区党委").
                area.name = names.area_name(area.number, s_index)
                area.party_organisation = f"{area.name}党委"
                area.area_kind = AreaKind.TOWN_COMMUNITY
            for community, (label, kind) in zip(communities, labels, strict=True):
                community.name = label
                # Micro-grids and building groups take the kind from their 居村 on refresh.
                community.community_kind = (
                    CommunityKind.VILLAGE if kind == "village" else CommunityKind.RESIDENTS
                )
                self.community_kind[id(community)] = kind
            # Neighbouring 居委 share roads (康桥 has ~30); each estate takes its own lane.
            roads = names.road_pool(
                self.rng_names,
                s_index,
                max(3, min(2 * len(communities), len(names.KANGQIAO_ROADS))),
            )
            for c_index, community in enumerate(communities):
                kind = self.community_kind[id(community)]
                micros = sorted(children.get(id(community), []), key=lambda m: m.number)
                community_roads = [
                    roads[(2 * c_index) % len(roads)],
                    roads[(2 * c_index + 1) % len(roads)],
                ]
                self._name_community(short, community, kind, micros, community_roads, children)

    def _name_community(self, short, community, kind, micros, roads, children):
        """Micro-grids 第N网格; building groups N号楼组 along lanes, or N队组 in a village."""
        rng = self.rng_addr
        lane_left = 0
        road = lane = ""
        house_no = 0
        for m_index, micro in enumerate(micros):
            micro.name = f"第{micro.number}网格"
            groups = sorted(children.get(id(micro), []), key=lambda g: g.number)
            # A micro-grid with many building groups has enough party members for a branch.
            org = "党支部" if len(groups) >= 5 else "党小组"
            micro.party_organisation = f"{community.name}第{micro.number}网格{org}"
            if kind == "village":
                # A village micro-grid is one 村民小组 (新苗村十二组); its 队组 share the group's
                # house numbers.
                road = f"{community.name}{chinese_numeral(micro.number)}组"
                for group in groups:
                    group.name = f"{group.number}队组"
                    group._demo = {"kind": kind, "road": road}
                continue
            if lane_left == 0:
                # A lane (弄, one estate) runs over 2–5 micro-grids; its buildings are numbered
                # on through them.
                road = roads[m_index % len(roads)]
                lane = self._next_lane(road)
                lane_left = rng.randint(2, 5)
                house_no = 0
            lane_left -= 1
            for group in groups:
                house_no += rng.choice((1, 1, 1, 2))
                group.name = f"{house_no}号楼组"
                group._demo = {
                    "kind": kind,
                    "road": road,
                    "lane": str(lane),
                    "number": str(house_no),
                }

    def _next_lane(self, road: str) -> int:
        rng = self.rng_addr
        current = self.lane_counter.get(road)
        lane = (
            rng.randrange(1, 60) * 50 + 1 if current is None else current + rng.randrange(20, 160)
        )
        self.lane_counter[road] = lane
        return lane

    # --- staff -----------------------------------------------------------------------------
    def build_staff(self, micros: list[Grid], groups: list[Grid]):
        """The roll. 网格长 and 专职 are the 居村's own staff (包干); 兼职 are 下沉 cadres, 双报到
        members and resident party members; of the "N", each 楼组 (队组) has its 楼组长 (村民小组长)
        from among its residents, and the rest are 双报到 members and volunteers."""
        rng = self.rng_staff
        plan = staffing_plan(len(micros), self.p.seed)
        staff: list[StaffMember] = []
        posts: list[GridPost] = []
        all_duties = list(Duty.values)
        groups_of: dict[int, list[Grid]] = {}
        for group in groups:
            groups_of.setdefault(id(group.parent), []).append(group)
        short = names.street_short(micros[0].parent.parent.parent.name) if micros else ""

        def member(gender_age, party, duties, origin=StaffOrigin.COMMUNITY):
            gender, low, high = gender_age
            year = self.people.birth_date(low, high).year
            person = StaffMember(
                name=names.person_name(rng, gender, year),
                phone=names.mobile(rng),
                is_party_member=party,
                duties=duties,
                origin=origin,
            )
            if origin == StaffOrigin.SENT_DOWN:
                person.work_unit = names.sent_down_unit(rng, short)
            elif origin == StaffOrigin.DUAL_REPORT:
                person.work_unit = names.work_unit(rng)
                person.registered_on = start_date(2015)
            staff.append(person)
            self.result.counts[f"origin:{origin}"] += 1
            return person

        def start_date(low_year=2018):
            first = datetime.date(low_year, 1, 1).toordinal()
            last = datetime.date(2024, 12, 31).toordinal()
            return datetime.date.fromordinal(rng.randint(first, last))

        for micro, counts in zip(micros, plan, strict=True):
            # 网格长: the micro-grid's party leader, a member of the 居委's committee.
            leader = member(
                (rng.choice("MF"), 35, 58), True, [Duty.OPINION.value, Duty.MEDIATION.value]
            )
            posts.append(
                GridPost(
                    micro_grid=micro, staff=leader, role=PostRole.LEADER, start_date=start_date()
                )
            )
            # 专职网格员 carries all six duties (六员).
            full = member((rng.choice("MF"), 24, 50), rng.random() < 0.5, all_duties)
            start = start_date(2019)
            posts.append(
                GridPost(micro_grid=micro, staff=full, role=PostRole.FULL_TIME, start_date=start)
            )
            if rng.random() < 0.06:
                # Turnover: a predecessor whose term ended the day before.
                before = member((rng.choice("MF"), 26, 55), rng.random() < 0.5, all_duties)
                posts.append(
                    GridPost(
                        micro_grid=micro,
                        staff=before,
                        role=PostRole.FULL_TIME,
                        start_date=start - datetime.timedelta(days=rng.randint(400, 1500)),
                        end_date=start - datetime.timedelta(days=1),
                    )
                )
                self.result.counts["post:ended"] += 1
            for _ in range(counts[PostRole.PART_TIME]):
                duties = sorted(rng.sample(all_duties, rng.randint(1, 3)))
                origin = rng.choices(PART_TIME_ORIGINS, PART_TIME_ORIGIN_WEIGHTS)[0]
                party = origin != StaffOrigin.RESIDENT or rng.random() < 0.8
                person = member((rng.choice("MF"), 25, 68), party, duties, origin)
                posts.append(
                    GridPost(
                        micro_grid=micro,
                        staff=person,
                        role=PostRole.PART_TIME,
                        start_date=start_date(),
                    )
                )
            head_role = (
                PostRole.VILLAGER_GROUP_HEAD
                if micro.community_kind == CommunityKind.VILLAGE
                else PostRole.BUILDING_GROUP_HEAD
            )
            heads = groups_of.get(id(micro), [])[: counts[PostRole.PIONEER]]
            for group in heads:
                duties = sorted(rng.sample(all_duties, rng.randint(1, 2)))
                person = member(
                    (rng.choice("MF"), 45, 75),
                    rng.random() < 0.6,
                    duties,
                    StaffOrigin.RESIDENT,
                )
                posts.append(
                    GridPost(
                        micro_grid=micro,
                        building_group=group,
                        staff=person,
                        role=head_role,
                        start_date=start_date(),
                    )
                )
            for _ in range(counts[PostRole.PIONEER] - len(heads)):
                duties = sorted(rng.sample(all_duties, rng.randint(1, 2)))
                if rng.random() < DUAL_REPORT_SHARE:
                    person = member(
                        (rng.choice("MF"), 28, 60), True, duties, StaffOrigin.DUAL_REPORT
                    )
                else:
                    person = member(
                        (rng.choice("MF"), 20, 75),
                        rng.random() < 0.4,
                        duties,
                        StaffOrigin.VOLUNTEER,
                    )
                posts.append(
                    GridPost(
                        micro_grid=micro,
                        staff=person,
                        role=PostRole.PIONEER,
                        start_date=start_date(),
                    )
                )
            for role, n in counts.items():
                if role == PostRole.PIONEER:
                    self.result.counts[f"post:{head_role}"] += len(heads)
                    n -= len(heads)
                self.result.counts[f"post:{role}"] += n
        # The demo grid worker's former post in the neighbouring micro-grid (ended), so scoping
        # visibly keeps only active posts.
        if len(micros) >= 2:
            worker = next(
                x.staff
                for x in posts
                if x.micro_grid is micros[0] and x.role == PostRole.FULL_TIME and x.end_date is None
            )
            posts.append(
                GridPost(
                    micro_grid=micros[1],
                    staff=worker,
                    role=PostRole.FULL_TIME,
                    start_date=datetime.date(2017, 3, 1),
                    end_date=datetime.date(2018, 12, 31),
                )
            )
            self.result.counts["post:ended"] += 1
        _bulk(StaffMember, staff)
        insert_rows(GridPost, posts)
        self.result.counts["staff"] = len(staff)

    # --- registry --------------------------------------------------------------------------
    def build_registry(self, groups: list[Grid]):
        per_group = self.p.households_per_building_group
        if per_group <= 0:
            return
        groups = [g for g in groups if getattr(g, "_demo", None) is not None]
        if self.p.households_total and groups:
            per_group = self.p.households_total / len(groups)
        rng = self.rng_addr
        batch: list[tuple[Address, Household, list]] = []
        house_numbers: dict[str, int] = {}
        for group in groups:
            info = group._demo
            kind = info["kind"]
            low, high = max(1, round(per_group * 0.6)), max(1, round(per_group * 1.4))
            n = rng.randint(low, high)
            points = self._points(group, n if kind == "village" else 1)
            mix = HOUSING_MIX[kind]
            for i in range(n):
                building = ""
                if kind == "village":
                    road, lane, room = info["road"], "", ""
                    house_numbers[road] = number = house_numbers.get(road, 0) + 1
                    number = str(number)
                    lon, lat = points[i]
                else:
                    per_building = FLATS_PER_BUILDING[kind]
                    b, flat_index = divmod(i, per_building)
                    if n > per_building:
                        building = str(b + 1)
                    floor, flat = divmod(flat_index, FLATS_PER_FLOOR[kind])
                    road, lane, number = info["road"], info["lane"], info["number"]
                    room = f"{floor + 1}{flat + 1:02d}"
                    lon, lat = points[0]
                address = build_address(
                    AddressParts(road=road, lane=lane, number=number, building=building, room=room),
                    group,
                )
                address.lon, address.lat = lon, lat
                tenure, use = rng.choices(list(mix), list(mix.values()))[0]
                household = Household(
                    address=address,
                    household_number=f"{group.code}{i + 1:03d}",
                    tenure=tenure,
                    use=use,
                )
                batch.append((address, household, self.people.household(kind)))
            if len(batch) >= REGISTRY_FLUSH:
                self._write_registry(batch)
                batch = []
        self._write_registry(batch)

    def _write_registry(self, batch):
        """Bulk-insert one round of addresses, households and their residents."""
        if not batch:
            return
        _bulk(Address, [address for address, _h, _p in batch])
        _bulk(Household, [household for _a, household, _p in batch])
        residents = [
            Resident(
                household=household,
                name=person.name,
                gender=person.gender,
                birth_date=person.birth_date,
                id_number=person.id_number,
                phone=person.phone,
                relation_to_head=person.relation,
                is_registered=person.is_registered,
                lives_here=person.lives_here,
                care_tags=person.care_tags,
            )
            for _a, household, people in batch
            for person in people
        ]
        insert_rows(Resident, residents)
        counts = self.result.counts
        counts["address"] += len(batch)
        counts["household"] += len(batch)
        counts["resident"] += len(residents)
        counts["resident:registered"] += sum(r.is_registered for r in residents)
        counts["resident:lives_here"] += sum(r.lives_here for r in residents)

    def _points(self, group: Grid, n: int) -> list[tuple[float, float]]:
        """n random points inside the building group's polygon (rejection sampling)."""
        shape = shapely.geometry.shape(group.geometry)
        shapely.prepare(shape)
        x0, y0, x1, y1 = shape.bounds
        rng = self.rng_addr
        out: list[tuple[float, float]] = []
        for _ in range(50):
            # Rounded to ~1 cm before the test, so the stored point is the one found inside.
            xs = [round(rng.uniform(x0, x1), 7) for _ in range(2 * n + 4)]
            ys = [round(rng.uniform(y0, y1), 7) for _ in range(2 * n + 4)]
            inside = shapely.contains_xy(shape, xs, ys)
            out += [(x, y) for x, y, ok in zip(xs, ys, inside, strict=True) if ok]
            if len(out) >= n:
                return out[:n]
        fallback = (group.centroid_lon, group.centroid_lat)
        return (out + [fallback] * n)[:n]

    # --- departments -----------------------------------------------------------------------
    def build_departments(self, street: Grid):
        from civicgrid.demo.logins import ensure_departments

        self.result.counts["department"] = ensure_departments(names.street_short(street.name))


def refresh_household_counts():
    """Grid.household_count at every level: the registry's own refresh for micro-grids and
    building groups, then one UPDATE per upper level summing the children."""
    from civicgrid.registry import services

    services.refresh_household_counts()
    for level in (GridLevel.COMMUNITY, GridLevel.AREA, GridLevel.STREET):
        total = (
            Grid.objects.filter(parent=OuterRef("pk"))
            .order_by()
            .values("parent")
            .annotate(s=Sum("household_count"))
            .values("s")[:1]
        )
        Grid.objects.filter(level=level).update(household_count=Coalesce(Subquery(total), 0))


def build_demo_street(params: DemoParams | None = None, *, logins: bool = True) -> BuildResult:
    """Write the demo street(s) in one transaction; returns counts and the time taken."""
    from civicgrid.demo.logins import ensure_demo_logins
    from civicgrid.grids.signals import bump_tree_revision

    params = params or DemoParams()
    started = time.perf_counter()
    builder = _Builder(params)
    with transaction.atomic():
        grids = builder.build_grids()
        micros = [g for g in grids if g.level == GridLevel.MICRO_GRID]
        groups = [g for g in grids if g.level == GridLevel.BUILDING_GROUP]
        if params.households_per_building_group > 0:
            # 0 households means a geometry-only street (city-scale benchmarks): no roster either,
            # which at 40,000 micro-grids would be ~270,000 people.
            builder.build_staff(micros, groups)
            builder.build_registry(groups)
        builder.build_departments(grids[0])
        refresh_household_counts()
        # bulk_create sends no post_save, so the locators must be told here.
        bump_tree_revision()
        if logins:
            ensure_demo_logins()
    builder.result.seconds = time.perf_counter() - started
    return builder.result
