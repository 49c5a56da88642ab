"""Background tasks of the case loop (django-tasks; the demo runs the database worker).

Deadline warnings are scanned by the `scan_case_deadlines` command (see cases.warnings).
notifications does not import this module (that was a cycle): CasesConfig.ready() hands it
`enqueue_notifications` as its way to the worker (notifications.use_queue).
"""

from django_tasks import task

from civicgrid.cases import hotline, notifications


@task()
def deliver_notifications_task(messages: list[dict]) -> int:
    """Deliver the case loop's messages through the configured channels (see cases.notifications);
    enqueued after the action's commit. Returns how many messages were handled."""
    batch = [notifications.Message.from_dict(m) for m in messages]
    notifications.deliver(batch)
    return len(batch)


def enqueue_notifications(messages: list[notifications.Message]) -> None:
    deliver_notifications_task.enqueue([m.as_dict() for m in messages])


@task()
def deliver_hotline_message_task(message_id: int) -> bool:
    """Send one message to the 12345 hotline (cases.hotline); on failure the task enqueues itself
    again for the message's next attempt (a backend that cannot defer leaves it to
    `manage.py send_hotline_messages`). Returns whether the hotline acknowledged it."""
    ok, retry_at = hotline.deliver(message_id)
    if not ok and retry_at is not None:
        if deliver_hotline_message_task.get_backend().supports_defer:
            deliver_hotline_message_task.using(run_after=retry_at).enqueue(message_id)
    return ok
