"""The reporter's own steps (补充信息, 撤销), the residents' wording of each state, and a report
sent twice with the phone's key (report_once)."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.attachments.models import Attachment
from civicgrid.cases import public, services
from civicgrid.cases.choices import CaseAction, CaseStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.images import not_an_image, photo

pytestmark = pytest.mark.django_db


def test_the_reporter_adds_a_note_and_a_photo_to_an_open_report(users, media_files):
    case = case_in_state("dispatched", users, department=users["handler"].department)
    done = services.do_add_info(
        case, users["resident"], note="今天又多了两袋垃圾", photos=[photo()]
    )
    assert done.event.action == CaseAction.ADD_INFO and done.event.actor == users["resident"]
    assert done.event.note == "今天又多了两袋垃圾"
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED  # the state does not move
    attachment = Attachment.objects.get()
    assert attachment.event == done.event and attachment.kind == "other"
    assert len(media_files()) == 1


def test_a_visitor_adds_through_the_link_and_a_wrong_link_writes_nothing(users, clutter):
    case = report(None, clutter, source="resident", reporter_phone="13912345678")
    services.do_add_info(case, None, note="补充:在3号楼北侧", token=case.public_token)
    assert CaseEvent.objects.filter(case=case, action="add_info", actor=None).count() == 1
    with pytest.raises(PermissionDenied):
        services.do_add_info(case, None, note="x", token="wrong")
    with pytest.raises(PermissionDenied):
        services.do_add_info(case, None, note="x")  # neither the account nor the link
    assert CaseEvent.objects.filter(case=case, action="add_info").count() == 1


def test_staff_and_other_residents_are_not_the_reporter(users):
    case = case_in_state("reported", users)
    with pytest.raises(PermissionDenied):
        services.do_add_info(case, users["operator"], note="x", token=case.public_token)
    with pytest.raises(PermissionDenied):
        services.do_add_info(case, users["resident2"], note="x")
    with pytest.raises(PermissionDenied):
        services.do_withdraw_report(case, users["worker"], reason="x")
    assert not CaseEvent.objects.filter(case=case, action__in=["add_info", "withdraw"]).exists()


def test_nothing_to_add_and_a_bad_photo_are_refused_with_nothing_written(users, media_files):
    case = case_in_state("reported", users)
    with pytest.raises(ValidationError) as empty:
        services.do_add_info(case, users["resident"], note="  ")
    assert "请填写补充说明或选择照片" in str(empty.value)
    with pytest.raises(ValidationError):
        services.do_add_info(case, users["resident"], note="看照片", photos=[not_an_image()])
    assert not CaseEvent.objects.filter(case=case, action="add_info").exists()
    assert media_files() == [] and not Attachment.objects.exists()


def test_a_closed_case_takes_no_more_information(users):
    case = case_in_state("closed", users, department=users["handler"].department)
    with pytest.raises(services.IllegalTransition):
        services.do_add_info(case, users["resident"], note="还有问题")


def test_the_reporter_withdraws_before_filing(users):
    case = case_in_state("reported", users)
    done = services.do_withdraw_report(case, users["resident"], reason="问题已自行解决")
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.filing_deadline is None
    assert done.event.action == CaseAction.WITHDRAW and done.event.note == "问题已自行解决"
    assert public.public_status(case) == "已撤销"


def test_a_filed_case_cannot_be_withdrawn(users):
    case = case_in_state("filed", users)
    with pytest.raises(services.IllegalTransition):
        services.do_withdraw_report(case, users["resident"])
    case.refresh_from_db()
    assert case.status == CaseStatus.FILED


# --- what the reporter reads ---------------------------------------------------------------------


def steps_of(case):
    rows = case.events.order_by("at", "id").values_list("at", "action", "data", "note")
    return [s for row in rows if (s := public.public_step(*row, names=["张磊"])) is not None]


def test_a_returned_case_reads_as_still_in_hand(users):
    case = case_in_state("returned", users, department=users["handler"].department)
    assert public.public_status(case) == "处理中"
    assert "return" not in [s["action"] for s in steps_of(case)]
    assert "退回" not in " ".join(str(s["label"]) for s in steps_of(case))


def test_not_filed_shows_the_reason_masked_and_the_next_step(users):
    case = case_in_state(
        "not_filed", users, notes={"refuse_filing": "属物业管理范围,请联系物业张磊 13611112222"}
    )
    (refusal,) = [s for s in steps_of(case) if s["action"] == "refuse_filing"]
    assert public.public_status(case) == "不予立案"
    assert "属物业管理范围" in refusal["detail"]
    assert "13611112222" not in refusal["detail"] and "张磊" not in refusal["detail"]
    assert "12345" in str(refusal["next_step"])


def test_an_approved_extension_shows_the_new_deadline(users):
    case = case_in_state("accepted", users, department=users["handler"].department)
    request = services.do_request_extension(
        case, users["handler"], days=3, reason="需协调物业"
    ).extension
    services.do_decide_extension(case, users["chief"], extension=request, approve=True)
    case.refresh_from_db()
    (step,) = [s for s in steps_of(case) if s["action"] == "decide_extension"]
    expected = timezone.localtime(case.handling_deadline).strftime("%Y-%m-%d %H:%M")
    assert step["detail"] == f"新的办理期限：{expected}"


def test_a_rejected_extension_is_not_shown(users):
    case = case_in_state("accepted", users, department=users["handler"].department)
    request = services.do_request_extension(
        case, users["handler"], days=3, reason="需协调物业"
    ).extension
    services.do_decide_extension(case, users["chief"], extension=request, approve=False)
    assert "decide_extension" not in [s["action"] for s in steps_of(case)]


@pytest.mark.parametrize(
    ("state", "wording"),
    [
        ("reported", "已受理，待立案"),
        ("filed", "处理中"),
        ("dispatched", "处理中"),
        ("accepted", "处理中"),
        ("handled", "已处置，待核查"),
        ("closed", "已办结"),
        ("suspended", "暂停办理"),
    ],
)
def test_each_state_in_the_reporters_words(users, state, wording):
    case = case_in_state(state, users, department=users["handler"].department)
    assert public.public_status(case) == wording


# --- a report sent twice ---------------------------------------------------------------------------


def test_the_same_key_answers_the_same_case(users, clutter):
    key = uuid.uuid4()
    fields = {"category": clutter, "description": "楼道堆物", "source": "grid_patrol"}
    first, created = services.report_once(user=users["worker"], client_key=key, **fields)
    again, created_again = services.report_once(user=users["worker"], client_key=str(key), **fields)
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.count() == 1 and first.client_key == key


def test_a_key_is_its_senders_and_must_be_a_uuid(users, clutter):
    key = uuid.uuid4()
    fields = {"category": clutter, "description": "楼道堆物", "source": "grid_patrol"}
    services.report_once(user=users["worker"], client_key=key, **fields)
    with pytest.raises(ValidationError):
        services.report_once(user=users["colleague"], client_key=key, **fields)
    with pytest.raises(ValidationError):
        services.report_once(user=users["worker"], client_key="not-a-uuid", **fields)
    assert Case.objects.count() == 1


def test_the_api_gives_the_reporter_the_same_words(api, users):
    case = case_in_state(
        "not_filed", users, notes={"refuse_filing": "属物业管理范围,请联系物业张磊 13611112222"}
    )
    response = api(users["resident"]).get(f"/api/cases/{case.number}/")
    assert response.status_code == 200 and response.data["view"] == "public"
    (step,) = [s for s in response.data["timeline"] if s["action"] == "refuse_filing"]
    assert "属物业管理范围" in step["detail"] and "13611112222" not in step["detail"]
    assert "12345" in step["next_step"]
