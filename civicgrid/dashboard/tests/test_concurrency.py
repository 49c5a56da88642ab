"""Concurrent case changes on PostgreSQL lose no count: the database adds the deltas."""

import threading

import pytest
from django.db import connection, connections, transaction

from civicgrid.cases import signals as case_signals
from civicgrid.cases.models import Case, Category
from civicgrid.dashboard.models import Rollup
from civicgrid.testing.browser import ensure_migration_data
from civicgrid.testing.factories import make_tree
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_intake_into_one_bucket():
    ensure_migration_data()
    tree = make_tree()
    mg = tree["micro_grids"][0]
    cat = Category.objects.get(family="event", code="0102")
    errors = []

    def writer(n):
        try:
            for i in range(15):
                with transaction.atomic():
                    case = Case.objects.create(
                        number=f"2026111{n}{i:05d}",
                        source="resident",
                        category=cat,
                        description="并发",
                        micro_grid=mg,
                        reported_at=local(2026, 11, 3, 10),
                        filing_deadline=local(2026, 11, 3, 11),
                    )
                    case_signals.send_case_changed(case, case_signals.NEW)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    s = Rollup.objects.get(grain="S", micro_grid=mg.pk, source="resident")
    assert s.reported == 60
    assert sum(Rollup.objects.filter(grain="O").values_list("open", flat=True)) == 60
