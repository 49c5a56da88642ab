"""A scratch database for tests that run real processes (manage.py commands, kill -9 workers):
a copy of this worker's test database, so the processes find the migrated schema and the
migration data without a `migrate` of their own, which replays every migration (most of a
minute on a loaded machine; Django re-renders the model states).

On PostgreSQL it is `CREATE DATABASE … TEMPLATE` the test database, named after the test and the
worker's pid and dropped by `drop()`; on SQLite a file written through SQLite's backup API from
the test database (in memory under pytest-django). The fixture `scratch_database` makes one in
a transactional test, so the copy is taken outside any transaction and holds the migration data
the kit seeds for such tests (testing.browser.ensure_migration_data).

`empty=True` makes an empty database instead, for the tests of migrations: they migrate it from
nothing to the old state they start from, inside `as_default()` (this process's default
connection points at it), so the test database itself never goes back and forward — which cost
three passes of Django's migration state rendering, the last one only to put the schema back.
"""

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections


class ScratchDatabase:
    """A copy of the test database (or an empty one): `url` for DATABASE_URL, `rows(sql)` to read
    it, `as_default()` to point this process at it, `drop()`."""

    def __init__(self, label: str, sqlite_path: Path, empty: bool = False):
        self.vendor = connection.vendor
        self.settings_dict = dict(connection.settings_dict)
        if self.vendor == "postgresql":
            s = connection.settings_dict
            self.server = (
                f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
                f"{s['PORT'] or 5432}"
            )
            self.name = f"civicgrid_{label}_{os.getpid()}"
            template = s["NAME"]
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            if empty:
                self._admin(f'CREATE DATABASE "{self.name}"')
            else:
                connections.close_all()  # a template database must have no other session
                # A session an earlier test of this worker left open (a live server's thread)
                # would make CREATE … TEMPLATE fail: this worker's test database is its own.
                self._admin(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{template}' AND pid <> pg_backend_pid()"
                )
                self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"')
            self.url = f"{self.server}/{self.name}"
        elif self.vendor == "sqlite":
            self.path = Path(sqlite_path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.unlink(missing_ok=True)
            if not empty:
                connection.ensure_connection()
                target = sqlite3.connect(self.path)
                connection.connection.backup(target)
                target.close()
            self.name = str(self.path)
            self.url = f"sqlite:///{self.path}"
        else:  # pragma: no cover
            raise NotImplementedError(f"no scratch database for {self.vendor}")

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as c:
            c.execute(sql)

    def rows(self, sql):
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(self.url) as c:
                return c.execute(sql).fetchall()
        with sqlite3.connect(self.path, timeout=20) as c:
            return c.execute(sql).fetchall()

    @contextmanager
    def as_default(self):
        """This process's default connection points at this database while the block runs (the
        ORM, `connection`, `transaction.atomic()` and management commands alike); the test
        database's connection is put back afterwards, untouched. Content type ids differ between
        the two, so their cache is emptied both ways."""
        previous = connections[DEFAULT_DB_ALIAS]
        wrapper = type(previous)({**self.settings_dict, "NAME": self.name}, DEFAULT_DB_ALIAS)
        connections[DEFAULT_DB_ALIAS] = wrapper
        ContentType.objects.clear_cache()
        try:
            yield wrapper
        finally:
            wrapper.close()
            connections[DEFAULT_DB_ALIAS] = previous
            ContentType.objects.clear_cache()

    def drop(self):
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
