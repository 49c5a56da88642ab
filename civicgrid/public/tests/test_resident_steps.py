"""The residents' pages after a report: every mistake of the form in one answer with a summary
at the top, adding information or photos, withdrawing before filing, the photos of the case
(the reporter's own, the after-photos once closed), the residents' wording of each state."""

import pytest
from django.utils import timezone

from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as case_services
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.cases import walk_to
from civicgrid.testing.images import not_an_image, photo
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users, clutter):
    return case_services.do_report(
        user=None,
        source="resident",
        category=clutter,
        description="3号楼2楼楼道堆放纸箱",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        reporter_name="陈敏",
        reporter_phone="13912345678",
        photos=[photo()],
    ).case


def page(client, case):
    return client.get(f"/resident/t/{case.public_token}/")


def test_every_mistake_of_the_report_form_comes_back_at_once(client, tree, clutter):
    response = client.post(
        "/resident/report/",
        {
            "category": str(clutter.pk),
            "description": "楼道堆物",
            "reporter_phone": "电话号码",
            "reporter_email": "chen@",
            "photo": not_an_image(),
        },
    )
    assert response.status_code == 200 and not Case.objects.exists()
    text = response.content.decode()
    summary = text[
        text.index("data-error-summary") : text.index("</ul>", text.index("data-error-summary"))
    ]
    # The phone, the e-mail and the photo in the same answer, each linking to its field.
    assert "联系电话格式不正确" in summary
    assert "电子邮箱格式不正确" in summary
    assert "文件不是有效的图片" in summary
    assert 'href="#field-reporter_phone"' in summary and 'href="#field-photo"' in summary


def test_the_page_offers_adding_and_withdrawing_while_the_report_waits(client, case):
    text = page(client, case).content.decode()
    assert 'id="add-info"' in text and 'id="withdraw"' in text
    assert "已受理，待立案" in text


def test_a_visitor_adds_a_note_and_a_photo(client, case, media_files):
    response = client.post(
        f"/resident/t/{case.public_token}/add/",
        {"note": "北侧楼梯也堆满了", "photos": [photo(name="more.jpg")]},
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, action="add_info")
    assert event.note == "北侧楼梯也堆满了" and event.actor is None
    assert Attachment.objects.filter(case=case, event=event, kind="other").count() == 1
    text = page(client, case).content.decode()
    assert "您补充了信息" in text and "北侧楼梯也堆满了" in text
    assert "已补充" in text  # the message after the redirect


def test_adding_nothing_is_a_message_next_to_the_field(client, case):
    response = client.post(f"/resident/t/{case.public_token}/add/", {"note": " "})
    assert response.status_code == 400
    assert "请填写补充说明或选择照片" in response.content.decode()
    assert not CaseEvent.objects.filter(case=case, action="add_info").exists()


def test_a_resident_withdraws_their_report(client_for, users, clutter):
    case = case_services.do_report(
        user=users["resident"], source="resident", category=clutter, description="噪音扰民"
    ).case
    client = client_for(users["resident"])
    response = client.post(f"/resident/t/{case.public_token}/withdraw/", {"reason": "已解决"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"
    text = page(client, case).content.decode()
    assert "已撤销" in text and 'id="withdraw"' not in text and 'id="add-info"' not in text
    assert "您已撤销本次反映" in text and "已解决" in text


def test_a_filed_case_cannot_be_withdrawn_from_the_page(client, case, users):
    case_services.do_file(case, users["operator"])
    assert 'id="withdraw"' not in page(client, case).content.decode()
    response = client.post(f"/resident/t/{case.public_token}/withdraw/", {"reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "filed"
    assert "不能撤销" in page(client, case).content.decode()


def test_staff_with_the_link_are_not_offered_the_reporters_steps(client_for, users, case):
    text = page(client_for(users["operator"]), case).content.decode()
    assert 'id="add-info"' not in text and 'id="withdraw"' not in text


def test_a_returned_case_reads_as_in_hand(client, case, users):
    walk_to(case, "returned", users, department=users["handler"].department)
    text = page(client, case).content.decode()
    assert "处理中" in text
    assert "调整处置单位" not in text and "退回" not in text


def test_not_filed_shows_the_reason_and_what_to_do(client, case, users):
    walk_to(case, "not_filed", users, notes={"refuse_filing": "属于物业维修范围,请联系物业"})
    text = page(client, case).content.decode()
    assert 'id="refusal-reason"' in text and "属于物业维修范围" in text
    assert "12345" in text[text.index('id="next-step"') :]


def test_the_result_and_after_photos_show_once_closed(client, case, users, media_files):
    walk_to(case, "accepted", users, department=users["handler"].department)
    case_services.do_handle(
        case, users["handler"], result="已清理,联系人李强 13733334444", photos=[photo(name="a.jpg")]
    )
    after = Attachment.objects.get(case=case, kind="after")
    text = page(client, case).content.decode()
    # Handled, not yet checked: the reporter's own photo only, no result yet.
    assert f"/photos/{after.pk}/" not in text and 'id="handling-result"' not in text
    case_services.do_verify_pass(case, users["operator"])
    text = page(client, case).content.decode()
    assert 'id="handling-result"' in text and "13733334444" not in text and "李强" not in text
    assert f"/resident/t/{case.public_token}/photos/{after.pk}/thumb/" in text
    assert "data-photo-viewer" in text


def test_photos_are_served_by_the_link_only_for_the_photos_it_shows(client, case, users):
    own = Attachment.objects.get(case=case)
    thumb = client.get(f"/resident/t/{case.public_token}/photos/{own.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert max(image.size) <= 320
    full = client.get(f"/resident/t/{case.public_token}/photos/{own.pk}/")
    assert full.status_code == 200
    assert client.get(f"/resident/t/wrong-token/photos/{own.pk}/").status_code == 404
    # A photo of another step (a 核查 photo of the site) is not the link's to show.
    walk_to(case, "handled", users, department=users["handler"].department)
    case_services.do_verify_pass(case, users["operator"], photos=[photo(name="site.jpg")])
    site = Attachment.objects.filter(case=case).exclude(pk=own.pk).exclude(kind="after").first()
    assert client.get(f"/resident/t/{case.public_token}/photos/{site.pk}/").status_code == 404


def test_the_extension_date_is_on_the_page(client, case, users):
    walk_to(case, "accepted", users, department=users["handler"].department)
    request = case_services.do_request_extension(
        case, users["handler"], days=2, reason="等待配件"
    ).extension
    case_services.do_decide_extension(case, users["chief"], extension=request, approve=True)
    case.refresh_from_db()
    deadline = timezone.localtime(case.handling_deadline).strftime("%Y-%m-%d %H:%M")
    assert f"新的办理期限：{deadline}" in page(client, case).content.decode()
