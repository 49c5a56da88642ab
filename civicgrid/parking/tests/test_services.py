"""Shared parking's services: booking inside the window, the table and its history, the
业委会's rules (slot grid, weekly cap, three strikes), bad input refused with nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.cases.services import IllegalTransition
from civicgrid.parking import services
from civicgrid.parking.models import Booking, BookingEvent, Escalation, Offer, RuleSet
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def book(users, p, start_hour, hours=2, day=(2026, 11, 24), who="resident2", household="booker"):
    return services.do_book(
        users[who],
        offer=p["offer"],
        household=p[household],
        starts_at=local(*day, start_hour),
        ends_at=local(*day, start_hour + hours),
        vehicle=p["vehicle"] if household == "booker" else None,
    )


def test_a_booking_is_requested_then_confirmed_and_each_step_is_a_history_row(
    users, parking, clock
):
    done = book(users, parking, 9)
    b = done.booking
    assert b.state == "confirmed" and b.space == parking["space"]
    assert [e.to_state for e in b.events.order_by("id")] == ["requested", "confirmed"]
    clock.set(2026, 11, 24, 9, 5)
    services.do_arrive(users["resident2"], b)
    clock.set(2026, 11, 24, 10, 50)
    services.do_leave(users["resident2"], b)
    b.refresh_from_db()
    assert b.state == "completed" and b.arrived_at and b.left_at
    assert [e.to_state for e in b.events.order_by("id")] == [
        "requested",
        "confirmed",
        "parked",
        "completed",
    ]
    event = b.events.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        BookingEvent.objects.filter(booking=b).update(note="x")
    with pytest.raises(IllegalTransition):
        services.do_cancel(users["resident2"], b)


def test_an_overlapping_booking_is_refused_and_a_released_one_frees_the_time(users, parking):
    first = book(users, parking, 9).booking
    with pytest.raises(ValidationError) as error:
        book(users, parking, 10, household="third", who="admin")
    assert error.value.message_dict["starts_at"] == ["该时段已被预约"]
    assert Booking.objects.count() == 1
    services.do_cancel(users["resident2"], first, note="改期")
    again = book(users, parking, 10, household="third", who="admin").booking
    assert again.state == "confirmed"


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ((2026, 11, 24, 7), (2026, 11, 24, 9), "starts_at", "预约时间须在共享时段之内"),
        ((2026, 11, 24, 17), (2026, 11, 24, 19), "starts_at", "预约时间须在共享时段之内"),
        ((2026, 11, 28, 9), (2026, 11, 28, 10), "starts_at", "预约时间须在共享时段之内"),
        ((2026, 11, 24, 9, 30), (2026, 11, 24, 10, 30), "starts_at", "预约须按 60 分钟一个时段"),
        ((2026, 11, 24, 10), (2026, 11, 24, 9), "ends_at", "结束时间须晚于开始时间"),
        ((2026, 11, 23, 8), (2026, 11, 23, 9), "starts_at", "不能预约已经过去的时间"),
    ],
)
def test_bad_times_are_refused_with_a_message_and_nothing_saved(
    users, parking, start, end, field, message
):
    with pytest.raises(ValidationError) as error:
        services.do_book(
            users["resident2"],
            offer=parking["offer"],
            household=parking["booker"],
            starts_at=local(*start),
            ends_at=local(*end),
        )
    assert error.value.message_dict[field] == [message]
    assert not Booking.objects.exists() and not BookingEvent.objects.exists()


def test_who_may_book_and_for_which_estate(users, parking):
    # A resident books only for a household they act for.
    with pytest.raises(PermissionDenied):
        book(users, parking, 9, household="third")
    # Not one's own space, not from an estate the offer is not open to.
    with pytest.raises(ValidationError) as error:
        book(users, parking, 9, who="resident", household="holder")
    assert error.value.message_dict["offer"] == ["不能预约自家的车位"]
    with pytest.raises(ValidationError) as error:
        book(users, parking, 9, who="admin", household="far")
    assert error.value.message_dict["offer"] == ["该共享车位不对本小区开放"]
    # Staff of another 居村 may not book for this estate's households.
    with pytest.raises(PermissionDenied):
        book(users, parking, 9, who="staff2", household="third")
    assert not Booking.objects.exists()


def test_the_weekly_cap_per_household(users, parking):
    book(users, parking, 8, hours=4)  # Tuesday
    book(users, parking, 8, hours=4, day=(2026, 11, 25))  # Wednesday: 8 of 10 hours
    with pytest.raises(ValidationError) as error:
        book(users, parking, 8, hours=3, day=(2026, 11, 26))
    assert error.value.message_dict["ends_at"] == [
        "超过每户每周 10 小时的上限（本周已预约 8 小时）"
    ]
    book(users, parking, 8, hours=2, day=(2026, 11, 26))  # exactly the cap
    # The next week starts afresh.
    book(users, parking, 8, hours=4, day=(2026, 12, 1))
    assert Booking.objects.count() == 4


def test_three_overstays_suspend_the_booker_and_tell_holder_and_property(
    users, parking, clock, outbox
):
    from civicgrid.messaging.models import OutboxMessage

    results = []
    for day in (24, 25, 26):
        b = book(users, parking, 9, hours=1, day=(2026, 11, day)).booking
        clock.set(2026, 11, day, 9, 1)
        services.do_arrive(None, b)
        clock.set(2026, 11, day, 10, 10)
        with pytest.raises(ValidationError):  # inside the grace
            services.do_mark_overstay(users["staff"], b)
        clock.set(2026, 11, day, 10, 20)
        results.append(services.do_mark_overstay(users["staff"], b))
        services.do_leave(users["staff"], b)
    assert [r.strikes for r in results] == [1, 2, 3]
    assert results[0].suspended_until is None and results[2].suspended_until is not None
    kinds = [
        (m.recipient["kind"], m.recipient["phone"]) for m in OutboxMessage.objects.order_by("id")
    ]
    assert ("holder", "13912345678") in kinds and ("property", "13700001111") in kinds
    assert ("booker", "13800001111") in kinds
    last = OutboxMessage.objects.filter(recipient__kind="booker").order_by("-id").first()
    assert "暂停预约至 2026-12-26" in last.text
    with pytest.raises(ValidationError) as error:
        book(users, parking, 9, hours=1, day=(2026, 11, 30))
    assert error.value.message_dict["household"] == ["本户因超时占用 3 次，暂停预约至 2026-12-26"]


def test_the_sweep_marks_no_shows_and_overstays(users, parking, clock):
    gone = book(users, parking, 9, hours=1).booking
    stays = book(users, parking, 12, hours=1).booking
    clock.set(2026, 11, 24, 12, 0)
    services.do_arrive(users["resident2"], stays)
    clock.set(2026, 11, 24, 13, 30)
    assert services.sweep() == {"no_show": 1, "overstay": 1}
    gone.refresh_from_db()
    stays.refresh_from_db()
    assert (gone.state, stays.state) == ("no_show", "overstay")
    # A no-show frees the time for someone else.
    assert services.free_slots(parking["offer"], datetime.date(2026, 11, 24))[0][0] == local(
        2026, 11, 24, 8
    )


def test_rules_are_versioned_and_immutable(users, parking):
    p = parking
    kwargs = dict(
        estate=p["estate"],
        committee=p["committee"],
        slot_minutes=30,
        weekly_cap_hours=12,
        grace_minutes=10,
        strikes_to_suspend=3,
        strike_window_days=90,
        suspend_days=14,
        overstay_notice="新规则",
    )
    v2 = services.do_adopt_rules(
        users["staff"], effective_from=datetime.date(2026, 12, 1), **kwargs
    )
    assert v2.version == 2
    assert services.rules_for(p["estate"], datetime.date(2026, 11, 30)).version == 1
    assert services.rules_for(p["estate"], datetime.date(2026, 12, 1)).version == 2
    assert services.launch_day(p["estate"]) == datetime.date(2026, 11, 1)
    with pytest.raises(ValueError):
        v2.save()
    with pytest.raises(ValueError):
        RuleSet.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        services.do_adopt_rules(
            users["staff"],
            effective_from=datetime.date(2026, 12, 2),
            **{**kwargs, "slot_minutes": 7},
        )
    assert "slot_minutes" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.do_adopt_rules(
            users["staff2"], effective_from=datetime.date(2026, 12, 2), **kwargs
        )
    assert RuleSet.objects.count() == 2


def test_an_overnight_offer_at_an_office_car_park(users, parking, tree):
    p = parking
    office = services.do_save_space(
        users["staff"],
        code="B2-01",
        kind="public",
        unit_name="康桥商务楼",
        community=tree["communities"][0],
    )
    offer = services.do_offer(
        users["staff"],
        space=office,
        first_day=datetime.date(2026, 11, 23),
        last_day=datetime.date(2026, 12, 31),
        days="every",
        start_time=datetime.time(19),
        end_time=datetime.time(7),
        estates=[p["estate"], p["other"]],
    )
    assert offer.overnight
    b = services.do_book(
        users["resident2"],
        offer=offer,
        household=p["booker"],
        starts_at=local(2026, 11, 24, 22),
        ends_at=local(2026, 11, 25, 6),
    ).booking
    assert b.hours == 8
    with pytest.raises(PermissionDenied):
        services.do_offer(
            users["resident2"],
            space=office,
            first_day=datetime.date(2026, 11, 23),
            last_day=datetime.date(2026, 11, 30),
            days="every",
            start_time=datetime.time(19),
            end_time=datetime.time(7),
        )
    assert Offer.objects.count() == 2


def test_bad_offers_are_refused(users, parking):
    with pytest.raises(ValidationError) as error:
        services.do_offer(
            users["resident"],
            space=parking["space"],
            first_day=datetime.date(2026, 12, 10),
            last_day=datetime.date(2026, 12, 1),
            days="sometimes",
            start_time=datetime.time(8),
            end_time=datetime.time(8),
        )
    assert set(error.value.message_dict) == {"last_day", "days", "end_time"}
    assert Offer.objects.count() == 1


def test_an_overstay_becomes_a_case_or_goes_to_the_meeting(users, parking, clutter):
    from civicgrid.testing.world import category

    category("community", "0114")
    b = book(users, parking, 9).booking
    to_case = services.do_escalate(
        users["staff"],
        estate=parking["estate"],
        booking=b,
        kind="case",
        description="多次超时占用，沟通无果",
    )
    assert to_case.case is not None and to_case.case.category.name == "停车难"
    assert "康乐苑" in to_case.case.description
    to_meeting = services.do_escalate(
        users["staff"], estate=parking["estate"], kind="meeting", description="访客车位分配有争议"
    )
    assert to_meeting.case is None and to_meeting.get_kind_display() == "提交协调会"
    meeting = to_meeting.meeting
    assert meeting.kind == "coordination" and meeting.state == "planned"
    assert meeting.community_id == parking["estate"].community_id
    assert meeting.estate_id == parking["estate"].pk and "访客车位分配有争议" in meeting.title
    # Planned after its notice period, so the 居委 can still post the notice in time.
    assert meeting.starts_at > timezone.now() + datetime.timedelta(days=5)
    with pytest.raises(ValidationError):
        services.do_escalate(users["staff"], estate=parking["estate"], kind="case", description="")
    assert Escalation.objects.count() == 2


def test_vehicle_plates_are_checked_and_masked(users, parking):
    with pytest.raises(ValidationError) as error:
        services.do_register_vehicle(
            users["staff"], household=parking["third"], plate="ABC", since=datetime.date(2025, 1, 1)
        )
    assert "plate" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.do_register_vehicle(
            users["staff"],
            household=parking["third"],
            plate="沪a 12345",
            since=datetime.date(2025, 1, 1),
        )
    assert error.value.message_dict["plate"] == ["该车牌号已登记"]
    assert str(parking["vehicle"]) == "沪A***45"
