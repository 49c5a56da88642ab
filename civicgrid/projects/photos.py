"""A project's before/after photos (改造前/后): cleaned and stored by
cases.services.photos.store_cleaned (the cleaner attachments registers), inside `atomic()`, so a
rolled-back step takes its files off the storage too.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from civicgrid.cases.services import photos as step_photos

FIELD = step_photos.FIELD


def prepared(uploads) -> list:
    return step_photos.prepared(uploads)


def atomic():
    return step_photos.atomic()


def store(project, stage, uploads: list) -> list:
    """Clean and store `uploads` as photos of `project` (inside the caller's atomic())."""
    from civicgrid.projects.models import ProjectPhoto

    if not uploads:
        raise ValidationError({FIELD: _("请选择照片。")})
    return step_photos.store_cleaned(ProjectPhoto, {"project": project, "stage": stage}, uploads)
