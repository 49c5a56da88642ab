"""Sessions on several nodes: with REDIS_URL a signed-in page reads its session from the shared
cache (Django's cached_db engine), and the table stays the record; without Redis, the table alone.
"""

import os
import subprocess
import sys

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.choices import Role
from civicgrid.testing.factories import UserFactory
from civicgrid.testing.redis import redis_cache, redis_url

CACHED_DB = "django.contrib.sessions.backends.cached_db"


def _engine_with(redis_url):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    out = subprocess.run(
        [sys.executable, "-c", "import civicgrid.settings as s; print(s.SESSION_ENGINE)"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def test_the_engine_reads_through_the_cache_only_when_the_cache_is_redis():
    assert _engine_with("") == "django.contrib.sessions.backends.db"
    assert _engine_with("redis://127.0.0.1:6379/0") == CACHED_DB


def _session_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [q["sql"] for q in queries if "django_session" in q["sql"]]


@pytest.mark.skipif(redis_url() is None, reason="no Redis server to test against")
@pytest.mark.django_db
def test_with_redis_pages_read_the_session_from_the_cache_and_sign_out_ends_it_everywhere(
    settings,
):
    settings.SESSION_ENGINE = CACHED_DB
    with redis_cache(settings):
        operator = UserFactory(username="zhoumin", role=Role.OPERATOR, is_staff=True)
        node_a = Client()
        node_a.force_login(operator)
        key = node_a.cookies[settings.SESSION_COOKIE_NAME].value
        # The table keeps the session: a flushed Redis signs nobody out.
        assert Session.objects.filter(session_key=key).exists()

        response, reads = _session_queries(node_a, "/console/")
        assert response.status_code == 200
        assert reads == []

        # Another node (another client with the same cookie) finds it in the same cache.
        node_b = Client()
        node_b.cookies[settings.SESSION_COOKIE_NAME] = key
        response, reads = _session_queries(node_b, "/console/")
        assert response.status_code == 200
        assert reads == []

        # Signing out on one node ends the session on the other: the cache and the row go.
        node_a.post("/logout/")
        assert not Session.objects.filter(session_key=key).exists()
        response = node_b.get("/console/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_without_redis_the_session_is_read_from_the_table(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    operator = UserFactory(username="zhoumin", role=Role.OPERATOR, is_staff=True)
    client = Client()
    client.force_login(operator)
    response, reads = _session_queries(client, "/console/")
    assert response.status_code == 200
    assert len(reads) == 1
