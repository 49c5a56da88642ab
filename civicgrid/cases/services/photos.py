"""Photos that come with a step of the loop: stored inside the step, or not at all.

A step that may carry photos (上报 with 处置前 photos, 处置反馈 with 处置后 photos, 核查 with
photos of the site) takes `photos=()` and stores them after its history row is written, inside
its own transaction, linked to that row. The step's own check (the transition table, the role,
the scope, 管监分离) is the permission: whoever may take the step may show it. Each photo is
checked by the store (type sniffed, decoded, re-encoded without metadata, size and pixel
limits); a refused photo is a ValidationError on the field "photos" naming the photo, and the
whole step is undone with it. At most MAX_PHOTOS photos go with one step, whatever the channel.

Layering: storing a photo is the attachments app's business, and attachments sits above cases
(it imports cases; cases must not import it). So cases only defines what a store must do
(PhotoStore) and calls the one registered — attachments registers its implementation in
AttachmentsConfig.ready() (attachments.services.store_step_photos). Without a registered store a
step given photos refuses to run (ImproperlyConfigured): photos are never dropped silently.

Files and rollbacks: a database rollback cannot take a file off the disk. `atomic()` below is
transaction.atomic() that also removes every file written inside it (reported with
`written()`) when the block is left by an exception; a block nested in another hands its files
to the outer one, so an error after the step inside a caller's atomic() (e.g. a patrol finding
turned into a case) removes them as well. A caller that wraps a step in a plain
transaction.atomic() and rolls back later, after the step returned, should use this atomic().
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

# The one limit on the number of photos of a step (the size and pixel limits are the store's).
MAX_PHOTOS = 6

# Kinds of photo (the values of attachments.choices.AttachmentKind).
BEFORE = "before"
AFTER = "after"
OTHER = "other"

FIELD = "photos"


class PhotoStore(Protocol):
    def __call__(self, case, event, user, uploads: list, kind: str, *, field: str) -> list:
        """Store `uploads` as photos of `kind` of `case`, linked to the history row `event`,
        uploaded by `user` (None: a visitor without an account); return what was stored.

        Raise ValidationError on `field` (naming the photo) for a refused photo. Report every
        file written with `written(delete)` so that it leaves the disk on a rollback."""


class Cleaned(Protocol):
    """An upload as the cleaner gives it back: re-encoded bytes without metadata."""

    data: bytes
    content_type: str
    ext: str
    width: int
    height: int


_store: PhotoStore | None = None
_cleaner: Callable[[object], Cleaned] | None = None
_pending: ContextVar[list | None] = ContextVar("civicgrid_pending_files", default=None)


def register_store(store: PhotoStore) -> None:
    """Called once by the app that stores photos (attachments, in its AppConfig.ready())."""
    global _store
    _store = store


def register_cleaner(cleaner: Callable[[object], Cleaned]) -> None:
    """Called once by the app that cleans photos (attachments, in its AppConfig.ready()); the
    programmes' own photos (垃圾分类 and fire-safety inspections, projects, campaigns) go through
    it with `store_cleaned`."""
    global _cleaner
    _cleaner = cleaner


def written(delete: Callable[[], None]) -> None:
    """A file was written inside the current atomic(): `delete()` removes it on a rollback."""
    pending = _pending.get()
    if pending is not None:
        pending.append(delete)


def _remove(deletes) -> None:
    for delete in reversed(deletes):
        try:
            delete()
        except Exception:  # a file already gone; the rest must still go
            pass


@contextmanager
def atomic(using=None):
    """transaction.atomic() that removes the files written inside it when left by an exception
    (see the module docstring)."""
    outer = _pending.get()
    mine: list = []
    token = _pending.set(mine)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        _remove(mine)
        raise
    else:
        if outer is not None:
            outer.extend(mine)
    finally:
        _pending.reset(token)


def prepared(photos: Iterable | None) -> list:
    """The photos given to a step, without empty entries; ValidationError over the limit."""
    uploads = [p for p in (photos or ()) if p]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({FIELD: _("最多上传%(n)s张照片") % {"n": MAX_PHOTOS}})
    return uploads


def store(case, event, user, uploads: list, kind: str) -> tuple:
    """Store the step's photos (inside the step's atomic()); () when there are none."""
    if not uploads:
        return ()
    if _store is None:
        raise ImproperlyConfigured("No photo store is registered (civicgrid.attachments).")
    return tuple(_store(case, event, user, uploads, kind, field=FIELD))


def store_cleaned(model, owner: dict, uploads: list) -> list:
    """Clean each upload with the registered cleaner and store it as a `model(**owner, ...)` row
    with a `file` and its content type, size and pixels (inside the caller's atomic(): each file
    is reported with `written()`). A programme's photo that is not a case's.

    ValidationError on "photos" naming a refused photo; ImproperlyConfigured without a cleaner, so
    a photo is never stored uncleaned nor dropped silently."""
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
        written(lambda storage=storage, name=name: storage.delete(name))
        photo.save()
        stored.append(photo)
    return stored
