"""Photos attached to a case: before handling, after handling, or other evidence.

Rows are written only by attachments.services.store_attachment, which sniffs the type from the
content, enforces the size limit and re-encodes the pixels without any metadata (EXIF, GPS, XMP),
so the stored file never carries a resident's location. A stored attachment never changes;
only an administrator may delete one (the file goes with the row).
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.attachments.choices import AttachmentKind


def attachment_path(instance, filename: str) -> str:
    """attachments/YYYY/MM/DD/<random>.<ext>: never the uploader's file name on disk.

    `filename` is the name store_attachment chose ("x.jpg"); only its extension (from the
    sniffed type) is kept.
    """
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    day = timezone.localdate()
    return f"attachments/{day:%Y/%m/%d}/{secrets.token_hex(16)}.{ext}"


class AttachmentQuerySet(models.QuerySet):
    """Stored attachments are immutable, also in bulk; deletion goes row by row (files too)."""

    def update(self, **kwargs):
        raise ValueError("Attachment rows are immutable")

    def delete(self):
        deleted = 0
        for attachment in self:
            attachment.delete()
            deleted += 1
        return deleted, {self.model._meta.label: deleted}


class Attachment(models.Model):
    """One photo of a case (案件附件), stored cleaned: sniffed type, no metadata, bounded size."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="attachments"
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("流转记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        help_text=_("附件所属的流转环节（如处置反馈），可为空"),
    )
    kind = models.CharField(
        _("类型"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(
        _("原文件名"), max_length=200, blank=True, help_text=_("仅供显示，已去除路径和特殊字符")
    )
    content_type = models.CharField(_("内容类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_attachments",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), db_index=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件附件")
        verbose_name_plural = _("案件附件")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name or self.file.name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Attachment rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # The file (and its thumbnail) go with the row, but only once the row is really gone.
        storage, name, thumb = self.file.storage, self.file.name, self.thumbnail_name
        result = super().delete(*args, **kwargs)
        if name:
            transaction.on_commit(lambda: (storage.delete(name), storage.delete(thumb)))
        return result

    @property
    def thumbnail_name(self) -> str:
        """Where the photo's thumbnail is kept (attachments.services.thumbnail): beside it under
        thumbs/, always a JPEG."""
        stem = (self.file.name or "").rsplit(".", 1)[0]
        stem = stem.removeprefix("attachments/")
        return f"thumbs/{stem}.jpg" if stem else ""

    @property
    def download_name(self) -> str:
        """The display name with the extension of what is really stored (a PNG sent as .jpg)."""
        stem = self.original_name.rsplit(".", 1)[0] if self.original_name else ""
        ext = self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else "bin"
        return f"{stem or f'attachment-{self.pk}'}.{ext}"
