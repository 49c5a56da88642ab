"""The notification centre's REST endpoints (站内通知): a staff member's own items, newest first
(`?unread=true` for the unread ones), the unread count, mark one read, mark all read. Nobody sees
another's items; residents have no centre (403)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from civicgrid.accounts.policy import NOTIFICATION_ROLES
from civicgrid.core.api import validated_query
from civicgrid.messaging import inbox
from civicgrid.messaging.api import serializers as s
from civicgrid.messaging.models import Notification


class NotificationReaders(permissions.IsAuthenticated):
    message = gettext_lazy("只有工作人员有站内通知")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in NOTIFICATION_ROLES
        )


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """站内通知 of the signed-in staff member."""

    serializer_class = s.NotificationSerializer
    permission_classes = [NotificationReaders]
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        unread_only = False
        if self.action == "list":
            data = validated_query(s.ListQuerySerializer, self.request)
            unread_only = data.get("unread", False)
        return inbox.items_for(self.request.user, unread_only=unread_only).select_related("user")

    @extend_schema(parameters=[s.ListQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: s.NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one item read (again: no change)."""
        try:
            item = inbox.do_mark_read(request.user, int(pk))
        except (Notification.DoesNotExist, ValueError) as error:
            raise NotFound() from error
        item.user = request.user
        return Response(s.NotificationSerializer(item).data)

    @extend_schema(request=None, responses={200: s.MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread item read; answers how many changed."""
        return Response({"marked": inbox.do_mark_all_read(request.user)})

    @extend_schema(responses={200: s.UnreadCountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": inbox.unread_count(request.user)})
