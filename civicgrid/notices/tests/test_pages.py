"""The pages: the board, a notice with its objection form, the kiosk, staff compose and publish,
nominations; bad input is a 400 with nothing saved, a wrong role a 403."""

import pytest

from civicgrid.notices import services
from civicgrid.notices.models import Nomination, Notice, Objection, ObjectionAnswer

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(users, draft):
    services.do_submit(users["operator"], draft)
    return services.do_publish(users["admin"], draft)


def test_the_board_and_a_notice_for_anyone(client, live, draft):
    page = client.get("/notices/")
    assert page.status_code == 200
    assert live.title in page.content.decode()
    page = client.get(f"/notices/{live.pk}/")
    assert page.status_code == 200
    assert "登录后提出异议" in page.content.decode()


def test_a_draft_is_not_public(client, users, tree):
    notice = services.do_draft_notice(
        users["operator"],
        kind="announcement",
        scope_level="street",
        grid=tree["street"],
        title="未发布的草稿",
        body="正文",
        department_name="街道办",
    )
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    assert "未发布的草稿" not in client.get("/notices/").content.decode()


def test_an_objection_through_the_page_and_its_answer(client_for, users, live, homes):
    client = client_for(users["resident"])
    bad = client.post(f"/notices/{live.pk}/object/", {"text": "  "})
    assert bad.status_code == 400
    assert Objection.objects.count() == 0
    ok = client.post(f"/notices/{live.pk}/object/", {"text": "第3名项目与小区实际需求不符。"})
    assert ok.status_code == 302
    objection = Objection.objects.get()
    staff = client_for(users["operator"])
    assert (
        staff.post(
            f"/notices/staff/{live.pk}/",
            {"action": "answer", "objection": objection.pk, "text": ""},
        ).status_code
        == 400
    )
    assert ObjectionAnswer.objects.count() == 0
    done = staff.post(
        f"/notices/staff/{live.pk}/",
        {
            "action": "answer",
            "objection": objection.pk,
            "text": "该项目经听证会通过，详见会议纪要。",
        },
    )
    assert done.status_code == 302
    page = client_for(users["resident2"]).get(f"/notices/{live.pk}/").content.decode()
    assert "第3名项目与小区实际需求不符。" in page and "该项目经听证会通过" in page


def test_staff_compose_submit_publish(client_for, users, tree):
    staff = client_for(users["staff"])
    bad = staff.post(
        "/notices/staff/new/",
        {
            "kind": "announcement",
            "scope_level": "community",
            "grid": tree["communities"][0].pk,
            "audience": "public",
            "title": "",
            "body": "x",
            "department_name": "第1居委",
        },
    )
    assert bad.status_code == 400
    assert Notice.objects.count() == 0
    ok = staff.post(
        "/notices/staff/new/",
        {
            "kind": "announcement",
            "scope_level": "community",
            "grid": tree["communities"][0].pk,
            "audience": "public",
            "title": "停水通知",
            "body": "周三停水。",
            "department_name": "第1居委",
        },
    )
    assert ok.status_code == 302
    notice = Notice.objects.get()
    assert staff.post(f"/notices/staff/{notice.pk}/", {"action": "submit"}).status_code == 302
    assert staff.post(f"/notices/staff/{notice.pk}/", {"action": "publish"}).status_code == 403
    admin = client_for(users["admin"])
    assert admin.post(f"/notices/staff/{notice.pk}/", {"action": "publish"}).status_code == 302
    notice.refresh_from_db()
    assert notice.state == "published"
    assert (
        admin.post(f"/notices/staff/{notice.pk}/", {"action": "withdraw", "reason": ""}).status_code
        == 400
    )
    assert client_for(users["staff2"]).get(f"/notices/staff/{notice.pk}/").status_code == 404
    assert client_for(users["resident"]).get("/notices/staff/").status_code == 403


def test_the_kiosk_rotates_live_public_notices(client, live, tree, relocation):
    page = client.get(f"/notices/kiosk/{tree['communities'][0].pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert live.title in text  # a street notice shows on a 居村's kiosk
    assert "花墙片区征收：共2户，已签约0户，签约率0.0%" in text
    assert client.get(f"/notices/kiosk/{tree['micro_grids'][0].pk}/").status_code == 404


def test_nominations_and_the_honour_roll_publish_only_with_consent(client_for, users, tree):
    from civicgrid.notices import generate

    resident = client_for(users["resident"])
    community = tree["communities"][0]
    assert (
        resident.post(
            "/notices/nominate/", {"community": community.pk, "nominee": "", "deed": "x"}
        ).status_code
        == 400
    )
    for name, consent in [("李阿姨", "on"), ("王师傅", "")]:
        assert (
            resident.post(
                "/notices/nominate/",
                {
                    "community": community.pk,
                    "nominee": name,
                    "deed": "常年义务打扫楼道。",
                    "consent": consent,
                },
            ).status_code
            == 302
        )
    staff = client_for(users["staff"])
    for n in Nomination.objects.all():
        assert (
            staff.post(
                "/notices/staff/nominations/", {"nomination": n.pk, "decision": "approve"}
            ).status_code
            == 302
        )
    roll = generate.nomination_honour_roll(users["staff"], community, department_name="第1居委")
    services.do_publish(users["admin"], roll)
    assert list(roll.entries.values_list("name", flat=True)) == ["李阿姨"]
    assert Nomination.objects.get(nominee="李阿姨").state == "published"
    assert Nomination.objects.get(nominee="王师傅").state == "approved"


def test_an_attachment_is_published_with_the_notice(client, client_for, users, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = client_for(users["operator"])
    bad = staff.post(
        f"/notices/staff/{draft.pk}/",
        {
            "action": "attach",
            "upload": SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream"),
        },
    )
    assert bad.status_code == 400
    assert not draft.attachments.exists()
    pdf = SimpleUploadedFile("评分表.pdf", b"%PDF-1.4 test", "application/pdf")
    assert (
        staff.post(f"/notices/staff/{draft.pk}/", {"action": "attach", "upload": pdf}).status_code
        == 302
    )
    item = draft.attachments.get()
    client.logout()
    assert client.get(f"/notices/attachments/{item.pk}/").status_code == 404  # a draft's
    services.do_submit(users["operator"], draft)
    services.do_publish(users["admin"], draft)
    answer = client.get(f"/notices/attachments/{item.pk}/")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"%PDF-1.4 test"


def test_the_public_reads_objections_without_personal_data(client, users, live, homes):
    services.do_object(users["resident"], live, text="我是陈敏，电话13912345678，对第2名有异议。")
    page = client.get(f"/notices/{live.pk}/").content.decode()
    assert "13912345678" not in page
    assert "对第2名有异议" in page


def test_the_board_reads_a_fixed_number_of_queries(client, users, tree, django_assert_num_queries):
    def publish_one(i):
        notice = services.do_draft_notice(
            users["operator"],
            kind="announcement",
            scope_level="street",
            grid=tree["street"],
            title=f"通知{i}",
            body="正文",
            department_name="街道办",
        )
        services.do_submit(users["operator"], notice)
        services.do_publish(users["admin"], notice)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    kiosk = f"/notices/kiosk/{tree['street'].pk}/"
    publish_one(0)
    before = (count("/notices/"), count(kiosk))
    for i in range(1, 6):
        publish_one(i)
    with django_assert_num_queries(before[0]):
        assert "通知5" in client.get("/notices/").content.decode()
    with django_assert_num_queries(before[1]):
        assert "通知5" in client.get(kiosk).content.decode()


def test_the_headquarters_records_a_signing_on_the_relocation_page(client_for, users, relocation):
    page = client_for(users["staff"])
    url = f"/notices/staff/relocations/{relocation.pk}/"
    assert page.get(url).status_code == 200
    rh = relocation.households.order_by("pk").first()
    bad = page.post(url, {"household": rh.pk, "action": "sign", "on": "2026-12-30"})  # tomorrow+
    assert bad.status_code == 400
    rh.refresh_from_db()
    assert rh.status == "pending"
    assert (
        page.post(
            url, {"household": rh.pk, "action": "visit", "on": "2026-11-20", "note": ""}
        ).status_code
        == 400
    )
    assert (
        page.post(url, {"household": rh.pk, "action": "sign", "on": "2026-11-20"}).status_code
        == 302
    )
    rh.refresh_from_db()
    assert (rh.status, str(rh.signed_on)) == ("signed", "2026-11-20")
    assert "共2户，已签约1户，签约率50.0%" in page.get(url).content.decode()
    assert client_for(users["staff2"]).get(url).status_code == 404
