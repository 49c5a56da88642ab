"""A photo whose file is gone from storage (a restore without the media, a file removed by hand)
answers 404 and logs a warning naming the file, on every view that serves it: the API's photo
and thumbnail, and the residents' link page's photo and thumbnail."""

import logging

import pytest

from civicgrid.attachments import services
from civicgrid.cases import services as case_services
from civicgrid.testing.images import photo, upload
from civicgrid.testing.world import IN_MICRO, category

pytestmark = pytest.mark.django_db


def gone(attachment) -> str:
    """Remove the photo's file (and any thumbnail) from storage; returns the file's name."""
    storage, name = attachment.file.storage, attachment.file.name
    storage.delete(name)
    if storage.exists(attachment.thumbnail_name):
        storage.delete(attachment.thumbnail_name)
    return name


def warned(caplog, name) -> bool:
    return any(
        r.levelno == logging.WARNING and r.name == "civicgrid.files" and name in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize("size", ["file", "thumb"])
def test_the_api_answers_404_and_logs_the_path(api, case, users, caplog, size):
    attachment = services.store_attachment(
        case, users["resident"], upload(photo().read()), "before"
    )
    url = f"/api/attachments/{attachment.pk}/{size}"
    assert api(users["operator"]).get(url).status_code == 200
    name = gone(attachment)
    caplog.set_level(logging.WARNING, logger="civicgrid.files")
    response = api(users["operator"]).get(url)
    assert response.status_code == 404
    assert response.json()["detail"] == "文件不存在或已被删除"
    assert warned(caplog, name)


@pytest.mark.parametrize("suffix", ["", "thumb/"])
def test_the_residents_link_page_answers_404_and_logs_the_path(client, users, tree, caplog, suffix):
    case = case_services.do_report(
        user=users["resident"],
        category=category("event", "0102"),
        description="小区门口暴露垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        photos=[photo()],
    ).case
    attachment = case.attachments.get()
    url = f"/resident/t/{case.public_token}/photos/{attachment.pk}/{suffix}"
    assert client.get(url).status_code == 200
    name = gone(attachment)
    caplog.set_level(logging.WARNING, logger="civicgrid.files")
    assert client.get(url).status_code == 404
    assert warned(caplog, name)
