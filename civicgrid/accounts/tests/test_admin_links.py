"""A related object named on an admin page links to its page only when that page opens for the
reader (accounts.admin_base.may_open): Django linked a read-only relation, and a raw-id field's
label, whatever the reader might see there. On the demo street an operator's case linked to the
reporting grid worker's account (403), a 居委's time-bank rows to residents outside its area
(the admin's index, "does not exist")."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from civicgrid.accounts.admin_base import may_open
from civicgrid.cases import services as cases
from civicgrid.testing.world import IN_MICRO, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users):
    lon, lat = IN_MICRO[0]
    return cases.do_report(
        user=users["worker"],
        category=category("community", "0101"),
        description="楼道里堆满了旧家具",
        lon=lon,
        lat=lat,
    ).case


def page_of(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_reporters_account_is_named_without_a_link_the_reader_cannot_follow(
    client, users, case
):
    account = reverse("admin:accounts_user_change", args=[users["worker"].pk])
    assert client.get(account).status_code == 302  # (not signed in yet)
    html = page_of(client, users["operator"], case)
    assert f'<div class="readonly">{users["worker"]}</div>' in html  # named, no link
    assert f'href="{account}"' not in html
    assert client.get(account).status_code == 403  # where the link led

    # The system's keeper (a superuser) opens accounts: the link is there.
    client.logout()
    keeper = users["admin"]
    keeper.is_superuser = True
    keeper.save(update_fields=["is_superuser"])
    html = page_of(client, keeper, case)
    assert f'href="{account}"' in html
    assert client.get(account).status_code == 200


def test_a_row_outside_the_readers_area_does_not_open(users, tree):
    def request_of(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return request

    ours, theirs = tree["communities"][0], tree["communities"][1]
    staff = request_of(users["staff"])  # 居委 of community 0
    assert may_open(admin.site, staff, ours)
    assert not may_open(admin.site, staff, theirs)
    assert may_open(admin.site, request_of(users["operator"]), theirs)  # the street's desk


def test_the_history_asks_once_per_account_it_names(client, users, case):
    """A case's history names its few accounts on every row: the rows are read with their
    accounts, and whether each account's page opens is asked once a page, so a longer history
    costs no more statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.cases.models import CaseEvent

    client.force_login(users["operator"])
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.get(url)  # the session and the caches, as on any later page
    with CaptureQueriesContext(connection) as short:
        assert client.get(url).status_code == 200
    first = case.events.get()
    for _ in range(5):  # the same account notes the case again and again
        CaseEvent.objects.create(
            case=case,
            actor=users["worker"],
            at=first.at,
            action=first.action,
            to_status=case.status,
            note="补充说明",
        )
    with CaptureQueriesContext(connection) as long:
        assert client.get(url).status_code == 200
    assert len(long) == len(short)
