"""Test-only notification channels that record every delivery in an append-only file, for the
tests that run real worker processes (messaging/tests/test_kill.py): name them in
CIVICGRID_NOTIFICATION_CHANNELS and set CIVICGRID_TEST_RECORDER_FILE.

Each accepted delivery appends one line `channel<TAB>key<TAB>case number` with O_APPEND and
fsyncs it before `deliver` returns, so a line on disk is a message the "provider" took even if
the worker is killed the next instant. The file is the provider's raw log: the provider itself is
idempotent by key (like the SMS gateway's Idempotency-Key), so `received()` reads it back as
{(channel, key): [case numbers…]} and `raw_lines()` keeps the re-sends visible.

Fault injection, by environment: CIVICGRID_TEST_RECORDER_DELAY (seconds per delivery, so a run
lasts long enough to be killed in the middle) and CIVICGRID_TEST_RECORDER_DIE_AT=N (the process
SIGKILLs itself right after fsyncing its N-th line: accepted by the channel, not yet marked
delivered in the outbox — the worst moment for a worker to die).
"""

import os
import signal
import time
from collections import defaultdict

from civicgrid.messaging.channels import Channel

FILE_ENV = "CIVICGRID_TEST_RECORDER_FILE"
_written = 0


class RecorderChannel(Channel):
    name = "recorder"

    def deliver(self, message, key: str) -> None:
        global _written
        delay = float(os.environ.get("CIVICGRID_TEST_RECORDER_DELAY") or 0)
        if delay:
            time.sleep(delay)
        line = f"{self.name}\t{key}\t{message.case_number}\n".encode()
        fd = os.open(os.environ[FILE_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        _written += 1
        if _written == int(os.environ.get("CIVICGRID_TEST_RECORDER_DIE_AT") or 0):
            os.kill(os.getpid(), signal.SIGKILL)

    def send(self, message) -> None:
        self.deliver(message, "")


class SecondRecorderChannel(RecorderChannel):
    """A second channel into the same file, so exactly-once is checked per channel."""

    name = "recorder2"


def raw_lines(path) -> list[tuple[str, str, str]]:
    """Every line the provider received, re-sends included: (channel, key, case number)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f if line.endswith("\n")]


def received(path) -> dict:
    """What an idempotent provider keeps: {(channel, key): [case numbers sent under that key]}."""
    kept = defaultdict(list)
    for channel, key, number in raw_lines(path):
        kept[(channel, key)].append(number)
    return dict(kept)
