import pytest
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from civicgrid.accounts.tokens import issue_token
from civicgrid.testing.factories import UserFactory

BENCH_URLS = "civicgrid.bench_urls"


@pytest.fixture
def token_client(db):
    user = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)[1]}")
    return client


def test_the_production_urlconf_has_no_bench_hello(token_client):
    with pytest.raises(Resolver404):
        resolve("/bench/hello")
    assert token_client.get("/bench/hello").status_code == 404
    assert APIClient().get("/bench/hello").status_code == 404


@pytest.mark.urls(BENCH_URLS)
def test_bench_hello_answers_an_authenticated_client_in_the_bench_urlconf(
    token_client, django_assert_num_queries
):
    token_client.get("/bench/hello")  # a token's first use records it (last used)
    # The token lookup (with its user) is the only query: the same authentication as an intake.
    with django_assert_num_queries(1):
        response = token_client.get("/bench/hello")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    # The rest of the project is there too.
    assert token_client.get("/healthz").status_code == 200


@pytest.mark.urls(BENCH_URLS)
def test_bench_hello_requires_authentication_like_the_api(db):
    # The first authenticator is the session's: no challenge, so a 403 as on /api/cases/.
    assert APIClient().get("/api/cases/").status_code == 403
    assert APIClient().get("/bench/hello").status_code == 403
    assert APIClient().post("/bench/hello").status_code == 403
