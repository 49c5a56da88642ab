"""A hotspot, an anomaly or a 一弄一案 item becomes a patrol task; a finding on it becomes a case
with source 主动发现; the share found first."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases.choices import CaseSource
from civicgrid.cases.models import Case
from civicgrid.cases.services import IllegalTransition
from civicgrid.messaging.models import Notification
from civicgrid.proactive import indicators, services
from civicgrid.proactive.choices import TaskOrigin, TaskState
from civicgrid.proactive.models import Anomaly, PatrolTask, StandingProblem
from civicgrid.proactive.tests.conftest import NOW, at
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


@pytest.fixture
def anomaly(tree, garbage, clock):
    return Anomaly.objects.create(
        day=datetime.date(2026, 11, 22),
        micro_grid=tree["micro_grids"][0],
        category=garbage,
        count=5,
        baseline=0.5,
        threshold=3.5,
        warned_at=NOW,
    )


def test_anomaly_to_task_to_finding_to_case(anomaly, users):
    task = services.do_create_task(
        users["gridhead"], anomaly=anomaly, assignee=users["worker"], look_for="垃圾堆放点"
    )
    assert (task.origin, task.state, task.place) == (
        TaskOrigin.ANOMALY,
        TaskState.OPEN,
        "第1居委第1网格",
    )
    assert task.due_on == datetime.date(2026, 11, 26)
    note = Notification.objects.get(user=users["worker"], message__kind="proactive_task")
    assert "垃圾堆放点" in note.message.text
    services.do_record_finding(
        task, users["worker"], finding="3号楼下垃圾满溢，已拍照", found_problem=True
    )
    task.refresh_from_db()
    case = Case.objects.get(pk=task.case_id)
    assert case.source == CaseSource.PROACTIVE
    assert case.get_source_display() == "主动发现"
    assert (case.reporter_user, case.micro_grid, case.category) == (
        users["worker"],
        anomaly.micro_grid,
        anomaly.category,
    )
    assert task.state == TaskState.DONE
    assert list(task.events.values_list("action", flat=True)) == ["create", "finding"]
    with pytest.raises(IllegalTransition):
        services.do_record_finding(task, users["worker"], finding="再报一次", found_problem=True)


def test_nothing_found_makes_no_case(anomaly, users):
    task = services.do_create_task(
        users["operator"], anomaly=anomaly, assignee=users["worker"], look_for="垃圾"
    )
    services.do_record_finding(task, users["worker"], finding="现场已清理", found_problem=False)
    task.refresh_from_db()
    assert task.case is None and task.state == TaskState.DONE
    assert not Case.objects.exists()


def test_task_checks(anomaly, users):
    # Only someone posted on the micro-grid: worker2 works micro-grid 2.
    with pytest.raises(ValidationError) as error:
        services.do_create_task(
            users["operator"], anomaly=anomaly, assignee=users["worker2"], look_for=""
        )
    assert set(error.value.message_dict) == {"assignee", "look_for"}
    # 居委 of community 1 may not send tasks into community 0.
    with pytest.raises(PermissionDenied):
        services.do_create_task(
            users["staff2"], anomaly=anomaly, assignee=users["worker"], look_for="垃圾"
        )
    assert not PatrolTask.objects.exists()
    task = services.do_create_task(
        users["operator"], anomaly=anomaly, assignee=users["worker"], look_for="垃圾"
    )
    # Only the assignee reports; a blank finding writes nothing.
    with pytest.raises(PermissionDenied):
        services.do_record_finding(task, users["colleague"], finding="看过了", found_problem=True)
    with pytest.raises(ValidationError):
        services.do_record_finding(task, users["worker"], finding="  ", found_problem=True)
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and not Case.objects.exists()


def test_a_finding_on_a_standing_problem_is_gathered(report, users):
    for d in (3, 2, 1):
        report(at(d), address="秀沿路1501弄12号")
    services.do_detect(now=NOW)
    item = StandingProblem.objects.get()
    task = services.do_create_task(
        users["staff"], problem=item, assignee=users["worker"], look_for="楼下垃圾是否复堆"
    )
    assert task.place == "秀沿路1501弄12号"
    services.do_record_finding(task, users["worker"], finding="又有垃圾堆放", found_problem=True)
    item.refresh_from_db()
    assert item.case_count == 4


def test_found_first_indicator(report, users, tree):
    # 1. A patrol case on 20 Nov with no complaint before → found first.
    report(at(3), point=IN_MICRO[0], user=users["worker"], source="grid_patrol")
    # 2. A complaint on 21 Nov 50 m away: a found case came first → not "first reported by
    #    residents".
    report(at(2), point=(IN_MICRO[0][0] + 0.0005, IN_MICRO[0][1]), source="resident")
    # 3. A complaint in micro-grid 2 on 18 Nov → first reported by residents …
    report(at(5), point=IN_MICRO[2], source="hotline_12345", external_ticket="T1")
    # 4. … and a patrol case there on 22 Nov: a complaint 4 days before at the same place →
    #    not found first.
    report(at(1), point=IN_MICRO[2], user=users["worker2"], source="grid_patrol")
    # 5. A complaint in micro-grid 3 with nothing found before → residents first too.
    report(at(0, hours=1), point=IN_MICRO[3], source="resident")
    shares = indicators.per_grid(None, datetime.date(2026, 11, 1), datetime.date(2026, 11, 23))
    micro = tree["micro_grids"]
    assert shares[micro[0].pk] == {"found": 1, "residents": 0, "share": 1.0}
    assert shares[micro[2].pk] == {"found": 0, "residents": 1, "share": 0.0}
    assert shares[micro[3].pk] == {"found": 0, "residents": 1, "share": 0.0}
    months = indicators.per_month(None, datetime.date(2026, 11, 23), months=2)
    assert [(m["month"].month, m["found"], m["residents"]) for m in months] == [
        (10, 0, 0),
        (11, 1, 2),
    ]
    assert months[1]["share"] == pytest.approx(1 / 3, abs=1e-4)
    assert months[0]["share"] is None
