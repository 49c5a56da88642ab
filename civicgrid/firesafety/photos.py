"""Fire-safety inspection photos of a rental house: cleaned and stored as 垃圾分类's are
(cases.services.photos.store_cleaned, with the cleaner attachments registers), inside
cases.services.photos.atomic(), so a rolled-back inspection takes its files off the disk too.
"""

from civicgrid.cases.services import photos as step_photos


def prepared(photos) -> list:
    return step_photos.prepared(photos)


def store(inspection, uploads: list) -> list:
    """Clean and store `uploads` as photos of `inspection` (inside the caller's atomic());
    ValidationError on "photos" naming a refused photo."""
    from civicgrid.firesafety.models import InspectionPhoto

    return step_photos.store_cleaned(InspectionPhoto, {"inspection": inspection}, uploads)
