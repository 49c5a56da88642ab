"""The demo street's shared parking (错峰共享停车, seed 004: 春申复地城一期).

"在册登记607辆车，车位数440个": the commercial estate with a 红色业委会 and the most households
stands in for 春申复地城一期 — 607 registered cars, 440 spaces (产权固定, 租赁固定, 公共, 访客),
the 业委会's rules (v1 from 1 January, adopted by the 建章立制 working group), about 60 holders
sharing their space on working days 08:00–18:00 and 500-odd shares January–August ("1至8月约共享
固定车位500余次"), a few no-shows, cancellations and overstays, and the congestion log falling from
two or three a day before the launch to none ("日均两起以上" → "零拥堵"). A second estate of
another 居村 shares an office car park at night (19:00–07:00). Today has bookings at the gate
(one overstayed), and the `resident` login acts for a household of the first estate.

Offers and rules go through civicgrid.parking.services; the months of bookings, their history
rows and the congestion log are written in bulk (a few thousand rows; no two bookings of a space
overlap: one per space and day). The same seed gives the same figures.
"""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.demo.builder import insert_rows
from civicgrid.estates.choices import EstateClass
from civicgrid.estates.models import Estate, OwnersCommittee
from civicgrid.parking import services
from civicgrid.parking.choices import BookingState as S
from civicgrid.parking.choices import Days, SpaceKind
from civicgrid.parking.models import (
    Booking,
    BookingEvent,
    CongestionReport,
    Space,
    Vehicle,
)
from civicgrid.registry.models import Household
from civicgrid.workcalendar.services import get_calendar

CARS, SPACES = 607, 440
KINDS = (
    (SpaceKind.OWNED, 300),
    (SpaceKind.LEASED, 80),
    (SpaceKind.PUBLIC, 50),
    (SpaceKind.VISITOR, 10),
)
SHARING_HOLDERS = 60
SHARES_JAN_AUG = 520
OFFICE = "康桥商务中心地下车库"
OFFICE_SPACES = 30
PROVINCE = "沪"
PLATE_LETTERS = "ABCDEFGHJKLMN"
PLACES = ("小区大门", "地下车库入口", "3号楼消防通道", "南门外辅路")


def _rules(estate, committee, effective_from, now):
    return services.do_adopt_rules(
        None,
        estate=estate,
        committee=committee,
        effective_from=effective_from,
        slot_minutes=60,
        weekly_cap_hours=20,
        grace_minutes=15,
        strikes_to_suspend=3,
        strike_window_days=90,
        suspend_days=30,
        overstay_notice="超时占用将通知车位持有户和物业；90天内三次超时暂停预约30天。",
        now=now,
    )


def _committee(estate, day):
    return (
        OwnersCommittee.objects.filter(estate=estate, term_start__lte=day, term_end__gte=day)
        .order_by("-term_start")
        .first()
    )


def _plates(rng, n, taken):
    plates = []
    while len(plates) < n:
        plate = f"{PROVINCE}{rng.choice(PLATE_LETTERS)}{rng.randrange(100000):05d}"
        if plate not in taken:
            taken.add(plate)
            plates.append(plate)
    return plates


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Writer:
    """Bookings and their history rows, written in bulk at the end. A step after `now` has not
    happened yet: it is left out (last night's car, loaded at 00:30, is still parked)."""

    def __init__(self, now):
        self.now = now
        self.bookings = []
        self.events = []

    def add(self, offer, household, estate, vehicle, start, end, path, *, made):
        """`path`: the states after 'requested' with the moment of each."""
        path = [step for step in path if step[1] <= self.now]
        booking = Booking(
            offer=offer,
            space_id=offer.space_id,
            community_id=estate.community_id,
            household=household,
            estate=estate,
            vehicle=vehicle,
            starts_at=start,
            ends_at=end,
            state=path[-1][0] if path else S.REQUESTED,
            created_at=made,
        )
        for state, at in path:
            if state == S.PARKED:
                booking.arrived_at = at
            if state == S.COMPLETED:
                booking.left_at = at
        self.bookings.append(booking)
        rows, previous = [(S.REQUESTED, made, "")], S.REQUESTED
        for state, at in path:
            rows.append((state, at, previous))
            previous = state
        self.events.append(rows)

    def write(self):
        Booking.objects.bulk_create(self.bookings, batch_size=500)
        insert_rows(
            BookingEvent,
            (
                BookingEvent(booking=b, from_state=prev, to_state=state, at=at)
                for b, rows in zip(self.bookings, self.events, strict=True)
                for state, at, prev in rows
            ),
        )
        return len(self.bookings)


def _used_path(rng, start, end, *, overstay=False):
    arrive = start + datetime.timedelta(minutes=rng.randint(0, 20))
    if overstay:
        marked = end + datetime.timedelta(minutes=rng.randint(20, 40))
        return [
            (S.CONFIRMED, start - datetime.timedelta(hours=12)),
            (S.PARKED, arrive),
            (S.OVERSTAY, marked),
            (S.COMPLETED, marked + datetime.timedelta(minutes=rng.randint(10, 50))),
        ]
    leave = end - datetime.timedelta(minutes=rng.randint(0, 30))
    return [
        (S.CONFIRMED, start - datetime.timedelta(hours=12)),
        (S.PARKED, arrive),
        (S.COMPLETED, leave),
    ]


def build_demo_parking(*, seed: int = 7, now=None) -> dict:
    """Builds the two estates' shared parking; returns counts ({} when it exists already)."""
    if Space.objects.exists():
        return {}
    rng = random.Random(f"{seed}:parking")
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = today.year if today.month >= 9 else today.year - 1
    launch = datetime.date(year, 1, 1)
    # The estate that stands in for 春申复地城一期: a 红色业委会 in office since before the launch,
    # the most households, a 商品房 estate if there is one.
    candidates = list(
        Estate.objects.filter(
            committees__is_red=True,
            committees__term_start__lte=launch,
            committees__term_end__gte=today,
        )
        .annotate(n=Count("addresses__households", distinct=True))
        .filter(n__gte=4)
        .order_by("-n", "pk")
    )
    candidates.sort(key=lambda e: e.estate_class != EstateClass.COMMERCIAL)
    if not candidates:
        return {}
    first = candidates[0]
    second = (
        Estate.objects.filter(committees__term_start__lte=launch, committees__term_end__gte=today)
        .exclude(community=first.community)
        .annotate(n=Count("addresses__households", distinct=True))
        .filter(n__gte=2)
        .order_by("-n", "pk")
        .first()
    )
    counts = defaultdict(int)
    calendar = get_calendar()
    with transaction.atomic():
        writer = _Writer(now)
        taken = set()
        first_homes = list(Household.objects.filter(address__estate=first).order_by("pk"))
        vehicles = _vehicles(rng, first, first_homes, CARS, taken, launch)
        counts["vehicle"] += len(vehicles)
        holders = _spaces(first, first_homes, KINDS)
        counts["space"] += SPACES
        _rules(
            first, _committee(first, launch), launch, _at(launch, 9) - datetime.timedelta(days=12)
        )
        fixed = list(
            Space.objects.filter(estate=first, holder__isnull=False)
            .select_related("holder")
            .order_by("pk")
        )
        # One shared space per sharing household ("about 60 holders").
        by_holder = {}
        for space in fixed:
            by_holder.setdefault(space.holder_id, space)
        sharing = rng.sample(
            sorted(by_holder.values(), key=lambda sp: sp.pk), min(SHARING_HOLDERS, len(by_holder))
        )
        offers = [
            services.do_offer(
                None,
                space=space,
                first_day=launch,
                last_day=datetime.date(year, 12, 31),
                days=Days.WORKING,
                start_time=datetime.time(8),
                end_time=datetime.time(18),
                now=_at(launch, 8) - datetime.timedelta(days=3),
            )
            for space in sharing
        ]
        counts["offer"] += len(offers)
        car_of = {v.household_id: v for v in vehicles}
        counts.update(
            _daytime_bookings(
                rng, writer, first, first_homes, offers, car_of, launch, today, now, calendar
            )
        )
        counts["congestion"] += _congestion(rng, first, launch, today)
        if second is not None:
            counts.update(_night_sharing(rng, writer, second, taken, launch, today, now))
        counts["booking"] = writer.write()
        counts["resident"] = _resident_login(first, sharing, first_homes)
    counts["estate"] = first.name
    counts["holders"] = len(holders)
    return dict(counts)


def _vehicles(rng, estate, homes, n, taken, launch):
    plates = _plates(rng, n, taken)
    return Vehicle.objects.bulk_create(
        Vehicle(
            plate=plate,
            household=homes[i % len(homes)],
            estate=estate,
            community_id=estate.community_id,
            since=launch - datetime.timedelta(days=rng.randint(30, 3000)),
        )
        for i, plate in enumerate(plates)
    )


def _spaces(estate, homes, kinds):
    rows, holders, n = [], set(), 0
    for kind, count in kinds:
        for _i in range(count):
            n += 1
            holder = None
            if kind in (SpaceKind.OWNED, SpaceKind.LEASED):
                holder = homes[n % len(homes)]
                holders.add(holder.pk)
            prefix = {"owned": "B1", "leased": "B2", "public": "G", "visitor": "V"}[kind]
            rows.append(
                Space(
                    code=f"{prefix}-{n:03d}",
                    kind=kind,
                    estate=estate,
                    community_id=estate.community_id,
                    holder=holder,
                )
            )
    Space.objects.bulk_create(rows)
    return holders


def _daytime_bookings(rng, writer, estate, homes, offers, car_of, launch, today, now, calendar):
    counts = defaultdict(int)
    days = []
    day = launch
    while day <= today:
        if calendar.is_workday(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    aug = datetime.date(launch.year, 8, 31)
    jan_aug = [d for d in days if d <= aug]
    later = [d for d in days if aug < d < today]
    # 520 shares January–August, a few more later; plus no-shows and cancellations.
    plan = [(d, "used") for d in rng.choices(jan_aug, k=SHARES_JAN_AUG)]
    plan += [(d, "used") for d in rng.choices(later, k=4 * len(later))] if later else []
    plan += [(d, "no_show") for d in rng.choices(days[:-1] or days, k=15)]
    plan += [(d, "cancelled") for d in rng.choices(days[:-1] or days, k=20)]
    overstays = set(rng.sample(range(SHARES_JAN_AUG), 6))
    busy = set()
    for i, (day, kind) in enumerate(plan):
        offer = _free_offer(rng, offers, day, busy)
        if offer is None:
            continue
        household = _booker(rng, homes, offer)
        hour = rng.randint(8, 14)
        start = _at(day, hour)
        end = _at(day, min(18, hour + rng.choice((2, 3, 4))))
        made = start - datetime.timedelta(hours=rng.randint(12, 48))
        if kind == "used":
            path = _used_path(rng, start, end, overstay=i in overstays)
            counts["overstay" if i in overstays else "share"] += 1
        elif kind == "no_show":
            path = [(S.CONFIRMED, made), (S.NO_SHOW, start + datetime.timedelta(minutes=20))]
            counts["no_show"] += 1
        else:
            path = [(S.CONFIRMED, made), (S.CANCELLED, made + datetime.timedelta(hours=2))]
            counts["cancelled"] += 1
        writer.add(offer, household, estate, car_of.get(household.pk), start, end, path, made=made)
    if today in days:
        counts["today"] = _today(rng, writer, estate, homes, offers, car_of, today, now, busy)
    return counts


def _free_offer(rng, offers, day, busy):
    for _try in range(10):
        offer = rng.choice(offers)
        if (offer.pk, day) not in busy:
            busy.add((offer.pk, day))
            return offer
    return None


def _booker(rng, homes, offer):
    while True:
        household = rng.choice(homes)
        if household.pk != offer.space.holder_id:
            return household


def _today(rng, writer, estate, homes, offers, car_of, today, now, busy):
    """Today at the gate: cars that came and left, one still there after its end (超时占用),
    cars parked now and bookings to come."""
    made = now - datetime.timedelta(hours=20)
    n = 0
    for slot in range(8):
        offer = _free_offer(rng, offers, today, busy)
        if offer is None:
            break
        start, end = _at(today, 8 + slot), _at(today, 9 + slot)
        path = [
            (S.CONFIRMED, made),
            (S.PARKED, start + datetime.timedelta(minutes=5)),
        ]
        if slot == 0:
            path.append((S.OVERSTAY, end + datetime.timedelta(minutes=20)))
        else:
            path.append((S.COMPLETED, end - datetime.timedelta(minutes=5)))
        path = [step for step in path if step[1] <= now]
        household = _booker(rng, homes, offer)
        writer.add(offer, household, estate, car_of.get(household.pk), start, end, path, made=made)
        n += 1
    return n


def _congestion(rng, estate, launch, today):
    rows = []
    day = launch - datetime.timedelta(days=61)
    while day <= today:
        if day < launch:
            n = rng.choice((2, 2, 3, 3, 2, 3, 2))  # "日均两起以上"
        elif day < launch + datetime.timedelta(days=14):
            n = rng.choice((0, 1, 1))
        elif day < launch + datetime.timedelta(days=45):
            n = 1 if rng.random() < 0.1 else 0
        else:
            n = 0  # "零拥堵"
        for _i in range(n):
            rows.append(
                CongestionReport(
                    estate=estate,
                    community_id=estate.community_id,
                    at=_at(day, rng.choice((7, 8, 17, 18, 19)), rng.randrange(60)),
                    place=rng.choice(PLACES),
                    minutes=rng.randint(10, 45),
                    reporter_name="门岗",
                )
            )
        day += datetime.timedelta(days=1)
    CongestionReport.objects.bulk_create(rows)
    return len(rows)


def _night_sharing(rng, writer, estate, taken, launch, today, now):
    """The second estate: its own cars and spaces, and an office car park shared at night."""
    homes = list(Household.objects.filter(address__estate=estate).order_by("pk"))
    vehicles = _vehicles(rng, estate, homes, 180, taken, launch)
    _spaces(estate, homes, ((SpaceKind.OWNED, 90), (SpaceKind.PUBLIC, 30)))
    start = max(launch + datetime.timedelta(days=90), today - datetime.timedelta(days=180))
    _rules(estate, _committee(estate, start), start, _at(start, 9) - datetime.timedelta(days=10))
    Space.objects.bulk_create(
        Space(
            code=f"B2-{i + 1:02d}",
            kind=SpaceKind.PUBLIC,
            unit_name=OFFICE,
            community_id=estate.community_id,
        )
        for i in range(OFFICE_SPACES)
    )
    office = list(Space.objects.filter(unit_name=OFFICE).order_by("pk"))
    offers = [
        services.do_offer(
            None,
            space=space,
            first_day=start,
            last_day=today + datetime.timedelta(days=90),
            days=Days.EVERY,
            start_time=datetime.time(19),
            end_time=datetime.time(7),
            estates=[estate],
            now=_at(start, 8),
        )
        for space in office
    ]
    car_of = {v.household_id: v for v in vehicles}
    n = 0
    day = start
    while day < today:
        for offer in rng.sample(offers, rng.randint(2, 5)):
            household = rng.choice(homes)
            b_start = _at(day, 19) + datetime.timedelta(hours=rng.choice((0, 1, 2)))
            b_end = _at(day + datetime.timedelta(days=1), 7)
            made = b_start - datetime.timedelta(hours=6)
            writer.add(
                offer,
                household,
                estate,
                car_of.get(household.pk),
                b_start,
                b_end,
                _used_path(rng, b_start, b_end),
                made=made,
            )
            n += 1
        day += datetime.timedelta(days=1)
    return {"night_share": n, "office_spaces": OFFICE_SPACES}


def _resident_login(estate, sharing, homes) -> int:
    """The `resident` login acts for a household that shares its space (and may book others)."""
    resident = User.objects.filter(username="resident", role=Role.RESIDENT).first()
    if resident is None or not sharing:
        return 0
    services.do_enrol_member(None, account=resident, household=sharing[0].holder)
    return 1
