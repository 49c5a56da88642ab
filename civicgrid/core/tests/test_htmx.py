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


def test_a_form_posted_after_the_session_ended_returns_to_its_page(client):
    """The action's URL answers only a POST: after the login the user goes back to the page the
    form was on, told that what they sent was not saved."""
    action = reverse("console:action", args=["2026120200001", "dispatch"])
    page = "/console/case/2026120200001/"
    response = client.post(action, {"department": "1"}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={page}"
    login_page = client.get(response["Location"])
    assert "登录已失效，刚才提交的内容没有保存" in login_page.content.decode()
    # A Referer from elsewhere (or none) returns to the home page, never to the action.
    response = client.post(action, {}, HTTP_REFERER="https://evil.example/x/")
    assert response["Location"] == f"{LOGIN}?next=/"
    # A page asked for is where the login returns, as before.
    assert client.get(page)["Location"] == f"{LOGIN}?next={page}"
