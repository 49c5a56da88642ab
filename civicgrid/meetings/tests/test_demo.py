"""The demo street's 三会: the 问题角 → 花卉园 hearing through every step, the parking-rule
coordination with a case, the evaluations of the 物业 and the 城管中队, meetings in every 居村,
training records — quickly, and once."""

import time

import pytest

from civicgrid.demo.meetings import build_demo_meetings
from civicgrid.grids.models import Grid
from civicgrid.meetings import services
from civicgrid.meetings.models import (
    AgreedAction,
    Meeting,
    MeetingEvent,
    Minutes,
    Rectification,
    TrainingRecord,
)

pytestmark = pytest.mark.django_db


def test_demo_meetings(small_demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.demo.estates import build_demo_estates
    from civicgrid.demo.logins import ensure_demo_logins

    ensure_demo_logins()
    build_demo_estates(seed=7)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        counts = build_demo_meetings(seed=7)
    elapsed = time.perf_counter() - started
    print(f"demo meetings: {elapsed:.1f}s, {len(queries)} queries, {counts}")
    assert len(queries) < 3000
    communities = Grid.objects.filter(level="community")
    assert set(Meeting.objects.values_list("community", flat=True)) == set(
        communities.values_list("pk", flat=True)
    )
    hearing = Meeting.objects.get(title="问题角改建花卉园听证会")
    assert hearing.state == "followed_up" and hearing.decision == "amended"
    assert list(hearing.events.values_list("action", flat=True)) == [
        "plan",
        "notice",
        "hold",
        "sign_minutes",
        "correct_minutes",
        "publish",
        "follow_up",
    ]
    tally = services.tallies(hearing)[0][1]
    assert (tally.present, tally.votes_for, tally.against, tally.abstain) == (7, 5, 1, 1)
    assert tally.passed
    assert Minutes.objects.filter(meeting=hearing, corrects__isnull=False).count() == 1
    assert AgreedAction.objects.filter(case__isnull=False).count() == counts["cases"] >= 1
    assert Rectification.objects.filter(answered_at__isnull=False).count() == 1
    figures = {row["kind"] for row in services.evaluation_figures()}
    assert "department" in figures
    assert services.upcoming_notices(hearing.community).count() == 1
    assert TrainingRecord.objects.exists()
    assert MeetingEvent.objects.count() >= 5 * communities.count()
    assert build_demo_meetings(seed=7) == {}
