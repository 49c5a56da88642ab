"""The test kit itself: the case factory reaches every state through the services, the clock
moves the whole process, and the module-wide demo world does not carry one test's changes
into the next."""

import datetime
import time

import pytest
from django.utils import timezone

from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.dashboard.models import Rollup
from civicgrid.grids.models import Grid
from civicgrid.testing.cases import STATES, case_in_state
from civicgrid.testing.world import IN_MICRO, local

EXPECTED = {
    "reported": (CaseStatus.REPORTED, 1),
    "filed": (CaseStatus.FILED, 2),
    "not_filed": (CaseStatus.NOT_FILED, 2),
    "dispatched": (CaseStatus.DISPATCHED, 3),
    "returned": (CaseStatus.RETURNED, 4),
    "accepted": (CaseStatus.ACCEPTED, 4),
    "handled": (CaseStatus.HANDLED, 5),
    "closed": (CaseStatus.CLOSED, 6),
    "rated": (CaseStatus.CLOSED, 7),
    "reworked": (CaseStatus.ACCEPTED, 6),
    "suspended": (CaseStatus.ACCEPTED, 5),
}


def test_every_state_is_described():
    assert set(EXPECTED) == set(STATES)


@pytest.mark.parametrize("state", STATES)
def test_case_in_state_walks_through_the_services(users, garbage, state):
    case = case_in_state(state, users, cat=garbage)
    status, events = EXPECTED[state]
    assert case.status == status
    assert CaseEvent.objects.filter(case=case).count() == events
    assert case.micro_grid is not None
    if state == "rated":
        assert case.rating == "satisfied"
    if state == "suspended":
        assert case.is_suspended


def test_a_grid_case_is_handled_by_the_grid_worker(users, garbage):
    case = case_in_state("handled", users, cat=garbage, to_grid=True, point=IN_MICRO[0])
    assert case.handled_by_grid and case.assigned_department is None
    assert CaseEvent.objects.filter(case=case, actor=users["worker"]).count() == 2


def test_an_unknown_state_is_refused(users, garbage):
    with pytest.raises(ValueError, match="unknown state"):
        case_in_state("lost", users, cat=garbage)
    assert not Case.objects.exists()


def test_the_clock_moves_the_whole_process(clock):
    assert timezone.now() == local(2026, 11, 23, 10, 0)
    assert datetime.date.today() == datetime.date(2026, 11, 23)
    clock.advance(hours=3)
    assert timezone.localtime().hour == 13
    assert time.time() == local(2026, 11, 23, 13, 0).timestamp()
    clock.set(2026, 12, 1, 9, 30)
    assert clock.at == local(2026, 12, 1, 9, 30)


# The module-wide demo world: the first test changes it, the second sees it whole again (with
# xdist the two may run in different workers, each with its own world: the check still holds).


def test_demo_world_change_in_one_test(demo_world):
    assert Case.objects.count() == demo_world["case"] > 0 and Rollup.objects.exists()
    Case.objects.update(description="被这个测试改掉")
    Rollup.objects.all().delete()
    Grid.objects.filter(level="building_group").update(name="改名")
    assert not Rollup.objects.exists()


def test_demo_world_is_whole_in_the_next_test(demo_world):
    assert Case.objects.count() == demo_world["case"] > 0 and Rollup.objects.exists()
    assert not Case.objects.filter(description="被这个测试改掉").exists()
    assert not Grid.objects.filter(name="改名").exists()
