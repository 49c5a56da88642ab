"""The periodic job `first_reports_recent` (proactive.first.refresh_recent): the stored 未诉先办
answers of the last FIRST_WINDOW_DAYS + 1 days recomputed — a count a same-place race left wrong
is corrected, a missing row written, a row of a case no longer counted removed — while older
answers are not touched; a count moved since it was read is left to the next run."""

import pytest
from django.conf import settings
from django.db import connection

from civicgrid.core import periodic
from civicgrid.proactive import first
from civicgrid.proactive.models import FirstReport
from civicgrid.proactive.tests.conftest import NOW, at
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db
SPOT = IN_MICRO[1]
NEAR = (SPOT[0] + 0.0003, SPOT[1])  # about 30 m east


def _earlier(case):
    return FirstReport.objects.get(case=case).earlier


@pytest.fixture
def street(report, users):
    """An old pair (20 days ago) and a recent pair (3 and 2 days ago): a complaint, then a
    patrol's finding of the same problem 30 m away (not first: earlier 1)."""
    worker = users["worker"]
    return {
        "old_complaint": report(at(21), point=SPOT, source="resident"),
        "old_patrol": report(at(20), point=NEAR, user=worker, source="grid_patrol"),
        "complaint": report(at(3), point=SPOT, source="resident"),
        "patrol": report(at(2), point=NEAR, user=worker, source="grid_patrol"),
    }


def test_a_wrong_recent_answer_is_corrected_and_old_ones_are_untouched(street):
    assert _earlier(street["patrol"]) == 1 and _earlier(street["old_patrol"]) == 1
    right = set(FirstReport.objects.values_list("case_id", "kind", "earlier", "reported_at"))
    # What a race leaves: the patrol missed the complaint committed beside it. Wrong on purpose
    # too: an old answer (older than the window and a day), which the job must not read.
    FirstReport.objects.filter(case=street["patrol"]).update(earlier=0)
    FirstReport.objects.filter(case=street["old_patrol"]).update(earlier=5)
    FirstReport.objects.filter(case=street["complaint"]).delete()

    # Through the periodic loop, as a node runs it (the clock stands at NOW).
    assert periodic.run_due(now=NOW, only=["first_reports_recent"]) == {
        "first_reports_recent": "ran"
    }
    assert _earlier(street["patrol"]) == 1
    assert _earlier(street["complaint"]) == 0
    assert _earlier(street["old_patrol"]) == 5
    fixed = set(FirstReport.objects.values_list("case_id", "kind", "earlier", "reported_at"))
    assert fixed ^ right == {
        (street["old_patrol"].pk, "found", 1, street["old_patrol"].reported_at),
        (street["old_patrol"].pk, "found", 5, street["old_patrol"].reported_at),
    }
    # A run on right answers writes nothing.
    assert first.refresh_recent(now=NOW) == {
        "cases": 2,
        "corrected": 0,
        "missing": 0,
        "removed": 0,
        "skipped": 0,
    }


def test_the_counts_it_returns_and_a_row_of_a_case_no_longer_counted(street):
    FirstReport.objects.filter(case=street["patrol"]).update(earlier=3)
    FirstReport.objects.filter(case=street["complaint"]).delete()
    # A row of a recent case the rule leaves out (its source counted as neither kind), as a raw
    # write could leave it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET source = 'supervision' WHERE id = %s", [street["complaint"].pk]
        )
    FirstReport.objects.create(
        case=street["complaint"], kind="complaint", earlier=0, reported_at=at(3)
    )
    assert first.refresh_recent(now=NOW) == {
        "cases": 1,
        "corrected": 1,
        "missing": 0,
        "removed": 1,
        "skipped": 0,
    }
    assert _earlier(street["patrol"]) == 0  # the complaint no longer counts
    assert not FirstReport.objects.filter(case=street["complaint"]).exists()


def test_a_count_moved_meanwhile_is_left_to_the_next_run(street, monkeypatch):
    FirstReport.objects.filter(case=street["patrol"]).update(earlier=0)
    real = first.Earlier

    def meanwhile(rows):
        # A concurrent step moves the patrol's count after the job read the stored answers.
        FirstReport.objects.filter(case=street["patrol"]).update(earlier=2)
        return real(rows)

    monkeypatch.setattr(first, "Earlier", meanwhile)
    done = first.refresh_recent(now=NOW)
    assert done["corrected"] == 0 and done["skipped"] == 1
    assert _earlier(street["patrol"]) == 2
    monkeypatch.setattr(first, "Earlier", real)
    assert first.refresh_recent(now=NOW)["corrected"] == 1
    assert _earlier(street["patrol"]) == 1


def test_the_job_is_configured():
    job = settings.CIVICGRID_PERIODIC_JOBS["first_reports_recent"]
    assert job["call"] == "civicgrid.proactive.first.refresh_recent"
    assert job["every"] == 3600
