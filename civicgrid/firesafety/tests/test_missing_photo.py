"""A fire-safety inspection photo whose file is gone from storage answers 404 and logs the path."""

import logging

from civicgrid.firesafety.models import InspectionPhoto
from civicgrid.testing.images import photo


def test_a_missing_inspection_photo_is_a_404_with_a_warning(fire, users, client_for, caplog):
    client = client_for(users["worker"])
    house = fire["houses"][0]
    answer = client.post(
        f"/fire/m/inspect/{house.pk}/", {"landlord_acknowledged": "no", "photos": [photo()]}
    )
    assert answer.status_code == 302
    stored = InspectionPhoto.objects.get()
    url = f"/fire/photos/{stored.pk}/"
    assert client.get(url).status_code == 200
    stored.file.storage.delete(stored.file.name)
    caplog.set_level(logging.WARNING, logger="civicgrid.files")
    assert client.get(url).status_code == 404
    assert any(
        r.name == "civicgrid.files" and stored.file.name in r.getMessage() for r in caplog.records
    )
