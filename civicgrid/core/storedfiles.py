"""Serving an uploaded file whose row outlived it (a restore without the media, a file removed by
hand, a bucket emptied): the answer is a 404 and a warning naming the file, not a 500.

Every view that streams a stored file (case photos and their thumbnails, inspection photos, patrol
findings) opens it inside `missing_file_is_404(field_file)`.
"""

import logging
from contextlib import contextmanager

from django.http import Http404
from django.utils.translation import gettext as _

logger = logging.getLogger("civicgrid.files")


def _where(field_file) -> str:
    """The file's path on disk when the storage has one, else its name in the storage."""
    name = getattr(field_file, "name", "") or ""
    try:
        return field_file.storage.path(name)
    except (AttributeError, NotImplementedError, ValueError):
        return name


@contextmanager
def missing_file_is_404(field_file):
    """Run the block that opens `field_file` (or something made from it, a thumbnail); a file
    gone from storage raises Http404 after a warning with its path."""
    try:
        yield
    except FileNotFoundError:
        instance = getattr(field_file, "instance", None)
        owner = f"{instance._meta.label} {instance.pk}" if instance is not None else "?"
        logger.warning("stored file missing: %s (%s)", _where(field_file), owner)
        raise Http404(_("文件不存在或已被删除")) from None
