"""The dashboard's 巡查覆盖率 tile counts the plan without building its rounds: its figures are
exactly those of `coverage.coverage` (rounds per working day and shift, done, missed, pending
per 居村), in three queries whatever the number of areas and patrols."""

import datetime

import pytest

from civicgrid.fieldwork import coverage, services
from civicgrid.fieldwork.models import PatrolArea
from civicgrid.testing.world import local
from civicgrid.workcalendar.services import is_workday

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2026, 9, 24)  # over 国庆: holidays and a worked weekend (调休)
LAST = datetime.date(2026, 10, 14)


def area(worker, micro_grid, start=datetime.date(2026, 1, 1), end=None):
    return services.save_patrol_area(
        None, PatrolArea(worker=worker, micro_grid=micro_grid, start_date=start, end_date=end)
    )


def walk(user, micro_grid, clock, day, hour, minute=0, finish=True):
    clock.set(day.year, day.month, day.day, hour, minute)
    patrol = services.start_patrol(user, micro_grid)
    if finish:
        clock.advance(minutes=30)
        services.finish_patrol(patrol, user)


def reference(micro_ids, first, last, now):
    """The tile as it was built before: from `coverage.coverage`'s rounds."""
    areas = PatrolArea.objects.all()
    if micro_ids is not None:
        areas = areas.filter(micro_grid_id__in=micro_ids)
    result = coverage.coverage(areas, first, last, now=now)

    def percent(value):
        return None if value is None else round(100 * value, 1)

    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "areas": len({r.area.pk for r in result["rounds"]}),
        "total": {**result["total"], "rate": percent(result["total"]["rate"])},
        "communities": [
            {k: row[k] for k in ("name", "planned", "done", "missed", "pending")}
            | {"rate": percent(row["rate"])}
            for row in result["communities"]
        ],
    }


@pytest.fixture
def walked(users, tree, clock):
    worker, worker2, colleague = users["worker"], users["worker2"], users["colleague"]
    mg = tree["micro_grids"]
    area(worker, mg[0])
    area(worker2, mg[2], start=datetime.date(2026, 10, 5))  # starts within the period
    area(colleague, mg[0], end=datetime.date(2026, 9, 30))  # ends within it
    area(colleague, mg[1], start=datetime.date(2026, 10, 20))  # after it: no round
    days = [FIRST + datetime.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    assert any(not is_workday(d) and d.weekday() < 5 for d in days)  # a holiday on a weekday
    assert any(is_workday(d) and d.weekday() >= 5 for d in days)  # a worked weekend
    for i, day in enumerate(days[:-1]):
        if i % 3 != 2:
            walk(worker, mg[0], clock, day, 9)
        if i % 2 == 0:
            walk(worker, mg[0], clock, day, 10)  # twice in the same window: one round
            walk(worker2, mg[2], clock, day, 15)
        if i % 4 == 1:
            walk(colleague, mg[0], clock, day, 13, 30)
    # The last day: the morning's window is over, the afternoon's still open (one done in it).
    walk(worker, mg[0], clock, LAST, 12, 30)
    walk(worker2, mg[2], clock, LAST, 9, finish=False)  # never finished: not done
    clock.set(LAST.year, LAST.month, LAST.day, 14, 0)
    return tree


def test_the_tile_counts_what_the_plan_counts(walked, clock):
    now = local(LAST.year, LAST.month, LAST.day, 14, 0)
    mg = walked["micro_grids"]
    for micro_ids in (None, [m.pk for m in mg], [mg[0].pk], [mg[2].pk], [mg[3].pk]):
        for first, last in ((FIRST, LAST), (FIRST, FIRST), (LAST, LAST + datetime.timedelta(3))):
            tile = coverage.dashboard_tile(micro_ids, first, last, now)
            assert tile == reference(micro_ids, first, last, now), (micro_ids, first, last)
    tile = coverage.dashboard_tile(None, FIRST, LAST, now)
    assert tile["areas"] == 3 and tile["total"]["done"] > 0
    # The afternoon still open: worker2's round pending, the worker's done at 12:30.
    assert tile["total"]["missed"] > 0 and tile["total"]["pending"] == 1
    assert {row["name"] for row in tile["communities"]} == {
        c.name for c in walked["communities"][:2]
    }


def test_the_tile_reads_three_queries_whatever_the_patrols(
    walked, clock, django_assert_max_num_queries
):
    now = local(LAST.year, LAST.month, LAST.day, 14, 0)
    with django_assert_max_num_queries(3):
        coverage.dashboard_tile(None, FIRST, LAST, now)
