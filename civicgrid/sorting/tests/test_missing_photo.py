"""An inspection photo whose file is gone from storage answers 404 and logs the path, not 500."""

import logging

from civicgrid.sorting import services
from civicgrid.sorting.models import InspectionPhoto
from civicgrid.sorting.tests.conftest import photo


def test_a_missing_inspection_photo_is_a_404_with_a_warning(
    world, users, client_for, clock, media_files, caplog
):
    template = services.active_template()
    scores = {item.pk: item.max_points for item in template.items.all()}
    services.do_inspect(
        users["staff"], estate=world["east"], scores=scores, note="桶边散落", photos=[photo()]
    )
    stored = InspectionPhoto.objects.get()
    url = f"/sorting/photos/{stored.pk}/"
    client = client_for(users["staff"])
    assert client.get(url).status_code == 200
    stored.file.storage.delete(stored.file.name)
    caplog.set_level(logging.WARNING, logger="civicgrid.files")
    assert client.get(url).status_code == 404
    assert any(
        r.name == "civicgrid.files" and stored.file.name in r.getMessage() for r in caplog.records
    )
