"""Fire-safety inspection photos: cleaned by the project's photo cleaner (the same as 垃圾分类's,
sorting.photos), stored with the inspection.

Layering: cleaning an upload (type sniffed, decoded, re-encoded without metadata, size and pixel
limits) is the attachments app's business, and attachments sits above this app. So this module
only says what a cleaner must do and calls the one registered — attachments registers
`attachments.services.clean_upload` in AttachmentsConfig.ready(), as it does for the steps of the
case loop (cases.services.photos). Without a cleaner an inspection given photos refuses to run
(ImproperlyConfigured): a photo is never stored uncleaned nor dropped silently.

Files are written inside cases.services.photos.atomic() and reported with `written()`, so a
rolled-back inspection takes its files off the disk too.
"""

from collections.abc import Callable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from civicgrid.cases.services import photos as step_photos

FIELD = "photos"
MAX_PHOTOS = step_photos.MAX_PHOTOS


class Cleaned(Protocol):
    data: bytes
    content_type: str
    ext: str
    width: int
    height: int


_cleaner: Callable[[object], Cleaned] | None = None


def register_cleaner(cleaner: Callable[[object], Cleaned]) -> None:
    """Called once by the app that cleans photos (attachments, in its AppConfig.ready())."""
    global _cleaner
    _cleaner = cleaner


def prepared(photos) -> list:
    return step_photos.prepared(photos)


def store(inspection, uploads: list) -> list:
    """Clean and store `uploads` as photos of `inspection` (inside the caller's atomic());
    ValidationError on "photos" naming a refused photo."""
    from civicgrid.firesafety.models import InspectionPhoto

    if not uploads:
        return []
    if _cleaner is None:
        raise ImproperlyConfigured("No photo cleaner is registered (civicgrid.attachments).")
    stored = []
    for upload in uploads:
        try:
            cleaned = _cleaner(upload)
        except ValidationError as exc:
            raise ValidationError(
                {
                    FIELD: _("照片“%(name)s”：%(message)s")
                    % {
                        "name": getattr(upload, "name", "") or "?",
                        "message": " ".join(exc.messages),
                    }
                }
            ) from None
        photo = InspectionPhoto(
            inspection=inspection,
            content_type=cleaned.content_type,
            width=cleaned.width,
            height=cleaned.height,
            size=len(cleaned.data),
        )
        photo.file.save(f"photo.{cleaned.ext}", ContentFile(cleaned.data), save=False)
        storage, name = photo.file.storage, photo.file.name
        step_photos.written(lambda storage=storage, name=name: storage.delete(name))
        photo.save()
        stored.append(photo)
    return stored
