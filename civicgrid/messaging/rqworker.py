"""The RQ workers of TASKS_BACKEND=rq (`manage.py rqworker` takes `Worker` through settings.RQ).

An RQ worker listens on a Redis pub/sub channel for commands (stop a job, shut down) in a thread
that waits up to 60 s per read. rq 3.0 stops it by sending UNSUBSCRIBE, then asking the thread to
stop: the thread reads the reply, is no longer subscribed and goes back to wait — and since
redis-py 8.2 the stop waits for the thread, so every worker took a minute to shut down (a deploy's
restart, a burst run). Here the thread is told to stop before the UNSUBSCRIBE, so the reply ends
its last read and it exits at once.
"""

import rq


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
    """RQ's worker (a work horse per job), shutting down without the minute's wait."""


class SimpleWorker(_PromptUnsubscribe, rq.SimpleWorker):
    """RQ's in-process worker (the tests' burst runs), shutting down without the minute's wait."""
