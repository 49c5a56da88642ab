"""Attachment endpoints: upload (multipart), scoped list and detail, the file itself.

Views only translate HTTP to attachments.services. Errors: bad input or a refused file 400
(field → Chinese message), a role that may not attach this kind 403, an unknown case or one the
user may not see 404 — and nothing written.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.attachments import services
from civicgrid.attachments.api.serializers import AttachmentSerializer, UploadSerializer
from civicgrid.attachments.filters import AttachmentFilter
from civicgrid.attachments.models import Attachment
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.permissions import scope_cases
from civicgrid.core import parsers as core_parsers
from civicgrid.core.storedfiles import missing_file_is_404

# Room for the multipart envelope and the other form fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def visible_attachments(user):
    """Attachments of the cases the user may see (cases.permissions.scope_cases)."""
    cases = scope_cases(Case.objects.all(), user)
    return Attachment.objects.filter(case__in=cases.values("pk"))


def _too_large(limit: int):
    return ValidationError(
        {"file": [_("文件过大，附件大小上限为 %(limit)s") % {"limit": services.human_size(limit)}]}
    )


class AttachmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Photos of the cases the user may see; POST uploads one (multipart/form-data)."""

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    parser_classes = [core_parsers.MultiPartParser, core_parsers.FormParser]

    def get_queryset(self):
        return visible_attachments(self.request.user).select_related("case", "uploaded_by")

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={201: AttachmentSerializer},
        summary="上传案件照片",
        description=(
            "类型由文件内容判定(JPEG、PNG、WebP),扩展名和客户端的 Content-Type 不被采信;"
            "所有照片重新编码并去除 EXIF/GPS 等元数据。"
        ),
    )
    def create(self, request, *args, **kwargs):
        limit = services.max_bytes()
        # Refuse an oversized body before Django spools it to a temporary file.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + MULTIPART_OVERHEAD:
            raise _too_large(limit)
        try:
            data = request.data
        except RequestDataTooBig:
            raise _too_large(limit) from None
        body = UploadSerializer(data=data)
        body.is_valid(raise_exception=True)
        number = body.validated_data["case"]
        case = scope_cases(Case.objects.all(), request.user).filter(number=number).first()
        if case is None:
            raise NotFound(_("案件 %(n)s 不存在或您无权查看") % {"n": number})
        event = None
        event_id = body.validated_data.get("event")
        if event_id is not None:
            event = CaseEvent.objects.filter(pk=event_id, case=case).first()
            if event is None:
                raise ValidationError(
                    {"event": [_("该流转记录不属于案件 %(n)s") % {"n": case.number}]}
                )
        attachment = services.store_attachment(
            case,
            request.user,
            body.validated_data["file"],
            body.validated_data["kind"],
            event=event,
        )
        attachment = self.get_queryset().get(pk=attachment.pk)
        out = AttachmentSerializer(attachment, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)


class AttachmentFileView(APIView):
    """The stored (cleaned) image, only for users who may see its case."""

    @extend_schema(
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="图片"),
            404: OpenApiResponse(description="附件不存在或无权查看"),
        },
        summary="下载案件照片",
    )
    def get(self, request, pk: int):
        attachment = get_object_or_404(visible_attachments(request.user), pk=pk)
        with missing_file_is_404(attachment.file):
            response = FileResponse(
                attachment.file.open("rb"),
                content_type=attachment.content_type,
                filename=attachment.download_name,
            )
        # The type was sniffed and the file re-encoded by us; browsers must not second-guess it.
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    def perform_content_negotiation(self, request, force=False):
        # An <img> asks for image/*; errors still come back as JSON instead of a 406.
        return super().perform_content_negotiation(request, force=True)


class AttachmentThumbView(AttachmentFileView):
    """A small JPEG of the photo (the longest side 320 px) for lists and galleries, only for
    users who may see its case; the full photo stays at …/file."""

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="缩略图"),
            404: OpenApiResponse(description="附件不存在或无权查看"),
        },
        summary="案件照片缩略图",
    )
    def get(self, request, pk: int):
        attachment = get_object_or_404(visible_attachments(request.user), pk=pk)
        with missing_file_is_404(attachment.file):
            response = FileResponse(services.thumbnail(attachment), content_type="image/jpeg")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=86400"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
