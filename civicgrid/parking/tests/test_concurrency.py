"""No two bookings of one space overlap, under concurrency, on SQLite and on PostgreSQL.

Eight households fire a booking for the same slot at once, each from its own thread and
connection: exactly one is booked, the others get “该时段已被预约” (never a 500, never a second
row). On PostgreSQL the exclusion constraint itself refuses an overlapping row written past the
service."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from civicgrid.parking import services
from civicgrid.parking.models import Booking
from civicgrid.testing.people import add_household
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


@pytest.fixture
def racers(parking, tree, users):
    homes = []
    for i in range(RACERS):
        household = add_household(tree["building_groups"][1], 100 + i, residents=1)
        household.address.estate = parking["estate"]
        household.address.save(update_fields=["estate"])
        homes.append(household)
    return homes


def test_concurrent_bookings_of_one_slot_leave_exactly_one(parking, racers):
    offer = parking["offer"]
    start, end = local(2026, 11, 24, 9), local(2026, 11, 24, 11)
    barrier = threading.Barrier(RACERS)
    booked, refused, errors = [], [], []

    def racer(household):
        try:
            barrier.wait(timeout=10)
            done = services.do_book(
                None, offer=offer, household=household, starts_at=start, ends_at=end
            )
            booked.append(done.booking.pk)
        except ValidationError as error:
            refused.append(error.message_dict.get("starts_at"))
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer, args=(h,)) for h in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(booked) == 1
    assert refused == [["该时段已被预约"]] * (RACERS - 1)
    assert Booking.objects.filter(space=parking["space"]).exclude(state="cancelled").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)
def test_the_database_refuses_an_overlap_written_past_the_service(parking):
    first = services.do_book(
        None,
        offer=parking["offer"],
        household=parking["booker"],
        starts_at=local(2026, 11, 24, 9),
        ends_at=local(2026, 11, 24, 11),
    ).booking
    row = dict(
        offer=parking["offer"],
        space=parking["space"],
        community=first.community,
        household=parking["third"],
        estate=parking["estate"],
        starts_at=local(2026, 11, 24, 10),
        ends_at=local(2026, 11, 24, 12),
        created_at=first.created_at,
    )
    with pytest.raises(IntegrityError, match=services.OVERLAP_CONSTRAINT):
        with transaction.atomic():
            Booking.objects.create(state="confirmed", **row)
    # Touching ends are no overlap ([start, end)), and a cancelled booking holds nothing.
    Booking.objects.create(state="confirmed", **{**row, "starts_at": local(2026, 11, 24, 11)})
    Booking.objects.create(state="cancelled", **row)
    assert Booking.objects.count() == 3
