"""The rollups follow cases.clock for 12345 tickets and leave tickets sent back (退单) out of the
filed cohort. In a module of its own: test_rollups keeps a demo world open across its tests."""

import datetime

from civicgrid.dashboard import rollups
from civicgrid.dashboard.models import COUNTERS, KEY_FIELDS, Rollup


def state():
    """The non-zero rollup rows: key → counters."""
    rows = {}
    for r in Rollup.objects.values(*KEY_FIELDS, *COUNTERS):
        counters = tuple(r[c] for c in COUNTERS)
        if any(counters):
            rows[tuple(r[k] for k in KEY_FIELDS)] = counters
    return rows


def test_a_12345_ticket_runs_on_the_hotline_deadline_and_a_sent_back_one_leaves_the_cohort(
    users, db
):
    """The rollups follow cases.clock for a 12345 ticket (its open row is keyed by the hotline's
    deadline, even while 待受理) and leave a ticket sent back (退单) out of the filed cohort, so
    incremental = rebuild."""
    from django.utils import timezone

    from civicgrid.cases import services
    from civicgrid.cases.choices import CaseSource
    from civicgrid.testing.world import IN_MICRO, category

    now = timezone.now()
    deadline = (now + datetime.timedelta(days=3)).replace(microsecond=0)
    case = services.do_report(
        user=users["operator"],
        category=category("event", "0102"),
        description="12345:路边暴露垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        source=CaseSource.HOTLINE_12345,
        external_ticket="T-1",
        hotline_dispatched_at=now - datetime.timedelta(hours=1),
        hotline_deadline=deadline,
    ).case
    open_rows = [(k[-1], c) for k, c in state().items() if k[0] == "O"]
    assert [d for d, _ in open_rows] == [deadline]
    incremental = state()
    rollups.rebuild()
    assert state() == incremental

    services.do_file(case, users["operator"])
    services.do_send_back(case, users["chief"], reason="不属于本街镇")
    rows = state()
    assert not [k for k in rows if k[0] == "O"]
    filed = COUNTERS.index("filed")
    assert not [k for k, c in rows.items() if c[filed]]
    rollups.rebuild()
    assert state() == rows
