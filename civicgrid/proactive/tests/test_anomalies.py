"""A day far above the same weekday of the four weeks before warns the grid leader, once."""

import datetime

import pytest

from civicgrid.messaging.models import Notification, OutboxMessage
from civicgrid.proactive import anomalies
from civicgrid.proactive.models import Anomaly
from civicgrid.proactive.tests.conftest import at
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 22)  # yesterday (a Sunday); baseline: 15, 8, 1 Nov and 25 Oct


def test_threshold_rule():
    # Baseline [1, 0, 1, 0]: mean 0.5, sd 0.5 → max(sd, 1) = 1 → 0.5 + 3 × 1 = 3.5.
    assert anomalies.threshold([1, 0, 1, 0]) == (0.5, 3.5)
    # Baseline [2, 6, 2, 6]: mean 4, sd 2 → 4 + 3 × 2 = 10.
    assert anomalies.threshold([2, 6, 2, 6]) == (4.0, 10.0)


@pytest.fixture
def baseline(report):
    # Sundays before: one case on 15 Nov and on 1 Nov in micro-grid 0.
    report(at(8), point=IN_MICRO[0])
    report(at(22), point=IN_MICRO[0])


def test_four_on_a_day_warns_the_grid_leader(baseline, report, users):
    for hours in (1, 2, 3, 4):
        report(at(1, hours=hours), point=IN_MICRO[0])
    # Micro-grid 1: three cases, no baseline at all.
    for hours in (1, 2, 3):
        report(at(1, hours=hours), point=IN_MICRO[1])
    found = anomalies.do_detect_anomalies(DAY)
    # Micro-grid 1: 3 is not above its threshold 0 + 3 × max(0, 1) = 3 (strictly above).
    assert [(a.micro_grid.name, a.count, a.baseline, a.threshold) for a in found] == [
        ("第1居委第1网格", 4, 0.5, 3.5),
    ]
    first = Anomaly.objects.get(micro_grid__name="第1居委第1网格")
    message = OutboxMessage.objects.get(kind="proactive_anomaly", data__anomaly=first.pk)
    assert "4 件" in message.text and "0.5" in message.text
    # The 网格长 of micro-grid 0 (gridhead) is told in the notification centre; the grid
    # worker of that micro-grid is not.
    told = set(
        Notification.objects.filter(message=message).values_list("user__username", flat=True)
    )
    assert told == {"gridhead"}
    # Running again stores and warns nothing more.
    assert anomalies.do_detect_anomalies(DAY) == []
    assert OutboxMessage.objects.filter(kind="proactive_anomaly").count() == len(found)


def test_three_with_that_baseline_is_not_far_above(baseline, report):
    for hours in (1, 2, 3):
        report(at(1, hours=hours), point=IN_MICRO[0])
    # 3 ≤ 3.5: no anomaly.
    assert anomalies.find(DAY) == []
