"""The demo street's garbage sorting (生活垃圾分类; seeds 000, 001, 004).

- A bin room (箱房) at every estate, in use with the two peak windows 07:00–09:00 and
  18:00–20:00, serving the estate's households; the first estate's is the rebuilt four-bin room
  (seed 001: "四分类垃圾箱房"); each team 居村 also has a recyclables service point.
- Six volunteer teams (seed 000: "六支志愿者队伍") in the first six 居村, each with volunteers and
  楼组长 as guides; last week's and this week's peak-time roster at their points — past shifts
  mostly done (checked in and out), a few missed, a few unfilled. Last week's is there so that the
  points earned on duty exist whatever day the demo is loaded (on a Monday before 09:00 no shift
  of this week is over yet). The demo resident is a volunteer guide.
- Most households (≈ 85 %) pledged; every 居村's first estate has its 居民公约 (the very first
  estate's in a second version).
- A baseline for every estate (dry/mixed kg per day before the start), then twelve months of
  weighings and this month's so far (a sample day each month, dry, wet and recyclables, hazardous waste each quarter, a few loads refused as mixed): each
  estate's reduction climbs to its own level, the first estate's to the seed's 57.89 %.
- Monthly inspections over the last six months in the team 居村 (a few fails that became 垃圾分类
  cases for the 物业, with re-inspections; one estate fails twice in a row and gets a yellow
  card) and last month's inspection of two estates in every other 居村; green-account points for a few hundred
  verified drop-offs, a goods list (兑换礼品) and some redemptions of an eco bag from it.

Everything goes through civicgrid.sorting.services (bulk ones for pledges, weighings and
rosters); the same seed gives the same data. Running it twice adds nothing.
"""

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.estates.models import Estate
from civicgrid.grids import geometry
from civicgrid.registry.models import Household
from civicgrid.sorting import services
from civicgrid.sorting.choices import GuideKind, PointKind, PointState, ShiftState
from civicgrid.sorting.models import DropOffPoint, GuideShift

TEAMS = 6
WINDOWS = [("07:00", "09:00"), ("18:00", "20:00")]
HAULERS = ["浦东新区环境卫生服务中心", "康桥镇环卫所", "上海城投环境集团"]
SEED_RATE = Decimal("0.5789")  # seed 000: 减量率达57.89%
SEED_BASELINE = Decimal("1000.00")
DRY_PER_HOUSEHOLD = Decimal("1.10")  # kg of dry/mixed waste per household per day before sorting
VOLUNTEER_NAMES = (
    "王建华 李秀英 张桂兰 刘志强 陈玉梅 杨淑珍 黄国庆 赵丽华 周海燕 吴春生 徐美凤 孙立新".split()
)
CONVENTION = (
    "一、按可回收物、有害垃圾、湿垃圾、干垃圾四类分类投放；\n"
    "二、每天 07:00–09:00、18:00–20:00 定时定点投放，误时请到误时投放点；\n"
    "三、湿垃圾破袋投放，包装袋投入干垃圾桶；\n"
    "四、大件垃圾和装修垃圾预约清运，不得随意堆放；\n"
    "五、楼组长、志愿者在投放时段值守指导，居民互相提醒。"
)


def _centre(estate, rng):
    micro = next(iter(estate.micro_grids.all()), None)
    if micro is None or not micro.geometry:
        return None, None
    point = geometry.to_shape(micro.geometry).representative_point()
    return round(point.x + rng.uniform(-3e-4, 3e-4), 6), round(
        point.y + rng.uniform(-3e-4, 3e-4), 6
    )


def build_demo_sorting(seed: int = 2023, now: datetime.datetime | None = None) -> Counter:
    """Returns counts (point, shift, pledge, weighing, inspection, case, …)."""
    now = now or timezone.now()
    counts = Counter()
    if DropOffPoint.objects.exists():
        return counts
    estates = list(
        Estate.objects.select_related("community", "property_company")
        .prefetch_related("micro_grids")
        .order_by("community__code", "name", "id")
    )
    estates = [e for e in estates if e.micro_grids.all()]
    if not estates:
        return counts
    rng = random.Random(f"{seed}:sorting")
    today = timezone.localdate(now)
    households = dict(
        Household.objects.filter(address__estate__isnull=False)
        .values_list("address__estate_id")
        .annotate(n=Count("pk"))
        .values_list("address__estate_id", "n")
    )
    by_community = defaultdict(list)
    for estate in estates:
        by_community[estate.community_id].append(estate)
    communities = list(by_community)
    team_communities = communities[:TEAMS]
    start = _month_start(today, 12)  # sorting started twelve months ago
    with transaction.atomic():
        points = _points(estates, by_community, team_communities, households, start, rng, counts)
        guides = _teams_and_guides(team_communities, by_community, rng, counts)
        _rosters(points, guides, team_communities, now, rng, counts)
        _pledges_and_conventions(estates, by_community, today, rng, counts)
        _weighings(estates, households, start, today, now, rng, counts)
        _inspections(estates, by_community, points, team_communities, today, rng, counts)
        _green_points(points, guides, now, rng, counts)
    return counts


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _points(estates, by_community, team_communities, households, start, rng, counts) -> dict:
    points = {}
    for estate in estates:
        lon, lat = _centre(estate, rng)
        served = households.get(estate.pk, 0)
        first = estate is estates[0]
        point = services.do_save_point(
            None,
            estate=estate,
            micro_grid=next(iter(estate.micro_grids.all())),
            name=f"{estate.name}垃圾箱房",
            kind=PointKind.ROOM,
            lon=lon,
            lat=lat,
            households_served=served,
            bins_recyclable=1 if first else rng.choice([0, 1]),
            bins_hazardous=1 if first else rng.choice([0, 1]),
            bins_wet=max(1, served // 60),
            bins_dry=max(1, served // 80),
            rebuilt_on=start + datetime.timedelta(days=45) if first else None,
            note="四分类垃圾箱房改造完成，示范点位" if first else "",
        )
        services.do_set_windows(point, None, WINDOWS)
        points[estate.pk] = services.do_change_point_state(point, None, PointState.IN_USE)
        counts["point"] += 1
    for community_id in team_communities:
        estate = by_community[community_id][0]
        lon, lat = _centre(estate, rng)
        point = services.do_save_point(
            None,
            estate=estate,
            micro_grid=next(iter(estate.micro_grids.all())),
            name=f"{estate.community.name}可回收物服务点",
            kind=PointKind.RECYCLING,
            lon=lon,
            lat=lat,
            bins_recyclable=3,
        )
        services.do_set_windows(point, None, [("09:00", "11:00")])
        services.do_change_point_state(point, None, PointState.IN_USE)
        counts["point"] += 1
    return points


def _teams_and_guides(team_communities, by_community, rng, counts) -> dict:
    """Guides per estate (of the team 居村): two volunteers and a 楼组长; the demo resident is a
    volunteer at the estate they live in (or the first one)."""
    resident = User.objects.filter(username="resident", role=Role.RESIDENT).first()
    guides = defaultdict(list)
    names = iter(rng.sample(VOLUNTEER_NAMES * 40, len(VOLUNTEER_NAMES) * 40))
    numbers = ["一", "二", "三", "四", "五", "六"]
    for n, community_id in enumerate(team_communities):
        members = by_community[community_id]
        team = services.do_save_team(
            None,
            name=f"{members[0].community.name}垃圾分类志愿者{numbers[n]}队",
            community=members[0].community,
            leader_name=next(names),
        )
        counts["team"] += 1
        for estate in members:
            for kind in (GuideKind.VOLUNTEER, GuideKind.VOLUNTEER, GuideKind.BUILDING_HEAD):
                guides[estate.pk].append(
                    services.do_save_guide(
                        None,
                        name=next(names),
                        kind=kind,
                        community=estate.community,
                        team=team if kind == GuideKind.VOLUNTEER else None,
                    )
                )
                counts["guide"] += 1
    if resident is not None and guides:
        # The demo resident lives in the street's first micro-grid (demo.logins).
        home = min(
            guides,
            key=lambda pk: min(g.code for g in Estate.objects.get(pk=pk).micro_grids.all()),
        )
        first = guides[home][0]
        guides[home][0] = services.do_save_guide(
            None,
            name=resident.get_full_name() or first.name,
            kind=GuideKind.VOLUNTEER,
            community=first.community,
            team=first.team,
            account=resident,
            guide=first,
        )
    return guides


def _rosters(points, guides, team_communities, now, rng, counts):
    """Last week's and this week's peak-time roster (Monday to Sunday) at the team 居村's bin
    rooms."""
    today = timezone.localdate(now)
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    clock = timezone.localtime(now)
    for estate_id, team in guides.items():
        point = points[estate_id]
        shifts = services.do_plan_shifts(
            point, None, first=monday - datetime.timedelta(days=7), last=sunday
        )
        for shift in shifts:
            counts["shift"] += 1
            roll = rng.random()
            if roll < 0.06:
                continue  # nobody found yet: 缺岗
            guide = team[0] if shift.start.hour < 12 and shift.day == today else rng.choice(team)
            services.do_assign_guide(shift, None, guide, now=now)
            start, end = services._shift_bounds(shift)
            if end <= now and roll > 0.12:  # past and not missed: checked in and out
                services.do_check_in(
                    shift, None, now=start + datetime.timedelta(minutes=rng.randint(-10, 8))
                )
                services.do_check_out(
                    shift,
                    None,
                    households_guided=rng.randint(25, 90),
                    wrong_drops=rng.randint(0, 12),
                    note=rng.choice(["", "", "湿垃圾破袋指导", "纠正混投", "发放宣传单"]),
                    now=end - datetime.timedelta(minutes=rng.randint(0, 10)),
                )
                counts["shift:done"] += 1
            elif start <= now < end and roll > 0.12:
                services.do_check_in(
                    shift, None, now=max(start, clock - datetime.timedelta(minutes=20))
                )
                counts["shift:on_duty"] += 1


def _pledges_and_conventions(estates, by_community, today, rng, counts):
    # A pledge needs the household's estate and 居村 (sorting.services._household_place): not
    # the micro-grid's geometry, which decoding for every household cost more than the pledges.
    homes = list(
        Household.objects.select_related("address__micro_grid")
        .only("pk", "address__estate", "address__micro_grid__parent")
        .order_by("pk")
    )
    pledged = [h for h in homes if rng.random() < 0.85]
    signed_on = _month_start(today, 11)
    counts["pledge"] += len(services.do_record_pledges(pledged, signed_on=signed_on))
    for members in by_community.values():
        estate = members[0]
        services.do_adopt_convention(
            estate,
            None,
            title=f"{estate.name}垃圾分类居民公约",
            text=CONVENTION,
            adopted_on=signed_on,
            adopted_at="居民议事会",
        )
        counts["convention"] += 1
    first = estates[0]
    services.do_adopt_convention(
        first,
        None,
        title=f"{first.name}垃圾分类居民公约",
        text=CONVENTION + "\n六、四分类箱房改造后，可回收物交到可回收物服务点，换取绿色账户积分。",
        adopted_on=today - datetime.timedelta(days=60),
        adopted_at="居民议事会（修订）",
    )
    counts["convention"] += 1


def _weighings(estates, households, start, today, now, rng, counts):
    rows = []
    for estate in estates:
        served = max(households.get(estate.pk, 0), 20)
        base = (DRY_PER_HOUSEHOLD * served).quantize(Decimal("0.01"))
        if estate is estates[0]:
            # The seed's unit: 382,462.83 kg reduced at 57.89 % means a baseline of ~660,672 kg
            # over its 22 months, about 1,000 kg a day.
            base = SEED_BASELINE
        services.do_set_baseline(
            None,
            estate=estate,
            kg_per_day=base,
            start_date=start,
            note="分类前三个月日均干垃圾（混合垃圾）清运量",
        )
        counts["baseline"] += 1
        target = (
            SEED_RATE if estate is estates[0] else Decimal(str(round(rng.uniform(0.22, 0.5), 3)))
        )
        # Twelve months, then this month so far: the monthly report opens on this month, and a
        # street loaded on the 7th had nothing to show there until the 15th (its sample day);
        # this month's is yesterday's, up to the 15th (none yet on the 1st).
        for month in range(13):
            first = _month_start(start, -month)
            ramp = Decimal(min(month + 1, 8)) / 8  # reaches its level after eight months
            rate = Decimal("0.08") + (target - Decimal("0.08")) * ramp
            current = (first.year, first.month) == (today.year, today.month)
            for day in (min(15, today.day - 1) if current else 15,):
                if day < 1:
                    continue
                date = first.replace(day=day)
                if date > today:
                    continue
                noise = Decimal(str(round(rng.uniform(-0.015, 0.015), 4)))
                dry = (base * (1 - rate - noise)).quantize(Decimal("0.01"))
                wet = (base * (Decimal("0.2") + rate * Decimal("0.9"))).quantize(Decimal("0.01"))
                recyclable = (base * (Decimal("0.05") + rate / 4)).quantize(Decimal("0.01"))
                hauler = rng.choice(HAULERS)
                common = {"estate": estate, "day": date, "hauler": hauler}
                rows.append({**common, "category": "dry", "kg": dry})
                rows.append({**common, "category": "wet", "kg": wet})
                rows.append({**common, "category": "recyclable", "kg": recyclable})
                if month % 3 == 2:
                    rows.append(
                        {**common, "category": "hazardous", "kg": Decimal(rng.randint(1, 6))}
                    )
                if rng.random() < 0.02:
                    rows.append(
                        {
                            **common,
                            "category": "wet",
                            "kg": (base * Decimal("0.1")).quantize(Decimal("0.01")),
                            "refused_mixed": True,
                            "note": "湿垃圾中混有塑料袋，清运单位拒收",
                        }
                    )
    counts["weighing"] += len(services.do_record_weighings(rows, now=now))


def _scores(items, rng, fail: bool) -> dict:
    out = {}
    for item in items:
        if item.is_purity:
            out[item.pk] = (
                rng.randint(8, 18) if fail else rng.randint(item.max_points - 5, item.max_points)
            )
        else:
            out[item.pk] = item.max_points - (
                rng.choice([0, 0, 0, 1, 2]) if not fail else rng.randint(1, 4)
            )
            out[item.pk] = max(0, out[item.pk])
    return out


def _inspections(estates, by_community, points, team_communities, today, rng, counts):
    tz = timezone.get_current_timezone()
    items = list(services.active_template().items.all())
    team_estates = [e for c in team_communities for e in by_community[c]]
    # Elsewhere each 居村's first two estates were inspected last month.
    others = [
        e
        for c, members in by_community.items()
        if c not in set(team_communities)
        for e in members[:2]
    ]
    failing = set(rng.sample([e.pk for e in team_estates], min(4, len(team_estates))))
    repeat = next(iter(sorted(failing)), None)  # fails twice in a row: a yellow card
    for back in range(6, 0, -1):
        first = _month_start(today, back)
        for n, estate in enumerate(team_estates):
            day = first + datetime.timedelta(days=5 + n % 15)
            at = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=tz)
            if estate.pk == repeat:
                fail = back in (3, 2)  # fails, fails its re-inspection: a yellow card
            else:
                fail = estate.pk in failing and back == 2
            done = services.do_inspect(
                None,
                estate=estate,
                point=points[estate.pk],
                scores=_scores(items, rng, fail),
                now=at,
                note="桶内混投，湿垃圾中有塑料袋" if fail else "",
            )
            counts["inspection"] += 1
            counts["case"] += done.case is not None
            counts["card"] += done.card is not None
    last = _month_start(today, 1)
    for n, estate in enumerate(others):
        at = datetime.datetime.combine(
            last + datetime.timedelta(days=3 + n % 20), datetime.time(14, 0), tzinfo=tz
        )
        fail = rng.random() < 0.2
        services.do_inspect(
            None,
            estate=estate,
            point=points[estate.pk],
            scores=_scores(items, rng, fail and n % 3 != 0),
            now=at,
        )
        counts["inspection"] += 1


# The goods list (兑换礼品) and each item's price in points.
GOODS = [("环保垃圾袋（一卷）", 2), ("洗洁精", 5), ("厨余垃圾桶", 10), ("环保购物袋", 8)]


def _green_points(points, guides, now, rng, counts):
    shifts = list(
        GuideShift.objects.filter(state__in=[ShiftState.DONE, ShiftState.ON_DUTY]).select_related(
            "point"
        )[:60]
    )
    if not shifts:
        return
    homes_by_estate = defaultdict(list)
    for home in Household.objects.filter(
        address__estate_id__in={s.point.estate_id for s in shifts}
    ).select_related("address__micro_grid"):
        homes_by_estate[home.address.estate_id].append(home)
    for shift in shifts:
        homes = homes_by_estate.get(shift.point.estate_id)
        if not homes:
            continue
        for home in rng.sample(homes, min(4, len(homes))):
            services.do_award_points(home, None, amount=rng.choice([1, 1, 2]), shift=shift, now=now)
            counts["points"] += 1
    goods = [
        services.do_save_reward(None, name=name, points=price, order=i)
        for i, (name, price) in enumerate(GOODS)
    ]
    counts["reward"] += len(goods)
    rich = [h for homes in homes_by_estate.values() for h in homes][:10]
    for home in rich:
        have = services.balance(services.household_account(home))
        if have >= goods[0].points:
            services.do_redeem_goods(home, None, items=[(goods[0], 1)], now=now)
            counts["redeem"] += 1
