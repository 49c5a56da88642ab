"""Storing a case photo: check who may attach, sniff, bound, clean, then write.

Nothing about an upload is trusted: not its file name, not the Content-Type the client sent,
not its extension. The bytes are opened with Pillow; only JPEG, PNG and WebP pass. Every upload
is decoded fully (a truncated or corrupt file fails here) and re-encoded from its pixels, so no
EXIF, GPS, XMP or comment block of the original reaches the disk — a resident's photo never
tells where they live. The file is written only after every check passed, and removed again if
the database row cannot be written: a refused upload leaves neither a row nor a file.

Who may attach (cases.permissions decides what a user sees and may do):
- nobody with a read-only role (leaders look, they do not touch), nobody who cannot see the case;
- 处置前 (before) and 其他 (other): anyone else who sees the case — its reporter, grid and
  community staff of its micro-grid, the department it is dispatched to, 城运中心;
- 处置后 (after): whoever may handle the case (the department it is dispatched to, or the grid
  staff for grid-internal handling) or verify it (grid/community staff of its micro-grid), and
  城运中心 operators and admins; residents do not post after-photos.
"""

import hashlib
import io
import os
import unicodedata
import warnings

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from civicgrid.accounts.policy import DISPATCH_ROLES
from civicgrid.attachments.choices import STORED_FORMATS, AttachmentKind
from civicgrid.attachments.models import Attachment
from civicgrid.cases.choices import CaseAction
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import may_act_on, scope_cases
from civicgrid.cases.services import photos as step_photos

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000
DEFAULT_MAX_SIDE = 2048
JPEG_QUALITY = 88
# Decoders allowed to read an upload (phone MPO files come in through the JPEG decoder).
ALLOWED = ("JPEG", "PNG", "WEBP")
WEBP_QUALITY = 85


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def max_side() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_SIDE", DEFAULT_MAX_SIDE))


def max_lossless_pixels() -> int:
    """PNG and WebP are decoded in full (no reduced-scale decoding as for JPEG), so their pixel
    budget is what is kept anyway: a square of the longest side stored (4.2 M at 2048)."""
    side = max_side()
    return min(max_pixels(), side * side) if side else max_pixels()


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".rstrip("0").rstrip(".") + " KB"
    return f"{n} B"


def may_see_case(user, case: Case) -> bool:
    return scope_cases(Case.objects.filter(pk=case.pk), user).exists()


def may_attach(user, case: Case, kind: str) -> bool:
    """The rule in the module docstring."""
    if not user or not user.is_authenticated or user.is_read_only:
        return False
    if not may_see_case(user, case):
        return False
    if kind != AttachmentKind.AFTER:
        return True
    if user.effective_role in DISPATCH_ROLES:
        return True
    return may_act_on(user, case, CaseAction.HANDLE) or may_act_on(
        user, case, CaseAction.VERIFY_PASS
    )


def clean_filename(name: str | None) -> str:
    """The uploader's file name, for display only: no path, no control or special characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    try:
        base = get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for names like ".." or ""
        return ""
    return base[-200:]


class CleanedImage:
    """The re-encoded bytes of an accepted image and what was learnt about it."""

    def __init__(self, data: bytes, content_type: str, ext: str, width: int, height: int):
        self.data = data
        self.content_type = content_type
        self.ext = ext
        self.width = width
        self.height = height


def _not_an_image():
    return ValidationError({"file": _("文件不是有效的图片：仅支持 JPEG、PNG、WebP 格式的照片")})


def _too_many_pixels(width: int, height: int, limit: int | None = None):
    return ValidationError(
        {
            "file": _("图片尺寸过大（%(w)s×%(h)s 像素），上限为 %(max)s 像素")
            % {"w": width, "h": height, "max": f"{limit or max_pixels():,}"}
        }
    )


def clean_image(data: bytes) -> CleanedImage:
    """Sniff, fully decode and re-encode `data`; ValidationError if it is not an allowed image.

    Pillow's own decompression-bomb guard stays on; our pixel limit is checked from the header
    before any pixel is decoded, so a tiny file claiming a gigantic picture costs nothing.
    """
    # A truncated file must fail, never be padded with grey (a process-wide Pillow switch).
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the allowed decoders even look at the bytes: a file that starts like a GIF
            # or a TIFF is "not an image" here, and exotic decoders are never exercised.
            with Image.open(io.BytesIO(data), formats=ALLOWED) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in STORED_FORMATS:
                    raise _not_an_image()
                if width * height > max_pixels():
                    raise _too_many_pixels(width, height)
                if fmt != "JPEG" and width * height > max_lossless_pixels():
                    raise _too_many_pixels(width, height, max_lossless_pixels())
                probe.verify()
            # verify() leaves the image unusable; reopen to decode the pixels for real.
            with Image.open(io.BytesIO(data), formats=ALLOWED) as im:
                limit = max_side()
                if fmt == "JPEG" and limit:
                    # Decode at 1/2, 1/4 or 1/8 scale when the photo is larger than what is kept:
                    # the decode work is bounded by the stored size, not by the sender's.
                    im.draft("RGB" if im.mode == "RGB" else None, (limit, limit))
                im.load()
                out_format, content_type, ext = STORED_FORMATS[fmt]
                return _reencode(im, out_format, content_type, ext)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refused before we could read the size ourselves (limit set above Pillow's).
        raise ValidationError(
            {"file": _("图片尺寸过大，上限为 %(max)s 像素") % {"max": f"{max_pixels():,}"}}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError):
        # Pillow reports a corrupt or truncated file with any of these.
        raise _not_an_image() from None


def _reencode(im: Image.Image, out_format: str, content_type: str, ext: str) -> CleanedImage:
    # Turn the pixels upright first: the orientation tag is about to be dropped with the rest.
    im = ImageOps.exif_transpose(im)
    limit = max_side()
    if limit and max(im.size) > limit:
        im.thumbnail((limit, limit), Image.Resampling.LANCZOS)
    if out_format == "JPEG" and im.mode not in ("RGB", "L"):
        im = im.convert("RGB")
    elif out_format == "WEBP" and im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGBA" if im.has_transparency_data else "RGB")
    elif out_format == "PNG" and im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        im = im.convert("RGBA")
    # Only what the pixels need survives: palette transparency and the colour profile. EXIF,
    # GPS, XMP, text chunks and comments are left behind, whatever Pillow would carry over.
    keep = {k: im.info[k] for k in ("transparency", "icc_profile") if k in im.info}
    im.info = {}
    params = {}
    if "icc_profile" in keep:
        params["icc_profile"] = keep["icc_profile"]
    if "transparency" in keep and out_format == "PNG":
        params["transparency"] = keep["transparency"]
    if out_format == "JPEG":
        params.update(quality=JPEG_QUALITY, optimize=True)
    elif out_format == "WEBP":
        params.update(quality=WEBP_QUALITY)
    elif out_format == "PNG":
        # zlib's default level: `optimize` tries every filter at level 9, seconds on a big image.
        params.update(compress_level=6)
    buffer = io.BytesIO()
    im.save(buffer, format=out_format, **params)
    return CleanedImage(buffer.getvalue(), content_type, ext, im.width, im.height)


def _read_upload(upload) -> bytes:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                "file": _("文件过大（%(size)s），附件大小上限为 %(limit)s")
                % {"size": human_size(size), "limit": human_size(limit)}
            }
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    # Read one byte more than allowed: a stream that lied about its size still stops here.
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {"file": _("文件过大，附件大小上限为 %(limit)s") % {"limit": human_size(limit)}}
        )
    if not data:
        raise ValidationError({"file": _("文件为空")})
    return data


def clean_upload(upload) -> CleanedImage:
    """Read one uploaded photo (size-limited) and clean it; ValidationError on "file". Used by
    programmes that keep photos of their own (civicgrid.sorting's inspections)."""
    if upload is None:
        raise ValidationError({"file": _("请选择要上传的图片")})
    return clean_image(_read_upload(upload))


def store_attachment(
    case: Case, user, upload, kind: str, *, event=None, authorised: bool = False
) -> Attachment:
    """Check, clean and store one photo of `case`; returns the saved Attachment.

    Raises PermissionDenied (user may not attach this kind to this case) or ValidationError
    (field → Chinese message) — and then nothing is written, neither row nor file.

    `user=None` is a trusted caller, as in cases.services: code that has already decided the
    upload is allowed (a visitor's photo of the case they are reporting, a data generator).
    The file is checked and cleaned all the same; the row has no uploader. `authorised=True`:
    the caller has already checked `user` (a step of the loop, whose own check is the
    permission for its photos); the row records them as the uploader.
    """
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("未知的附件类型“%(k)s”") % {"k": kind}})
    if user is not None and not authorised and not may_attach(user, case, kind):
        raise PermissionDenied(
            _("您无权为案件 %(n)s 上传“%(k)s”附件")
            % {"n": case.number, "k": AttachmentKind(kind).label}
        )
    if event is not None and event.case_id != case.pk:
        raise ValidationError({"event": _("该流转记录不属于案件 %(n)s") % {"n": case.number}})
    if upload is None:
        raise ValidationError({"file": _("请选择要上传的图片")})
    cleaned = clean_image(_read_upload(upload))
    attachment = Attachment(
        case=case,
        event=event,
        kind=kind,
        original_name=clean_filename(getattr(upload, "name", "")),
        content_type=cleaned.content_type,
        size=len(cleaned.data),
        width=cleaned.width,
        height=cleaned.height,
        sha256=hashlib.sha256(cleaned.data).hexdigest(),
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    # Validation is over: only now does anything reach the disk, and the file leaves again if
    # the row cannot be written. (Django has no rollback hook: a caller that wraps this in its own
    # transaction must report the file — store_step_photos does, to cases.services.photos, whose
    # atomic() removes it on a rollback — or a later rollback leaves an unreferenced file, never
    # a row without a file.)
    try:
        with transaction.atomic():
            attachment.file.save(f"upload.{cleaned.ext}", ContentFile(cleaned.data), save=False)
            attachment.save()
    except BaseException:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def store_step_photos(case: Case, event, user, uploads, kind: str, *, field: str) -> list:
    """The photos of one step of the loop (cases.services.photos.PhotoStore), stored inside the
    step's transaction and linked to its history row. The step's own check is the permission.

    A refused photo raises ValidationError on `field`, naming the photo; the files written for
    the step are reported to cases.services.photos, which removes them if the step rolls back."""
    stored = []
    for upload in uploads:
        try:
            attachment = store_attachment(case, user, upload, kind, event=event, authorised=True)
        except ValidationError as exc:
            raise ValidationError(
                {
                    field: _("照片“%(name)s”:%(message)s")
                    % {
                        "name": clean_filename(getattr(upload, "name", "")) or "?",
                        "message": " ".join(exc.messages),
                    }
                }
            ) from None
        step_photos.written(_deleter(attachment))
        stored.append(attachment)
    return stored


def _deleter(attachment: Attachment):
    storage, name = attachment.file.storage, attachment.file.name
    return lambda: storage.delete(name)


# --- thumbnails ------------------------------------------------------------------------------------

# The longest side of a thumbnail: a row of them on a phone, sharp on a 2× screen.
THUMB_SIDE = 320
THUMB_QUALITY = 80


def make_thumbnail(data: bytes) -> bytes:
    """A small JPEG of a stored (already cleaned) photo; transparency is laid on white."""
    with Image.open(io.BytesIO(data), formats=ALLOWED) as im:
        if im.format == "JPEG":
            # Decode at a reduced scale: a thumbnail needs a fraction of the pixels.
            im.draft("RGB", (THUMB_SIDE * 2, THUMB_SIDE * 2))
        im.load()
        small = im.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    if small.mode in ("RGBA", "LA", "P", "PA") or "transparency" in small.info:
        small = small.convert("RGBA")
        flat = Image.new("RGB", small.size, "white")
        flat.paste(small, mask=small.getchannel("A"))
        small = flat
    elif small.mode != "RGB":
        small = small.convert("RGB")
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=THUMB_QUALITY, optimize=True)
    return buffer.getvalue()


def _write_thumbnail(attachment: Attachment, data: bytes) -> None:
    storage, name = attachment.file.storage, attachment.thumbnail_name
    saved = storage.save(name, ContentFile(make_thumbnail(data)))
    if saved != name:  # another request wrote it first: keep theirs
        storage.delete(saved)


def thumbnail(attachment: Attachment):
    """The thumbnail of `attachment` as an open file (FileResponse closes it): made from the
    stored photo the first time it is asked for, then kept beside it (thumbs/…) until the
    photo is deleted. Lazily, so that storing a photo inside its step stays one file."""
    storage, name = attachment.file.storage, attachment.thumbnail_name
    if not storage.exists(name):
        with attachment.file.open("rb") as original:
            _write_thumbnail(attachment, original.read())
    return storage.open(name, "rb")
