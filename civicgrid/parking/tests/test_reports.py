"""The indicators with known figures, and their query count (flat in the number of estates)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.estates.models import Estate
from civicgrid.parking import reports, services
from civicgrid.parking.models import CongestionReport, Space, Vehicle
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db

FIRST, LAST = datetime.date(2026, 11, 23), datetime.date(2026, 11, 27)  # Monday to Friday


@pytest.fixture
def week(users, parking, clock):
    p = parking
    estate = p["estate"]
    Space.objects.bulk_create(
        Space(code=f"P-{i}", kind="public", estate=estate, community=estate.community)
        for i in range(7)
    )  # 8 spaces in all
    Vehicle.objects.bulk_create(
        Vehicle(
            plate=f"沪B{i:05d}",
            household=p["third"],
            estate=estate,
            community=estate.community,
            since=datetime.date(2025, 1, 1),
        )
        for i in range(10)
    )  # 11 cars in all

    def book(day, hour, hours=2):
        return services.do_book(
            None,
            offer=p["offer"],
            household=p["booker"],
            starts_at=local(2026, 11, day, hour),
            ends_at=local(2026, 11, day, hour + hours),
        ).booking

    done, over, absent, dropped = book(24, 9), book(25, 9, 1), book(26, 9), book(27, 12)
    services.do_cancel(None, dropped)
    clock.set(2026, 11, 24, 9)
    services.do_arrive(None, done)
    clock.set(2026, 11, 24, 11)
    services.do_leave(None, done)
    clock.set(2026, 11, 25, 9)
    services.do_arrive(None, over)
    clock.set(2026, 11, 25, 10, 30)
    services.do_mark_overstay(None, over)
    clock.set(2026, 11, 26, 9, 30)
    services.do_mark_no_show(None, absent)
    # 2.5 jams a day in the 30 days before the launch (2026-11-01), three since.
    before = [local(2026, 10, 2 + i // 5 * 2, 8 + i % 5) for i in range(75)]
    after = [local(2026, 11, 3, 8), local(2026, 11, 4, 8), local(2026, 11, 5, 8)]
    CongestionReport.objects.bulk_create(
        CongestionReport(
            estate=estate, community=estate.community, at=at, place="小区大门", minutes=20
        )
        for at in before + after
    )
    return p


def test_indicators_with_known_figures(week):
    figures = reports.indicators(Estate.objects.filter(name="康乐苑"), FIRST, LAST)
    row = figures["rows"][0]
    assert row["name"] == "康乐苑"
    assert (row["vehicles"], row["spaces"], row["cars_per_space"]) == (11, 8, 1.38)
    assert row["hours_offered"] == 50.0  # five working days × 10 hours
    assert row["hours_booked"] == 3.0  # 2 (completed) + 1 (overstay); no-show and cancelled free
    assert row["utilisation"] == 0.06
    assert (row["shares"], row["no_shows"], row["overstays"]) == (2, 1, 1)
    assert row["sharing_holders"] == 1
    assert row["launch"] == datetime.date(2026, 11, 1)
    assert row["congestion_before"] == 2.5
    assert row["congestion_after"] == round(3 / 27, 2)  # 2026-11-01..27
    assert figures["total"]["cars_per_space"] == 1.38
    assert figures["monthly"] == [{"month": "2026-11", "shares": 2, "hours_booked": 3.0}]


def test_estates_taking_part_come_before_those_that_have_not_joined(week, tree):
    # 万 sorts before 康 in the same 居村: by name alone the empty estate would come first.
    Estate.objects.create(name="万科城", community=tree["communities"][0])
    rows = reports.indicators(Estate.objects.all(), FIRST, LAST)["rows"]
    assert [r["name"] for r in rows] == ["康乐苑", "万科城", "秀康新村"]


def test_an_overstay_that_left_still_counts(week, clock):
    from civicgrid.parking.models import Booking

    over = Booking.objects.get(state="overstay")
    clock.set(2026, 11, 25, 11)
    services.do_leave(None, over)
    row = reports.indicators(Estate.objects.filter(name="康乐苑"), FIRST, LAST)["rows"][0]
    assert row["overstays"] == 1 and row["shares"] == 2


def test_the_query_count_is_flat(week, tree):
    def count():
        with CaptureQueriesContext(connection) as queries:
            reports.indicators(Estate.objects.all(), FIRST, LAST)
        return len(queries)

    count()  # warms the shared cache (the calendar's revision), as on a running node
    one = count()
    for n in range(3):
        extra = Estate.objects.create(name=f"新建小区{n}", community=tree["communities"][1])
        Space.objects.create(code="X", kind="public", estate=extra, community=extra.community)
    assert count() == one


def test_the_report_follows_the_scope(week, users):
    staff = reports.report(users["staff"], FIRST, LAST)
    assert [r["name"] for r in staff["rows"]] == ["康乐苑"]
    assert reports.report(users["staff2"], FIRST, LAST)["total"]["shares"] == 0
    assert reports.report(users["resident"], FIRST, LAST)["rows"] == []


def test_the_tile(week, clock):
    clock.set(2026, 11, 25, 10, 45)
    tile = reports.tile(None, today=datetime.date(2026, 11, 25))
    assert tile["cars_per_space"] == 1.38
    assert tile["bookings_today"] == 1 and tile["overstays_now"] == 1
