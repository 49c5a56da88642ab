"""Case numbers: YYYYMMDD + the day's 5-digit sequence, unique under many and concurrent intakes."""

import threading

import pytest
from django.db import connection

from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseNumberCounter
from civicgrid.testing.world import category


def test_numbers_are_sequential_per_day(users, clock):
    cat = category("event", "0102")
    clock.set(2026, 11, 22, 23, 59)
    numbers = [
        services.do_report(user=users["worker"], category=cat, description=f"{i}").case.number
        for i in range(120)
    ]
    assert numbers == [f"20261122{i:05d}" for i in range(1, 121)]
    # Local midnight starts a new sequence (Asia/Shanghai, not UTC).
    clock.set(2026, 11, 23, 0, 0)
    assert services.do_report(user=users["worker"], category=cat, description="x").case.number == (
        "2026112300001"
    )
    assert Case.objects.values("number").distinct().count() == 121
    assert CaseNumberCounter.objects.get(day="2026-11-22").last == 120


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need a server database"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_numbers_unique_under_concurrent_intake():
    from civicgrid.accounts.choices import Role
    from civicgrid.testing.factories import UserFactory

    operator = UserFactory(username="op-concurrent", role=Role.OPERATOR)
    cat = category("event", "0102")
    numbers, errors = [], []
    barrier = threading.Barrier(6)

    def worker(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            for i in range(15):
                case = services.do_report(user=operator, category=cat, description=f"{n}-{i}").case
                numbers.append(case.number)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(numbers) == 90 and len(set(numbers)) == 90
    sequences = sorted(int(n[8:]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + 90))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need a server database"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_hotline_pushes_make_one_case():
    from civicgrid.accounts.choices import Role
    from civicgrid.testing.factories import UserFactory

    operator = UserFactory(username="op-hotline", role=Role.OPERATOR)
    cat = category("event", "0102")
    results, errors = [], []
    barrier = threading.Barrier(5)

    def push():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            case, created = services.intake_hotline(
                user=operator, ticket="T-RACE-1", category=cat, description="同一工单"
            )
            results.append((case.number, created))
        except Exception as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=push) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({number for number, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Case.objects.filter(external_ticket="T-RACE-1").count() == 1
