"""Calls made at the same moment, each from its own thread and database connection (a double tap,
two nodes' periodic jobs): `at_once(fn, n)` for tests marked django_db(transaction=True) and `server_database`."""

import threading

import pytest
from django.db import connection, connections

# The test database on SQLite is one in memory, shared by its connections through a shared cache,
# where a second writer fails at once ("database table is locked") instead of waiting.
server_database = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need a server database"
)


def at_once(fn, n: int = 2, *, timeout: float = 10):
    """Call fn(i) for i in range(n) from n threads released together.

    Returns (results, errors): what the calls returned, and the exceptions they raised, each a
    list in the order the calls ended."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait(timeout=timeout)
            results.append(fn(i))
        except Exception as error:  # the caller asserts on them
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors
