"""An htmx part whose session has ended sends the browser to the login page as a page load, and
back to the page it was on afterwards (core.htmx)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("web:login")
PART = reverse("emergency:board_live")


def htmx(client, url, current="http://testserver/console/?tab=open&page=2"):
    headers = {"HX-Request": "true"}
    if current:
        headers["HX-Current-URL"] = current
    return client.get(url, headers=headers)


def test_a_polled_part_without_a_session_loads_the_login_page_for_the_page(client):
    response = htmx(client, PART)
    assert response.status_code == 200
    assert response.content == b""  # nothing for htmx to put into the part
    assert response["HX-Redirect"] == f"{LOGIN}?next=%2Fconsole%2F%3Ftab%3Dopen%26page%3D2"


def test_without_htmx_the_redirect_stays(client):
    response = client.get(PART)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert "HX-Redirect" not in response


def test_a_page_on_another_site_is_not_where_the_login_returns(client):
    response = htmx(client, PART, current="https://evil.example/console/")
    assert response["HX-Redirect"] == f"{LOGIN}?next={PART.replace('/', '%2F')}"
    response = htmx(client, PART, current="")
    assert response["HX-Redirect"] == f"{LOGIN}?next={PART.replace('/', '%2F')}"


def test_a_signed_in_part_is_answered_as_before(client, users):
    client.force_login(users["operator"])
    response = htmx(client, PART)
    assert response.status_code == 200
    assert "HX-Redirect" not in response
