"""The inbox's cache reads: the fire office's department (the menu's is_fire_office) comes in
the page's one round trip with the counts, the calendar and the badge (console.queries
.shared_reads), and the menu answers as is_fire_office's own read did."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from civicgrid.firesafety import services as firesafety

pytestmark = pytest.mark.django_db


def fire_menu(page: str) -> bool:
    return "消防检查" in page


@pytest.mark.parametrize("office", [False, True])
def test_the_menu_reads_the_fire_office_with_the_page(users, client_for, monkeypatch, office):
    handler = users["handler"]
    monkeypatch.setattr(
        firesafety,
        "fire_office_department_id",
        lambda: handler.department_id if office else None,
    )
    client = client_for(handler)
    first = client.get("/console/inbox/").content.decode()  # is_fire_office's own read
    assert fire_menu(first) is office
    # Cached as fire_office_department_id keeps it; now the page's read must carry it.
    cache.set(firesafety.FIRE_OFFICE_KEY, [handler.department_id if office else None], 60)

    def unexpected():
        raise AssertionError("read apart from the page's entries")

    monkeypatch.setattr(firesafety, "fire_office_department_id", unexpected)
    again = client.get("/console/inbox/")
    assert again.status_code == 200
    assert fire_menu(again.content.decode()) is office


def test_note_fire_office_leaves_an_unread_entry_to_is_fire_office(users):
    handler = users["handler"]
    firesafety.note_fire_office(handler, None)
    assert not hasattr(handler, "_firesafety_office")
    firesafety.note_fire_office(handler, [handler.department_id])
    assert firesafety.is_fire_office(handler) is True
    assert firesafety.is_fire_office(AnonymousUser()) is False
