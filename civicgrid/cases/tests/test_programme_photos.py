"""cases.services.photos.store_cleaned: the one way a programme's photo is cleaned and stored.

The 垃圾分类 and fire-safety inspections, the projects and the campaigns each name only their
photo model; the cleaning is attachments', registered once for all of them.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from civicgrid.attachments.services import clean_upload
from civicgrid.cases.services import photos
from civicgrid.testing.images import jpeg_with_gps, not_an_image, upload


def test_attachments_registers_its_cleaner_for_every_programme():
    assert photos._cleaner is clean_upload


def test_without_a_cleaner_a_photo_is_refused_not_stored_uncleaned(monkeypatch):
    monkeypatch.setattr(photos, "_cleaner", None)
    assert photos.store_cleaned(object, {}, []) == []
    with pytest.raises(ImproperlyConfigured):
        photos.store_cleaned(object, {}, [upload(jpeg_with_gps())])


def test_a_refused_photo_is_named_on_the_photos_field():
    with pytest.raises(ValidationError) as refused:
        photos.store_cleaned(object, {}, [not_an_image("巡查记录.jpg")])
    assert "巡查记录.jpg" in " ".join(refused.value.message_dict["photos"])
