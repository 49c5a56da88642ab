"""The demo's shared parking: seed 004's figures (607 cars, 440 spaces → 1.38; about 60
sharing holders; 500-odd shares January–August; congestion from two or three a day to none),
the office car park shared at night — quickly."""

import datetime
import time

import pytest

from civicgrid.estates.models import Estate
from civicgrid.parking import reports
from civicgrid.parking.models import Booking, Member, Space
from civicgrid.registry.models import Household
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def test_demo_parking(small_demo, clock):
    from civicgrid.demo.estates import build_demo_estates
    from civicgrid.demo.logins import ensure_demo_logins
    from civicgrid.demo.parking import build_demo_parking

    ensure_demo_logins()
    build_demo_estates(seed=7)
    clock.set(2026, 12, 2, 10, 30)  # a Wednesday
    started = time.perf_counter()
    counts = build_demo_parking(seed=7)
    elapsed = time.perf_counter() - started
    print(f"demo parking: {elapsed:.1f}s, {counts}")
    assert elapsed < 15
    first = Estate.objects.get(name=counts["estate"])
    year = reports.indicators(
        Estate.objects.filter(pk=first.pk), datetime.date(2026, 1, 1), datetime.date(2026, 8, 31)
    )
    row = year["rows"][0]
    assert (row["vehicles"], row["spaces"], row["cars_per_space"]) == (607, 440, 1.38)
    households = Household.objects.filter(address__estate=first).count()
    assert row["sharing_holders"] == min(
        60, households
    )  # one space each; the small street has fewer
    assert 500 <= row["shares"] <= 530
    assert row["launch"] == datetime.date(2026, 1, 1)
    assert row["congestion_before"] >= 2
    now = reports.indicators(
        Estate.objects.filter(pk=first.pk), datetime.date(2026, 1, 1), datetime.date(2026, 12, 2)
    )["rows"][0]
    assert now["congestion_after"] == 0
    assert 0 < now["utilisation"] < 1
    assert now["no_shows"] > 0 and now["overstays"] > 0
    # The office car park shared at night with a second estate.
    office = Space.objects.filter(estate__isnull=True)
    assert office.count() == 30
    night = Booking.objects.filter(space__in=office)
    assert night.exists() and {
        b.starts_at.astimezone(local(2026, 1, 1).tzinfo).hour for b in night[:50]
    } <= {19, 20, 21}
    # Today at the gate: one overstay, and the resident login acts for a sharing household.
    assert Booking.objects.filter(state="overstay").count() == 1
    assert Member.objects.filter(user__username="resident").exists()
    tile = reports.tile(None, today=datetime.date(2026, 12, 2))
    assert tile["bookings_today"] >= 1 and tile["overstays_now"] == 1
    assert build_demo_parking(seed=7) == {}
