import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.cases import services as case_services
from civicgrid.cases.models import Category
from civicgrid.testing.factories import DepartmentFactory, UserFactory, assign_post, make_tree

# A point inside make_tree()'s first micro-grid.
IN_MICRO_0 = (121.505, 31.1075)
# Where the test photo claims it was taken (a resident's home, say): 31°6'30"N 121°30'18"E.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 6.0, 30.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 30.0, 18.0),
}


@pytest.fixture(autouse=True)
def _quiet_notifications(settings):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = ["civicgrid.cases.notifications.MemoryChannel"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def users(tree):
    """The grid worker works micro-grid 0 (where the case is), worker2 micro-grid 2."""
    cg = DepartmentFactory(name="城管中队", code="CG")
    fg = DepartmentFactory(name="房管办", code="FG")
    worker = UserFactory(username="worker", role=Role.GRID_WORKER)
    assign_post(worker, tree["micro_grids"][0])
    worker2 = UserFactory(username="worker2", role=Role.GRID_WORKER)
    assign_post(worker2, tree["micro_grids"][2])
    return {
        "admin": UserFactory(username="admin", role=Role.ADMIN, is_staff=True),
        "operator": UserFactory(username="operator", role=Role.OPERATOR, is_staff=True),
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "staff": UserFactory(
            username="staff", role=Role.COMMUNITY_STAFF, community=tree["communities"][0]
        ),
        "worker": worker,
        "worker2": worker2,
        "handler": UserFactory(username="handler", role=Role.DEPT_HANDLER, department=cg),
        "handler_fg": UserFactory(username="handler_fg", role=Role.DEPT_HANDLER, department=fg),
        "resident": UserFactory(username="resident", role=Role.RESIDENT, phone="13912345678"),
        "resident2": UserFactory(username="resident2", role=Role.RESIDENT, phone="13800001111"),
        "departments": {"cg": cg, "fg": fg},
    }


@pytest.fixture
def case(users):
    """A resident's report in micro-grid 0, filed and dispatched to 城管 by the operator."""
    category = Category.objects.get(family="event", code="0102")
    case = case_services.do_report(
        user=users["resident"],
        category=category,
        description="小区门口暴露垃圾",
        lon=IN_MICRO_0[0],
        lat=IN_MICRO_0[1],
    ).case
    case_services.do_file(case, users["operator"])
    case_services.do_dispatch(case, users["operator"], department=users["departments"]["cg"])
    case.refresh_from_db()
    return case


@pytest.fixture
def api():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def media_files(settings):
    """Every file under the (temporary) MEDIA_ROOT, as a fresh list each call."""

    def files():
        root = settings.MEDIA_ROOT
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files


def noise_image(size=(64, 48), mode="RGB") -> Image.Image:
    # Random pixels do not compress: handy for a file of a predictable, large size.
    import os

    channels = len(mode)
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * channels))


def jpeg_with_gps(size=(64, 48), orientation=None) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SomePhone"
    exif[ExifTags.Base.GPSInfo] = GPS
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(
        buffer, "JPEG", exif=exif, comment=b"taken at home, 3F"
    )
    return buffer.getvalue()


def png_with_text(size=(40, 30)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "31.108N 121.505E")
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 200, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def webp_bytes(size=(30, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, "WEBP")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
