"""POST /api/cases/ with an Idempotency-Key: a retry answers the first case, another key makes a
new one, the same key with another body is a 422, a bad key a 400, and concurrent retries with
one key make one case (threads on PostgreSQL; the lost race itself on any database)."""

import threading
import uuid

import pytest
from django.db import connection, connections

from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent, CaseNumberCounter
from civicgrid.testing.world import IN_MICRO

LIST = "/api/cases/"


def body(cat, **extra):
    return {
        "category": cat.pk,
        "description": "人行道上堆满建筑垃圾",
        "lon": IN_MICRO[0][0],
        "lat": IN_MICRO[0][1],
        **extra,
    }


def post(client, data, key=None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(LIST, data, format="json", headers=headers)


def counts():
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        list(CaseNumberCounter.objects.values_list("day", "last")),
    )


def test_a_retry_with_the_key_answers_the_first_case(api, users, garbage, clock):
    client = api(users["operator"])
    key = str(uuid.uuid4())
    first = post(client, body(garbage), key)
    assert first.status_code == 201, first.data
    before = counts()
    again = post(client, body(garbage), key)
    assert again.status_code == 200, again.data
    assert again.data["number"] == first.data["number"]
    assert counts() == before  # no case, no history row, no number used up
    case = Case.objects.get()
    assert case.client_key is not None and case.client_key != uuid.UUID(key)
    assert len(case.client_fingerprint) == 64


def test_another_key_or_no_key_makes_a_new_case(api, users, garbage, clock):
    client = api(users["operator"])
    one = post(client, body(garbage), "order-1")
    two = post(client, body(garbage), "order-2")
    plain = [post(client, body(garbage)) for _ in range(2)]
    assert [r.status_code for r in (one, two, *plain)] == [201, 201, 201, 201]
    assert len({r.data["number"] for r in (one, two, *plain)}) == 4
    assert Case.objects.count() == 4
    # Without the header nothing is stored for a key: behaves as before.
    assert Case.objects.filter(client_key__isnull=True).count() == 2


def test_the_same_key_with_another_body_is_a_422(api, users, garbage, clock):
    client = api(users["operator"])
    assert post(client, body(garbage), "k-1").status_code == 201
    before = counts()
    response = post(client, body(garbage, description="另一件事：路灯不亮"), "k-1")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.data["detail"]
    assert counts() == before


def test_keys_belong_to_their_sender(api, users, garbage, clock):
    # The same string from two accounts names two reports.
    first = post(api(users["operator"]), body(garbage), "shared-key")
    second = post(api(users["chief"]), body(garbage), "shared-key")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.data["number"] != second.data["number"]


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "键", "a\tb"])
def test_a_bad_key_is_a_400_and_writes_nothing(api, users, garbage, clock, key):
    before = counts()
    response = post(api(users["operator"]), body(garbage), key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.data
    assert "可打印 ASCII" in str(response.data["Idempotency-Key"])
    assert counts() == before


def test_a_quoted_key_is_the_same_key(api, users, garbage, clock):
    client = api(users["operator"])
    first = post(client, body(garbage), "abc-123")
    again = post(client, body(garbage), '"abc-123"')
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.data["number"] == first.data["number"]


def test_a_resident_retry_is_not_counted_by_the_rate_limit(api, users, garbage, clock, settings):
    settings.CIVICGRID_INTAKE_LIMIT = (2, 3600)
    client = api(users["resident"])
    first = post(client, body(garbage), "phone-1")
    assert first.status_code == 201
    answers = [post(client, body(garbage), "phone-1") for _ in range(5)]
    assert {r.status_code for r in answers} == {200}
    assert post(client, body(garbage), "phone-2").status_code == 201
    # The limit counted the two new reports only.
    assert post(client, body(garbage), "phone-3").status_code == 429
    assert Case.objects.count() == 2


def test_a_race_lost_on_the_unique_key_answers_the_winner(users, garbage, clock, monkeypatch):
    """The insert that loses the race on the unique key answers the case that won (on any
    database: the check before the insert is made to miss, as it does under a race)."""
    key = services.idempotency_key("race", f"api:{users['operator'].pk}")
    fields = body(garbage)
    fingerprint = services.payload_fingerprint(fields)
    winner, created = services.report_once(
        user=users["operator"], client_key=key, fingerprint=fingerprint, **fields
    )
    assert created
    real_filter = Case.objects.filter
    misses = iter([True])

    def first_lookup_misses(*args, **kwargs):
        if kwargs.get("client_key") == key and next(misses, False):
            return Case.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Case.objects, "filter", first_lookup_misses)
    case, created = services.report_once(
        user=users["operator"], client_key=key, fingerprint=fingerprint, **fields
    )
    assert (case.pk, created) == (winner.pk, False)
    assert Case.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database locks whole tables between threads",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_posts_with_one_key_make_one_case():
    from rest_framework.test import APIClient

    from civicgrid.accounts.choices import Role
    from civicgrid.testing.browser import ensure_migration_data
    from civicgrid.testing.factories import UserFactory, make_tree
    from civicgrid.testing.world import category

    ensure_migration_data()
    make_tree()
    operator = UserFactory(username="op-idempotent", role=Role.OPERATOR)
    cat = category("event", "0102")
    answers, errors = [], []
    barrier = threading.Barrier(20)

    def send():
        try:
            client = APIClient()
            client.force_authenticate(operator)
            barrier.wait()
            response = post(client, body(cat), "one-key-for-all")
            answers.append((response.status_code, response.data.get("number")))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(status for status, _ in answers) == [200] * 19 + [201]
    assert len({number for _, number in answers}) == 1
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
