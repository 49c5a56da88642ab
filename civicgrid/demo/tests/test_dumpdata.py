"""dumpdata / loaddata of a whole street round-trips (README: 数据导出与导入): a small demo street
with cases, patrols, sorting, shops … is dumped with the README's command line, the database
flushed and the dump loaded back; every model has as many rows as before, and the derived rows
(dashboard rollups, the grid tree's revision, the 核查 tallies) are the dump's, not recomputed on
top of it by signal handlers (loaddata sends post_save with raw=True: every handler skips it)."""

import contextlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.db.models.signals import post_save, pre_save

# The README's command line: content types and permissions are made again by `migrate` (and
# referred to by natural keys), sessions and the task queue are not data worth carrying over.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "django_tasks_database"]
DUMP_OPTIONS = {"natural_foreign": True, "natural_primary": True, "exclude": EXCLUDED}


def excluded(model) -> bool:
    return model._meta.app_label in EXCLUDED or model._meta.label_lower in EXCLUDED


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if not excluded(model) and model._meta.managed and not model._meta.proxy
    }


def fingerprint():
    """A few derived and domain values the round trip must keep as they were."""
    from civicgrid.cases.models import Case, CaseEvent
    from civicgrid.dashboard.models import Rollup, VerificationTally
    from civicgrid.grids.models import GridTreeRevision

    rollups = Rollup.objects.aggregate(
        **{name: Sum(name) for name in ("reported", "open", "closed", "verified")}
    )
    return (
        sorted(Case.objects.values_list("number", "status", "warning_level", "micro_grid_id")),
        # JSON keeps times to the millisecond (DjangoJSONEncoder, as ECMA-262 dates).
        sorted(
            (number, action, at.replace(microsecond=at.microsecond // 1000 * 1000))
            for number, action, at in CaseEvent.objects.values_list("case__number", "action", "at")
        ),
        rollups,
        sorted(VerificationTally.objects.values_list("case_id", "verified", "on_time")),
        list(GridTreeRevision.objects.values_list("revision", flat=True)),
    )


def build_street():
    """A small street through the demo's builders (each through the apps' services)."""
    from civicgrid.demo.accounts import build_posted_accounts
    from civicgrid.demo.builder import build_demo_street
    from civicgrid.demo.cases import build_demo_cases
    from civicgrid.demo.duty import build_demo_duty
    from civicgrid.demo.estates import build_demo_estates
    from civicgrid.demo.fieldwork import build_demo_fieldwork
    from civicgrid.demo.firesafety import build_demo_firesafety
    from civicgrid.demo.shops import build_demo_shops
    from civicgrid.demo.sorting import build_demo_sorting
    from civicgrid.demo.survey import build_demo_survey
    from civicgrid.testing.demo import DEMO_WORLD_STREET

    steps = [
        lambda: build_demo_street(DEMO_WORLD_STREET),
        lambda: build_demo_estates(seed=7),
        lambda: build_demo_cases(12, seed=7),
        lambda: build_demo_fieldwork(seed=7),
        lambda: build_posted_accounts(seed=7),
        lambda: build_demo_duty(seed=7),
        lambda: build_demo_survey(seed=7),
        lambda: build_demo_sorting(seed=7),
        lambda: build_demo_shops(seed=7, blocks=3, shops=12),
        lambda: build_demo_firesafety(seed=7),
    ]
    for step in steps:
        step()


@contextlib.contextmanager
def constraints_checked_now():
    """The test runs in one transaction, where PostgreSQL refuses to TRUNCATE tables with
    deferred foreign-key checks pending: run them first, and defer them again for loaddata (the
    commands on their own each run in their own transaction)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.django_db
@pytest.mark.long(12)
def test_a_whole_street_survives_dumpdata_flush_loaddata(tmp_path, settings):
    build_street()
    before = row_counts()
    kept = fingerprint()
    # Rows in most apps, so that the round trip means something.
    assert before["cases.Case"] >= 12 and before["cases.CaseEvent"] > before["cases.Case"]
    assert sum(1 for n in before.values() if n) >= 40

    dump = tmp_path / "street.json.gz"
    call_command("dumpdata", output=str(dump), verbosity=0, **DUMP_OPTIONS)
    with constraints_checked_now():
        call_command("flush", interactive=False, verbosity=0)
    assert not any(row_counts()[label] for label in ("cases.Case", "grids.Grid"))
    call_command("loaddata", str(dump), verbosity=0)

    after = row_counts()
    assert {k: (v, after[k]) for k, v in before.items() if after[k] != v} == {}
    assert fingerprint() == kept


@pytest.mark.django_db
def test_every_save_handler_of_the_project_skips_raw_loads(django_assert_num_queries):
    """Each pre_save/post_save receiver of civicgrid, for every model it listens to, does nothing
    (no query) when loaddata sends the signal with raw=True — a new handler that forgets the
    check fails here before a restore fails in production."""
    called = []
    for signal in (pre_save, post_save):
        for model in apps.get_models(include_auto_created=True):
            for receiver in signal._live_receivers(model)[0]:
                if not receiver.__module__.startswith("civicgrid."):
                    continue
                with django_assert_num_queries(0):
                    receiver(
                        signal=signal,
                        sender=model,
                        instance=model(),
                        created=True,
                        raw=True,
                        using="default",
                        update_fields=None,
                    )
                called.append(f"{receiver.__module__}.{receiver.__name__}")
    # The known ones (grids: the tree revision; dashboard: the 核查 tallies) are among them.
    assert "civicgrid.grids.signals._grid_changed" in called
    assert "civicgrid.dashboard.rollups._on_event" in called
