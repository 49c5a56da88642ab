"""The kill -9 test (issue 12): real processes on a file-based database, real `kill -9`.

* A process that writes 2,000 notifications through the real services is SIGKILLed right after
  its transaction commits, before it can enqueue the wake-up task: the rows are there and the
  workers deliver them all. One killed inside its transaction leaves nothing behind.
* Two `manage.py deliver_outbox` workers (started beside the writers) deliver on two channels that fsync every delivery to an
  append-only file (civicgrid.testing.recorder). One kills itself right after a channel took a
  message and before the outbox marked it delivered; the other is killed from outside in the
  middle of a batch. Their leases run out (3 s) and a fresh worker drains the rest.
* Then: every message was delivered on each channel — 0 lost — under exactly one key, and no key
  carries two different messages — 0 duplicated at the provider, which is idempotent by key
  like the SMS gateway (Idempotency-Key). A worker killed between the channel's acceptance and
  the mark re-sends that one delivery with the same key after its lease: the raw log shows it
  (the self-kill's delivery always, the outside kill's when it lands in that gap), never more.

On PostgreSQL the workers share a scratch database `civicgrid_kill_<pid>` copied from the test
database (dropped afterwards); on SQLite a temporary file copied from it.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from civicgrid.testing import recorder

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(settings.BASE_DIR)
N = 2000
CHANNELS = ("recorder", "recorder2")
DIE_AT = 300

CREATE = """
import os, signal
from django.db import transaction
from civicgrid.cases import notifications
from civicgrid.messaging import outbox

prefix, n = os.environ["KILL_PREFIX"], int(os.environ["KILL_N"])
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
outbox.wake = die  # the enqueue after the commit: the process dies instead
with transaction.atomic():
    notifications.schedule([
        notifications.Message("kill-test", f"{prefix}{i:05d}", notifications.Recipient("operator"), "t")
        for i in range(n)
    ])
    if os.environ.get("KILL_BEFORE_COMMIT"):
        die()
print("not killed")
"""


def manage(env, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=kwargs.pop("stderr", subprocess.DEVNULL),
        **kwargs,
    )


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.long(15)
def test_kill_9_loses_and_duplicates_nothing(tmp_path, scratch_database):
    scratch = scratch_database("kill")
    record = tmp_path / "provider.log"
    env = {
        **os.environ,
        "DATABASE_URL": scratch.url,
        "CIVICGRID_NOTIFICATION_CHANNELS": ",".join(
            f"civicgrid.testing.recorder.{c}" for c in ("RecorderChannel", "SecondRecorderChannel")
        ),
        recorder.FILE_ENV: str(record),
        "CIVICGRID_OUTBOX_LEASE_SECONDS": "3",
        "CIVICGRID_OUTBOX_BATCH": "10",
        "CIVICGRID_TEST_RECORDER_DELAY": "0.001",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    workers = []
    started = time.monotonic()
    try:
        # Killed right after the commit, before the wake-up is enqueued; killed inside its
        # transaction (nothing of it was committed). The workers start beside them and poll.
        creator = manage(
            {**env, "KILL_PREFIX": "K", "KILL_N": str(N)},
            "shell",
            "-c",
            CREATE,
            stderr=subprocess.PIPE,
        )
        doomed = manage(
            {**env, "KILL_PREFIX": "B", "KILL_N": "50", "KILL_BEFORE_COMMIT": "1"},
            "shell",
            "-c",
            CREATE,
            stderr=subprocess.PIPE,
        )
        # Two workers; one dies by its own hand after its 300th acceptance, before the mark.
        outside = manage({**env}, "deliver_outbox", "--every", "1", "--quiet")
        suicidal = manage(
            {**env, "CIVICGRID_TEST_RECORDER_DIE_AT": str(DIE_AT)},
            "deliver_outbox",
            "--every",
            "1",
            "--quiet",
        )
        workers += [outside, suicidal]
        for process in (creator, doomed):
            _out, err = process.communicate(timeout=120)
            assert process.returncode == -signal.SIGKILL, err.decode()[-2000:]
        assert scratch.rows("SELECT COUNT(*) FROM messaging_outboxmessage") == [(N,)]
        assert scratch.rows("SELECT COUNT(*) FROM messaging_delivery") == [(N * len(CHANNELS),)]

        def lines():
            return len(recorder.raw_lines(record))

        wait_for(lambda: suicidal.poll() is not None, 90, "the worker killing itself")
        assert suicidal.returncode == -signal.SIGKILL
        # A fresh worker: drains the rest, and the dead workers' batches once their leases end.
        fresh = manage({**env}, "deliver_outbox", "--every", "1", "--quiet")
        workers.append(fresh)
        wait_for(lambda: lines() >= N, 90, "the first half")
        # The other is killed from outside, in the middle of the run.
        assert outside.poll() is None, "the worker finished before it could be killed"
        os.kill(outside.pid, signal.SIGKILL)
        outside.wait(timeout=10)
        assert outside.returncode == -signal.SIGKILL
        pending = scratch.rows("SELECT COUNT(*) FROM messaging_delivery WHERE status = 'pending'")
        assert pending[0][0] > 0
        print(f"killed the outside worker at {time.monotonic() - started:.1f}s")

        def drained():
            return scratch.rows(
                "SELECT COUNT(*) FROM messaging_delivery WHERE status <> 'delivered'"
            ) == [(0,)]

        wait_for(drained, 120, "every delivery to be delivered")
        print(f"drained at {time.monotonic() - started:.1f}s")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=20)

    raw = recorder.raw_lines(record)
    kept = recorder.received(record)
    numbers = {f"K{i:05d}" for i in range(N)}
    for channel in CHANNELS:
        on_channel = {key: sent for (ch, key), sent in kept.items() if ch == channel}
        # 0 lost: every message reached the channel.
        assert {n for sent in on_channel.values() for n in sent} == numbers, channel
        # 0 duplicated: one key per message, one message per key.
        per_number = Counter(sent[0] for sent in on_channel.values())
        assert set(per_number.values()) == {1}, channel
        assert all(len(set(sent)) == 1 for sent in on_channel.values()), channel
    assert len(kept) == N * len(CHANNELS)
    assert not any(number.startswith("B") for _ch, _key, number in raw)
    # The re-sends: the self-killed worker's accepted-but-unmarked delivery came again under its
    # key after the lease (always); the outside kill adds at most one more.
    resent = {k: len(sent) for k, sent in kept.items() if len(sent) > 1}
    assert 1 <= len(resent) <= 2, resent
    assert set(resent.values()) == {2}
    assert len(raw) == N * len(CHANNELS) + len(resent)
