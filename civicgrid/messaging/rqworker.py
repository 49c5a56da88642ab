"""The RQ workers of TASKS_BACKEND=rq (`manage.py rqworker` takes `Worker` through settings.RQ).

An RQ worker listens on a Redis pub/sub channel for commands (stop a job, shut down) in a thread
that waits up to 60 s per read. rq 3.0 stops it by sending UNSUBSCRIBE, then asking the thread to
stop: the thread reads the reply, is no longer subscribed and goes back to wait — and since
redis-py 8.2 the stop waits for the thread, so every worker took a minute to shut down (a deploy's
restart, a burst run). Here the thread is told to stop before the UNSUBSCRIBE, so the reply ends
its last read and it exits at once.

`Worker` also loads what the jobs need before it forks each job's work horse
(core.warmup.warm_worker_apps: the task modules, dispatch's model and jieba): RQ runs every job
in a fresh fork, and without it every horse loaded them for its one job — a report's
suggestion took ≈0.9 s instead of a few milliseconds, so two workers fell behind an intake of
3 cases a second (bench/rq_warm.py). The loading is repeated at most every `WARM_EVERY`
seconds (a newly activated model reaches the horses within that; until then each loads it
itself), and no database connection is left open across the fork.
"""

import logging
import time

import rq
from django.db import connections

from civicgrid.core.warmup import warm_process, warm_worker_apps

logger = logging.getLogger("civicgrid.rqworker")


class _PromptUnsubscribe:
    def unsubscribe(self):
        thread = self.pubsub_thread
        if not thread:
            return
        self.log.info(
            "Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name
        )
        try:
            thread.stop(timeout=0)  # redis-py ≥ 8.2: clears the flag, waits for nothing
        except TypeError:
            thread.stop()  # earlier redis-py: only clears the flag
        self.pubsub.unsubscribe()
        thread.join(timeout=1)
        self.pubsub.close()


class Worker(_PromptUnsubscribe, rq.Worker):
    """RQ's worker (a work horse per job), shutting down without the minute's wait, its horses
    forked from a process that has loaded what the jobs need."""

    WARM_EVERY = 60.0
    _warmed_at: float | None = None
    _process_warmed = False

    def execute_job(self, job, queue):
        self.warm()
        return super().execute_job(job, queue)

    def warm(self) -> None:
        now = time.monotonic()
        if self._warmed_at is not None and now - self._warmed_at < self.WARM_EVERY:
            return
        self._warmed_at = now
        try:
            warm_worker_apps()
            if not self._process_warmed:
                # URLs and translations for the messages' links and texts; what start-up made
                # frozen once (a later model replaced by a newer one must stay collectable).
                warm_process()
                self._process_warmed = True
        except Exception:
            # Only speed is at stake: each horse then loads what it needs itself.
            logger.exception("worker warm-up failed")
        finally:
            # A connection the parent keeps would be shared by every forked horse.
            connections.close_all()


class SimpleWorker(_PromptUnsubscribe, rq.SimpleWorker):
    """RQ's in-process worker (the tests' burst runs), shutting down without the minute's wait."""
