"""Fixed vocabularies of case attachments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttachmentKind(models.TextChoices):
    """What a photo shows: the problem as reported, the result of handling, or anything else."""

    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")
    OTHER = "other", _("其他")


# Image formats accepted, as Pillow names them after sniffing the content, and the format and
# content type each is stored as. MPO is how Pillow reads many phone JPEGs (a JPEG carrying a
# second, preview picture); only the first picture is kept, as a plain JPEG.
STORED_FORMATS = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "MPO": ("JPEG", "image/jpeg", "jpg"),
    "PNG": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
}
