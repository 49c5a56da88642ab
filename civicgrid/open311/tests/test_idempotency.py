"""POST requests.json with an Idempotency-Key (an extension of GeoReport v2): 20 identical posts
with one key make one case, a retry answers the same service_request_id and token, another key
a new case, the same key with another body a 422, a bad key a 400 in the spec's error format."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from civicgrid.cases.models import Case
from civicgrid.open311.models import ApiClient, Open311Request
from civicgrid.open311.tests.georeport import assert_error
from civicgrid.open311.tests.test_open311 import counts, form

URL = "/open311/v2/requests.json"


def post(client, data, key=None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(URL, data, headers=headers)


def test_twenty_identical_posts_with_one_key_make_one_case(client, tree, api_client, settings):
    settings.CIVICGRID_INTAKE_LIMIT = (100, 3600)
    _, key = api_client
    answers = [post(client, form(key), "7d1a3c4e-0b5f-4f60-9a57-2c1b9e8d0f11") for _ in range(20)]
    assert [r.status_code for r in answers] == [201] + [200] * 19
    # Every answer is the first one: the same service_request_id, token and notice.
    assert all(r.json() == answers[0].json() for r in answers)
    assert set(answers[0].json()[0]) == {
        "service_request_id",
        "token",
        "service_notice",
        "account_id",
    }
    assert Case.objects.count() == 1 and Open311Request.objects.count() == 1


def test_another_key_or_no_key_makes_a_new_case(client, tree, api_client):
    _, key = api_client
    numbers = {
        post(client, form(key), "a").json()[0]["service_request_id"],
        post(client, form(key), "b").json()[0]["service_request_id"],
        post(client, form(key)).json()[0]["service_request_id"],
        post(client, form(key)).json()[0]["service_request_id"],
    }
    assert len(numbers) == 4 and Case.objects.count() == 4


def test_the_same_key_with_another_body_is_a_422(client, tree, api_client):
    _, key = api_client
    assert post(client, form(key), "k").status_code == 201
    before = counts()
    response = post(client, form(key, description="路灯不亮"), "k")
    assert_error(response, 422)
    assert "Idempotency-Key" in response.json()[0]["description"]
    # Another attribute is another request too.
    assert_error(post(client, form(key, **{"attribute[request_type]": "consult"}), "k"), 422)
    assert counts() == before


def test_a_retry_in_json_with_the_key_in_another_order_is_the_same_request(
    client, tree, api_client
):
    _, key = api_client
    data = form(key)
    first = client.post(
        URL, data, content_type="application/json", headers={"Idempotency-Key": "j"}
    )
    shuffled = dict(reversed(list(data.items())))
    again = client.post(
        URL, shuffled, content_type="application/json", headers={"Idempotency-Key": "j"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]


def test_keys_belong_to_their_client(client, tree, api_client):
    _, key = api_client
    other = ApiClient(name="区城运平台")
    other_key = other.set_new_key()
    other.save()
    one = post(client, form(key), "same")
    two = post(client, form(other_key), "same")
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json()[0]["service_request_id"] != two.json()[0]["service_request_id"]


@pytest.mark.parametrize("bad", ["", "x" * 256, "键值"])
def test_a_bad_key_is_a_spec_400_and_writes_nothing(client, tree, api_client, bad):
    _, key = api_client
    before = counts()
    response = post(client, form(key), bad)
    assert_error(response, 400)
    assert "Idempotency-Key" in response.json()[0]["description"]
    assert counts() == before


def test_a_retry_is_answered_when_the_rate_limit_is_spent(client, tree, api_client, settings):
    settings.CIVICGRID_INTAKE_LIMIT = (1, 3600)
    _, key = api_client
    first = post(client, form(key), "lost-answer")
    assert first.status_code == 201
    again = post(client, form(key), "lost-answer")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert_error(post(client, form(key), "new-one"), 429)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database locks whole tables between threads",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_posts_with_one_key_make_one_case(settings):
    from civicgrid.testing.browser import ensure_migration_data
    from civicgrid.testing.factories import make_tree

    settings.CIVICGRID_INTAKE_LIMIT = (100, 3600)
    ensure_migration_data()
    make_tree()
    app = ApiClient(name="随申办")
    key = app.set_new_key()
    app.save()
    answers, errors = [], []
    barrier = threading.Barrier(20)

    def send():
        try:
            barrier.wait()
            response = post(Client(), form(key), "0b0e6a52-3c39-4e0c-8f5a-8f7d1e2a9c40")
            answers.append((response.status_code, response.json()[0]["service_request_id"]))
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
    assert Case.objects.count() == 1 and Open311Request.objects.count() == 1
