"""Background tasks of the case loop (django-tasks; the demo runs the database worker).

Deadline warnings are scanned by the `scan_case_deadlines` command (see cases.warnings).
notifications does not import this module (that was a cycle): CasesConfig.ready() hands it
`enqueue_notifications` as its way to the worker (notifications.use_queue).
"""

from django_tasks import task

from civicgrid.cases import notifications


@task()
def deliver_notifications_task(messages: list[dict]) -> int:
    """Deliver the case loop's messages through the configured channels (see cases.notifications);
    enqueued after the action's commit. Returns how many messages were handled."""
    batch = [notifications.Message.from_dict(m) for m in messages]
    notifications.deliver(batch)
    return len(batch)


def enqueue_notifications(messages: list[notifications.Message]) -> None:
    deliver_notifications_task.enqueue([m.as_dict() for m in messages])
