"""Shared parking's indicators (seed 004): cars per space (607 ÷ 440 = 1.38), shares per period
(共享次数: bookings whose car came), hours offered and booked, utilisation (booked ÷ offered),
congestion per day before and after the launch, no-shows and overstays — per estate (and per
outside unit shared at night), with the total, over the estates a user may see. A fixed number of
queries whatever the number of estates or bookings (the lists are aggregated here, in Python,
from one query each).

Definitions:
- a period is the local days first..last; a booking counts in it by its start;
- hours offered: every window of every offer starting on a day of the period (working days by
  civicgrid.workcalendar), less the windows of a withdrawn offer after its withdrawal;
- hours booked: bookings that held their space (not cancelled, not 未到);
- congestion before: reports per day over the CONGESTION_DAYS days before the launch (the first
  version of the 业委会's rules); after: per day over the last CONGESTION_DAYS days of the period
  (from the launch on, if that is later).
"""

import datetime
from collections import defaultdict

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from civicgrid.estates.models import Estate
from civicgrid.grids.models import Grid
from civicgrid.parking.choices import RELEASED_STATES, USED_STATES, BookingState, Days
from civicgrid.parking.models import Booking, CongestionReport, Offer, RuleSet, Space, Vehicle
from civicgrid.parking.scoping import visible_communities
from civicgrid.workcalendar.services import get_calendar

CONGESTION_DAYS = 30
TILE_DAYS = 30


def _ratio(a, b, places=2):
    return round(a / b, places) if b else None


def _count(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(estate=OuterRef("pk"), **filters)
            .order_by()
            .values("estate")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def _bounds(first, last):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(0), tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz)
    return start, end


def _months(first, last):
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _offered_hours(offer_rows, first, last, calendar) -> dict:
    """Hours offered per place key over the period (see the module's definitions).

    Counted, not built: one pass over the period's days makes running counts of working and
    rest days, then each offer's running days in its span (cut at a withdrawal: no window that
    starts at or after it) times its window's length. Building every window of every offer (a
    time-zone conversion each) cost the dashboard's tile ~60 ms on the demo street."""
    from civicgrid.parking.services import window

    span = (last - first).days + 1
    if span <= 0:
        return {}
    working = [0]
    for i in range(span):
        working.append(working[-1] + bool(calendar.is_workday(first + datetime.timedelta(i))))

    def running_days(offer, lo, hi):
        if lo > hi:
            return 0
        i, j = (lo - first).days, (hi - first).days + 1
        workdays = working[j] - working[i]
        if offer.days == Days.EVERY:
            return j - i
        return workdays if offer.days == Days.WORKING else (j - i) - workdays

    hours = defaultdict(float)
    for offer, key in offer_rows:
        lo, hi = max(first, offer.first_day), min(last, offer.last_day)
        if offer.withdrawn_at is not None:
            cut = timezone.localtime(offer.withdrawn_at).date()
            starts = timezone.make_aware(datetime.datetime.combine(cut, offer.start_time))
            if starts >= offer.withdrawn_at:
                cut -= datetime.timedelta(days=1)
            hi = min(hi, cut)
        days = running_days(offer, lo, hi)
        if days:
            start, end = window(offer, lo)
            hours[key] += days * (end - start).total_seconds() / 3600
    return hours


def takes_part(row: dict) -> bool:
    """Whether a row of `indicators` is an estate or unit where shared parking runs: it has
    vehicles or spaces registered, or shared in the period."""
    return bool(row["vehicles"] or row["spaces"] or row["shares"] or row["hours_offered"])


def indicators(estates, first: datetime.date, last: datetime.date, communities=None) -> dict:
    """The indicators of `estates` (a queryset) and of the outside units in `communities` (a
    queryset of 居村, None: every unit) over first..last."""
    start, end = _bounds(first, last)
    estate_rows = list(
        estates.annotate(
            n_vehicles=_count(Vehicle, is_active=True),
            n_spaces=_count(Space, is_active=True),
        )
        .select_related("community")
        # What the rows read: not the 居村's outline (a GeoJSON decode per estate).
        .only("name", "community__name")
        .order_by("community__code", "name")
    )
    estate_ids = [e.pk for e in estate_rows]
    units = Space.objects.filter(estate__isnull=True, is_active=True)
    if communities is not None:
        units = units.filter(community__in=communities)
    unit_rows = list(
        units.values("unit_name", "community__name").annotate(n=Count("pk")).order_by("unit_name")
    )
    unit_names = [u["unit_name"] for u in unit_rows]
    place = Q(space__estate_id__in=estate_ids) | Q(
        space__estate__isnull=True, space__unit_name__in=unit_names
    )
    if communities is not None:
        place &= Q(space__community__in=communities) | Q(space__estate_id__in=estate_ids)

    def key_of(estate_id, unit_name):
        return ("e", estate_id) if estate_id else ("u", unit_name)

    offers = list(
        Offer.objects.filter(place, first_day__lte=last, last_day__gte=first)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=start))
        .select_related("space")
    )
    offer_rows = [(o, key_of(o.space.estate_id, o.space.unit_name)) for o in offers]
    offered = _offered_hours(offer_rows, first, last, get_calendar())
    holders = defaultdict(set)
    for o, key in offer_rows:
        if o.space.holder_id:
            holders[key].add(o.space.holder_id)

    bookings = (
        Booking.objects.filter(place, starts_at__gte=start, starts_at__lt=end)
        .values_list("space__estate_id", "space__unit_name", "state", "starts_at", "ends_at")
        .order_by()
    )
    figures = defaultdict(lambda: defaultdict(float))
    months = _months(first, last)
    monthly = {m: {"shares": 0, "hours_booked": 0.0} for m in months}
    for estate_id, unit_name, state, b_start, b_end in bookings:
        f = figures[key_of(estate_id, unit_name)]
        hours = (b_end - b_start).total_seconds() / 3600
        month = timezone.localtime(b_start).date().replace(day=1)
        if state not in RELEASED_STATES:
            f["hours_booked"] += hours
            monthly[month]["hours_booked"] += hours
        if state in USED_STATES:
            f["shares"] += 1
            monthly[month]["shares"] += 1
        if state == BookingState.NO_SHOW:
            f["no_shows"] += 1
        if state == BookingState.OVERSTAY:
            f["overstays"] += 1
    # An overstay that has since left is completed: count it from the history.
    for estate_id, unit_name in (
        Booking.objects.filter(place, starts_at__gte=start, starts_at__lt=end)
        .filter(state=BookingState.COMPLETED, events__to_state=BookingState.OVERSTAY)
        .values_list("space__estate_id", "space__unit_name")
        .order_by()
    ):
        figures[key_of(estate_id, unit_name)]["overstays"] += 1

    launches = dict(
        RuleSet.objects.filter(estate_id__in=estate_ids, version=1).values_list(
            "estate_id", "effective_from"
        )
    )
    earliest = min(
        [first, *(d - datetime.timedelta(days=CONGESTION_DAYS) for d in launches.values())]
    )
    jams = defaultdict(list)
    for estate_id, at in (
        CongestionReport.objects.filter(
            estate_id__in=estate_ids, at__gte=_bounds(earliest, last)[0], at__lt=end
        )
        .values_list("estate_id", "at")
        .order_by()
    ):
        jams[estate_id].append(timezone.localtime(at).date())

    def congestion(estate_id):
        launch = launches.get(estate_id)
        if launch is None:
            return None, None
        before_first = launch - datetime.timedelta(days=CONGESTION_DAYS)
        days = jams.get(estate_id, [])
        before = sum(1 for d in days if before_first <= d < launch) / CONGESTION_DAYS
        after_first = max(launch, last - datetime.timedelta(days=CONGESTION_DAYS - 1))
        if after_first > last:
            return round(before, 2), None
        span = (last - after_first).days + 1
        after = sum(1 for d in days if after_first <= d <= last) / span
        return round(before, 2), round(after, 2)

    def row(key, name, community, vehicles, spaces, launch=None, congestion_pair=(None, None)):
        f = figures.get(key, {})
        hours_offered = round(offered.get(key, 0.0), 1)
        hours_booked = round(f.get("hours_booked", 0.0), 1)
        return {
            "kind": "estate" if key[0] == "e" else "unit",
            "id": key[1] if key[0] == "e" else None,
            "name": name,
            "community": community,
            "vehicles": vehicles,
            "spaces": spaces,
            "cars_per_space": _ratio(vehicles, spaces) if vehicles is not None else None,
            "sharing_holders": len(holders.get(key, ())),
            "shares": int(f.get("shares", 0)),
            "hours_offered": hours_offered,
            "hours_booked": hours_booked,
            "utilisation": _ratio(hours_booked, hours_offered, 3),
            "no_shows": int(f.get("no_shows", 0)),
            "overstays": int(f.get("overstays", 0)),
            "launch": launch,
            "congestion_before": congestion_pair[0],
            "congestion_after": congestion_pair[1],
        }

    rows = [
        row(
            ("e", e.pk),
            e.name,
            e.community.name,
            e.n_vehicles,
            e.n_spaces,
            launches.get(e.pk),
            congestion(e.pk),
        )
        for e in estate_rows
    ]
    rows += [
        row(("u", u["unit_name"]), u["unit_name"], u["community__name"], None, u["n"])
        for u in unit_rows
    ]
    # Shared parking runs in some estates of a street; the rest are listed (who has not joined)
    # after those with vehicles, spaces or sharing, each part in 居村 and name order.
    rows.sort(key=lambda r: not takes_part(r))
    vehicles = sum(r["vehicles"] or 0 for r in rows)
    estate_spaces = sum(r["spaces"] for r in rows if r["kind"] == "estate")
    hours_offered = round(sum(r["hours_offered"] for r in rows), 1)
    hours_booked = round(sum(r["hours_booked"] for r in rows), 1)
    total = {
        "vehicles": vehicles,
        "spaces": estate_spaces,
        "cars_per_space": _ratio(vehicles, estate_spaces),
        "sharing_holders": sum(r["sharing_holders"] for r in rows),
        "shares": sum(r["shares"] for r in rows),
        "hours_offered": hours_offered,
        "hours_booked": hours_booked,
        "utilisation": _ratio(hours_booked, hours_offered, 3),
        "no_shows": sum(r["no_shows"] for r in rows),
        "overstays": sum(r["overstays"] for r in rows),
    }
    return {
        "first": first,
        "last": last,
        "rows": rows,
        "total": total,
        "monthly": [
            {
                "month": m.strftime("%Y-%m"),
                "shares": v["shares"],
                "hours_booked": round(v["hours_booked"], 1),
            }
            for m, v in monthly.items()
        ],
    }


def report(user, first=None, last=None) -> dict:
    """The indicators over the estates and units `user` may see (default: this year so far)."""
    today = timezone.localdate()
    last = last or today
    first = first or last.replace(month=1, day=1)
    communities = visible_communities(user)
    estates = Estate.objects.all()
    if communities is not None:
        estates = estates.filter(community__in=communities)
    return indicators(estates, first, last, communities)


def tile(micro_ids, today=None) -> dict:
    """The dashboard's tile over the 居村 of the micro-grids `micro_ids` (None: the street): cars
    per space, utilisation over the last TILE_DAYS days, bookings today, overstays now."""
    today = today or timezone.localdate()
    communities = None
    estates = Estate.objects.all()
    if micro_ids is not None:
        communities = Grid.objects.filter(
            pk__in=Grid.objects.filter(pk__in=micro_ids).values("parent_id")
        )
        estates = estates.filter(community__in=communities)
    figures = indicators(
        estates, today - datetime.timedelta(days=TILE_DAYS - 1), today, communities
    )
    start, end = _bounds(today, today)
    bookings = Booking.objects.all()
    if communities is not None:
        bookings = bookings.filter(space__community__in=communities)
    counts = bookings.aggregate(
        today=Count(
            "pk", filter=Q(starts_at__gte=start, starts_at__lt=end) & ~Q(state__in=RELEASED_STATES)
        ),
        overstays=Count("pk", filter=Q(state=BookingState.OVERSTAY)),
    )
    total = figures["total"]
    return {
        "cars_per_space": total["cars_per_space"],
        "vehicles": total["vehicles"],
        "spaces": total["spaces"],
        "utilisation": total["utilisation"],
        "days": TILE_DAYS,
        "bookings_today": counts["today"],
        "overstays_now": counts["overstays"],
        "has_data": bool(total["spaces"] or total["hours_offered"]),
    }


def dashboard_tile(micro_ids, first, last, now) -> dict:
    """The tile as the dashboard's register hook calls it (dashboard.tiles): today is `now`'s
    local day; the period of the page does not change it (utilisation is the last 30 days)."""
    return tile(micro_ids, today=timezone.localdate(now))
