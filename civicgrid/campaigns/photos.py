"""Photos of a 督查 inspection: cleaned by the photo cleaner attachments registers.

As in projects.photos: cleaning an upload is the attachments app's business, and attachments sits
above this app, so attachments registers its cleaner here (AttachmentsConfig.ready()). Without a
cleaner, photos are refused (ImproperlyConfigured): a photo is never stored uncleaned nor dropped
silently. Files are written inside the step's `atomic()` and reported with `written()`, so a
rolled-back inspection takes its files off the storage too.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from civicgrid.cases.services import photos as step_photos

FIELD = "photos"
_cleaner: Callable | None = None


def register_cleaner(cleaner: Callable) -> None:
    """Called once by the app that cleans photos (attachments, in its AppConfig.ready())."""
    global _cleaner
    _cleaner = cleaner


def prepared(uploads) -> list:
    return step_photos.prepared(uploads)


def atomic():
    return step_photos.atomic()


def store(inspection, uploads: list) -> list:
    """Clean and store `uploads` as photos of `inspection` (inside the caller's atomic())."""
    from civicgrid.campaigns.models import InspectionPhoto

    return _store(InspectionPhoto, {"inspection": inspection}, uploads)


def store_structure(structure, uploads: list) -> list:
    """Clean and store `uploads` as photos of an illegal structure (inside the caller's
    atomic())."""
    from civicgrid.campaigns.models import StructurePhoto

    return _store(StructurePhoto, {"structure": structure}, uploads)


def copies(photos) -> list:
    """Fresh in-memory copies of stored photos, to hand to another step (a case's 处置前 photos):
    the step stores its own file, so no two rows ever share a path."""
    out = []
    for n, photo in enumerate(photos, start=1):
        with photo.file.open("rb") as f:
            data = f.read()
        ext = photo.file.name.rsplit(".", 1)[-1] if "." in photo.file.name else "jpg"
        out.append(ContentFile(data, name=f"inspection-{photo.pk or n}.{ext}"))
    return out


def _store(model, owner: dict, uploads: list) -> list:
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
        photo = model(
            **owner,
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
