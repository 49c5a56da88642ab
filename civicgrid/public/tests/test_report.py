"""Reporting a problem as a visitor or a signed-in resident: all or nothing, messages next to
the field, what was typed kept."""

import pytest
from django.urls import reverse

from civicgrid.attachments.models import Attachment
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.images import jpeg_bytes, photo
from civicgrid.testing.world import IN_MICRO, OUTSIDE

pytestmark = pytest.mark.django_db

URL = "/resident/report/"


def form_data(cat, **changes):
    data = {
        "category": str(cat.pk),
        "description": "3号楼2楼楼道堆放纸箱和旧家具，影响通行",
        "lon": str(IN_MICRO[0][0]),
        "lat": str(IN_MICRO[0][1]),
        "address": "秀沿路1501弄3号",
        "reporter_name": "陈敏",
        "reporter_phone": "13912345678",
        "reporter_email": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def nothing_written():
    return not Case.objects.exists() and not CaseEvent.objects.exists()


def test_url_names():
    assert reverse("public:home") == "/resident/"
    assert reverse("public:report") == URL
    assert reverse("public:track") == "/resident/track/"


def test_the_form_lists_community_problems_first_and_the_map(client, tree, clutter):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("楼道堆物") < text.index("暴露垃圾")
    assert 'data-pick-lon="id_lon"' in text and 'id="grid-shapes"' in text
    assert "第1居委" in text  # the community outlines are drawn
    assert "第1居委第1网格" not in text  # … and only those: the GeoJSON stays small
    assert 'name="csrfmiddlewaretoken"' in text


def test_a_visitor_reports_with_a_photo(client, tree, clutter, media_files):
    data = form_data(clutter, photo=photo())
    response = client.post(URL, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/resident/report/done/{case.public_token}/"
    assert case.source == "resident" and case.reporter_user is None
    assert case.reporter_phone == "13912345678" and case.reporter_name == "陈敏"
    assert case.micro_grid == tree["micro_grids"][0] and not case.needs_manual_location
    assert list(case.events.values_list("action", flat=True)) == ["report"]
    attachment = Attachment.objects.get()
    assert attachment.case == case and attachment.kind == "before"
    assert attachment.uploaded_by is None and attachment.content_type == "image/jpeg"
    assert len(media_files()) == 1

    done = client.get(response["Location"])
    text = done.content.decode()
    assert case.number in text
    assert f"/resident/t/{case.public_token}/" in text


def test_a_signed_in_resident_reports_under_their_account(client, users, clutter, media_files):
    resident = users["resident"]
    client.force_login(resident)
    page = client.get(URL).content.decode()
    assert 'value="13912345678"' in page  # their phone offered
    response = client.post(URL, form_data(clutter, reporter_phone="", photo=photo()))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter_user == resident and case.source == "resident"
    assert case.reporter_phone == resident.phone  # the account's phone when left empty
    event = case.events.get()
    assert event.actor == resident and event.action == "report"
    attachment = Attachment.objects.get()
    assert attachment.uploaded_by == resident
    assert len(media_files()) == 1


def test_anonymous_needs_a_phone_and_says_so_next_to_it(client, tree, clutter, media_files):
    data = form_data(clutter, is_anonymous="on", reporter_phone="", photo=photo())
    response = client.post(URL, data)
    assert response.status_code == 200
    text = response.content.decode()
    form = response.context["form"]
    assert form.errors["reporter_phone"] == ["匿名反映请留下联系电话，以便反馈处理结果"]
    assert "匿名反映请留下联系电话" in text
    assert "3号楼2楼楼道堆放纸箱和旧家具" in text  # kept
    assert "请重新选择照片" in text
    assert nothing_written() and not Attachment.objects.exists() and media_files() == []


def test_anonymous_with_a_phone_keeps_no_name(client, tree, clutter):
    response = client.post(URL, form_data(clutter, is_anonymous="on"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.is_anonymous and case.reporter_name == "" and case.reporter_phone


def test_a_named_visitor_without_a_phone_is_refused(client, tree, clutter):
    response = client.post(URL, form_data(clutter, reporter_phone=""))
    assert response.status_code == 200
    assert "请留下联系电话" in response.context["form"].errors["reporter_phone"][0]
    assert nothing_written()


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"GIF89a not really a photo", "文件不是有效的图片"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "文件不是有效的图片"),  # truncated JPEG
    ],
)
def test_a_bad_photo_writes_nothing(client, tree, clutter, media_files, data, expected):
    response = client.post(URL, form_data(clutter, photo=photo(data, name="a.jpg")))
    assert response.status_code == 200
    errors = response.context["form"].errors["photo"]
    assert expected in errors[0]
    assert "请重新选择照片" in response.content.decode()
    assert nothing_written() and not Attachment.objects.exists() and media_files() == []


def test_an_oversize_photo_gives_the_limit_and_writes_nothing(
    client, users, clutter, media_files, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    client.force_login(users["resident"])
    big = jpeg_bytes(size=(400, 300))
    assert len(big) > 1000
    response = client.post(URL, form_data(clutter, photo=photo(big)))
    assert response.status_code == 200
    assert "附件大小上限为 1000 B" in response.context["form"].errors["photo"][0]
    assert nothing_written() and media_files() == []


def test_a_point_outside_every_grid_is_accepted_for_manual_location(client, tree, clutter):
    response = client.post(URL, form_data(clutter, lon=str(OUTSIDE[0]), lat=str(OUTSIDE[1])))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.micro_grid is None and case.needs_manual_location


def test_bad_input_is_shown_next_to_the_fields(client, tree, clutter):
    response = client.post(
        URL, form_data(clutter, category="", description="", lon="abc", lat="31.1")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["category"] == ["请选择问题类别"]
    assert errors["description"] == ["请填写问题描述"]
    assert nothing_written()
    # The services' own checks: a bad coordinate, a top-level class.
    response = client.post(URL, form_data(clutter, lon="abc"))
    assert response.context["form"].errors["lon"] == ["经度必须是数字"]
    top = clutter.parent
    response = client.post(URL, form_data(clutter, category=str(top.pk)))
    assert "category" in response.context["form"].errors
    assert nothing_written()


def test_staff_accounts_are_sent_to_their_own_pages(client, users, clutter):
    client.force_login(users["operator"])
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(clutter)).status_code == 403
    assert nothing_written()


def test_reports_are_rate_limited_per_visitor(client, tree, clutter, settings):
    settings.CIVICGRID_INTAKE_LIMIT = (2, 600)
    for _ in range(2):
        assert client.post(URL, form_data(clutter)).status_code == 302
    response = client.post(URL, form_data(clutter))
    assert response.status_code == 200
    assert "提交过于频繁" in response.content.decode()
    assert Case.objects.count() == 2


def test_posts_need_the_csrf_token(tree, clutter):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, form_data(clutter)).status_code == 403
    assert nothing_written()


def test_query_counts(client, users, clutter, django_assert_max_num_queries):
    with django_assert_max_num_queries(19):
        client.get(URL)
    client.force_login(users["resident"])
    with django_assert_max_num_queries(19):
        assert client.get(URL).status_code == 200
    # A report through the services: the first one of a process also builds the grid locator
    # and the working calendar, and the day's counter row; the next one is the steady state.
    assert client.post(URL, form_data(clutter, photo=photo())).status_code == 302
    with django_assert_max_num_queries(19):
        assert client.post(URL, form_data(clutter, photo=photo())).status_code == 302


def test_english_on_request(client, tree, clutter):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert "Report a problem" in response.content.decode()


def test_a_visitors_photo_is_cleaned_like_any_upload(client, tree, clutter, media_files):
    """The visitor's path stores through the attachments service's own checks: no GPS kept."""
    from PIL import Image

    from civicgrid.testing.images import jpeg_with_gps

    response = client.post(URL, form_data(clutter, photo=photo(jpeg_with_gps())))
    assert response.status_code == 302
    (path,) = media_files()
    with Image.open(path) as im:
        assert not im.getexif() and "comment" not in im.info
    assert Attachment.objects.get().original_name == "louDao.jpg"
