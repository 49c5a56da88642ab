"""Background tasks of the case loop (django-tasks; the demo runs the database worker)."""

from django_tasks import task

from civicgrid.cases import notifications, warnings


@task()
def scan_case_deadlines_task() -> dict:
    """Recompute the deadline warnings of all open cases (see cases.warnings)."""
    return warnings.scan()


@task()
def deliver_notifications_task(messages: list[dict]) -> int:
    """Deliver the case loop's messages through the configured channels (see cases.notifications);
    enqueued after the action's commit. Returns how many messages were handled."""
    batch = [notifications.Message.from_dict(m) for m in messages]
    notifications.deliver(batch)
    return len(batch)
