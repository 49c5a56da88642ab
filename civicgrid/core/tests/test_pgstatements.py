"""psycopg keeps the parsed form of the case's own statements (core.pgstatements): over a
hundred parameters each, which psycopg's default leaves out of its cache."""

from unittest import mock

import pytest
from django.db import connection

from civicgrid.cases import services
from civicgrid.cases.models import Case, Category
from civicgrid.core.pgstatements import WIDE_STATEMENT_PARAMS

INSIDE = (121.505, 31.1075)  # in the test tree's first micro-grid


def test_the_limit_covers_every_column_of_a_case():
    psycopg_queries = pytest.importorskip("psycopg._queries")
    # A psycopg release that renames the constant makes this fail rather than quietly lose it.
    assert psycopg_queries.MAX_CACHED_STATEMENT_PARAMS >= WIDE_STATEMENT_PARAMS
    assert len(Case._meta.concrete_fields) < WIDE_STATEMENT_PARAMS


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg parses the statements")
def test_a_cases_insert_and_update_are_parsed_once(tree, admin_user):
    from psycopg import _queries

    category = Category.objects.get(family="event", code="0102")

    def report():
        return services.do_report(
            user=admin_user, category=category, description="楼道堆物", lon=INSIDE[0], lat=INSIDE[1]
        ).case

    first = report()
    first.save()
    # The cached path calls the parser through its own reference; the module's name is what
    # psycopg calls for a statement it does not cache.
    with mock.patch.object(_queries, "_query2pg_nocache", wraps=_queries._query2pg_nocache) as (
        parsed_uncached
    ):
        second = report()
        second.description = "楼道堆物，已三天"
        second.save()
    assert parsed_uncached.call_count == 0
    second.refresh_from_db()
    assert second.description == "楼道堆物，已三天"
    assert Case.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
