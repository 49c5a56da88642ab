"""A patrol finding's photo whose file is gone from storage answers 404 and logs the path."""

import logging

from civicgrid.fieldwork.models import ChecklistItem, Patrol, PatrolFinding
from civicgrid.testing.images import png


def test_a_missing_finding_photo_is_a_404_with_a_warning(users, tree, client_for, caplog):
    c = client_for(users["worker"])
    c.post("/m/patrols/", {"micro_grid": tree["micro_grids"][0].pk, "shift": "morning"})
    patrol = Patrol.objects.get()
    bad = ChecklistItem.objects.get(name="楼道堆物")
    c.post(
        f"/m/patrols/{patrol.pk}/items/{bad.pk}/",
        {
            f"item{bad.pk}-result": "problem",
            f"item{bad.pk}-note": "3号楼2楼楼道堆放旧家具",
            f"item{bad.pk}-photo": png(),
        },
    )
    finding = PatrolFinding.objects.get(patrol=patrol, item=bad)
    url = f"/m/findings/{finding.pk}/photo/"
    assert c.get(url).status_code == 200
    finding.photo.storage.delete(finding.photo.name)
    caplog.set_level(logging.WARNING, logger="civicgrid.files")
    assert c.get(url).status_code == 404
    assert any(
        r.name == "civicgrid.files" and finding.photo.name in r.getMessage() for r in caplog.records
    )
