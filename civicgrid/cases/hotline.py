"""The 12345 hotline adapter: what the street sends back to the hotline (退单, 办结 replies).

A message is a HotlineMessage row (the outbox) written in the transaction of the step that
produces it (cases.services.hotline); the task worker (cases.tasks.deliver_hotline_message_task)
sends it with `deliver`: one HTTP POST of the message's JSON to CIVICGRID_HOTLINE_URL with the
key CIVICGRID_HOTLINE_KEY as a bearer token and the message's id as `Idempotency-Key` (a retry
after a lost answer is the same message). A 2xx answer is the hotline's acknowledgement; any
other answer or a network error leaves the message pending with its next attempt due after a
back-off (1, 2, 4 … minutes, at most an hour), and the worker tries again until acknowledged.
Every attempt is a HotlineAttempt row (immutable). Without a configured URL nothing is sent
(the messages wait; `manage.py send_hotline_messages` sends the due ones).
"""

import datetime

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicgrid.cases.choices import HotlineMessageStatus
from civicgrid.cases.models import HotlineAttempt, HotlineMessage

MAX_BACKOFF = datetime.timedelta(hours=1)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def post(message: HotlineMessage) -> tuple[bool, int | None, str]:
    """One POST of the message to the hotline: (acknowledged, HTTP status, detail)."""
    headers = {"Idempotency-Key": f"civicgrid-hotline-{message.pk}"}
    if settings.CIVICGRID_HOTLINE_KEY:
        headers["Authorization"] = f"Bearer {settings.CIVICGRID_HOTLINE_KEY}"
    try:
        answer = requests.post(
            settings.CIVICGRID_HOTLINE_URL,
            json=message.payload,
            headers=headers,
            timeout=settings.CIVICGRID_HOTLINE_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:500]
    return 200 <= answer.status_code < 300, answer.status_code, answer.text[:500]


def deliver(message_id: int, now=None) -> tuple[bool, datetime.datetime | None]:
    """One attempt to send a message (locked, so two workers never send it at once):
    (acknowledged, when to try again — None when acknowledged or nothing is configured)."""
    if not settings.CIVICGRID_HOTLINE_URL:
        return False, None
    now = now or timezone.now()
    with transaction.atomic():
        message = HotlineMessage.objects.select_for_update().get(pk=message_id)
        if message.status == HotlineMessageStatus.ACKNOWLEDGED:
            return True, None
        ok, status_code, detail = post(message)
        HotlineAttempt.objects.create(
            message=message, at=now, ok=ok, status_code=status_code, detail=detail
        )
        message.attempts += 1
        if ok:
            message.status = HotlineMessageStatus.ACKNOWLEDGED
            message.acknowledged_at = now
            message.next_attempt_at = None
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["status", "attempts", "acknowledged_at", "next_attempt_at"])
    return ok, message.next_attempt_at


def due(now=None):
    """Pending messages whose next attempt is due."""
    now = now or timezone.now()
    return HotlineMessage.objects.filter(
        status=HotlineMessageStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")


def deliver_due(now=None) -> dict:
    """Send every due message once: {"acknowledged": n, "failed": n}."""
    counts = {"acknowledged": 0, "failed": 0}
    if not settings.CIVICGRID_HOTLINE_URL:
        return counts
    for pk in list(due(now).values_list("pk", flat=True)):
        ok, _retry = deliver(pk, now)
        counts["acknowledged" if ok else "failed"] += 1
    return counts
