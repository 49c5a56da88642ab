"""Every action through the case page: the case changes as the service does (a history row),
refused input keeps the data as it was and shows the message, a leader's POST is a 403."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.attachments.models import Attachment
from civicgrid.cases import services
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.choices import ExtensionStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


def photo(name="after.jpg", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def act(client, case, action, data=None, **extra):
    return client.post(f"/console/case/{case.number}/do/{action}/", data or {}, **extra)


def last_event(case):
    return CaseEvent.objects.filter(case=case).order_by("-at", "-id").first()


def fresh(case):
    return Case.objects.get(pk=case.pk)


def snapshot(case):
    row = Case.objects.filter(pk=case.pk).values().get()
    row.pop("updated_at")
    return row, CaseEvent.objects.filter(case=case).count()


def test_operator_files_and_dispatches(users, garbage, departments, client_for):
    case = report(users["resident"], garbage)
    client = client_for(users["operator"])
    page = client.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-file"' in page and 'id="act-dispatch"' not in page
    # Refusing to file is the 值班长's decision, not the 受理/派遣员's.
    assert 'id="act-refuse_filing"' not in page

    response = act(client, case, "file", {"note": "情况属实"})
    assert response.status_code == 302 and response["Location"] == f"/console/case/{case.number}/"
    assert fresh(case).status == S.FILED
    event = last_event(case)
    assert (event.action, event.actor, event.note) == (A.FILE, users["operator"], "情况属实")
    followed = client.get(response["Location"]).content.decode()
    assert "已立案" in followed

    response = act(client, case, "dispatch", {"department": departments["fg"].pk, "note": "房管"})
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == S.DISPATCHED and case.assigned_department == departments["fg"]
    assert case.handling_deadline is not None
    assert last_event(case).action == A.DISPATCH


def test_dispatch_to_the_grid(users, garbage, client_for):
    case = report(users["resident"], garbage)
    services.do_file(case, users["operator"])
    act(client_for(users["operator"]), case, "dispatch", {"to_grid": "on"})
    case = fresh(case)
    assert case.handled_by_grid and case.assigned_department is None


def test_refuse_without_reason_keeps_the_case_and_shows_the_message(users, garbage, client_for):
    case = report(users["resident"], garbage)
    before = snapshot(case)
    response = act(client_for(users["chief"]), case, "refuse_filing", {"reason": "   "})
    assert response.status_code == 200
    text = response.content.decode()
    assert "请填写不予立案理由" in text
    assert 'id="act-refuse_filing" open' in text
    assert snapshot(case) == before
    act(client_for(users["chief"]), case, "refuse_filing", {"reason": "非本辖区问题"})
    assert fresh(case).status == S.NOT_FILED


def test_an_illegal_transition_is_a_message_and_changes_nothing(users, garbage, client_for):
    case = report(users["resident"], garbage)
    client = client_for(users["operator"])
    before = snapshot(case)
    response = act(client, case, "dispatch", {})
    assert response.status_code == 302
    assert snapshot(case) == before
    assert "不能派遣" in client.get(response["Location"]).content.decode()


def test_handler_accepts_handles_with_photos_and_verification_closes(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    handler = client_for(users["handler"])
    response = act(handler, case, "accept", {"next": "/console/inbox/"})
    assert response["Location"] == "/console/inbox/"
    assert fresh(case).status == S.ACCEPTED
    page = handler.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-handle"' in page and 'id="act-request_extension"' in page
    assert 'id="act-verify_pass"' not in page

    response = act(
        handler, case, "handle", {"result": "已清运完毕", "photos": [photo(), photo("b.jpg")]}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == S.HANDLED and case.handling_result == "已清运完毕"
    event = last_event(case)
    assert event.action == A.HANDLE
    stored = list(Attachment.objects.filter(case=case))
    assert len(stored) == 2 and {a.kind for a in stored} == {"after"}
    assert {a.event_id for a in stored} == {event.pk}
    page = handler.get(f"/console/case/{case.number}/").content.decode()
    assert f"/api/attachments/{stored[0].pk}/file" in page

    staff = client_for(users["staff"])
    act(staff, case, "verify_fail", {"reason": "仍有残留垃圾", "photos": [photo("rework.jpg")]})
    case = fresh(case)
    assert case.status == S.ACCEPTED and case.rework_count == 1
    rework_photo = Attachment.objects.get(case=case, kind="other")
    assert rework_photo.event == last_event(case) and rework_photo.uploaded_by == users["staff"]
    services.do_handle(case, users["handler"], result="已彻底清理")
    act(staff, case, "verify_pass", {"note": "现场核实"})
    assert fresh(case).status == S.CLOSED
    assert last_event(case).actor == users["staff"]


def test_a_bad_photo_saves_nothing(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    services.do_accept(case, users["handler"])
    before = snapshot(case)
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    response = act(
        client_for(users["handler"]),
        case,
        "handle",
        {"result": "已处理", "photos": [photo(), fake]},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="field-handle_photos"' in text and "has-error" in text
    assert "已处理" in text  # what was typed stays
    assert snapshot(case) == before
    assert not Attachment.objects.filter(case=case).exists()


def test_handler_returns_with_a_reason(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    handler = client_for(users["handler"])
    response = act(handler, case, "return", {"reason": "", "next": "/console/inbox/"})
    assert response.status_code == 200 and "请填写退回理由" in response.content.decode()
    assert fresh(case).status == S.DISPATCHED
    act(handler, case, "return", {"reason": "属物业管理范围"})
    case = fresh(case)
    assert case.status == S.RETURNED and case.returned_count == 1
    assert last_event(case).note == "属物业管理范围"


def test_handler_of_another_department_is_refused(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    before = snapshot(case)
    # not in their scope at all: 404; in scope but not theirs to handle would be 403
    assert act(client_for(users["handler_fg"]), case, "accept").status_code == 404
    assert snapshot(case) == before


def test_extension_request_and_approval(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    services.do_accept(case, users["handler"])
    handler = client_for(users["handler"])
    response = act(handler, case, "request_extension", {"days": "四十", "reason": "需协调物业"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "延期天数必须是整数" in text and "需协调物业" in text and 'value="四十"' in text
    assert not case.extensions.exists()
    act(handler, case, "request_extension", {"days": "2", "reason": "需协调物业"})
    request = case.extensions.get()
    before = fresh(case).handling_deadline

    page = client_for(users["operator"]).get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-decide_extension"' not in page  # the 值班长 decides
    chief = client_for(users["chief"])
    page = chief.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-decide_extension"' in page
    act(chief, case, "decide_extension", {"extension": request.pk, "decision": "approve"})
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED
    assert fresh(case).handling_deadline > before
    assert fresh(case).extension_count == 1
    assert last_event(case).action == A.DECIDE_EXTENSION


def test_suspend_and_resume(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    operator = client_for(users["chief"])
    act(operator, case, "suspend", {"reason": "等待业主回沪"})
    assert fresh(case).is_suspended
    page = operator.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-resume"' in page and 'id="act-suspend"' not in page
    act(operator, case, "resume", {"note": "业主已回"})
    case = fresh(case)
    assert not case.is_suspended and len(case.pauses) == 1


def test_merge_into_a_possible_duplicate(users, garbage, client_for):
    master = report(users["resident"], garbage)
    duplicate = report(users["resident"], garbage, description="门口垃圾很多")
    operator = client_for(users["chief"])
    page = operator.get(f"/console/case/{duplicate.number}/").content.decode()
    assert master.number in page and "将本案并入该案" in page
    response = act(operator, duplicate, "merge", {"master": "2099"})
    assert "主案件“2099”不存在" in response.content.decode()
    assert fresh(duplicate).status == S.REPORTED
    act(operator, duplicate, "merge", {"master": master.number, "note": "同一处"})
    duplicate = fresh(duplicate)
    assert duplicate.status == S.MERGED and duplicate.merged_into == master
    assert last_event(master).action == A.MERGE_RECEIVE


def test_merge_a_duplicate_into_this_case(users, garbage, client_for):
    master = report(users["resident"], garbage)
    duplicate = report(users["resident"], garbage, description="门口垃圾很多")
    operator = client_for(users["chief"])
    page = operator.get(f"/console/case/{master.number}/").content.decode()
    assert "将该案并入本案" in page
    response = act(
        operator,
        duplicate,
        "merge",
        {"master": master.number, "next": f"/console/case/{master.number}/"},
    )
    assert response["Location"] == f"/console/case/{master.number}/"
    assert fresh(duplicate).merged_into == master


def test_call_in_started_by_the_community_and_concluded_by_the_street(
    users, garbage, departments, client_for
):
    case = case_in_state("dispatched", users, cat=garbage)
    staff = client_for(users["staff"])
    page = staff.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-start_call_in"' in page and 'id="act-file"' not in page
    response = act(
        staff,
        case,
        "start_call_in",
        {"reason": "物业与房管职责不清", "departments": [departments["cg"].pk]},
    )
    assert "基层约请限于超期案件" in response.content.decode()
    assert not case.call_ins.exists()
    act(
        staff,
        case,
        "start_call_in",
        {
            "reason": "物业与房管职责不清",
            "departments": [departments["cg"].pk, departments["fg"].pk],
            "meeting_at": "2026-12-03T14:30",
        },
    )
    call_in = case.call_ins.get()
    assert call_in.departments.count() == 2 and call_in.meeting_at is not None
    operator = client_for(users["operator"])
    act(operator, case, "record_call_in_outcome", {"call_in": call_in.pk, "outcome": "房管牵头"})
    call_in.refresh_from_db()
    assert call_in.status == "concluded" and call_in.outcome == "房管牵头"


def test_operator_records_a_call_back_rating(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    services.do_accept(case, users["handler"])
    services.do_handle(case, users["handler"], result="已清理")
    services.do_verify_pass(case, users["operator"])
    act(
        client_for(users["operator"]),
        case,
        "rate",
        {"rating": "satisfied", "comment": "电话回访满意"},
    )
    assert fresh(case).rating == "satisfied"


def test_reveal_phone_is_logged(users, garbage, client_for):
    case = report(users["resident"], garbage)
    client = client_for(users["operator"])
    page = client.get(f"/console/case/{case.number}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    response = client.post(f"/console/case/{case.number}/reveal-phone/")
    assert response.status_code == 302
    assert "13912345678" in client.get(response["Location"]).content.decode()
    assert last_event(case).action == A.REVEAL_PHONE
    assert (
        client_for(users["leader"]).post(f"/console/case/{case.number}/reveal-phone/").status_code
        == 403
    )


def test_leader_gets_no_forms_and_a_post_is_refused(users, garbage, client_for):
    case = report(users["resident"], garbage)
    leader = client_for(users["leader"])
    response = leader.get(f"/console/case/{case.number}/")
    assert response.status_code == 200
    assert response.context["action_forms"] == []
    assert "只读" in response.content.decode()
    before = snapshot(case)
    refused = act(leader, case, "file", {"note": "x"})
    assert refused.status_code == 403 and "只能查看" in refused.content.decode()
    assert snapshot(case) == before


def test_a_get_changes_nothing(users, garbage, client_for):
    case = report(users["resident"], garbage)
    before = snapshot(case)
    response = client_for(users["operator"]).get(f"/console/case/{case.number}/do/file/")
    assert response.status_code == 405
    assert snapshot(case) == before


def test_csrf_is_required(users, garbage):
    from django.test import Client

    case = report(users["resident"], garbage)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["operator"])
    assert act(client, case, "file").status_code == 403
    assert fresh(case).status == S.REPORTED


def test_bulk_dispatch_all_or_nothing(users, garbage, departments, client_for):
    cases = [report(users["resident"], garbage, IN_MICRO[i]) for i in range(3)]
    for case in cases:
        services.do_file(case, users["operator"])
    not_filed = report(users["resident"], garbage)
    operator = client_for(users["operator"])
    numbers = [c.number for c in cases] + [not_filed.number]
    response = operator.post(
        "/console/dispatch/",
        {"cases": numbers, "dispatch_department": departments["fg"].pk, "tab": "to_dispatch"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert not_filed.number in text and "本次没有派遣任何案件" in text
    assert text.count("checked") >= 3  # the selection is kept
    assert all(fresh(c).status == S.FILED for c in cases)

    response = operator.post(
        "/console/dispatch/",
        {"cases": numbers[:3], "dispatch_department": departments["fg"].pk, "tab": "to_dispatch"},
    )
    assert response.status_code == 302 and "tab=to_dispatch" in response["Location"]
    assert all(fresh(c).status == S.DISPATCHED for c in cases)
    assert {fresh(c).assigned_department_id for c in cases} == {departments["fg"].pk}
    assert "已派遣 3 件案件" in operator.get(response["Location"]).content.decode()


def test_bulk_dispatch_needs_a_selection_and_the_street(users, garbage, client_for):
    response = client_for(users["operator"]).post("/console/dispatch/", {"tab": "to_dispatch"})
    assert "请勾选要派遣的案件" in response.content.decode()
    assert (
        client_for(users["staff"]).post("/console/dispatch/", {"cases": ["1"]}).status_code == 403
    )
    assert (
        client_for(users["leader"]).post("/console/dispatch/", {"cases": ["1"]}).status_code == 403
    )


def test_english_on_request(users, garbage, client_for):
    case = report(users["resident"], garbage, IN_MICRO[1])
    client = client_for(users["operator"])
    text = client.get(f"/console/case/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "History" in text


def _forms(client, case):
    response = client.get(f"/console/case/{case.number}/")
    return [item["spec"].name for item in response.context["action_forms"]]


def test_the_page_offers_exactly_what_this_user_may_do_now(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    # the desk may 改派 or 撤回 a dispatched case (催办 only once it nears its deadline)
    assert _forms(client_for(users["operator"]), case) == [
        "redispatch",
        "recall",
        "locate",
        "first_contact",
        "start_call_in",
    ]
    assert _forms(client_for(users["chief"]), case) == [
        "redispatch",
        "recall",
        "locate",
        "suspend",
        "merge",
        "first_contact",
        "start_call_in",
    ]
    assert _forms(client_for(users["handler"]), case) == [
        "accept",
        "return",
        "request_extension",
        "first_contact",
    ]
    assert _forms(client_for(users["staff"]), case) == ["first_contact", "start_call_in"]
    services.do_first_contact(case, users["staff"], note="已电话联系反映人,说明处置安排")
    assert _forms(client_for(users["staff"]), case) == ["start_call_in"]
    assert _forms(client_for(users["leader"]), case) == []
    services.do_accept(case, users["handler"])
    services.do_handle(case, users["handler"], result="已清理")
    assert _forms(client_for(users["staff"]), case) == [
        "verify_pass",
        "verify_fail",
        "start_call_in",
    ]
    assert _forms(client_for(users["handler"]), case) == []
    services.do_verify_pass(case, users["staff"])
    assert _forms(client_for(users["operator"]), case) == ["rate"]  # a call-back rating


def test_refused_input_for_an_action_no_longer_offered_is_still_explained(
    users, garbage, client_for
):
    case = case_in_state("dispatched", users, cat=garbage)
    before = snapshot(case)
    response = act(
        client_for(users["chief"]),
        case,
        "decide_extension",
        {"extension": "999", "decision": "approve"},
    )
    assert response.status_code == 200
    assert "该案件没有这个延期申请" in response.content.decode()
    assert snapshot(case) == before


def test_operator_places_a_case_outside_every_grid(users, garbage, client_for):
    case = services.do_report(
        user=users["resident"], category=garbage, description="路边垃圾", lon=120.0, lat=30.0
    ).case
    assert case.needs_manual_location
    client = client_for(users["operator"])
    page = client.get(f"/console/case/{case.number}/").content.decode()
    assert 'id="act-locate"' in page

    before = snapshot(case)
    refused = act(client, case, "locate", {"lon": "120.0", "lat": "30.0", "note": ""})
    assert refused.status_code == 200
    assert "不在任何网格内" in refused.content.decode()
    assert snapshot(case) == before

    lon, lat = IN_MICRO[0]
    response = act(client, case, "locate", {"lon": str(lon), "lat": str(lat), "note": "电话核实"})
    assert response.status_code == 302
    placed = fresh(case)
    assert not placed.needs_manual_location and placed.micro_grid_id is not None
    assert last_event(case).action == A.LOCATE
    # A leader may look but not move it.
    leader = client_for(users["leader"])
    assert act(leader, case, "locate", {"lon": str(lon), "lat": str(lat)}).status_code == 403
