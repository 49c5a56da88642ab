"""The grid's part of the case loop on the phone: accept, handle with after-photos, verify
pass / fail (返工) with a reason and a photo — the same cases.services as the API, PRG, and
nothing written on bad input or an illegal transition."""

import pytest

from civicgrid.attachments.models import Attachment
from civicgrid.cases.choices import CaseAction, CaseStatus
from civicgrid.cases.models import CaseEvent
from civicgrid.testing.cases import grid_case
from civicgrid.testing.images import not_an_image, png

pytestmark = pytest.mark.django_db


def actions(case):
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True))


def media_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_accept_then_handle_with_after_photos(users, client_for):
    u = users
    case = grid_case(u["operator"], operator=u["operator"])
    c = client_for(u["worker"])
    page = c.get(f"/m/cases/{case.number}/").content.decode()
    assert "接单处置" in page and "提交处置结果" not in page
    response = c.post(f"/m/cases/{case.number}/accept/", {"note": ""})
    assert response.status_code == 302 and response["Location"] == f"/m/cases/{case.number}/"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert actions(case)[-1] == CaseAction.ACCEPT
    response = c.post(
        f"/m/cases/{case.number}/handle/",
        {"result": "已清理楼道杂物", "photos": [png("a.png"), png("b.png", color=(1, 2, 3))]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLED and case.handling_result == "已清理楼道杂物"
    event = CaseEvent.objects.get(case=case, action=CaseAction.HANDLE)
    photos = Attachment.objects.filter(case=case)
    assert photos.count() == 2 and {p.kind for p in photos} == {"after"}
    assert {p.event_id for p in photos} == {event.pk}
    followed = c.get(response["Location"]).content.decode()
    assert "处置结果已提交，等待核查" in followed


def test_a_bad_after_photo_saves_nothing_and_keeps_the_result(users, client_for, settings):
    u = users
    case = grid_case(u["worker"], operator=u["operator"], until="accepted")
    before = actions(case)
    response = client_for(u["worker"]).post(
        f"/m/cases/{case.number}/handle/",
        {"result": "已清理楼道杂物", "photos": [png("ok.png"), not_an_image("bad.jpg")]},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "照片“bad.jpg”" in text and "已清理楼道杂物" in text
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and actions(case) == before
    assert not Attachment.objects.exists()
    assert media_files(settings) == []


def test_handle_without_a_result_is_a_message_next_to_the_field(users, client_for):
    u = users
    case = grid_case(u["worker"], operator=u["operator"], until="accepted")
    response = client_for(u["worker"]).post(f"/m/cases/{case.number}/handle/", {"result": " "})
    assert response.status_code == 400
    assert 'id="field-result"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_verify_pass_closes_the_case(users, client_for):
    u = users
    case = grid_case(u["worker"], operator=u["operator"], until="handled")
    response = client_for(u["gridhead"]).post(
        f"/m/cases/{case.number}/verify/",
        {"decision": "pass", "note": "现场已清理", "photo": png("clean.png")},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    event = CaseEvent.objects.filter(case=case).order_by("-id").first()
    assert event.action == CaseAction.VERIFY_PASS and event.actor == u["gridhead"]
    assert event.note == "现场已清理"
    assert Attachment.objects.get(case=case).event == event


def test_verify_fail_needs_a_reason_and_takes_a_photo(users, client_for, settings):
    u = users
    case = grid_case(u["worker"], operator=u["operator"], until="handled")
    c = client_for(u["staff"])
    response = c.post(
        f"/m/cases/{case.number}/verify/", {"decision": "fail", "note": "", "photo": png()}
    )
    assert response.status_code == 400
    assert "请填写返工原因" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLED and not Attachment.objects.exists()
    assert media_files(settings) == []

    response = c.post(
        f"/m/cases/{case.number}/verify/",
        {"decision": "fail", "note": "楼道仍有纸箱未清", "photo": png("still.png")},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.rework_count == 1
    event = CaseEvent.objects.get(case=case, action=CaseAction.VERIFY_FAIL)
    assert event.note == "楼道仍有纸箱未清"
    photo = Attachment.objects.get(case=case)
    assert photo.event == event


def test_a_bad_rework_photo_keeps_the_case_handled(users, client_for):
    u = users
    case = grid_case(u["worker"], operator=u["operator"], until="handled")
    response = client_for(u["colleague"]).post(
        f"/m/cases/{case.number}/verify/",
        {"decision": "fail", "note": "仍未清理", "photo": not_an_image()},
    )
    assert response.status_code == 400
    assert "仍未清理" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLED and case.rework_count == 0


def test_an_illegal_transition_is_a_message_and_changes_nothing(users, client_for):
    u = users
    case = grid_case(u["worker"], operator=u["operator"], until="accepted")
    before = actions(case)
    c = client_for(u["worker"])
    response = c.post(f"/m/cases/{case.number}/accept/", follow=True)
    text = response.content.decode()
    assert "不能接单处置" in text
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and actions(case) == before


def test_handling_a_department_case_is_refused(users, client_for):
    from civicgrid.cases import services as cases
    from civicgrid.testing.world import IN_MICRO, category

    u = users
    case = cases.do_report(
        user=u["worker"],
        category=category("community", "0101"),
        description="楼道堆物",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    cases.do_file(case, u["operator"])
    cases.do_dispatch(case, u["operator"], department=u["handler"].department)
    response = client_for(u["worker"]).post(f"/m/cases/{case.number}/accept/")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
