"""Photos of a 督查 inspection and of an illegal structure: cleaned and stored by
cases.services.photos.store_cleaned (the cleaner attachments registers), inside the step's
`atomic()`, so a rolled-back inspection takes its files off the storage too.
"""

from django.core.files.base import ContentFile

from civicgrid.cases.services import photos as step_photos


def prepared(uploads) -> list:
    return step_photos.prepared(uploads)


def atomic():
    return step_photos.atomic()


def store(inspection, uploads: list) -> list:
    """Clean and store `uploads` as photos of `inspection` (inside the caller's atomic())."""
    from civicgrid.campaigns.models import InspectionPhoto

    return step_photos.store_cleaned(InspectionPhoto, {"inspection": inspection}, uploads)


def store_structure(structure, uploads: list) -> list:
    """Clean and store `uploads` as photos of an illegal structure (inside the caller's
    atomic())."""
    from civicgrid.campaigns.models import StructurePhoto

    return step_photos.store_cleaned(StructurePhoto, {"structure": structure}, uploads)


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
