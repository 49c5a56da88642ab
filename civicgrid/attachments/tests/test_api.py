"""The attachment REST API: upload, refusals, scoping, the file download, query counts."""

import io

import pytest
from django.urls import reverse
from PIL import ExifTags, Image

from civicgrid.attachments import services
from civicgrid.attachments.models import Attachment
from civicgrid.testing.images import (
    jpeg_with_gps,
    noise_image,
    png_claiming,
    png_with_text,
    upload,
)

LIST = "/api/attachments/"


def post(client, case, data, kind="before", name="photo.jpg", content_type="image/jpeg", **extra):
    body = {"case": case.number, "kind": kind, "file": upload(data, name, content_type), **extra}
    return client.post(LIST, body, format="multipart")


def test_upload_returns_the_cleaned_attachment(api, case, users):
    response = post(api(users["resident"]), case, jpeg_with_gps(), name="IMG_1.jpg")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["case"] == case.number and data["kind"] == "before"
    assert data["content_type"] == "image/jpeg" and data["width"] == 64
    assert data["original_name"] == "IMG_1.jpg" and data["uploaded_by"] == "resident"
    assert data["file_url"].endswith(f"/api/attachments/{data['id']}/file")
    attachment = Attachment.objects.get(pk=data["id"])
    assert data["size"] == attachment.size and data["sha256"] == attachment.sha256


def test_download_streams_the_stripped_file_with_its_type(api, case, users):
    created = post(api(users["resident"]), case, jpeg_with_gps()).data
    response = api(users["worker"]).get(f"/api/attachments/{created['id']}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert len(body) == created["size"]
    image = Image.open(io.BytesIO(body))
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {} and "exif" not in image.info
    # With the trailing slash too, and for an <img> that only accepts images.
    again = api(users["operator"]).get(
        f"/api/attachments/{created['id']}/file/", HTTP_ACCEPT="image/webp,image/*"
    )
    assert again.status_code == 200 and again["Content-Type"] == "image/jpeg"


def test_png_sent_as_jpeg_is_served_as_png(api, case, users):
    created = post(api(users["resident"]), case, png_with_text(), name="a.jpg").data
    assert created["content_type"] == "image/png"
    response = api(users["resident"]).get(created["file_url"])
    assert response["Content-Type"] == "image/png"
    assert 'filename="a.png"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"GIF89a? no, just text\n" * 50, "photo.jpg", "不是有效的图片"),
        (b"x" * (5 * 1024 * 1024), "notes.png", "不是有效的图片"),
        (png_claiming(100_000, 100_000), "bomb.png", "图片尺寸过大"),
    ],
    ids=["fake-image", "5mb-text", "decompression-bomb"],
)
def test_bad_files_are_a_400_and_write_nothing(api, case, users, media_files, data, name, message):
    response = post(api(users["resident"]), case, data, name=name)
    assert response.status_code == 400
    assert message in " ".join(response.data["file"])
    assert Attachment.objects.count() == 0 and media_files() == []


def test_truncated_jpeg_is_a_400(api, case, users, media_files):
    buffer = io.BytesIO()
    noise_image((120, 90)).save(buffer, "JPEG")
    response = post(api(users["resident"]), case, buffer.getvalue()[:-600])
    assert response.status_code == 400, response.data
    assert Attachment.objects.count() == 0 and media_files() == []


def test_oversize_is_a_400_naming_the_limit(api, case, users, settings, media_files):
    settings.ATTACHMENT_MAX_BYTES = 4 * 1024
    buffer = io.BytesIO()
    noise_image((80, 80)).save(buffer, "PNG")
    response = post(api(users["resident"]), case, buffer.getvalue(), name="x.png")
    assert response.status_code == 400
    assert "上限为 4 KB" in " ".join(response.data["file"])
    assert Attachment.objects.count() == 0 and media_files() == []


def test_a_body_far_over_the_limit_is_refused_before_parsing(api, case, users, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = post(api(users["resident"]), case, b"\xff" * (200 * 1024), name="x.jpg")
    assert response.status_code == 400
    assert "上限为 1 KB" in " ".join(response.data["file"])
    assert Attachment.objects.count() == 0


def test_missing_fields_are_400(api, case, users):
    client = api(users["resident"])
    response = client.post(LIST, {"case": case.number, "kind": "before"}, format="multipart")
    assert response.status_code == 400 and "file" in response.data
    response = post(client, case, jpeg_with_gps(), kind="selfie")
    assert response.status_code == 400 and "kind" in response.data
    response = post(client, case, jpeg_with_gps(), event=999999)
    assert response.status_code == 400 and "event" in response.data
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    "who, kind, status",
    [
        ("resident2", "before", 404),  # another resident's case: not even its existence
        ("worker2", "before", 404),  # grid worker of another micro-grid
        ("handler_fg", "after", 404),  # a department it is not dispatched to
        ("resident", "after", 403),  # sees it, but does not handle it
        ("leader", "before", 403),  # read-only role
        ("handler", "after", 201),
        ("worker", "after", 201),
    ],
)
def test_upload_permissions(api, case, users, media_files, who, kind, status):
    response = post(api(users[who]), case, jpeg_with_gps(), kind=kind)
    assert response.status_code == status, response.data
    if status != 201:
        assert Attachment.objects.count() == 0 and media_files() == []


def test_anonymous_is_refused(api, case):
    response = post(api(), case, jpeg_with_gps())
    assert response.status_code == 403


def test_unknown_case_is_404(api, case, users):
    response = api(users["operator"]).post(
        LIST,
        {"case": "2000010100001", "kind": "before", "file": upload(jpeg_with_gps())},
        format="multipart",
    )
    assert response.status_code == 404


def test_list_and_file_follow_case_scope(api, case, users):
    attachment = services.store_attachment(
        case, users["resident"], upload(jpeg_with_gps()), "before"
    )
    file_url = f"/api/attachments/{attachment.pk}/file"
    for who in ("resident", "worker", "staff", "handler", "operator", "leader"):
        client = api(users[who])
        listed = client.get(LIST, {"case": case.number}).data["results"]
        assert [a["id"] for a in listed] == [attachment.pk], who
        assert client.get(file_url).status_code == 200, who
    for who in ("resident2", "worker2", "handler_fg"):
        client = api(users[who])
        assert client.get(LIST, {"case": case.number}).data["results"] == [], who
        assert client.get(LIST).data["results"] == [], who
        assert client.get(file_url).status_code == 404, who
        assert client.get(f"{LIST}{attachment.pk}/").status_code == 404, who
    assert api().get(file_url).status_code == 403


def test_list_filters_by_kind(api, case, users):
    services.store_attachment(case, users["resident"], upload(jpeg_with_gps()), "before")
    services.store_attachment(case, users["handler"], upload(jpeg_with_gps()), "after")
    data = api(users["operator"]).get(LIST, {"case": case.number, "kind": "after"}).data
    assert [a["kind"] for a in data["results"]] == ["after"]


def test_list_has_no_n_plus_1(api, case, users, django_assert_max_num_queries):
    client = api(users["worker"])
    for _ in range(2):
        services.store_attachment(case, users["resident"], upload(jpeg_with_gps()), "before")
    with django_assert_max_num_queries(6):
        assert len(client.get(LIST, {"case": case.number}).data["results"]) == 2
    for _ in range(6):
        services.store_attachment(case, users["handler"], upload(jpeg_with_gps()), "after")
    with django_assert_max_num_queries(6):
        assert len(client.get(LIST, {"case": case.number}).data["results"]) == 8


def test_schema_documents_the_endpoints(api, users):
    response = api(users["operator"]).get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/attachments/" in paths
    assert "multipart/form-data" in paths["/api/attachments/"]["post"]["requestBody"]["content"]
    assert any(p.startswith("/api/attachments/") and "file" in p for p in paths)


def test_refusals_speak_english_when_asked(api, case, users, settings):
    settings.ATTACHMENT_MAX_PIXELS = 100
    client = api(users["resident"])
    fake = {"case": case.number, "kind": "before", "file": upload(b"plain text\n" * 20)}
    response = client.post(LIST, fake, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "not a valid image" in response.data["file"][0]
    big = {"case": case.number, "kind": "before", "file": upload(jpeg_with_gps())}
    response = client.post(LIST, big, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.data["file"][0] == (
        "The image is too large (64×48 pixels); the limit is 100 pixels"
    )
