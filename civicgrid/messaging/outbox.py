"""The transactional outbox of the notifications (通知发件箱).

`write` runs inside the transaction of the step that causes the messages: one `OutboxMessage` per
message, one pending `Delivery` per channel that accepts it, one `Notification` per staff account
behind it — all committed with the step or rolled back with it, so a crash after the commit loses
nothing and a refused step tells nobody. After the commit a task is enqueued only to wake a worker
up (messaging.tasks.deliver_outbox_task); if that is lost, the periodic sweep (`manage.py
deliver_outbox`, and the deadline scan's loop) finds the rows.

`deliver_pending` claims small batches of due deliveries with a lease (PostgreSQL:
`SELECT … FOR UPDATE SKIP LOCKED`, so workers never wait on each other; SQLite, one writer at a
time: an UPDATE whose WHERE repeats the claim's conditions), sends each on its channel and marks
it delivered at once. A worker that dies leaves its batch leased; when the lease runs out another
worker claims it. A delivered row is never claimed again, so a retry never re-sends a message on a
channel that took it. A failure is recorded on its own row (attempts, last error, next attempt
after a back-off) and never keeps the other channels or messages from going out; after
CIVICGRID_OUTBOX_MAX_ATTEMPTS attempts the row is marked failed (visible in the admin).
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from civicgrid.messaging import inbox
from civicgrid.messaging.channels import channels
from civicgrid.messaging.choices import DeliveryStatus
from civicgrid.messaging.messages import Message
from civicgrid.messaging.models import Delivery, OutboxMessage
from civicgrid.messaging.recipients import STAFF_KINDS

logger = logging.getLogger("civicgrid.cases.notifications")

MAX_BACKOFF = datetime.timedelta(hours=1)
INSERT_BATCH = 500


def write(messages: list[Message], *, at=None, send: bool = True) -> list[OutboxMessage]:
    """Store the messages in the current transaction (see the module's docstring); `send=False`
    keeps them for the notification centre only (no channel delivery). Returns the rows."""
    if not send:  # only what a notification centre shows
        messages = [m for m in messages if m.recipient.kind in STAFF_KINDS]
    if not messages:
        return []
    at = at or timezone.now()
    rows = [
        OutboxMessage(
            created_at=at,
            kind=m.kind,
            case_number=m.case_number,
            recipient=m.as_dict()["recipient"],
            text=m.text,
            link=m.link,
            data=m.data,
        )
        for m in messages
    ]
    # Inside the step's transaction (savepoint=False: no extra round trips); on its own outside one.
    with transaction.atomic(savepoint=False):
        OutboxMessage.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        if send:
            now = timezone.now()
            deliveries = [
                Delivery(message=row, channel=channel.name, next_attempt_at=now)
                for row, message in zip(rows, messages, strict=True)
                for channel in channels()
                if channel.accepts(message)
            ]
            Delivery.objects.bulk_create(deliveries, batch_size=INSERT_BATCH)
            if deliveries:
                transaction.on_commit(wake)
        inbox.add(rows)
    return rows


def wake() -> None:
    """Ask a worker to deliver (after the commit). Losing this only delays the messages until the
    next sweep."""
    from civicgrid.messaging.tasks import deliver_outbox_task

    try:
        deliver_outbox_task.enqueue()
    except Exception:
        logger.exception("通知任务无法入队，等待下次轮询发送")


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def due(now=None):
    now = now or timezone.now()
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def claim(limit: int | None = None, *, now=None) -> tuple[str, list[Delivery]]:
    """Lease up to `limit` due deliveries for this worker: (lease token, rows with messages)."""
    now = now or timezone.now()
    limit = limit or settings.CIVICGRID_OUTBOX_BATCH
    token = uuid.uuid4().hex
    lease = now + datetime.timedelta(seconds=settings.CIVICGRID_OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        candidates = due(now).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return token, []
        # The conditions again: on SQLite nothing locked the rows between the SELECT and here.
        due(now).filter(pk__in=ids).update(
            lease_token=token, lease_until=lease, attempts=F("attempts") + 1
        )
    claimed = Delivery.objects.filter(lease_token=token).select_related("message").order_by("pk")
    return token, list(claimed)


def deliver_one(delivery: Delivery, token: str, by_name: dict, now=None) -> bool:
    """Send one claimed delivery on its channel and record the outcome on its row."""
    channel = by_name.get(delivery.channel)
    message = delivery.message.as_message()
    try:
        if channel is None:
            raise LookupError(f"channel {delivery.channel!r} is not configured")
        channel.deliver(message, key=f"civicgrid-notification-{delivery.pk}")
    except Exception as exc:
        logger.exception("通知发送失败：%s %s", delivery.channel, message.case_number)
        now = now or timezone.now()
        exhausted = delivery.attempts >= settings.CIVICGRID_OUTBOX_MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk, lease_token=token).update(
            status=DeliveryStatus.FAILED if exhausted else DeliveryStatus.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:1000],
            lease_until=None,
            next_attempt_at=now + backoff(delivery.attempts),
        )
        return False
    # Delivered is final whoever holds the lease now: no worker sends this row again.
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=timezone.now(),
        lease_until=None,
        last_error="",
    )
    return True


def deliver_pending(*, now=None, batch: int | None = None, max_batches: int = 20) -> dict:
    """Deliver due rows batch by batch (at most `max_batches` batches): counts of delivered and
    failed attempts, and whether due rows remain."""
    counts = {"delivered": 0, "failed": 0, "more": False}
    by_name = {channel.name: channel for channel in channels()}
    for _round in range(max_batches):
        token, claimed = claim(batch, now=now)
        if not claimed:
            return counts
        for delivery in claimed:
            ok = deliver_one(delivery, token, by_name, now=now)
            counts["delivered" if ok else "failed"] += 1
    counts["more"] = due(now).exists()
    return counts


def counts_by_status() -> dict:
    """How many deliveries are pending, delivered and failed (the command's report)."""
    from django.db.models import Count

    rows = Delivery.objects.values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}
