"""The suite's order (testing.schedule): long files first, within pytest-django's kinds."""

from pathlib import Path

import pytest

from civicgrid.testing.schedule import pytest_collection_modifyitems


class Item:
    def __init__(self, name, *, long=None, db=None, fixtures=()):
        self.name = name
        self.path = Path(name.split("::")[0])
        self.fixturenames = list(fixtures)
        self.markers = {}
        if long is not None:
            self.markers["long"] = pytest.mark.long(long).mark
        if db is not None:
            self.markers["django_db"] = pytest.mark.django_db(**db).mark

    def get_closest_marker(self, name):
        return self.markers.get(name)


def order(items):
    pytest_collection_modifyitems(None, items)
    return [item.name for item in items]


def test_files_with_a_long_test_run_first_longest_first_and_whole():
    items = [
        Item("a.py::one", db={}),
        Item("b.py::one", db={}),
        Item("b.py::two", db={}, long=30),
        Item("c.py::one", db={}, long=90),
        Item("d.py::one", db={}),
    ]
    assert order(items) == ["c.py::one", "b.py::one", "b.py::two", "a.py::one", "d.py::one"]


def test_the_kinds_keep_their_order():
    items = [
        Item("plain.py::one"),
        Item("live.py::one", fixtures=["live_server"], long=60),
        Item("flush.py::one", db={"transaction": True}),
        Item("db.py::one", fixtures=["db"]),
        Item("db.py::two", db={}, long=5),
        Item("subprocess.py::one", long=20),
    ]
    assert order(items) == [
        "db.py::one",
        "db.py::two",
        "live.py::one",
        "flush.py::one",
        "subprocess.py::one",
        "plain.py::one",
    ]
