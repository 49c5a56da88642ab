"""The end of a transactional test (browser, live-server, concurrency and process tests): every
table emptied, as Django's `flush` does, for less.

Django's TransactionTestCase ends with `manage.py flush` and then the post_migrate signal:
- on PostgreSQL the flush is one TRUNCATE of all ~230 tables, which makes new files for each
  table and index, where the few tables a test wrote to hold a few rows;
- post_migrate makes the content types and permissions again, because the flush emptied them:
  a few hundred inserts after every such test, on either database.

Here the tables a test wrote to are found in one statement and emptied with DELETE, and the
content types and permissions are kept (they are what post_migrate would make again; post_migrate
still runs, so the receivers that restore a table a test emptied do their work and the data
migrations' rows come back through testing.browser.ensure_migration_data as before). On
PostgreSQL the DELETEs run with session_replication_role = replica when the test role may set it
(a superuser, as in CI), so no foreign-key check fires for rows that all go anyway; Django's
foreign keys are deferred, so without it the order of the DELETEs does not matter either.

`install()` puts it in place of TransactionTestCase._fixture_teardown for the test session
(civicgrid.testing.fixtures); a test case with `available_apps` keeps Django's own flush.
"""

from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, connections, transaction
from django.test import TransactionTestCase

# What post_migrate makes from the models: kept, not made again after every test.
KEPT = frozenset({"django_content_type", "auth_permission"})

_django_teardown = TransactionTestCase._fixture_teardown


def written_tables(connection) -> list[str]:
    """The project's tables that hold at least one row (but those in KEPT), in one query."""
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in KEPT
    ]
    if not tables:
        return []
    quote = connection.ops.quote_name
    probes = " UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(probes, tables)
        return [row[0] for row in cursor.fetchall()]


def _may_skip_checks(connection) -> bool:
    if not hasattr(connection, "_civicgrid_replica_role"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        connection._civicgrid_replica_role = bool(row and row[0])
    return connection._civicgrid_replica_role


def empty_tables(connection, attempts: int = 3) -> list[str]:
    """Empty every table a test wrote to (KEPT aside); returns their names.

    A request the live server was still answering can write a row between the listing and the
    DELETEs, into a table not listed, pointing at a row deleted: the commit's foreign-key check
    then refuses the whole flush, and every later test on that worker found the rows left (CI of
    2026-12-07: a patrol page's last post). The page fixtures wait for the server to be idle
    (testing.browser); should a write still slip in, the tables are listed again and emptied
    again (on PostgreSQL, with its checks off, the row is simply found by the next listing),
    until none holds a row."""
    quote = connection.ops.quote_name
    emptied = []
    for attempt in range(attempts):
        tables = written_tables(connection)
        if not tables:
            break
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                if connection.vendor == "postgresql" and _may_skip_checks(connection):
                    cursor.execute("SET LOCAL session_replication_role = replica")
                for table in tables:
                    cursor.execute(f"DELETE FROM {quote(table)}")
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            continue
        emptied += [table for table in tables if table not in emptied]
    return emptied


def _fixture_teardown(self):
    if self.available_apps is not None:
        return _django_teardown(self)
    for db_name in self._databases_names(include_mirrors=False):
        connection = connections[db_name]
        empty_tables(connection)
        # As Django: serialized rollback restores the rows itself at the next test's start.
        if not (self.serialized_rollback and hasattr(connection, "_test_serialized_contents")):
            emit_post_migrate_signal(verbosity=0, interactive=False, db=db_name)
    return None


def install():
    TransactionTestCase._fixture_teardown = _fixture_teardown
