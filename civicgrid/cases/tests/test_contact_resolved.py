"""先行联系, 是否解决, the 值班长's approval of a 复杂 12345 limit, and the mediation outcome."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO, category

HOTLINE = "/api/cases/hotline/"


def detail(api, user, case):
    return api(user).get(f"/api/cases/{case.number}/").data


def test_first_contact_through_the_api_once(api, users, garbage, clock):
    case = report(users["resident"], garbage)
    url = f"/api/cases/{case.number}/first-contact/"
    assert "first_contact" in detail(api, users["staff"], case)["allowed_actions"]
    empty = api(users["staff"]).post(url, {"note": " "}, format="json")
    assert empty.status_code == 400
    assert empty.data["note"] == ["请填写联系情况"]
    assert Case.objects.get(pk=case.pk).first_contact_at is None

    clock.advance(minutes=40)
    done = api(users["staff"]).post(url, {"note": "已电话联系陈女士,约定下午上门"}, format="json")
    assert done.status_code == 200, done.data
    data = detail(api, users["operator"], case)
    assert data["first_contact_note"] == "已电话联系陈女士,约定下午上门"
    assert data["first_contact_on_time"] is True
    assert data["first_contact_at"] == "2026-11-23T10:40:00+08:00"
    assert data["first_contact_deadline"] == "2026-11-23T12:00:00+08:00"  # 2 wall-clock hours
    assert "first_contact" not in data["allowed_actions"]
    event = case.events.get(action="first_contact")
    assert event.data["on_time"] is True and event.actor == users["staff"]

    again = api(users["operator"]).post(url, {"note": "再次联系"}, format="json")
    assert again.status_code == 409
    assert "已于2026-11-23 10:40先行联系" in again.data["detail"]
    assert case.events.filter(action="first_contact").count() == 1


def test_late_contact_of_a_hotline_ticket_counts_from_the_hotline_dispatch(
    api, users, garbage, clock, settings
):
    settings.CIVICGRID_FIRST_CONTACT_HOURS = 2
    pushed = api(users["operator"]).post(
        HOTLINE,
        {
            "ticket": "SH12345-FC-1",
            "category": garbage.pk,
            "description": "楼下垃圾多日未清运",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
            "hotline_request_type": "help",
            "dispatched_at": "2026-11-23T09:00:00+08:00",
        },
        format="json",
    )
    assert pushed.status_code == 201, pushed.data
    case = Case.objects.get(number=pushed.data["number"])
    clock.advance(hours=1, minutes=30)  # 11:30: 2.5 h after the hotline's dispatch
    services.do_first_contact(case, users["operator"], note="已回电")
    data = detail(api, users["operator"], case)
    assert data["first_contact_deadline"] == "2026-11-23T11:00:00+08:00"
    assert data["first_contact_on_time"] is False
    assert case.events.get(action="first_contact").data["on_time"] is False


def test_first_contact_refused_without_a_caller_or_outside_ones_work(users, garbage, clock):
    patrol = report(users["worker"], garbage)
    with pytest.raises(services.IllegalTransition) as error:
        services.do_first_contact(patrol, users["operator"], note="联系")
    assert "没有需要先行联系的来电人" in error.value.message
    dispatched = case_in_state("dispatched", users, cat=garbage)  # to the 城管中队
    with pytest.raises(PermissionDenied):
        services.do_first_contact(dispatched, users["worker"], note="联系")
    with pytest.raises(PermissionDenied):
        services.do_first_contact(dispatched, users["handler_fg"], note="联系")
    assert not Case.objects.filter(first_contact_at__isnull=False).exists()
    services.do_first_contact(dispatched, users["handler"], note="已联系")


def test_resolved_at_the_check_and_at_the_return_visit(api, users, garbage, clock):
    case = case_in_state("handled", users, cat=garbage)
    assert detail(api, users["operator"], case)["resolved"] is None
    url = f"/api/cases/{case.number}/"
    passed = api(users["staff"]).post(url + "verify-pass/", {"resolved": False}, format="json")
    assert passed.status_code == 200, passed.data
    assert detail(api, users["operator"], case)["resolved"] is False

    refused = api(users["resident"]).post(
        url + "rate/", {"rating": "satisfied", "resolved": True}, format="json"
    )
    assert refused.status_code == 403
    assert refused.data["detail"] == "问题是否解决由城运中心回访时记录"
    assert detail(api, users["operator"], case)["rating"] == ""

    rated = api(users["operator"]).post(
        url + "rate/", {"rating": "basically", "resolved": True}, format="json"
    )
    assert rated.status_code == 200, rated.data
    data = detail(api, users["operator"], case)
    assert data["resolved"] is True and data["rating"] == "basically"
    assert case.events.get(action="rate").data["resolved"] == {"from": False, "to": True}


def test_verify_pass_says_resolved_by_default(users, garbage, clock):
    case = case_in_state("closed", users, cat=garbage)
    case.refresh_from_db()
    assert case.resolved is True


def push_complex(api, users, garbage, ticket="SH12345-CX-1", **extra):
    response = api(users["operator"]).post(
        HOTLINE,
        {
            "ticket": ticket,
            "category": garbage.pk,
            "description": "多部门疑难诉求",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
            "hotline_request_type": "complex",
            **extra,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    return Case.objects.get(number=response.data["number"])


def local_date(value) -> datetime.date:
    return timezone.localtime(value).date()


def test_complex_limit_from_the_hotline_dispatch_after_approval(api, users, garbage, clock):
    # Monday 23 Nov 2026, hotline dispatch 09:00: 5 working days → Mon 30 Nov; 15 → Mon 14 Dec.
    case = push_complex(api, users, garbage, dispatched_at="2026-11-23T09:00:00+08:00")
    assert local_date(case.handling_deadline) == datetime.date(2026, 11, 30)
    url = f"/api/cases/{case.number}/approve-complex-limit/"
    assert "approve_complex_limit" not in detail(api, users["operator"], case)["allowed_actions"]
    refused = api(users["operator"]).post(url, {}, format="json")
    assert refused.status_code == 403
    assert Case.objects.get(pk=case.pk).complex_limit_approved_at is None

    assert "approve_complex_limit" in detail(api, users["chief"], case)["allowed_actions"]
    clock.advance(hours=2)
    done = api(users["chief"]).post(url, {"note": "涉及多部门,同意"}, format="json")
    assert done.status_code == 200, done.data
    case.refresh_from_db()
    assert local_date(case.handling_deadline) == datetime.date(2026, 12, 14)
    assert case.complex_limit_approved_by == users["chief"]
    assert detail(api, users["chief"], case)["complex_limit_approved_at"] is not None
    # The street's own dispatch keeps the hotline's clock.
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"])
    case.refresh_from_db()
    assert local_date(case.handling_deadline) == datetime.date(2026, 12, 14)

    twice = api(users["chief"]).post(url, {}, format="json")
    assert twice.status_code == 409
    assert "复杂件时限已批准" in twice.data["detail"]


def test_complex_limit_from_the_streets_dispatch(users, garbage, clock):
    case, _ = services.intake_hotline(
        user=users["operator"],
        ticket="SH12345-CX-2",
        category=garbage,
        description="多部门疑难诉求",
        hotline_request_type="complex",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    )
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"])  # Mon 23 Nov 10:00
    case.refresh_from_db()
    assert local_date(case.handling_deadline) == datetime.date(2026, 11, 30)
    clock.set(2026, 11, 25, 9, 0)
    services.do_approve_complex_limit(case, users["chief"])
    case.refresh_from_db()
    assert local_date(case.handling_deadline) == datetime.date(2026, 12, 14)
    event = case.events.get(action="approve_complex_limit")
    assert event.data["days"] == 15 and event.actor == users["chief"]


def test_only_a_complex_ticket_is_approved(users, garbage, clock):
    case = report(users["resident"], garbage)
    with pytest.raises(services.IllegalTransition) as error:
        services.do_approve_complex_limit(case, users["chief"])
    assert "不是待批准时限的12345复杂件" in error.value.message
    assert not case.events.filter(action="approve_complex_limit").exists()


@pytest.fixture
def dispute(departments):
    return category("community", "0115")


def test_dispute_handling_needs_a_mediation_outcome(api, users, dispute, clock):
    case = report(users["resident"], dispute, description="楼上楼下漏水纠纷")
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"], to_grid=True)
    services.do_accept(case, users["worker"])
    url = f"/api/cases/{case.number}/handle/"
    missing = api(users["worker"]).post(url, {"result": "已上门调解"}, format="json")
    assert missing.status_code == 400
    assert missing.data["mediation_outcome"] == ["矛盾纠纷须填写调解结果"]
    assert Case.objects.get(pk=case.pk).status == "accepted"
    wrong = api(users["worker"]).post(
        url, {"result": "已上门调解", "mediation_outcome": "maybe"}, format="json"
    )
    assert wrong.status_code == 400
    done = api(users["worker"]).post(
        url, {"result": "双方达成协议", "mediation_outcome": "succeeded"}, format="json"
    )
    assert done.status_code == 200, done.data
    data = detail(api, users["operator"], case)
    assert data["mediation_outcome"] == "succeeded" and data["status"] == "handled"


def test_other_categories_take_no_mediation_outcome(users, garbage, clock):
    case = case_in_state("accepted", users, cat=garbage)
    with pytest.raises(ValidationError) as error:
        services.do_handle(case, users["handler"], result="已清运", mediation_outcome="failed")
    assert error.value.message_dict["mediation_outcome"] == ["“暴露垃圾”类案件不记录调解结果"]
    case.refresh_from_db()
    assert case.status == "accepted" and case.mediation_outcome == ""
