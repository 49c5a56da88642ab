"""Back office of the outbox (通知发件箱): read-only, for the system's keeper (OUTBOX_VIEW_ROLES).
Messages with their deliveries per channel (status, attempts, last error), to see what went out
and what is stuck; phones and addresses of recipients masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import OUTBOX_VIEW_ROLES
from civicgrid.messaging.messages import Recipient
from civicgrid.messaging.models import Delivery, OutboxMessage


class DeliveryInline(RoleGatedMixin, admin.TabularInline):
    model = Delivery
    view_roles = OUTBOX_VIEW_ROLES
    extra = 0
    can_delete = False
    fields = ["channel", "status", "attempts", "next_attempt_at", "delivered_at", "last_error"]
    readonly_fields = fields


@admin.register(OutboxMessage)
class OutboxMessageAdmin(RoleGatedAdmin):
    view_roles = OUTBOX_VIEW_ROLES
    list_display = ["created_at", "case_number", "kind", "recipient_display", "text"]
    list_filter = ["kind", "deliveries__status", "deliveries__channel"]
    search_fields = ["case_number"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]
    fields = ["created_at", "case_number", "kind", "recipient_display", "text", "link"]
    readonly_fields = fields

    @admin.display(description=_("接收方"))
    def recipient_display(self, obj):
        return Recipient(**obj.recipient).describe()


@admin.register(Delivery)
class DeliveryAdmin(RoleGatedAdmin):
    view_roles = OUTBOX_VIEW_ROLES
    list_display = [
        "message",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "delivered_at",
        "last_error",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["message"]
    search_fields = ["message__case_number"]
    fields = list_display
    readonly_fields = fields
