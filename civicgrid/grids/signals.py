from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from civicgrid.grids.models import Grid, GridTreeRevision


def bump_tree_revision():
    """Tell every process that its locator index is stale (see grids.locator)."""
    updated = GridTreeRevision.objects.filter(pk=1).update(revision=F("revision") + 1)
    if not updated:
        GridTreeRevision.objects.get_or_create(pk=1, defaults={"revision": 1})


@receiver(post_save, sender=Grid)
@receiver(post_delete, sender=Grid)
def _grid_changed(sender, **kwargs):
    if kwargs.get("raw"):
        return
    # Same transaction as the change: the new revision is visible exactly when the grid is.
    bump_tree_revision()
