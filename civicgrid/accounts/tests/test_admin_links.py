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
    request = RequestFactory().get("/admin/")
    request.user = users["staff"]  # 居委 of community 0
    ours, theirs = tree["communities"][0], tree["communities"][1]
    assert may_open(admin.site, request, ours)
    assert not may_open(admin.site, request, theirs)
    request.user = users["operator"]  # the street's desk
    assert may_open(admin.site, request, theirs)
