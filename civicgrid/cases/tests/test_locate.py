"""人工定位: the operator places a case the locator could not place, or corrects its point."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from civicgrid.cases import services
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.permissions import scope_cases
from civicgrid.testing.world import IN_MICRO, OUTSIDE


def outside_report(users, garbage):
    return services.do_report(
        user=users["resident"],
        category=garbage,
        description="路边垃圾堆积",
        lon=OUTSIDE[0],
        lat=OUTSIDE[1],
    ).case


def test_a_case_outside_every_grid_is_placed_by_the_operator(users, garbage, tree, clock):
    case = outside_report(users, garbage)
    assert case.needs_manual_location and case.micro_grid_id is None
    worker = users["worker"]  # works micro-grid 0
    assert not scope_cases(Case.objects.filter(pk=case.pk), worker).exists()

    services.do_locate(
        case, users["operator"], lon=IN_MICRO[0][0], lat=IN_MICRO[0][1], note="电话核实"
    )
    case.refresh_from_db()
    assert case.micro_grid_id == tree["micro_grids"][0].pk
    assert not case.needs_manual_location
    assert (case.lon, case.lat) == IN_MICRO[0]
    assert case.status == S.REPORTED  # placing it is not a step of the loop
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.action == A.LOCATE and event.actor == users["operator"]
    assert event.note == "电话核实"
    assert event.data["before"] == {"lon": OUTSIDE[0], "lat": OUTSIDE[1], "micro_grid": None}
    assert event.data["micro_grid"] == tree["micro_grids"][0].code
    # Now the grid's own staff see it, and it can go to the grid.
    assert scope_cases(Case.objects.filter(pk=case.pk), worker).exists()
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"], to_grid=True)
    services.do_accept(case, worker)


def test_a_wrong_point_is_corrected_to_another_grid(users, garbage, tree, clock):
    case = services.do_report(
        user=users["operator"],
        category=garbage,
        description="积水",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        source="supervision",
    ).case
    services.do_locate(case, users["admin"], lon=IN_MICRO[2][0], lat=IN_MICRO[2][1])
    case.refresh_from_db()
    assert case.micro_grid_id == tree["micro_grids"][2].pk
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.data["before"]["micro_grid"] == tree["micro_grids"][0].code


def test_refusals_change_nothing(users, garbage, clock):
    case = outside_report(users, garbage)
    events = CaseEvent.objects.filter(case=case).count()
    for kwargs, field in [
        ({"lon": None, "lat": None}, "lon"),
        ({"lon": "abc", "lat": 31.1}, "lon"),
        ({"lon": 121.5, "lat": 95}, "lat"),
        ({"lon": OUTSIDE[0], "lat": OUTSIDE[1]}, "lon"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.do_locate(case, users["operator"], **kwargs)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.do_locate(case, users["operator"], lon=OUTSIDE[0], lat=OUTSIDE[1])
    assert "不在任何网格内" in refused.value.message_dict["lon"][0]
    for role in ("worker", "staff", "leader", "handler", "resident"):
        with pytest.raises(PermissionDenied):
            services.do_locate(case, users[role], lon=IN_MICRO[0][0], lat=IN_MICRO[0][1])
    case.refresh_from_db()
    assert case.needs_manual_location and case.micro_grid_id is None
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_closed_case_is_not_moved(users, garbage, clock):
    case = services.do_report(
        user=users["operator"],
        category=garbage,
        description="积水",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        source="supervision",
    ).case
    services.do_refuse_filing(case, users["chief"], reason="重复反映")
    with pytest.raises(services.IllegalTransition):
        services.do_locate(case, users["operator"], lon=IN_MICRO[1][0], lat=IN_MICRO[1][1])


def test_api_locate(users, garbage, tree, clock):
    case = outside_report(users, garbage)
    api = APIClient()
    api.force_authenticate(users["operator"])
    url = f"/api/cases/{case.number}/locate/"
    bad = api.post(url, {"lon": OUTSIDE[0], "lat": OUTSIDE[1]}, format="json")
    assert bad.status_code == 400 and "lon" in bad.data
    ok = api.post(url, {"lon": IN_MICRO[1][0], "lat": IN_MICRO[1][1]}, format="json")
    assert ok.status_code == 200
    assert ok.data["needs_manual_location"] is False
    assert ok.data["history"][-1]["action"] == A.LOCATE
    worker = APIClient()
    worker.force_authenticate(users["worker"])
    assert worker.post(url, {"lon": 121.5, "lat": 31.1}, format="json").status_code == 404
