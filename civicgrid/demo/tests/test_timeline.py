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


def test_the_desk_has_worked_through_what_the_programmes_reported(street_loaded_at_night):
    """The programmes' builders report what their inspections and patrols find (a 垃圾分类 point
    below the line, a failed 门责 check, a 督查 finding, a fire hazard, a resident's report at a
    一弄一案 place …). Left at 上报, months of them made the leader's dashboard show a street
    whose desk never looked at a report (117 of 139 open cases overdue on the default demo); the
    desk works through them as through its own cases."""
    from civicgrid.cases.models import Case, CaseEvent

    programme_sources = ["supervision", "grid_patrol", "visit", "proactive", "resident"]
    reported = Case.objects.filter(source__in=programme_sources)
    assert reported.filter(description__startswith="垃圾分类检查不达标").exists()
    assert reported.filter(description__startswith="门责检查").exists()
    # Nothing older than a day still waits for 立案 ...
    day_ago = MOMENT - datetime.timedelta(days=1)
    assert not Case.objects.filter(status="reported", reported_at__lt=day_ago).exists()
    # ... the programmes' reports went round the loop like the desk's own ...
    inspected = reported.filter(description__startswith="垃圾分类检查不达标")
    assert inspected.filter(status="closed").count() > inspected.count() / 2
    assert CaseEvent.objects.filter(case__in=inspected, action="verify_pass").exists()
    # ... and what is overdue is a handful, not most of the open cases.
    open_cases = Case.objects.exclude(status__in=["closed", "not_filed", "merged"])
    red = open_cases.filter(warning_level="red").count()
    assert red <= 10 and red < open_cases.count() / 2, (red, open_cases.count())


def test_the_bulletin_prints_the_cases_as_the_desk_left_them(street_loaded_at_night):
    """第41期 and 第42期 are compiled once the desk has worked through the programmes' reports:
    compiled before, the published issue printed a month whose inspection findings were never
    filed, and its figures disagreed with the dashboard's for the same days."""
    from civicgrid.bulletin import drafts
    from civicgrid.bulletin.models import Issue
    from civicgrid.cases.indicators import compute

    issues = Issue.objects.all()
    assert {issue.number for issue in issues} == {41, 42}
    for issue in issues:
        printed = issue.articles.get(topic="cases").figures
        first, last = (datetime.date.fromisoformat(printed[k]) for k in ("first", "last"))
        start, end = drafts._bounds(first, last)
        (now,) = compute(drafts.StreetReader(), start, end, as_of=MOMENT)
        assert (issue.number, printed["filed"], printed["closed"]) == (
            issue.number,
            now["filed"],
            now["closed"],
        )
