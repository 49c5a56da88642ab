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

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import ATTACHMENT_DELETE_ROLES
from civicgrid.attachments.models import Attachment
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases


def of_visible_cases(queryset, user):
    """Photos of the cases the user may see (the API's scoping)."""
    return queryset.filter(case__in=scope_cases(Case.objects.all(), user).values("pk"))


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
class AttachmentAdmin(RoleGatedAdmin):
    # Never added or changed here; an administrator may delete one (the file goes with it).
    delete_roles = ATTACHMENT_DELETE_ROLES
    scope = of_visible_cases
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
