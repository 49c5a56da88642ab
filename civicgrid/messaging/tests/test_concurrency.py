"""Several workers at once on PostgreSQL (FOR UPDATE SKIP LOCKED): every message is delivered
exactly once per channel, and a worker that dies holding a batch loses nothing."""

import threading

import pytest
from django.db import connection, connections, transaction

from civicgrid.cases import notifications
from civicgrid.messaging import outbox
from civicgrid.messaging.channels import Channel
from civicgrid.messaging.choices import DeliveryStatus
from civicgrid.messaging.models import Delivery

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL"
    ),
]


class CountingChannel(Channel):
    name = "counting"
    sent: list = []
    lock = threading.Lock()

    def send(self, message):
        with CountingChannel.lock:
            CountingChannel.sent.append(message.case_number)


def test_four_workers_deliver_each_message_once(settings, monkeypatch):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = [
        "civicgrid.messaging.tests.test_concurrency.CountingChannel"
    ]
    settings.CIVICGRID_OUTBOX_BATCH = 7
    CountingChannel.sent = []
    # The process dies between the commit and the wake-up: no worker is told.
    monkeypatch.setattr(outbox, "wake", lambda: None)
    with transaction.atomic():
        notifications.schedule(
            [
                notifications.Message("x", f"N{i:05d}", notifications.Recipient("operator"), "t")
                for i in range(400)
            ]
        )
    # A worker that died holding a batch: its lease runs out during the run.
    settings.CIVICGRID_OUTBOX_LEASE_SECONDS = 1
    _token, dead = outbox.claim(7)
    settings.CIVICGRID_OUTBOX_LEASE_SECONDS = 60
    errors = []

    def worker():
        try:
            while True:
                counts = outbox.deliver_pending(max_batches=3)
                if not counts["more"] and not counts["delivered"]:
                    # Wait out the dead worker's lease too: a fast run may finish the rest
                    # before it expires, and the test is about those rows being reclaimed.
                    if not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists():
                        return
                    threading.Event().wait(0.2)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert len(dead) == 7
    assert len(CountingChannel.sent) == 400
    assert len(set(CountingChannel.sent)) == 400
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
