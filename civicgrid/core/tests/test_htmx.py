"""A part of a page whose session has ended sends the browser to the login page as a page load,
and back to the page it was on afterwards: an htmx part (core.htmx), and a script's request for
data (accounts.access.login_redirect: 401 with the login page; web/static/web/session.js)."""

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


JSON = {"Accept": "application/json"}


def test_a_script_asking_for_data_is_told_the_session_ended_and_where_to_sign_in(client):
    """The big screen's figures every minute: a redirect was followed by fetch, and the login
    page, read as data, failed to parse in silence (the screen showed old figures for hours)."""
    screen = "/dashboard/screen/?community=2"
    response = client.get(
        reverse("dashboard:data"), headers={**JSON, "Referer": f"http://testserver{screen}"}
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"]
    body = response.json()
    assert body["error"] == "登录已失效，请重新登录后继续。"
    assert body["login_url"] == f"{LOGIN}?next=/dashboard/screen/%3Fcommunity%3D2"
    # A Referer from elsewhere (or none) returns to the home page.
    response = client.get(
        reverse("console:map-data"), headers={**JSON, "Referer": "https://evil.example/x/"}
    )
    assert response.json()["login_url"] == f"{LOGIN}?next=/"


def test_a_script_posting_after_the_session_ended_leaves_no_message_for_the_next_page(client):
    """A phone's route points (posted in the background every 20 s) are refused with 401; the
    login page shows no "what you sent is not saved" about a post the user never made."""
    url = reverse("fieldwork:patrol_points", args=[1])
    response = client.post(
        url, data='{"points": []}', content_type="application/json", headers=JSON
    )
    assert response.status_code == 401
    assert response.json()["login_url"] == f"{LOGIN}?next=/"
    assert "没有保存" not in client.get(LOGIN).content.decode()


def test_a_page_load_is_still_redirected(client):
    """A browser's page load accepts text/html (and anything): the login page, as before."""
    page_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (page_accept, "*/*", ""):
        response = client.get(reverse("dashboard:data"), headers={"Accept": accept})
        assert response.status_code == 302, accept
        assert response["Location"].startswith(f"{LOGIN}?next=")
