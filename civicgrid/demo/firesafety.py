"""The demo street's rental houses and their fire-safety 三色码 (seed 002: "对全镇1692户农村自建房
出租屋实现‘一户一码’全覆盖").

Every let self-built house of the demo villages gets its code (一户一码: coverage 100 %) with its
particulars (floors, area, structure — a few 彩钢板 — rooms, some 三合一), and a year of
inspections: most houses green all year, some with a yellow spell, some red → yellow → green, and
now roughly three in four green, one in six yellow and a few red — the reds' last inspection goes
through firesafety.services.do_inspect, so each has its case for the fire office, the oldest
past its deadline. The year before is written in bulk (bulk_create) following the same colour
rule and terms (firesafety.workflow) to keep the demo's load fast. The fire office is the demo's
消防救援站 (XFJY) and 群租 goes to the 房管办 (FGB) when the categories have no department yet.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department, User
from civicgrid.cases.models import Category
from civicgrid.firesafety import services, workflow
from civicgrid.firesafety.choices import Colour, HouseUse, Structure
from civicgrid.firesafety.models import CheckItem, ColourChange, Finding, Inspection, RentalHouse
from civicgrid.workcalendar.services import add_working_days

G, Y, R = Colour.GREEN, Colour.YELLOW, Colour.RED
# Stories of the year (oldest first, the last is now's colour) and their weights.
STORIES = [
    ((G, G, G, G), 52),
    ((G, Y, G, G), 12),
    ((R, R, Y, G, G), 8),
    ((G, R, Y, Y, G), 5),
    ((G, G, Y), 11),
    ((R, Y, Y), 5),
    ((G, G, R), 4),
    ((G, Y, R), 3),
]
NOTES = {
    "ebike-indoors": "楼道内电动车充电，飞线从二楼窗口拉下",
    "blocked-exit": "一楼防盗窗全封闭，未留逃生口",
    "mixed-no-separation": "一楼作仓库堆放纸箱，楼上住人，无防火分隔",
    "steel-panel-living": "院内彩钢板房住了两名租客",
    "crowded-single-exit": "住了十二人，只有一部楼梯",
    "no-extinguisher": "灭火器过期",
    "no-smoke-alarm": "出租房间未装烟感",
    "loose-wiring": "插线板串接，电线未穿管",
    "gas-in-living-room": "液化气钢瓶放在租客房间",
    "overcrowding": "一间十平方米住了三人",
    "stacked-combustibles": "楼道堆放纸板和旧家具",
}


def _link_departments():
    """The fire office handles 出租屋消防隐患 and the 房管办 群租, unless someone chose already
    (categories are edited in the admin; the demo fills in what the migration could not: the
    departments did not exist yet when it ran)."""
    by_code = {d.code: d for d in Department.objects.filter(code__in=["XFJY", "FGB"])}
    for name, code in ((services.CATEGORY_NAME, "XFJY"), ("群租", "FGB")):
        if code in by_code:
            Category.objects.filter(
                family="community", name=name, default_department__isnull=True
            ).update(default_department=by_code[code])


def _deal(rng, n: int) -> list:
    """n stories in STORIES' proportions (largest remainder), shuffled; a street with a few
    houses still has its red of now."""
    total = sum(w for _s, w in STORIES)
    shares = [(story, w * n / total) for story, w in STORIES]
    counts = {story: int(share) for story, share in shares}
    rest = n - sum(counts.values())
    for story, _share in sorted(shares, key=lambda pair: pair[1] - int(pair[1]), reverse=True)[
        :rest
    ]:
        counts[story] += 1
    reds = [story for story, _w in STORIES if story[-1] == R]
    if n >= 5 and not any(counts[s] for s in reds):
        counts[STORIES[0][0]] -= 1
        counts[reds[0]] += 1
    dealt = [story for story, k in counts.items() for _i in range(k)]
    rng.shuffle(dealt)
    return dealt


def _hazards(rng, colour, majors, minors):
    if colour == G:
        return []
    if colour == Y:
        return rng.sample(minors, rng.choice([1, 1, 2]))
    if rng.random() < 0.75:
        return [rng.choice(majors), *rng.sample(minors, rng.choice([0, 1, 2]))]
    return rng.sample(minors, 3)


def _interval(colour) -> datetime.timedelta:
    term = workflow.TERMS[colour]
    return datetime.timedelta(days=term.reinspect_days or 30 * term.reinspect_months)


def _timeline(rng, story, now):
    """Inspection times for a story, newest last: the newest within its colour's interval of
    now (an overdue one now and then), each earlier one an interval of its own colour before."""
    times = []
    last = story[-1]
    gap = _interval(last)
    late = rng.random() < 0.06 and last != R
    back = (
        gap + datetime.timedelta(days=rng.randint(2, 20)) if late else gap * rng.uniform(0.1, 0.9)
    )
    at = now - back
    times.append(at)
    for colour in reversed(story[:-1]):
        at = at - _interval(colour) * rng.uniform(0.85, 1.05)
        times.append(at)
    times.reverse()
    return [
        timezone.localtime(t).replace(hour=rng.randint(9, 16), minute=rng.choice([0, 15, 30, 45]))
        for t in times
    ]


def build_demo_firesafety(*, seed: int = 7, now=None) -> dict:
    """Code the demo's let self-built houses and write their year of 三色码. Runs once: a street
    whose houses are already coded is left alone (returns {})."""
    if RentalHouse.objects.exists():
        return {}
    now = now or timezone.now()
    rng = random.Random(seed * 1009 + 14)
    counts = Counter()
    items = list(CheckItem.objects.filter(is_active=True))
    majors = [i for i in items if i.is_major]
    minors = [i for i in items if not i.is_major]
    if not majors or not minors:
        return {}
    with transaction.atomic():
        _link_departments()
        households = list(services.uncoded_rentals().order_by("pk").values_list("pk", flat=True))
        particulars = {}
        for pk in households:
            floors = rng.choice([2, 3, 3, 3, 4])
            structure = rng.choices(
                [Structure.BRICK_CONCRETE, Structure.FRAME, Structure.STEEL_PANEL],
                weights=[70, 24, 6],
            )[0]
            particulars[pk] = {
                "floors": floors,
                "area_m2": Decimal(rng.randrange(90, 160) * floors),
                "structure": structure,
                "rooms": rng.randint(3, 4 * floors),
                "use": HouseUse.MIXED if rng.random() < 0.12 else HouseUse.RESIDENTIAL,
            }
        year_ago = now - datetime.timedelta(days=365)
        houses = services.do_code_houses(
            None, households=households, particulars=particulars, now=year_ago
        )
        counts["house"] = len(houses)
        staff = {
            u.community_id: u
            for u in User.objects.filter(role=Role.COMMUNITY_STAFF, community__isnull=False)
        }
        inspections, plans, finals = [], [], []
        stories = _deal(rng, len(houses))
        for house, story in zip(houses, stories, strict=True):
            times = _timeline(rng, story, now)
            inspector = staff.get(house.community_id)
            previous = ""
            rectify = None
            # The reds of now are inspected last through the service (their case); the rest
            # of the year is written in bulk.
            bulk = list(zip(story, times, strict=True))
            if story[-1] == R:
                finals.append((house, times[-1], _hazards(rng, R, majors, minors)))
                bulk = bulk[:-1]
            for colour, at in bulk:
                found = _hazards(rng, colour, majors, minors)
                days = workflow.TERMS[colour].rectify_working_days
                if days is None:
                    rectify = None
                elif colour != previous or rectify is None:
                    rectify = add_working_days(at, days).at
                inspection = Inspection(
                    house=house,
                    inspector=inspector,
                    inspected_at=at,
                    colour=colour,
                    major_count=sum(1 for i in found if i.is_major),
                    minor_count=sum(1 for i in found if not i.is_major),
                    occupants=0,
                    landlord_acknowledged=rng.random() < 0.85,
                    rectify_by=rectify,
                    next_due=workflow.next_inspection(colour, at),
                )
                inspection.acknowledged_by = (
                    rng.choice(["房东本人", "房东家属"]) if inspection.landlord_acknowledged else ""
                )
                inspections.append(inspection)
                plans.append((inspection, found, previous))
                previous = colour
            if bulk:
                last = inspections[-1]
                house.colour = last.colour
                house.last_inspected_at = last.inspected_at
                house.next_inspection_due = last.next_due
                house.rectify_by = last.rectify_by
        people = services.occupants([h.household_id for h in houses])
        by_house = {h.pk: h for h in houses}
        for inspection in inspections:
            inspection.occupants = people.get(by_house[inspection.house_id].household_id, 0)
        Inspection.objects.bulk_create(inspections, batch_size=1000)
        findings, changes = [], []
        since = {}
        for inspection, found, previous in plans:
            for item in found:
                findings.append(
                    Finding(
                        inspection=inspection,
                        item=item,
                        severity=item.severity,
                        note=NOTES.get(item.code, "") if rng.random() < 0.7 else "",
                    )
                )
            if inspection.colour != previous:
                changes.append(
                    ColourChange(
                        house_id=inspection.house_id,
                        inspection=inspection,
                        from_colour=previous,
                        to_colour=inspection.colour,
                        user=inspection.inspector,
                        at=inspection.inspected_at,
                    )
                )
                since[inspection.house_id] = inspection.inspected_at
        Finding.objects.bulk_create(findings, batch_size=2000)
        ColourChange.objects.bulk_create(changes, batch_size=2000)
        for house in houses:
            house.colour_since = since.get(house.pk)
        RentalHouse.objects.bulk_update(
            houses,
            ["colour", "colour_since", "last_inspected_at", "next_inspection_due", "rectify_by"],
            batch_size=1000,
        )
        counts["inspection"] = len(inspections)
        counts["change"] = len(changes)
        # Now's reds, through the service: the hazards, the deadline, the fire office's case.
        # The first was found six days ago: its three working days are over (逾期未整改).
        finals.sort(key=lambda row: row[1])
        if finals:
            house, at, found = finals[0]
            finals[0] = (house, min(at, now - datetime.timedelta(days=6)), found)
        for house, at, found in finals:
            services.do_inspect(
                None,
                house,
                hazards={item.pk: NOTES.get(item.code, "") for item in found},
                landlord_acknowledged=True,
                acknowledged_by="房东本人",
                now=at,
            )
            counts["inspection"] += 1
            counts["case"] += 1
        counts.update(
            f"colour:{c or 'unrated'}" for c in RentalHouse.objects.values_list("colour", flat=True)
        )
    return dict(counts)
