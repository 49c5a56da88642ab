"""The outbox's background task (django-tasks; the demo runs the database worker)."""

from django_tasks import task

from civicgrid.messaging import outbox


@task()
def deliver_outbox_task() -> dict:
    """Deliver the due notifications in small batches (messaging.outbox.deliver_pending). The
    task carries no messages: it only wakes a worker, so a lost or repeated task loses or repeats
    nothing. When due rows remain after its batches it enqueues itself again."""
    counts = outbox.deliver_pending()
    if counts["more"]:
        outbox.wake()
    return counts
