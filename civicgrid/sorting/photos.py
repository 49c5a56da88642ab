"""垃圾分类 inspection photos: cleaned by the project's photo cleaner, stored with the inspection.

The cleaning (type sniffed, decoded, re-encoded without metadata, size and pixel limits) and the
storing loop are cases.services.photos.store_cleaned, with the cleaner attachments registers.
Files are written inside cases.services.photos.atomic(), so a rolled-back inspection takes its
files off the disk too.
"""

from civicgrid.cases.services import photos as step_photos

MAX_PHOTOS = step_photos.MAX_PHOTOS


def prepared(photos) -> list:
    return step_photos.prepared(photos)


def store(inspection, uploads: list) -> list:
    """Clean and store `uploads` as photos of `inspection` (inside the caller's atomic());
    ValidationError on "photos" naming a refused photo."""
    from civicgrid.sorting.models import InspectionPhoto

    return step_photos.store_cleaned(InspectionPhoto, {"inspection": inspection}, uploads)
