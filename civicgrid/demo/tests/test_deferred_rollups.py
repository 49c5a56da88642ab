"""The demo load writes the dashboard's rollups once at the end (dashboard.rollups.deferred):
the rows it leaves are those the step-by-step upkeep writes, and nothing is written inside."""

import datetime

from django.db import transaction

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.cases import services
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case
from civicgrid.dashboard import rollups
from civicgrid.dashboard.models import COUNTERS, KEY_FIELDS, Rollup, VerificationTally
from civicgrid.testing.demo import DEMO_NOW


def state():
    """The rollup rows with a count and every case's 核查 tally."""
    rows = {}
    for r in Rollup.objects.values(*KEY_FIELDS, *COUNTERS):
        counters = tuple(r[c] for c in COUNTERS)
        if any(counters):
            rows[tuple(r[k] for k in KEY_FIELDS)] = counters
    tallies = dict(
        (case, (verified, on_time))
        for case, verified, on_time in VerificationTally.objects.values_list(
            "case_id", "verified", "on_time"
        )
    )
    return rows, tallies


def steps():
    """A report filed; a case handled by its department and verified (a 核查 in its tally)."""
    operator = User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk").first()
    reported = Case.objects.filter(status=CaseStatus.REPORTED).order_by("number").first()
    services.do_file(reported, operator, now=DEMO_NOW + datetime.timedelta(minutes=10))
    for case in Case.objects.filter(
        status=CaseStatus.ACCEPTED, handled_by_grid=False, is_suspended=False
    ).order_by("number"):
        handler = User.objects.filter(
            role=Role.DEPT_HANDLER, department_id=case.assigned_department_id, is_active=True
        ).first()
        if handler is not None and not case.category.needs_mediation_outcome:
            break
    else:
        raise AssertionError("no accepted case with a department handler in the demo world")
    services.do_handle(
        case, handler, result="已清理完毕", now=DEMO_NOW + datetime.timedelta(minutes=20)
    )
    services.do_verify_pass(
        case, operator, note="现场核查属实", now=DEMO_NOW + datetime.timedelta(minutes=30)
    )


def test_deferred_rollups_are_the_rows_the_upkeep_writes(demo_world):
    before = state()
    sid = transaction.savepoint()
    steps()
    expected = state()
    assert expected[0] != before[0] and expected[1] != before[1]
    transaction.savepoint_rollback(sid)
    assert state() == before
    with rollups.deferred():
        steps()
        # Inside, the steps write neither rollups nor tallies.
        assert state() == before
    assert state() == expected
