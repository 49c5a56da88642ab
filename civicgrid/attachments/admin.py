"""Back office for case photos: a read-only list with thumbnails.

Attachments are written only through attachments.services (the upload API) and never changed;
an administrator may delete one (the file goes with it). Rows follow the API's scoping
(cases.permissions.scope_cases), and the thumbnails load from the API's file endpoint, which
checks that scope again.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import Role
from civicgrid.attachments.models import Attachment
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.core.adminsite import may_use_admin


def _back_office(request) -> bool:
    return may_use_admin(request.user)


def _thumbnail(obj, size: int):
    url = reverse("attachment-file", args=[obj.pk])
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" loading="lazy" '
        'style="max-width:{}px;max-height:{}px;object-fit:contain"></a>',
        url,
        url,
        obj.original_name,
        size,
        size,
    )


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "case",
        "kind",
        "original_name",
        "content_type",
        "dimensions",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["kind", "content_type", "uploaded_at"]
    search_fields = ["case__number", "original_name", "sha256"]
    list_select_related = ["case__category", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    fields = [
        "preview",
        "case",
        "event",
        "kind",
        "original_name",
        "content_type",
        "size",
        "width",
        "height",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("缩略图"))
    def thumbnail(self, obj):
        return _thumbnail(obj, 80)

    @admin.display(description=_("预览"))
    def preview(self, obj):
        return _thumbnail(obj, 480)

    @admin.display(description=_("尺寸"))
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(case__in=scope_cases(Case.objects.all(), request.user).values("pk"))

    def has_module_permission(self, request):
        return _back_office(request)

    def has_view_permission(self, request, obj=None):
        return _back_office(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return _back_office(request) and request.user.effective_role == Role.ADMIN
