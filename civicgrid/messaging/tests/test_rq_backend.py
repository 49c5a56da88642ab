"""Tasks across machines: the outbox's task through django-tasks' RQ backend (TASKS_BACKEND=rq)
on the real Redis, run by an RQ worker (SimpleWorker in burst mode, in this process)."""

import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.db import transaction
from django_tasks import default_task_backend
from django_tasks.base import TaskResultStatus

from civicgrid.cases import notifications
from civicgrid.messaging import tasks
from civicgrid.messaging.channels import MemoryChannel
from civicgrid.messaging.choices import DeliveryStatus
from civicgrid.messaging.models import Delivery

URL = django_settings.TASKS_REDIS_URL


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {URL}"),
]


@pytest.fixture
def rq_queue(settings, monkeypatch):
    """The RQ backend as the default, on a queue of this test's own (nothing else takes it)."""
    import django_rq

    name = f"civicgrid-test-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {**settings.RQ_QUEUES, name: {"URL": URL}}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", name]}
    }
    settings.CIVICGRID_NOTIFICATION_CHANNELS = ["civicgrid.messaging.channels.MemoryChannel"]
    MemoryChannel.outbox = []
    # The wake-up after the commit enqueues the outbox task on this queue.
    monkeypatch.setattr(
        tasks, "deliver_outbox_task", tasks.deliver_outbox_task.using(queue_name=name)
    )
    queue = django_rq.get_queue(name)
    yield queue
    queue.empty()
    queue.delete(delete_jobs=True)
    MemoryChannel.outbox = []


def work(queue) -> None:
    from django_tasks_rq import Job

    from civicgrid.messaging.rqworker import SimpleWorker

    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    worker.work(burst=True)


def test_tasks_backend_rq_from_the_environment_passes_the_checks():
    """TASKS_BACKEND=rq: the RQ backend, django_rq installed, queues on TASKS_REDIS_URL; the
    system checks (the backend's own among them) pass."""
    code = (
        "from django.conf import settings; from django.core.management import call_command; "
        "call_command('check'); "
        "print(settings.TASKS['default']['BACKEND'], 'django_rq' in settings.INSTALLED_APPS, "
        "settings.RQ_QUEUES['default']['URL'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TASKS_REDIS_URL"}}
    env.update(TASKS_BACKEND="rq", TASKS_REDIS_URL="redis://127.0.0.1:6379/3")
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == (
        "django_tasks_rq.RQBackend True redis://127.0.0.1:6379/3"
    )


def test_committed_notifications_wake_an_rq_worker(rq_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notifications.schedule(
                [
                    notifications.Message(
                        "x", f"R{i:03d}", notifications.Recipient("operator"), "t"
                    )
                    for i in range(30)
                ]
            )
    # The commit enqueued one job in Redis and delivered nothing yet.
    assert rq_queue.count == 1
    assert MemoryChannel.outbox == []
    (job_id,) = rq_queue.job_ids
    assert default_task_backend.get_result(job_id).status == TaskResultStatus.READY

    work(rq_queue)

    assert sorted(m.case_number for m in MemoryChannel.outbox) == [f"R{i:03d}" for i in range(30)]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    result = default_task_backend.get_result(job_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"delivered": 30, "failed": 0, "more": False}
    assert rq_queue.count == 0


def test_a_task_enqueued_through_the_backend_runs_in_the_worker(rq_queue):
    result = tasks.deliver_outbox_task.enqueue()
    assert result.backend == "default"
    assert rq_queue.count == 1
    work(rq_queue)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"delivered": 0, "failed": 0, "more": False}
    assert result.worker_ids


def test_a_worker_stops_listening_at_once():
    """`manage.py rqworker` takes civicgrid's worker, whose command-channel thread ends as soon as
    the worker unsubscribes (rq's own waited up to a minute with redis-py 8.2, every shutdown)."""
    import time

    from django_rq.workers import get_worker_class
    from rq import Queue

    from civicgrid.messaging.rqworker import Worker

    assert get_worker_class() is Worker
    connection = redis.Redis.from_url(URL)
    queue = Queue(f"civicgrid-test-{uuid.uuid4().hex[:12]}", connection=connection)
    for _ in range(5):
        worker = Worker([queue], connection=connection)
        worker.subscribe()
        time.sleep(0.2)  # the thread is reading the channel
        started = time.monotonic()
        worker.unsubscribe()
        assert time.monotonic() - started < 5
        assert not worker.pubsub_thread.is_alive()


def test_the_worker_warms_up_before_its_jobs_at_most_once_a_minute(monkeypatch):
    """Before forking a job's process the worker loads what jobs need (the apps' hooks; URLs and
    translations the first time), at most every WARM_EVERY seconds, closes its database
    connections (a forked process must not share them) and never fails a job for it."""
    from civicgrid.messaging import rqworker

    calls = []
    monkeypatch.setattr(rqworker, "warm_worker_apps", lambda: calls.append("apps"))
    monkeypatch.setattr(rqworker, "warm_process", lambda: calls.append("process"))
    monkeypatch.setattr(rqworker.connections, "close_all", lambda: calls.append("close"))
    worker = rqworker.Worker(["default"], connection=redis.Redis.from_url(URL))

    worker.warm()
    assert calls == ["apps", "process", "close"]
    worker.warm()  # within the minute: nothing
    assert calls == ["apps", "process", "close"]

    worker._warmed_at -= worker.WARM_EVERY + 1

    def broken():
        raise RuntimeError("model blob unreadable")

    monkeypatch.setattr(rqworker, "warm_worker_apps", broken)
    worker.warm()  # logged, not raised; the connections closed all the same
    assert calls == ["apps", "process", "close", "close"]
