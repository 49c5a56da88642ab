"""管监分离: whoever recorded the handling never checks it, on any channel, and ratings come only
from the reporter (or the 城运中心's 12345 return visit), never from the handling side."""

import pytest
from rest_framework.test import APIClient

from civicgrid.cases import services
from civicgrid.cases.choices import CaseAction, CaseStatus, Rating
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.world import IN_MICRO


def grid_case_handled_by(reporter, handler, operator, garbage) -> Case:
    case = services.do_report(
        user=reporter,
        category=garbage,
        description="3号楼门口暴露垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    services.do_file(case, operator)
    services.do_dispatch(case, operator, to_grid=True)
    services.do_accept(case, handler)
    services.do_handle(case, handler, result="已清运")
    case.refresh_from_db()
    return case


def closed_case(users, garbage) -> Case:
    u = users
    case = grid_case_handled_by(u["resident"], u["worker"], u["operator"], garbage)
    services.do_verify_pass(case, u["staff"], note="现场已清理")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    return case


def history(case):
    return list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))


@pytest.fixture
def handled(users, garbage):
    return grid_case_handled_by(users["resident"], users["worker"], users["operator"], garbage)


def test_the_service_refuses_the_handler_as_verifier(users, handled):
    before = history(handled)
    with pytest.raises(services.PermissionDenied, match="管监分离"):
        services.do_verify_pass(handled, users["worker"])
    with pytest.raises(services.PermissionDenied, match="管监分离"):
        services.do_verify_fail(handled, users["worker"], reason="没做完")
    handled.refresh_from_db()
    assert handled.status == CaseStatus.HANDLED and history(handled) == before


def test_the_api_refuses_and_does_not_offer_verification_to_the_handler(users, handled):
    client = APIClient()
    client.force_authenticate(users["worker"])
    detail = client.get(f"/api/cases/{handled.number}/").json()
    assert CaseAction.VERIFY_PASS not in detail["allowed_actions"]
    response = client.post(f"/api/cases/{handled.number}/verify-pass/", {}, format="json")
    assert response.status_code == 403
    assert "管监分离" in response.json()["detail"]
    handled.refresh_from_db()
    assert handled.status == CaseStatus.HANDLED

    other = APIClient()
    other.force_authenticate(users["staff"])
    assert (
        CaseAction.VERIFY_PASS
        in other.get(f"/api/cases/{handled.number}/").json()["allowed_actions"]
    )
    assert (
        other.post(f"/api/cases/{handled.number}/verify-pass/", {}, format="json").status_code
        == 200
    )
    handled.refresh_from_db()
    assert handled.status == CaseStatus.CLOSED


def test_the_console_refuses_the_handler_with_a_message(users, handled, client):
    action_url = f"/console/case/{handled.number}/do/verify_pass/"
    client.force_login(users["worker"])
    page = client.get(f"/console/case/{handled.number}/")
    assert page.status_code == 200
    assert action_url not in page.content.decode()
    response = client.post(action_url, {"note": "自己核查"}, follow=True)
    assert response.status_code == 200
    assert "不能再核查" in response.content.decode()
    handled.refresh_from_db()
    assert handled.status == CaseStatus.HANDLED

    client.force_login(users["staff"])
    assert action_url in client.get(f"/console/case/{handled.number}/").content.decode()


def test_the_phone_page_refuses_and_hides_verification_from_the_handler(users, handled, client):
    client.force_login(users["worker"])
    assert handled not in client.get("/m/").context["to_verify"]
    response = client.post(
        f"/m/cases/{handled.number}/verify/", {"decision": "pass", "note": "好了"}
    )
    assert response.status_code == 403
    assert "不能再核查" in response.content.decode()
    handled.refresh_from_db()
    assert handled.status == CaseStatus.HANDLED


def test_an_admin_who_handled_cannot_verify_either(users, garbage):
    u = users
    case = grid_case_handled_by(u["resident"], u["admin"], u["operator"], garbage)
    with pytest.raises(services.PermissionDenied, match="管监分离"):
        services.do_verify_pass(case, u["admin"])
    services.do_verify_pass(case, u["operator"])
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_second_handler_after_rework_cannot_verify_the_first_handlers_case(users, garbage):
    u = users
    case = grid_case_handled_by(u["resident"], u["worker"], u["operator"], garbage)
    services.do_verify_fail(case, u["staff"], reason="还有残留")
    services.do_handle(case, u["worker"], result="已彻底清理")
    with pytest.raises(services.PermissionDenied):
        services.do_verify_pass(case, u["worker"])


def test_the_reporter_rates_with_the_link(users, garbage):
    case = closed_case(users, garbage)
    response = APIClient().post(
        f"/api/cases/track/{case.public_token}/rate/", {"rating": "satisfied"}, format="json"
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.rating == Rating.SATISFIED


@pytest.mark.parametrize("who", ["worker", "staff", "handler"])
def test_staff_holding_the_link_cannot_rate_by_api(users, garbage, who):
    case = closed_case(users, garbage)
    client = APIClient()
    client.force_authenticate(users[who])
    response = client.post(
        f"/api/cases/track/{case.public_token}/rate/", {"rating": "satisfied"}, format="json"
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.rating == "" and CaseAction.RATE not in history(case)


def test_staff_holding_the_link_cannot_rate_on_the_residents_page(users, garbage, client):
    case = closed_case(users, garbage)
    client.force_login(users["worker"])
    response = client.post(
        f"/resident/t/{case.public_token}/rate/", {"rating": "satisfied"}, follow=True
    )
    assert "不能" in response.content.decode()
    case.refresh_from_db()
    assert case.rating == ""


def test_the_operator_records_the_return_visit_but_not_a_case_they_handled(users, garbage):
    u = users
    case = closed_case(users, garbage)
    services.do_rate(case, u["operator"], rating=Rating.BASICALLY, comment="12345回访")
    case.refresh_from_db()
    assert case.rating == Rating.BASICALLY

    other = grid_case_handled_by(u["resident"], u["admin"], u["operator"], garbage)
    services.do_verify_pass(other, u["operator"])
    with pytest.raises(services.PermissionDenied, match="处置方"):
        services.do_rate(other, u["admin"], rating=Rating.SATISFIED)
