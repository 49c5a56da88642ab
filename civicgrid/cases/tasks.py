"""Background tasks of the case loop (django-tasks; the demo runs the database worker).

Deadline warnings are scanned by the `scan_case_deadlines` command (see cases.warnings).
Notifications are delivered from the outbox by civicgrid.messaging.tasks.deliver_outbox_task.
"""

from django_tasks import task

from civicgrid.cases import hotline, notifications


@task()
def deliver_notifications_task(messages: list[dict]) -> int:
    """Tasks queued before the outbox carried their messages: an upgraded worker writes them to
    the outbox (delivered from there, once per channel). Returns how many messages it took."""
    notifications.schedule([notifications.Message.from_dict(m) for m in messages])
    return len(messages)


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
