"""Attachment REST shapes: the upload form (multipart) and the stored attachment."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.attachments.choices import AttachmentKind
from civicgrid.attachments.models import Attachment


class UploadSerializer(serializers.Serializer):
    """multipart/form-data: the case number, what the photo shows, the image file."""

    case = serializers.CharField(label=_("案件编号"), max_length=20)
    kind = serializers.ChoiceField(label=_("类型"), choices=AttachmentKind.choices)
    event = serializers.IntegerField(
        label=_("流转记录"), required=False, allow_null=True, help_text=_("可选：所属流转记录编号")
    )
    # Any file is accepted here on purpose: its type is decided by attachments.services from
    # the content, never from the name or the client's Content-Type.
    file = serializers.FileField(label=_("图片文件"), allow_empty_file=False)


class AttachmentSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, default=None, allow_null=True
    )
    url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "case",
            "event",
            "kind",
            "kind_display",
            "original_name",
            "content_type",
            "size",
            "width",
            "height",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "url",
            "file_url",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.URLField())
    def get_url(self, obj) -> str:
        return self._absolute(reverse("attachment-detail", args=[obj.pk]))

    @extend_schema_field(serializers.URLField())
    def get_file_url(self, obj) -> str:
        # The file is served through the API (scope check, nosniff), not from MEDIA_URL.
        return self._absolute(reverse("attachment-file", args=[obj.pk]))
