from rest_framework import serializers

from civicgrid.messaging import inbox
from civicgrid.messaging.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """One item of the notification centre; `link` is the case's page for this user."""

    kind = serializers.CharField(source="message.kind")
    case_number = serializers.CharField(source="message.case_number")
    text = serializers.CharField(source="message.text")
    unread = serializers.BooleanField(source="is_unread")
    link = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "case_number", "text", "link", "created_at", "read_at", "unread"]

    def get_link(self, obj) -> str:
        return inbox.case_page(obj.user, obj.message.case_number)


class ListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text="true: only the unread items")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
