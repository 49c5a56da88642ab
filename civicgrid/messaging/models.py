"""The outbox of the notifications (通知发件箱) and the staff's notification centre (站内通知).

A service writes its messages in its own transaction (cases.notifications.schedule →
messaging.outbox.write): an `OutboxMessage` per message, a `Delivery` per channel that takes it,
and a `Notification` per staff account behind the recipient. The worker delivers the pending
`Delivery` rows (messaging.outbox.deliver_pending); the staff read their `Notification` rows at
/notifications/ and /api/notifications/.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.messaging.choices import DeliveryStatus
from civicgrid.messaging.messages import Message, Recipient


class OutboxMessage(models.Model):
    """通知消息: one message to one recipient, written in the transaction of the step that causes
    it; its id is the message's identity on every channel (a retry is the same message)."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("类型"), max_length=40)
    case_number = models.CharField(_("案件编号"), max_length=20, blank=True, db_index=True)
    recipient = models.JSONField(_("接收方"))
    text = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("通知消息")
        verbose_name_plural = _("通知消息")
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.case_number} {self.kind}"

    def as_message(self) -> Message:
        return Message(
            self.kind,
            self.case_number,
            Recipient(**self.recipient),
            self.text,
            self.link,
            dict(self.data or {}),
        )


class Delivery(models.Model):
    """通知投递: one message on one channel (console, e-mail, SMS …). Pending until the channel
    took it; a worker claims a batch by setting a lease (`lease_until`, `lease_token`); a lease
    that runs out (the worker died) lets another worker claim it again; a delivered row is never
    sent again."""

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("消息")
    )
    channel = models.CharField(_("渠道"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    lease_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    lease_token = models.CharField(_("占用标记"), max_length=32, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    delivered_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel")
        ]
        indexes = [
            # The worker's claim reads only the pending rows, oldest due first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
            models.Index(fields=["lease_token"], name="delivery_lease_token"),
        ]

    def __str__(self):
        return f"{self.message_id}/{self.channel}"


class Notification(models.Model):
    """站内通知: one item of a staff member's notification centre, written with the message for
    every active account behind its recipient (a department's handlers, a micro-grid's staff, the
    operators, the 值班长 on duty, a named account)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("用户"),
    )
    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("消息"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="notification_once_per_user")
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest"),
            # The header's badge counts these on every page.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.message_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
