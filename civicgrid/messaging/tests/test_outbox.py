"""The transactional outbox: every message is a row of the step's own transaction, delivered
once per channel by workers that claim small batches with a lease; a worker that dies is
replaced when its lease runs out; a failing channel never holds the others back."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from civicgrid.cases import notifications, services, warnings
from civicgrid.cases.models import Case
from civicgrid.messaging import outbox as box
from civicgrid.messaging.choices import DeliveryStatus
from civicgrid.messaging.models import Delivery, Notification, OutboxMessage
from civicgrid.testing.cases import case_in_state, report

MEMORY = "civicgrid.messaging.channels.MemoryChannel"


class BrokenChannel(notifications.Channel):
    """A channel whose provider is down (flip `up` to bring it back)."""

    name = "broken"
    up = False
    sent: list = []

    def send(self, message):
        if not BrokenChannel.up:
            raise ConnectionError("provider down")
        BrokenChannel.sent.append(message)


@pytest.fixture
def broken(settings):
    BrokenChannel.up = False
    BrokenChannel.sent = []
    settings.CIVICGRID_NOTIFICATION_CHANNELS = [
        "civicgrid.messaging.tests.test_outbox.BrokenChannel",
        MEMORY,
    ]
    return BrokenChannel


def test_messages_are_rows_of_the_steps_transaction(users, garbage, clock, outbox):
    case = report(users["resident"], garbage)
    # Without running the after-commit wake-up: the rows are there, pending, nothing sent yet.
    services.do_file(case, users["operator"])
    row = OutboxMessage.objects.get(case_number=case.number, kind="file")
    assert row.recipient["kind"] == "reporter" and "已立案" in row.text
    assert [(d.channel, d.status) for d in row.deliveries.all()] == [("memory", "pending")]
    assert outbox == []
    # The sweep (what a lost wake-up leaves to) delivers them.
    call_command("deliver_outbox", verbosity=0)
    assert [(m.kind, m.case_number) for m in outbox] == [("file", case.number)]
    assert row.deliveries.get().status == DeliveryStatus.DELIVERED


def test_a_rolled_back_or_refused_action_leaves_no_row(users, garbage, clock, outbox):
    case = report(users["resident"], garbage)
    before = (OutboxMessage.objects.count(), Delivery.objects.count(), Notification.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.do_file(case, users["operator"])
        services.do_dispatch(case, users["operator"])
        raise RuntimeError("the process dies before the commit")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_file(case, users["resident"])
    after = (OutboxMessage.objects.count(), Delivery.objects.count(), Notification.objects.count())
    assert after == before
    assert Case.objects.get(pk=case.pk).status == "reported"


def test_a_dead_worker_is_replaced_after_its_lease_and_nothing_is_sent_twice(
    users, garbage, clock, outbox, settings
):
    settings.CIVICGRID_OUTBOX_LEASE_SECONDS = 300
    cases = [report(users["resident"], garbage) for _ in range(3)]
    for case in cases:
        services.do_file(case, users["operator"])
    # Worker A claims everything and dies before sending anything.
    _token, claimed = box.claim(10)
    assert len(claimed) == 3
    # Worker B, while the lease holds, finds nothing to do.
    assert box.deliver_pending()["delivered"] == 0 and outbox == []
    clock.advance(minutes=6)
    # The lease has run out: B takes the batch over and delivers each message once.
    assert box.deliver_pending()["delivered"] == 3
    assert sorted(m.case_number for m in outbox) == sorted(c.number for c in cases)
    # Running again (a repeated wake-up, the sweep) sends nothing again.
    assert box.deliver_pending()["delivered"] == 0
    call_command("deliver_outbox", verbosity=0)
    assert len(outbox) == 3
    assert set(Delivery.objects.values_list("status", "attempts")) == {("delivered", 2)}


def test_a_failing_channel_never_holds_back_the_others_and_is_retried(
    users, garbage, clock, outbox, broken, django_capture_on_commit_callbacks
):
    case = report(users["resident"], garbage)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_file(case, users["operator"])
    assert Case.objects.get(pk=case.pk).status == "filed"
    assert [m.kind for m in outbox] == ["file"]  # the memory channel delivered
    failed = Delivery.objects.get(channel="broken")
    assert failed.status == DeliveryStatus.PENDING and failed.attempts == 1
    assert "provider down" in failed.last_error and failed.lease_until is None
    assert failed.next_attempt_at > timezone.now()
    # Not due yet: nothing is attempted.
    assert box.deliver_pending() == {"delivered": 0, "failed": 0, "more": False}
    broken.up = True
    clock.advance(minutes=2)
    assert box.deliver_pending()["delivered"] == 1
    assert [m.kind for m in broken.sent] == ["file"]
    assert len(outbox) == 1  # the channel that had delivered is not sent again


def test_a_delivery_that_keeps_failing_is_marked_failed(
    users, garbage, clock, outbox, broken, settings
):
    settings.CIVICGRID_OUTBOX_MAX_ATTEMPTS = 3
    services.do_file(report(users["resident"], garbage), users["operator"])
    for _ in range(5):
        box.deliver_pending()
        clock.advance(hours=1)
    row = Delivery.objects.get(channel="broken")
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert Delivery.objects.get(channel="memory").status == DeliveryStatus.DELIVERED


def test_a_big_scan_is_written_in_bounded_queries_and_delivered_in_small_batches(
    users, garbage, clock, outbox, settings, django_assert_max_num_queries
):
    settings.CIVICGRID_OUTBOX_BATCH = 10
    messages = [
        notifications.Message(
            "warning_red", f"20261123{i:05d}", notifications.Recipient("operator"), f"超期 {i}"
        )
        for i in range(120)
    ]
    # 120 messages: inserts of the rows, the deliveries and the operator's items, and one
    # query for the operators — not one per message.
    with django_assert_max_num_queries(8):
        with transaction.atomic():
            notifications.schedule(messages)
    assert Notification.objects.filter(user=users["operator"]).count() == 120
    # One task's worth: a few batches; each batch is a claim (select, update, read; in a savepoint
    # here) and one update per delivery; then whether more are due.
    with django_assert_max_num_queries(3 * 5 + 30 + 1):
        counts = box.deliver_pending(max_batches=3)
    assert counts == {"delivered": 30, "failed": 0, "more": True}
    while box.deliver_pending()["more"]:
        pass
    assert len(outbox) == 120 and len({m.case_number for m in outbox}) == 120


def test_the_wake_up_task_delivers_batches_and_enqueues_itself_again(
    users, clock, outbox, settings
):
    from civicgrid.messaging.tasks import deliver_outbox_task

    settings.CIVICGRID_OUTBOX_BATCH = 5
    with transaction.atomic():
        notifications.schedule(
            [
                notifications.Message("x", str(i), notifications.Recipient("operator"), "t")
                for i in range(130)
            ]
        )
    # 20 batches of 5 in one run, then it wakes another run (at once here) for the rest.
    deliver_outbox_task.call()
    assert len(outbox) == 130
    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()


def test_the_deadline_scan_writes_its_warnings_to_the_outbox(
    users, garbage, clock, outbox, django_capture_on_commit_callbacks
):
    case = case_in_state("accepted", users, cat=garbage)
    clock.advance(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert warnings.scan()["red"] == 1
    rows = OutboxMessage.objects.filter(case_number=case.number, kind="warning_red")
    assert sorted(r.recipient["kind"] for r in rows) == ["department", "operator"]
    assert sorted(m.recipient.kind for m in outbox if m.kind == "warning_red") == [
        "department",
        "operator",
    ]
    # The operator and the department's handler find it in their notification centres.
    for who in ("operator", "handler"):
        assert Notification.objects.filter(
            user=users[who], message__kind="warning_red", read_at__isnull=True
        ).exists()


def test_claims_never_overlap(users, clock, outbox):
    with transaction.atomic():
        notifications.schedule(
            [
                notifications.Message("x", str(i), notifications.Recipient("operator"), "t")
                for i in range(7)
            ]
        )
    token_a, first = box.claim(4)
    token_b, second = box.claim(4)
    _token_c, third = box.claim(4)
    assert len(first) == 4 and len(second) == 3 and third == []
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert token_a != token_b


def test_messages_queued_before_the_outbox_are_taken_over(users, clock, outbox):
    from civicgrid.cases.tasks import deliver_notifications_task

    message = notifications.Message(
        "file", "2026112300001", notifications.Recipient("operator"), "t"
    )
    assert deliver_notifications_task.call([message.as_dict()]) == 1
    assert OutboxMessage.objects.filter(case_number="2026112300001").count() == 1
    outbox_rows = Delivery.objects.filter(message__case_number="2026112300001")
    assert outbox_rows.count() == 1


def test_backoff_grows_to_an_hour():
    assert [box.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)] == [
        1,
        2,
        4,
        60,
        60,
    ]
    assert box.backoff(0) == datetime.timedelta(minutes=1)
