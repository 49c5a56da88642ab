"""store_attachment: type sniffed from content, limits, metadata stripped, nothing half-written."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import ExifTags, Image

from civicgrid.attachments import services
from civicgrid.attachments.choices import AttachmentKind
from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as case_services
from civicgrid.testing.images import (
    jpeg_with_gps,
    noise_image,
    png_claiming,
    png_with_text,
    upload,
    webp_bytes,
)


def stored_image(attachment) -> Image.Image:
    with attachment.file.open("rb") as f:
        data = f.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_source_jpeg_really_carries_gps():
    # Guard for the next test: the fixture photo is only a fair test if it leaks a location.
    image = Image.open(io.BytesIO(jpeg_with_gps()))
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (31, 6, 30)
    assert image.info["comment"] == b"taken at home, 3F"


def test_jpeg_with_gps_is_stored_without_any_metadata(case, users, media_files):
    attachment = services.store_attachment(
        case, users["resident"], upload(jpeg_with_gps(), name="IMG_0001.JPG"), "before"
    )
    attachment.refresh_from_db()
    image = stored_image(attachment)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "exif" not in image.info and "comment" not in image.info and "xmp" not in image.info
    with attachment.file.open("rb") as f:
        raw = f.read()
    assert b"Exif" not in raw and b"SomePhone" not in raw and b"taken at home" not in raw
    assert attachment.content_type == "image/jpeg"
    assert (attachment.width, attachment.height) == (64, 48)
    assert attachment.size == len(raw)
    assert attachment.sha256 == hashlib.sha256(raw).hexdigest()
    assert attachment.original_name == "IMG_0001.JPG"
    assert attachment.uploaded_by == users["resident"]
    assert attachment.kind == AttachmentKind.BEFORE
    assert media_files() == [Path(attachment.file.path)]


def test_orientation_is_applied_before_the_tag_is_dropped(case, users):
    # Orientation 6: the camera was turned; the stored pixels must stand upright by themselves.
    attachment = services.store_attachment(
        case, users["resident"], upload(jpeg_with_gps((64, 48), orientation=6)), "before"
    )
    assert (attachment.width, attachment.height) == (48, 64)
    assert stored_image(attachment).size == (48, 64)


def test_png_keeps_transparency_and_loses_its_text_chunks(case, users):
    attachment = services.store_attachment(
        case, users["worker"], upload(png_with_text(), "scene.png", "image/png"), "before"
    )
    image = stored_image(attachment)
    assert attachment.content_type == "image/png" and image.format == "PNG"
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 128
    assert "Location" not in image.info and not getattr(image, "text", {})


def test_webp_is_accepted(case, users):
    attachment = services.store_attachment(
        case, users["handler"], upload(webp_bytes(), "x.webp", "image/webp"), "after"
    )
    assert attachment.content_type == "image/webp"
    assert stored_image(attachment).format == "WEBP"
    assert attachment.file.name.endswith(".webp")


def test_type_comes_from_the_content_not_the_name(case, users):
    # A PNG named .jpg and sent as image/jpeg is stored as what it is.
    attachment = services.store_attachment(
        case, users["resident"], upload(png_with_text(), "photo.jpg", "image/jpeg"), "before"
    )
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png")
    assert attachment.download_name == "photo.png"


def test_file_on_disk_never_uses_the_uploaders_name(case, users):
    attachment = services.store_attachment(
        case,
        users["resident"],
        upload(jpeg_with_gps(), name="../../etc/我家 住址\x00.jpg"),
        "before",
    )
    assert attachment.file.name.startswith("attachments/")
    assert "住址" not in attachment.file.name and ".." not in attachment.file.name
    assert "/" not in attachment.original_name and "\x00" not in attachment.original_name
    assert attachment.original_name.endswith(".jpg") and "住址" in attachment.original_name


def test_large_photos_are_scaled_down(case, users, settings):
    settings.ATTACHMENT_MAX_SIDE = 32
    attachment = services.store_attachment(
        case, users["resident"], upload(jpeg_with_gps()), "before"
    )
    assert (attachment.width, attachment.height) == (32, 24)


def _refused(case, user, data, kind="before", name="photo.jpg"):
    with pytest.raises(ValidationError) as caught:
        services.store_attachment(case, user, upload(data, name=name), kind)
    return " ".join(caught.value.message_dict["file"])


def test_text_named_jpg_is_refused_and_nothing_written(case, users, media_files):
    message = _refused(case, users["resident"], b"this is not a photo\n" * 100)
    assert "不是有效的图片" in message
    assert Attachment.objects.count() == 0 and media_files() == []


def test_a_5_mb_text_is_refused(case, users, media_files):
    message = _refused(case, users["resident"], b"x" * (5 * 1024 * 1024), name="big.png")
    assert "不是有效的图片" in message
    assert Attachment.objects.count() == 0 and media_files() == []


def test_truncated_jpeg_is_refused(case, users, media_files):
    data = io.BytesIO()
    noise_image((200, 150)).save(data, "JPEG", quality=95)
    truncated = data.getvalue()[: len(data.getvalue()) // 2]
    assert "不是有效的图片" in _refused(case, users["resident"], truncated)
    assert Attachment.objects.count() == 0 and media_files() == []


def test_corrupt_png_is_refused(case, users):
    data = bytearray(png_with_text())
    data[40] ^= 0xFF  # break a chunk's CRC
    assert "不是有效的图片" in _refused(case, users["resident"], bytes(data), name="x.png")


def test_gif_and_bmp_are_not_among_the_allowed_types(case, users):
    for fmt in ("GIF", "BMP"):
        data = io.BytesIO()
        Image.new("RGB", (8, 8)).save(data, fmt)
        assert "JPEG、PNG、WebP" in _refused(case, users["resident"], data.getvalue())


def test_oversize_names_the_limit(case, users, settings, media_files):
    settings.ATTACHMENT_MAX_BYTES = 3 * 1024
    data = io.BytesIO()
    noise_image((64, 64)).save(data, "PNG")
    assert len(data.getvalue()) > 3 * 1024
    message = _refused(case, users["resident"], data.getvalue(), name="x.png")
    assert "文件过大" in message and "上限为 3 KB" in message
    assert Attachment.objects.count() == 0 and media_files() == []


def test_too_many_pixels_is_refused_before_decoding(case, users, settings):
    settings.ATTACHMENT_MAX_PIXELS = 1000
    data = io.BytesIO()
    Image.new("RGB", (100, 100)).save(data, "PNG")
    message = _refused(case, users["resident"], data.getvalue(), name="x.png")
    assert "100×100" in message and "上限为 1,000 像素" in message


def test_lossless_images_larger_than_what_is_kept_are_refused_before_decoding(
    case, users, settings, media_files
):
    # A 7000×7000 PNG cost 5 s of CPU to decode and re-encode; PNG and WebP have no cheaper
    # partial decode, so they may be no larger than the square of the longest side kept.
    settings.ATTACHMENT_MAX_SIDE = 64
    for fmt, name in (("PNG", "x.png"), ("WEBP", "x.webp")):
        data = io.BytesIO()
        Image.new("RGB", (100, 100), (10, 200, 30)).save(data, fmt)
        message = _refused(case, users["resident"], data.getvalue(), name=name)
        assert "100×100" in message and "上限为 4,096 像素" in message
    assert Attachment.objects.count() == 0 and media_files() == []


def test_big_jpegs_are_decoded_at_reduced_scale(case, users, settings, monkeypatch):
    from PIL import JpegImagePlugin

    calls = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size, *args, **kwargs):
        result = real_draft(self, mode, size, *args, **kwargs)
        calls.append((size, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    settings.ATTACHMENT_MAX_SIDE = 64
    data = io.BytesIO()
    noise_image((512, 384)).save(data, "JPEG", quality=90)
    attachment = services.store_attachment(
        case, users["resident"], upload(data.getvalue()), "before"
    )
    # The decoder was asked for 64×64 and delivered 1/4 scale (128×96), never the full 512×384.
    assert calls == [((64, 64), (128, 96))]
    assert (attachment.width, attachment.height) == (64, 48)


def test_decompression_bomb_is_refused(case, users, media_files):
    # 100000×100000 pixels declared in a file of a few hundred bytes.
    message = _refused(case, users["resident"], png_claiming(100_000, 100_000), name="x.png")
    assert "图片尺寸过大" in message
    assert Attachment.objects.count() == 0 and media_files() == []


def test_a_failing_row_write_removes_the_file(case, users, media_files, monkeypatch):
    def boom(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Attachment, "save", boom)
    with pytest.raises(RuntimeError):
        services.store_attachment(case, users["resident"], upload(jpeg_with_gps()), "before")
    assert media_files() == []


def test_unknown_kind_and_foreign_event(case, users):
    with pytest.raises(ValidationError) as caught:
        services.store_attachment(case, users["operator"], upload(jpeg_with_gps()), "selfie")
    assert "kind" in caught.value.message_dict
    other = case_services.do_report(
        user=users["resident2"], category=case.category, description="另一处暴露垃圾"
    ).case
    foreign = other.events.first()
    with pytest.raises(ValidationError) as caught:
        services.store_attachment(
            case, users["operator"], upload(jpeg_with_gps()), "other", event=foreign
        )
    assert "event" in caught.value.message_dict
    assert Attachment.objects.count() == 0


def test_attachment_to_an_event_of_the_case(case, users):
    event = case.events.last()
    attachment = services.store_attachment(
        case, users["operator"], upload(jpeg_with_gps()), "other", event=event
    )
    assert attachment.event == event


@pytest.mark.parametrize(
    "who, kind, allowed",
    [
        ("resident", "before", True),  # the reporter
        ("resident", "after", False),  # residents do not post handling results
        ("resident2", "before", False),  # not their case
        ("handler", "after", True),  # the department it is dispatched to
        ("handler", "before", True),
        ("handler_fg", "before", False),  # another department
        ("worker", "after", True),  # verifies in its micro-grid
        ("worker2", "before", False),  # another micro-grid
        ("staff", "other", True),
        ("operator", "after", True),
        ("leader", "before", False),  # sees everything, changes nothing
    ],
)
def test_who_may_attach(case, users, media_files, who, kind, allowed):
    if allowed:
        services.store_attachment(case, users[who], upload(jpeg_with_gps()), kind)
        assert Attachment.objects.filter(case=case, kind=kind).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.store_attachment(case, users[who], upload(jpeg_with_gps()), kind)
        assert Attachment.objects.count() == 0 and media_files() == []


def test_stored_attachments_are_immutable(case, users):
    attachment = services.store_attachment(
        case, users["resident"], upload(jpeg_with_gps()), "before"
    )
    attachment.kind = "after"
    with pytest.raises(ValueError):
        attachment.save()
    with pytest.raises(ValueError):
        Attachment.objects.update(kind="after")


def test_deleting_removes_the_file_after_commit(
    case, users, media_files, django_capture_on_commit_callbacks
):
    attachment = services.store_attachment(
        case, users["resident"], upload(jpeg_with_gps()), "before"
    )
    assert len(media_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        Attachment.objects.filter(pk=attachment.pk).delete()
    assert Attachment.objects.count() == 0 and media_files() == []


def test_phone_mpo_is_stored_as_a_plain_jpeg(case, users):
    # Many phones write MPO: a JPEG with a second picture appended (and EXIF in each).
    exif = Image.Exif()
    exif[ExifTags.Base.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N"}
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (20, 15), "blue")
    first.save(buffer, "MPO", save_all=True, append_images=[second], exif=exif)
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    attachment = services.store_attachment(
        case, users["resident"], upload(buffer.getvalue()), "before"
    )
    image = stored_image(attachment)
    assert image.format == "JPEG" and image.size == (40, 30)
    assert attachment.content_type == "image/jpeg" and "exif" not in image.info


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_gps_exif_is_dropped_in_every_format(case, users, fmt):
    exif = Image.Exif()
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (31.0, 6.0, 30.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), "green").save(buffer, fmt, exif=exif)
    source = Image.open(io.BytesIO(buffer.getvalue()))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the source must carry GPS"
    attachment = services.store_attachment(
        case, users["resident"], upload(buffer.getvalue()), "before"
    )
    image = stored_image(attachment)
    assert image.format == fmt
    assert dict(image.getexif()) == {} and "exif" not in image.info


def test_xmp_is_dropped(case, users):
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">exif:GPSLatitude 31,6.5N</x:xmpmeta>'
    Image.new("RGB", (24, 16), "green").save(buffer, "JPEG", xmp=xmp)
    assert "xmp" in Image.open(io.BytesIO(buffer.getvalue())).info
    attachment = services.store_attachment(
        case, users["resident"], upload(buffer.getvalue()), "before"
    )
    with attachment.file.open("rb") as f:
        raw = f.read()
    assert b"GPSLatitude" not in raw and b"xmpmeta" not in raw
    assert "xmp" not in stored_image(attachment).info
