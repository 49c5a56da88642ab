"""The order the suite runs in: files with a long test first.

pytest-xdist's workers take tests in collection order (`--dist worksteal`: each worker a half,
then a worker that runs dry takes half of what the other has left). A test of a minute met at
the end keeps one worker busy while the other waits; met at the start it runs while the short
tests are shared. `@pytest.mark.long(seconds)` marks such a test (or a whole module) with its
rough time on a quiet machine; files holding one run first, longest first, each file whole so
that its module fixtures are built once; the others keep their order.

First within their kind: pytest-django runs the tests in a transaction before the transactional
ones (whose flush empties the data migrations' rows), and those before the tests without a
database, as Django's runner does; that order stays.
"""

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "long(seconds): takes about this long on a quiet machine; its file runs first "
        "(civicgrid.testing.schedule)",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    weight = {}
    for item in items:
        marker = item.get_closest_marker("long")
        if marker:
            seconds = marker.args[0] if marker.args else 10
            weight[item.path] = max(weight.get(item.path, 0), seconds)
    # sorted() is stable: within a file, and among unmarked files, the collection order stays.
    items[:] = sorted(items, key=lambda item: (_django_kind(item), -weight.get(item.path, 0)))


def is_transactional(item) -> bool:
    """pytest-django's rule: a `transaction` (or `reset_sequences`) django_db marker, or a
    transactional_db / live_server fixture. The kit's seeding of migration data uses it too."""
    marker = item.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    return bool(
        marker
        and (
            marker.kwargs.get("transaction")
            or marker.kwargs.get("reset_sequences")
            or (marker.args and marker.args[0])
        )
    )


def _django_kind(item) -> int:
    """pytest-django's order: 0 in a transaction, 1 transactional, 2 without a database."""
    if is_transactional(item):
        return 1
    uses_db = item.get_closest_marker("django_db") or "db" in getattr(item, "fixturenames", ())
    return 0 if uses_db else 2
