"""Photos in an S3-compatible object store (core/objectstore.py, django-storages + boto3) against a
real S3 server on this machine (moto's server mode): uploaded through the real views, read back
through the serving views (which check scope and stream the object), thumbnails made from and
kept in the bucket, nothing under MEDIA_ROOT, objects removed with their rows."""

import hashlib
import io
import socket
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from civicgrid.attachments.models import Attachment
from civicgrid.cases.models import Case
from civicgrid.core import objectstore
from civicgrid.testing.images import jpeg_bytes, png_bytes, upload
from civicgrid.testing.world import IN_MICRO

KEYS = {"access_key": "civicgrid-test", "secret_key": "civicgrid-test-secret"}
REGION = "cn-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh private bucket, and STORAGES pointing at it as settings would with
    CIVICGRID_S3_BUCKET / CIVICGRID_S3_ENDPOINT_URL set."""
    name = f"civicgrid-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = objectstore.storages(
        bucket=name, endpoint_url=s3_endpoint, region=REGION, prefix="street/", **KEYS
    )

    class Bucket:
        def keys(self):
            found = client.list_objects_v2(Bucket=name).get("Contents", [])
            return sorted(obj["Key"] for obj in found)

        def read(self, key):
            return client.get_object(Bucket=name, Key=key)["Body"].read()

    return Bucket()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_settings_choose_the_filesystem_without_a_bucket():
    assert objectstore.storages()["default"] == {"BACKEND": objectstore.FILESYSTEM}
    s3 = objectstore.storages(bucket="photos", endpoint_url="http://minio:9000")["default"]
    assert s3["BACKEND"] == objectstore.S3
    assert s3["OPTIONS"]["bucket_name"] == "photos"
    assert s3["OPTIONS"]["addressing_style"] == "path"
    assert s3["OPTIONS"]["default_acl"] is None and s3["OPTIONS"]["file_overwrite"] is False


def test_a_case_photo_is_stored_in_the_bucket_and_served_through_the_api(
    api, case, users, bucket, media_files
):
    response = api(users["resident"]).post(
        "/api/attachments/",
        {"case": case.number, "kind": "before", "file": upload(jpeg_bytes((800, 600)))},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    attachment = Attachment.objects.get(pk=response.data["id"])
    key = f"street/{attachment.file.name}"
    assert bucket.keys() == [key]
    assert media_files() == []
    stored = bucket.read(key)
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    assert len(stored) == attachment.size

    # Read back through the serving view by someone in the case's scope …
    served = api(users["worker"]).get(f"/api/attachments/{attachment.pk}/file")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert _body(served) == stored
    # … and not by anyone else: the bucket is not theirs to reach either.
    assert api(users["worker2"]).get(f"/api/attachments/{attachment.pk}/file").status_code == 404

    # The thumbnail is made from the object on first view and kept beside it in the bucket.
    thumb = api(users["worker"]).get(f"/api/attachments/{attachment.pk}/thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    small = Image.open(io.BytesIO(_body(thumb)))
    assert small.format == "JPEG" and max(small.size) == 320
    thumb_key = f"street/{attachment.thumbnail_name}"
    assert bucket.keys() == sorted([key, thumb_key])
    again = api(users["operator"]).get(f"/api/attachments/{attachment.pk}/thumb")
    assert _body(again) == bucket.read(thumb_key)
    assert bucket.keys() == sorted([key, thumb_key])
    assert media_files() == []


def test_a_refused_upload_leaves_nothing_in_the_bucket(api, case, users, bucket):
    response = api(users["resident"]).post(
        "/api/attachments/",
        {"case": case.number, "kind": "before", "file": upload(b"not a picture at all")},
        format="multipart",
    )
    assert response.status_code == 400
    assert bucket.keys() == [] and not Attachment.objects.exists()


def test_deleting_an_attachment_removes_its_objects(
    api, case, users, bucket, django_capture_on_commit_callbacks
):
    created = api(users["resident"]).post(
        "/api/attachments/",
        {"case": case.number, "kind": "before", "file": upload(png_bytes(), "a.png", "image/png")},
        format="multipart",
    )
    attachment = Attachment.objects.get(pk=created.data["id"])
    assert api(users["worker"]).get(f"/api/attachments/{attachment.pk}/thumb").status_code == 200
    assert len(bucket.keys()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert bucket.keys() == []


def test_a_residents_report_photo_is_served_by_the_link_page_from_the_bucket(
    client, tree, clutter, bucket, media_files
):
    response = client.post(
        "/resident/report/",
        {
            "category": str(clutter.pk),
            "description": "3号楼2楼楼道堆放纸箱和旧家具，影响通行",
            "lon": str(IN_MICRO[0][0]),
            "lat": str(IN_MICRO[0][1]),
            "address": "秀沿路1501弄3号",
            "reporter_name": "陈敏",
            "reporter_phone": "13912345678",
            "reporter_email": "",
            "photo": upload(jpeg_bytes((640, 480)), "louDao.jpg"),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    attachment = Attachment.objects.get(case=case)
    assert bucket.keys() == [f"street/{attachment.file.name}"] and media_files() == []

    base = f"/resident/t/{case.public_token}/photos/{attachment.pk}/"
    full = client.get(base)
    assert full.status_code == 200
    assert _body(full) == bucket.read(f"street/{attachment.file.name}")
    thumb = client.get(base + "thumb/")
    assert thumb.status_code == 200
    assert _body(thumb) == bucket.read(f"street/{attachment.thumbnail_name}")
    assert client.get(f"/resident/t/wrong-token/photos/{attachment.pk}/").status_code == 404


def test_a_patrol_photo_is_served_and_copied_to_its_case_from_the_bucket(
    users, tree, client_for, bucket, media_files
):
    from civicgrid.fieldwork import services as fieldwork
    from civicgrid.fieldwork.models import ChecklistItem

    patrol = fieldwork.start_patrol(users["worker"], tree["micro_grids"][0])
    finding = fieldwork.record_finding(
        patrol,
        users["worker"],
        ChecklistItem.objects.get(name="楼道堆物"),
        result="problem",
        note="楼道堆放纸箱",
        photo=upload(png_bytes((300, 200)), "finding.png", "image/png"),
    )
    photo_key = f"street/{finding.photo.name}"
    assert bucket.keys() == [photo_key] and media_files() == []

    served = client_for(users["worker"]).get(f"/m/findings/{finding.pk}/photo/")
    assert served.status_code == 200
    assert _body(served) == bucket.read(photo_key)

    # Turning the finding into a case reads the photo back from the bucket into the case.
    case = fieldwork.finding_to_case(finding, users["worker"])
    attachment = Attachment.objects.get(case=case)
    assert sorted(bucket.keys()) == sorted([photo_key, f"street/{attachment.file.name}"])
    assert hashlib.sha256(bucket.read(f"street/{attachment.file.name}")).hexdigest() == (
        attachment.sha256
    )
    assert media_files() == []
