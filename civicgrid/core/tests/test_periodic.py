"""Periodic work once per period however many nodes run it (core/periodic.py, run_periodic)."""

import datetime
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from civicgrid.core import periodic
from civicgrid.core.models import PeriodicRun

RUNS = []
LOCK = threading.Lock()


def probe():
    with LOCK:
        RUNS.append(threading.current_thread().name)
    return len(RUNS)


def broken():
    raise RuntimeError("boom")


JOBS = {
    "probe": {"every": 60, "call": "civicgrid.core.tests.test_periodic.probe"},
    "broken": {"every": 60, "call": "civicgrid.core.tests.test_periodic.broken"},
}
T0 = datetime.datetime(2026, 12, 2, 8, 0, 30, tzinfo=datetime.UTC)


@pytest.fixture
def jobs(settings):
    settings.CIVICGRID_PERIODIC_JOBS = JOBS
    RUNS.clear()
    yield
    RUNS.clear()


def test_period_start_is_the_same_on_every_node():
    assert periodic.period_start(T0, 60) == datetime.datetime(
        2026, 12, 2, 8, 0, tzinfo=datetime.UTC
    )
    assert periodic.period_start(T0, 3600) == datetime.datetime(
        2026, 12, 2, 8, 0, tzinfo=datetime.UTC
    )
    later = T0 + datetime.timedelta(seconds=29)
    assert periodic.period_start(later, 60) == periodic.period_start(T0, 60)
    assert periodic.period_start(later + datetime.timedelta(seconds=1), 60) != (
        periodic.period_start(T0, 60)
    )


@pytest.mark.django_db
def test_second_node_in_the_same_period_skips_and_next_period_runs(jobs):
    assert periodic.run_due(now=T0, node="a", only=["probe"]) == {"probe": "ran"}
    assert periodic.run_due(now=T0 + datetime.timedelta(seconds=20), node="b", only=["probe"]) == {
        "probe": "skipped"
    }
    assert len(RUNS) == 1
    assert periodic.run_due(now=T0 + datetime.timedelta(seconds=40), node="b", only=["probe"]) == {
        "probe": "ran"
    }
    runs = list(PeriodicRun.objects.order_by("period_start").values_list("node", "outcome"))
    assert runs == [("a", "ok 1"), ("b", "ok 2")]
    assert all(PeriodicRun.objects.values_list("finished_at", flat=True))


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run(jobs):
    assert periodic.run_due(now=T0, node="a") == {"probe": "ran", "broken": "failed"}
    broken_run = PeriodicRun.objects.get(job="broken")
    assert broken_run.outcome == "RuntimeError: boom"
    assert broken_run.finished_at is not None
    # Failed is still done for the period: no other node retries it before the next one.
    assert periodic.run_due(now=T0, node="b") == {"probe": "skipped", "broken": "skipped"}


@pytest.mark.django_db
def test_prune_keeps_recent_rows(jobs, settings):
    settings.CIVICGRID_PERIODIC_KEEP_DAYS = 14
    periodic.run_due(now=T0 - datetime.timedelta(days=20), node="a", only=["probe"])
    periodic.run_due(now=T0, node="a", only=["probe"])
    assert periodic.prune(now=T0) == 1
    assert PeriodicRun.objects.count() == 1


@pytest.mark.django_db
def test_command_runs_the_named_job_once_per_period(jobs, capsys):
    call_command("run_periodic", "--job", "probe")
    call_command("run_periodic", "--job", "probe")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "probe=ran"
    # The second call falls in the same minute unless the clock just turned it.
    assert out[1] in {"probe=skipped", "probe=ran"}
    assert len(RUNS) == PeriodicRun.objects.count()
    with pytest.raises(CommandError, match="未知的定时任务"):
        call_command("run_periodic", "--job", "nope")


@pytest.mark.django_db
def test_default_jobs_are_importable(settings):
    from django.utils.module_loading import import_string

    names = [job.name for job in periodic.jobs()]
    assert "case_deadlines" in names and "outbox_sweep" in names
    for job in periodic.jobs():
        assert callable(import_string(job.call))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing nodes need PostgreSQL")
def test_racing_schedulers_run_the_job_once(jobs):
    """Eight nodes hit the same period at the same instant: one insert wins, one run."""
    barrier = threading.Barrier(8)
    outcomes = []

    def node(i):
        try:
            barrier.wait()
            outcomes.append(periodic.run_due(now=T0, node=f"node-{i}", only=["probe"])["probe"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=node, args=(i,), name=f"node-{i}") for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ran"] + ["skipped"] * 7
    assert len(RUNS) == 1
    run = PeriodicRun.objects.get()
    assert run.node == RUNS[0]
