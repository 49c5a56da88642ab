"""Nothing in the demo street happened after the moment it was loaded: no history row, report,
inspection or publication dated in the future, whatever the day and hour of the load.

Loaded on a Monday at 00:30 (Shanghai), the demo wrote this week's 督查 inspections, two
supervision cases and a plan marked done for the days to come, honour rolls published at 11:00
that morning, the night's shared parking cars leaving at 07:00, and time-bank requests done two
days after they were asked that very day. Deadlines, appointments and schedules may lie ahead;
what has been done may not.
"""

import datetime

import pytest
from django.apps import apps
from django.db import models

from civicgrid.testing.clock import start_clock
from civicgrid.testing.demo import load_every_programme
from civicgrid.testing.fixtures import building, module_transaction
from civicgrid.testing.suites import sqlite_suite_only
from civicgrid.testing.world import local

pytestmark = [pytest.mark.long(30), sqlite_suite_only, pytest.mark.django_db]

# The next Monday, half an hour into the week: after the rows the migrations wrote (the working
# calendar's years), so they count as the past they are.
_TODAY = datetime.date.today()
_MONDAY = _TODAY + datetime.timedelta(days=7 - _TODAY.weekday())
MOMENT = local(_MONDAY.year, _MONDAY.month, _MONDAY.day, 0, 30)

# A field whose name says it is a time to come (a deadline, an appointment, a schedule).
AHEAD = (
    "deadline",
    "due",
    "until",
    "expires",
    "run_after",
    "starts_at",
    "ends_at",
    "_by",
    "next_",
    "wanted",
    "scheduled",
)


@pytest.fixture(scope="module")
def street_loaded_at_night(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_transaction(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            clock = start_clock(MOMENT)
            try:
                load_every_programme()
            finally:
                clock.stop()
        yield


def _past_fields():
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and not any(
                word in field.name for word in AHEAD
            ):
                yield model, field


def test_nothing_was_done_after_the_moment_of_loading(street_loaded_at_night):
    later = MOMENT + datetime.timedelta(minutes=1)
    ahead = {
        f"{model._meta.label}.{field.name}": n
        for model, field in _past_fields()
        if (n := model._base_manager.filter(**{f"{field.name}__gt": later}).count())
    }
    assert ahead == {}


def test_the_demo_has_a_week_under_way(street_loaded_at_night):
    from civicgrid.campaigns.models import Inspection, InspectionRound
    from civicgrid.notices.models import Notice

    # this week's 督查 round is planned, and nothing of it inspected yet at 00:30 on Monday
    current = InspectionRound.objects.order_by("-starts_on").first()
    assert current.starts_on == MOMENT.date()
    assert not Inspection.objects.filter(assignment__round=current).exists()
    # the honour rolls are yesterday's
    assert Notice.objects.filter(published_at__date=MOMENT.date() - datetime.timedelta(1)).exists()
