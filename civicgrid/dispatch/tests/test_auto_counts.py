"""The auto-dispatch count (自动派单统计): reports the system filed and dispatched alone are
counted apart from the desk's, per category and period, for the desk's roles only."""

import datetime

import pytest
from django.utils import timezone

from civicgrid.dispatch import services
from civicgrid.dispatch.choices import Outcome
from civicgrid.dispatch.models import Suggestion
from civicgrid.dispatch.tests.conftest import FLYING_WIRE
from civicgrid.testing.cases import report

pytestmark = pytest.mark.django_db

URL = "/api/dispatch/auto-dispatch/counts/"


def _report(users, garbage, capture):
    with capture(execute=True):
        return report(users["worker"], garbage, description=FLYING_WIRE)


@pytest.fixture
def history(active, users, garbage, categories, departments, django_capture_on_commit_callbacks):
    """Three reports dispatched by the system (one of them last month), one the desk accepted
    and one still waiting."""
    wire = categories["community:0103"]
    services.do_set_responsibility(users["chief"], category=wire, department=departments["fg"])
    services.do_set_rule(users["chief"], category=wire, enabled=True, threshold=0.05)
    auto = [_report(users, garbage, django_capture_on_commit_callbacks) for _ in range(3)]
    services.do_set_rule(users["chief"], category=wire, enabled=False)
    accepted = _report(users, garbage, django_capture_on_commit_callbacks)
    services.do_accept(accepted, users["operator"])
    _report(users, garbage, django_capture_on_commit_callbacks)
    first = timezone.localdate().replace(day=1)
    last_month = timezone.make_aware(
        datetime.datetime.combine(first - datetime.timedelta(days=3), datetime.time(10))
    )
    Suggestion.objects.filter(case=auto[0]).update(created_at=last_month)
    assert Suggestion.objects.filter(outcome=Outcome.AUTO).count() == 3
    return {"wire": wire, "this_month": first, "last_month": last_month.date().replace(day=1)}


def test_counts_the_systems_dispatches_apart_per_category_and_month(history, api, users):
    response = api(users["operator"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    wire = history["wire"]
    assert body["period"] == "month"
    assert body["rows"] == [
        {
            "period": history["last_month"].isoformat(),
            "category": wire.pk,
            "category_name": wire.name,
            "auto": 1,
            "desk": 0,
            "pending": 0,
            "total": 1,
        },
        {
            "period": history["this_month"].isoformat(),
            "category": wire.pk,
            "category_name": wire.name,
            "auto": 2,
            "desk": 1,
            "pending": 1,
            "total": 4,
        },
    ]
    assert body["totals"] == {"auto": 3, "desk": 1, "pending": 1, "total": 5, "auto_share": 0.6}
    # Only this month, by day: the one row of today.
    today = api(users["chief"]).get(
        URL, {"period": "day", "since": history["this_month"].isoformat()}
    )
    assert today.status_code == 200
    assert today.json()["totals"]["auto"] == 2
    assert {r["period"] for r in today.json()["rows"]} == {timezone.localdate().isoformat()}


def test_only_the_desk_and_bad_queries_say_why(history, api, users):
    assert api(users["handler"]).get(URL).status_code == 403
    assert api(users["worker"]).get(URL).status_code == 403
    assert api().get(URL).status_code in (401, 403)
    bad = api(users["operator"]).get(URL, {"period": "year"})
    assert bad.status_code == 400 and "统计周期" in str(bad.json())
    backwards = api(users["operator"]).get(URL, {"since": "2026-05-02", "until": "2026-05-01"})
    assert backwards.status_code == 400 and "截止日期" in str(backwards.json())
