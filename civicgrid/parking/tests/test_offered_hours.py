"""The indicators count each offer's hours without building its windows: the same figures as
walking every window (services.windows_between), over holidays, overnight windows and
withdrawals at any hour."""

import datetime
import itertools

import pytest
from django.utils import timezone

from civicgrid.parking.models import Offer
from civicgrid.parking.reports import _offered_hours
from civicgrid.parking.services import windows_between
from civicgrid.workcalendar.services import get_calendar

pytestmark = pytest.mark.django_db


def walked(offer, first, last, calendar):
    withdrawn, offer.withdrawn_at = offer.withdrawn_at, None
    hours = 0.0
    for start, end in windows_between(offer, first, last, calendar):
        if withdrawn is not None and start >= withdrawn:
            break
        hours += (end - start).total_seconds() / 3600
    offer.withdrawn_at = withdrawn
    return hours


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_counted_hours_equal_the_walked_windows():
    calendar = get_calendar()
    # Late September to mid-October: 国庆 holidays and the worked weekend days around them.
    first, last = datetime.date(2025, 9, 20), datetime.date(2025, 10, 20)
    spans = [
        (datetime.date(2025, 9, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2025, 9, 28), datetime.date(2025, 10, 8)),
        (datetime.date(2025, 10, 15), datetime.date(2025, 11, 30)),
        (datetime.date(2025, 10, 25), datetime.date(2025, 11, 30)),  # after the period
    ]
    times = [
        (datetime.time(8), datetime.time(18)),
        (datetime.time(19), datetime.time(7)),  # overnight
        (datetime.time(0), datetime.time(0)),  # a whole day, overnight
    ]
    withdrawals = [None, at(datetime.date(2025, 10, 3), 7), at(datetime.date(2025, 10, 3), 8)]
    withdrawals += [at(datetime.date(2025, 10, 3), 20), at(datetime.date(2025, 9, 1), 9)]
    checked = 0
    for n, ((lo, hi), days, (start, end), withdrawn) in enumerate(
        itertools.product(spans, ["working", "non_working", "every"], times, withdrawals)
    ):
        offer = Offer(
            first_day=lo,
            last_day=hi,
            days=days,
            start_time=start,
            end_time=end,
            withdrawn_at=withdrawn,
        )
        counted = _offered_hours([(offer, n)], first, last, calendar).get(n, 0.0)
        assert counted == pytest.approx(walked(offer, first, last, calendar)), (lo, days, start)
        checked += 1
    assert checked == 4 * 3 * 3 * 5
