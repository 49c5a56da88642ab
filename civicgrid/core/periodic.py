"""Periodic work on any number of nodes, once per period (定时任务).

Every node may run `manage.py run_periodic --every 5`; the jobs are settings.CIVICGRID_PERIODIC_JOBS
(name → seconds between runs and a dotted path called without arguments: the deadline scan, the
outbox sweep …). Time is cut into periods of `every` seconds from the epoch, the same on every
node. For each due job a node inserts the row (job, period start) of `PeriodicRun` in its own
transaction; the unique constraint lets exactly one insert succeed (PostgreSQL and SQLite alike),
and only that node runs the job for the period. The others see the IntegrityError and skip it.

Why a table rather than the broker's scheduler (rq-scheduler): it works the same with the database
task backend (the embedded default, no Redis) and with RQ, it needs no single scheduler process
to be kept alive, and the row records which node ran what and how it ended. The cost: a node that
dies while running a job leaves that period's run unfinished (`finished_at` empty) and the job
runs again in the next period — fine for these jobs, which each recompute from the database and
catch up on whatever a missed run left.
"""

import datetime
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from civicgrid.core.models import PeriodicRun

logger = logging.getLogger("civicgrid.periodic")

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Job:
    name: str
    every: int
    call: str

    def run(self):
        return import_string(self.call)()


def jobs(only=None) -> list[Job]:
    """The configured jobs (all, or those named in `only`); an unknown name raises KeyError."""
    configured = {
        name: Job(name, int(spec["every"]), spec["call"])
        for name, spec in settings.CIVICGRID_PERIODIC_JOBS.items()
    }
    for name, job in configured.items():
        if job.every <= 0:
            raise ValueError(f"periodic job {name!r}: every must be positive")
    if only:
        return [configured[name] for name in only]
    return list(configured.values())


def period_start(now: datetime.datetime, every: int) -> datetime.datetime:
    """The start of the period of `every` seconds that `now` falls in (the same on every node)."""
    seconds = int((now - EPOCH).total_seconds())
    return EPOCH + datetime.timedelta(seconds=seconds - seconds % every)


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def claim(job: Job, now: datetime.datetime, node: str) -> PeriodicRun | None:
    """Take this period of `job` for `node`: the new row, or None when another node has it."""
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(
                job=job.name, period_start=period_start(now, job.every), node=node, started_at=now
            )
    except IntegrityError:
        return None


def run_due(*, now=None, node=None, only=None) -> dict:
    """Run each job whose current period no node has claimed yet. Returns {job name: "ran",
    "skipped" or "failed"}; a failing job is logged and recorded on its row, the others still run."""
    now = now or timezone.now()
    node = node or node_name()
    done = {}
    for job in jobs(only):
        run = claim(job, now, node)
        if run is None:
            done[job.name] = "skipped"
            continue
        try:
            result = job.run()
        except Exception as exc:
            logger.exception("定时任务 %s 失败", job.name)
            outcome, done[job.name] = f"{type(exc).__name__}: {exc}"[:1000], "failed"
        else:
            outcome, done[job.name] = f"ok {result!r}"[:1000], "ran"
        PeriodicRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), outcome=outcome)
    return done


def prune(now=None) -> int:
    """Delete the rows older than CIVICGRID_PERIODIC_KEEP_DAYS; returns how many."""
    now = now or timezone.now()
    keep = datetime.timedelta(days=settings.CIVICGRID_PERIODIC_KEEP_DAYS)
    deleted, _by_model = PeriodicRun.objects.filter(period_start__lt=now - keep).delete()
    return deleted
