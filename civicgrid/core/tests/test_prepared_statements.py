"""PostgreSQL prepares the statements a connection repeats (settings.DB_PREPARE): the token
lookup every API request makes is parsed and planned once per connection, not per request."""

import pytest
from django.conf import settings
from django.db import connection

from civicgrid.accounts.tokens import issue_token

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
    ),
    pytest.mark.skipif(settings.DB_PREPARE == 0, reason="DB_PREPARE=0 turns them off"),
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_repeated_request_runs_a_prepared_statement(client, users):
    _token, raw = issue_token(users["operator"])
    before = prepared_statements()
    for _ in range(settings.DB_PREPARE + 1):
        response = client.get("/api/cases/", HTTP_AUTHORIZATION=f"Token {raw}")
        assert response.status_code == 200
    new = [sql for sql in prepared_statements() if sql not in before]
    assert any('FROM "accounts_apitoken"' in sql for sql in new), new
    # Parameters are bound on the server: the statement holds placeholders, not the digest.
    assert all("$1" in sql for sql in new if 'FROM "accounts_apitoken"' in sql)
