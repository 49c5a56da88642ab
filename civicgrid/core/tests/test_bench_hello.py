import pytest
from rest_framework.test import APIClient

from civicgrid.accounts.tokens import issue_token
from civicgrid.testing.factories import UserFactory


@pytest.fixture
def token_client(db):
    user = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)[1]}")
    return client


def test_bench_hello_is_404_unless_enabled(token_client, settings):
    settings.CIVICGRID_BENCH_ENDPOINTS = False
    assert token_client.get("/bench/hello").status_code == 404
    assert APIClient().get("/bench/hello").status_code == 404


def test_bench_hello_answers_an_authenticated_client_when_enabled(
    token_client, settings, django_assert_num_queries
):
    settings.CIVICGRID_BENCH_ENDPOINTS = True
    token_client.get("/bench/hello")  # a token's first use records it (last used)
    # The token lookup (with its user) is the only query: the same authentication as an intake.
    with django_assert_num_queries(1):
        response = token_client.get("/bench/hello")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_bench_hello_requires_authentication_like_the_api(db, settings):
    settings.CIVICGRID_BENCH_ENDPOINTS = True
    assert APIClient().get("/bench/hello").status_code in (401, 403)
    assert APIClient().post("/bench/hello").status_code in (401, 403)
