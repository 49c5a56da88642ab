from django.urls import re_path

from civicgrid.attachments.api import views
from civicgrid.core.routers import SimpleRouter

router = SimpleRouter()
router.register("", views.AttachmentViewSet, basename="attachment")

urlpatterns = [
    # `/api/attachments/{id}/file`, with or without the trailing slash.
    re_path(r"^(?P<pk>[0-9]+)/file/?$", views.AttachmentFileView.as_view(), name="attachment-file"),
    re_path(
        r"^(?P<pk>[0-9]+)/thumb/?$", views.AttachmentThumbView.as_view(), name="attachment-thumb"
    ),
    *router.urls,
]
