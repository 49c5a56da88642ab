"""Thumbnails of case photos: a small JPEG made from the stored photo the first time it is asked
for, kept beside it, served only to those who see the case, and gone with the photo."""

import io

import pytest
from PIL import Image

from civicgrid.attachments import services
from civicgrid.attachments.models import Attachment
from civicgrid.testing.images import upload

pytestmark = pytest.mark.django_db


def big_photo(size=(1600, 1200), mode="RGB", fmt="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (30, 120, 200, 128) if mode == "RGBA" else (30, 120, 200)).save(
        buffer, fmt
    )
    return buffer.getvalue()


def stored(case, user, data, name="photo.jpg"):
    return services.store_attachment(case, user, upload(data, name), "before")


def test_the_thumbnail_is_small_made_once_and_kept(case, users, media_files):
    attachment = stored(case, users["resident"], big_photo())
    assert len(media_files()) == 1  # storing writes the photo only
    with services.thumbnail(attachment) as thumb:
        image = Image.open(io.BytesIO(thumb.read()))
    assert image.format == "JPEG" and image.size == (320, 240)
    assert len(media_files()) == 2
    with services.thumbnail(attachment) as again:
        assert again.read()
    assert len(media_files()) == 2  # kept, not made again


def test_a_transparent_png_is_laid_on_white(case, users):
    attachment = stored(case, users["resident"], big_photo((400, 200), "RGBA", "PNG"), "a.png")
    with services.thumbnail(attachment) as thumb:
        image = Image.open(io.BytesIO(thumb.read()))
    assert image.mode == "RGB" and image.size == (320, 160)


def test_the_api_serves_it_only_to_those_who_see_the_case(api, case, users):
    attachment = stored(case, users["resident"], big_photo())
    url = f"/api/attachments/{attachment.pk}/thumb"
    response = api(users["operator"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert api(users["staff2"]).get(url).status_code == 404  # another community's case
    assert api(None).get(url).status_code in (401, 403)


def test_deleting_the_photo_takes_its_thumbnail(
    case, users, media_files, django_capture_on_commit_callbacks
):
    attachment = stored(case, users["resident"], big_photo())
    services.thumbnail(attachment).close()
    with django_capture_on_commit_callbacks(execute=True):
        Attachment.objects.get(pk=attachment.pk).delete()
    assert media_files() == []
