"""补充信息 reaches whoever holds the case now: the handler of a dispatched case, the desk
(城运中心) before it is dispatched, the micro-grid's staff while they verify — in their
notification centre, written with the step (nothing if the step is refused)."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.cases import services
from civicgrid.messaging.models import Notification
from civicgrid.testing.cases import case_in_state

pytestmark = pytest.mark.django_db

TEXT = "案件{}的报告人补充了信息，请查看"


def notified(case):
    """Usernames told of the reporter's addition to `case`."""
    return set(
        Notification.objects.filter(
            message__kind="add_info", message__case_number=case.number
        ).values_list("user__username", flat=True)
    )


def test_the_handler_sees_the_reporters_addition_in_notifications(users, client_for):
    case = case_in_state("accepted", users, department=users["handler"].department)
    services.do_add_info(case, users["resident"], note="今天又多了两袋垃圾")
    assert notified(case) == {"handler"}  # not the other department, not the desk
    page = client_for(users["handler"]).get("/notifications/")
    assert page.status_code == 200
    assert TEXT.format(case.number) in page.content.decode()
    other = client_for(users["handler_fg"]).get("/notifications/").content.decode()
    assert TEXT.format(case.number) not in other


def test_before_dispatch_the_desk_is_told(users, client_for):
    case = case_in_state("filed", users)
    services.do_add_info(case, None, note="补充：在3号楼北侧", token=case.public_token)
    assert notified(case) == {"operator"}
    page = client_for(users["operator"]).get("/notifications/").content.decode()
    assert TEXT.format(case.number) in page


def test_while_verifying_the_micro_grids_staff_are_told(users):
    case = case_in_state("handled", users, department=users["handler"].department)
    services.do_add_info(case, users["resident"], note="还没有清理干净")
    # the micro-grid's current staff (full-time, part-time, its 网格长), not the former worker
    assert notified(case) == {"worker", "colleague", "gridhead"}


def test_a_refused_addition_tells_nobody(users):
    case = case_in_state("accepted", users, department=users["handler"].department)
    with pytest.raises(ValidationError):
        services.do_add_info(case, users["resident"], note="  ")
    assert notified(case) == set()
